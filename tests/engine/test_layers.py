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
