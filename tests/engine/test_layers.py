"""Layer terms: formulas and rejected input."""

import math

import numpy as np
import pytest

from xborder_risk.engine import Layer
from xborder_risk.errors import ParameterError

BAD_LAYERS = [
    ("deductible", -1.0),
    ("deductible", math.nan),
    ("deductible", math.inf),
    ("deductible", "100"),
    ("deductible", True),
    ("limit", 0.0),
    ("limit", -5.0),
    ("limit", math.nan),
    ("limit", "1e6"),
    ("aggregate_deductible", -0.01),
    ("aggregate_deductible", math.inf),
    ("aggregate_limit", 0.0),
    ("aggregate_limit", math.nan),
    ("share", 0.0),
    ("share", 1.5),
    ("share", -0.2),
    ("share", math.nan),
    ("share", None),
    # Beyond the float64 range: float() alone would raise OverflowError.
    pytest.param("limit", 10**400, id="limit-huge-int"),
    pytest.param("deductible", 10**400, id="deductible-huge-int"),
]


@pytest.mark.parametrize(("field", "value"), BAD_LAYERS)
def test_bad_layer_terms_name_the_field(field, value):
    with pytest.raises(ParameterError) as info:
        Layer(**{field: value})
    assert info.value.name == field
    assert field in str(info.value)


def test_layer_formulas():
    layer = Layer(deductible=10.0, limit=100.0, aggregate_deductible=20.0, aggregate_limit=150.0)
    x = np.array([0.0, 5.0, 10.0, 50.0, 110.0, 1e9])
    np.testing.assert_array_equal(layer.occurrence(x), [0, 0, 0, 40, 100, 100])
    s = np.array([0.0, 20.0, 30.0, 170.0, 500.0])
    np.testing.assert_array_equal(layer.aggregate(s), [0, 0, 10, 150, 150])
    half = Layer(aggregate_limit=150.0, share=0.5)
    np.testing.assert_array_equal(half.aggregate(s), [0, 10, 15, 75, 75])
    assert half.max_annual_loss == 75.0


def test_layer_is_immutable_and_defaults_ground_up():
    layer = Layer()
    assert layer.is_ground_up
    with pytest.raises(AttributeError):
        layer.limit = 5.0  # type: ignore[misc]
    assert Layer(deductible=1).deductible == 1.0
    assert isinstance(Layer(deductible=np.int64(3)).deductible, float)


def test_layer_owns_its_aggregate_arithmetic():
    layer = Layer(aggregate_deductible=10.0, aggregate_limit=25.0, share=0.5)
    assert layer.has_aggregate_terms
    assert not Layer(deductible=5.0, limit=10.0, share=0.3).has_aggregate_terms
    assert Layer(aggregate_limit=1.0).has_aggregate_terms
    sums = np.array([0.0, 5.0, 10.0, 20.0, 35.0, 100.0])
    # before the share: min(max(s - 10, 0), 25)
    np.testing.assert_array_equal(layer.aggregate_terms(sums), [0, 0, 0, 10, 25, 25])
    np.testing.assert_array_equal(layer.aggregate(sums), 0.5 * layer.aggregate_terms(sums))
    # adding 8 to running sums: what the layer pays more, before the share
    np.testing.assert_array_equal(
        layer.aggregate_increment(sums, np.full(6, 8.0)), [0, 3, 8, 8, 0, 0]
    )
    no_terms = Layer(share=0.5)
    paid = np.array([1.0, 2.0])
    increment = no_terms.aggregate_increment(np.array([3.0, 4.0]), paid)
    np.testing.assert_array_equal(increment, paid)
    assert not np.shares_memory(increment, paid)


def test_attribute_aggregate_erodes_the_terms_in_occurrence_order():
    layer = Layer(aggregate_deductible=10.0, aggregate_limit=25.0, share=0.5)
    counts = np.array([3, 0, 2])
    payments = np.array([6.0, 6.0, 30.0, 4.0, 4.0])
    attributed = layer.attribute_aggregate(counts, payments)
    # year 0: 6 and 4 of the second erode the deductible, 2 + 23 paid before the limit cuts
    np.testing.assert_allclose(attributed, 0.5 * np.array([0.0, 2.0, 23.0, 0.0, 0.0]))
    # a year's attributions add up to its annual layer loss
    np.testing.assert_allclose(
        [attributed[:3].sum(), attributed[3:].sum()],
        layer.aggregate(np.array([42.0, 8.0])),
    )
    plain = Layer(share=0.25)
    np.testing.assert_array_equal(plain.attribute_aggregate(counts, payments), payments * 0.25)
