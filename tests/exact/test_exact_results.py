"""AggregateDistribution: measures against the simulation's empirical definitions."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from xborder_risk import measures
from xborder_risk.distributions import Gamma, Poisson
from xborder_risk.engine import Layer, LossModel
from xborder_risk.errors import ParameterError, XBorderRiskDeprecationWarning
from xborder_risk.exact import AggregateDistribution, aggregate_distribution

# A distribution whose probabilities are multiples of 1/10 equals the empirical
# distribution of a 10-point sample, so measures.value_at_risk / measures.tvar give outside truth.
SAMPLE = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 2.0, 5.0, 10.0])
SMALL = AggregateDistribution(
    x=np.array([0.0, 1.0, 2.0, 5.0, 10.0]),
    probabilities=np.array([0.5, 0.2, 0.1, 0.1, 0.1]),
    step=1.0,
    method="given",
)
LEVELS = [0.05, 0.3, 0.5, 0.55, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99]


@pytest.mark.parametrize("p", LEVELS)
def test_var_and_tvar_match_the_empirical_definitions(p):
    assert SMALL.value_at_risk(p) == measures.value_at_risk(SAMPLE, p)
    assert SMALL.quantile(p) == measures.value_at_risk(SAMPLE, p)
    assert SMALL.tvar(p) == pytest.approx(measures.tvar(SAMPLE, p), rel=1e-14)
    # var(level) is the deprecated spelling of the value at risk, for one release
    with pytest.warns(XBorderRiskDeprecationWarning, match="value_at_risk"):
        assert SMALL.var(p) == measures.value_at_risk(SAMPLE, p)


def test_hand_computed_values():
    assert SMALL.value_at_risk(0.5) == 0.0  # F(0) = 0.5 >= 0.5: the lower quantile
    assert SMALL.value_at_risk(0.9) == 5.0
    assert SMALL.tvar(0.9) == pytest.approx(5.0 + 0.1 * 5.0 / 0.1)
    assert SMALL.mean() == pytest.approx(SAMPLE.mean())
    assert SMALL.var() == pytest.approx(SAMPLE.var())
    assert SMALL.std() == pytest.approx(SAMPLE.std())


def test_vector_levels_and_amounts():
    np.testing.assert_array_equal(SMALL.value_at_risk([0.5, 0.9]), [0.0, 5.0])
    np.testing.assert_array_equal(SMALL.value_at_risk([0.5, 0.9]), [0.0, 5.0])
    np.testing.assert_allclose(SMALL.tvar(np.array([[0.5], [0.9]])), [[0.0 + 1.9 / 0.5], [10.0]])
    np.testing.assert_allclose(
        SMALL.cdf([-np.inf, -1.0, 0.0, 0.5, 1.0, 7.0, 10.0, np.inf]),
        [0.0, 0.0, 0.5, 0.5, 0.7, 0.9, 1.0, 1.0],
    )
    assert isinstance(SMALL.cdf(3.0), float)
    assert isinstance(SMALL.value_at_risk(0.9), float)
    assert isinstance(SMALL.tvar(0.9), float)


def test_to_frame():
    frame = SMALL.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["x", "probability", "cdf"]
    np.testing.assert_allclose(frame["cdf"], [0.5, 0.7, 0.8, 0.9, 1.0])


def test_result_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        SMALL.step = 2.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        SMALL.probabilities[0] = 0.9
    # The constructor copied its input: changing the caller's array changes nothing.
    x = np.array([0.0, 1.0])
    dist = AggregateDistribution(x=x, probabilities=np.array([0.5, 0.5]), step=1.0)
    x[1] = 7.0
    assert dist.x[1] == 1.0


def test_aggregate_distribution_result_fields():
    model = LossModel("m", Poisson(lam=3.0), Gamma(alpha=2.0, theta=1.0), Layer(limit=6.0))
    dist = aggregate_distribution(model)
    h = dist.step
    assert dist.method == "fft"
    assert dist.x.dtype == np.float64 and dist.probabilities.dtype == np.float64
    assert abs(dist.probabilities.sum() - 1.0) <= 1e-10
    assert (dist.probabilities >= 0).all()
    # The limit is a whole number of steps and so a grid point.
    assert 6.0 / h == pytest.approx(round(6.0 / h), abs=1e-9)
    np.testing.assert_allclose(dist.x, h * np.arange(dist.n_points), rtol=1e-15)
    assert "AggregateDistribution(" in repr(dist)


def test_n_points_alone_fixes_the_grid_size():
    model = LossModel("m", Poisson(lam=10.0), Gamma(alpha=2.0, theta=1.0))
    for n in (2**10, 2**13):
        dist = aggregate_distribution(model, n_points=n)
        assert dist.n_points == n
        assert dist.truncation_bound <= 1e-12
        assert abs(dist.tvar(0.99) - 44.580948) <= dist.step**2  # shared/DESIGN.md


BAD_CONSTRUCTIONS = [
    ({"x": [0.0, 1.0], "probabilities": [0.5, 0.6]}, "probabilities"),
    ({"x": [0.0, 1.0], "probabilities": [1.2, -0.2]}, "probabilities"),
    ({"x": [0.0, 1.0], "probabilities": [np.nan, 1.0]}, "probabilities"),
    ({"x": [0.0, 1.0], "probabilities": [1.0]}, "probabilities"),
    ({"x": [1.0, 0.0], "probabilities": [0.5, 0.5]}, "x"),
    ({"x": [0.0, 0.0], "probabilities": [0.5, 0.5]}, "x"),
    ({"x": [0.0, np.inf], "probabilities": [0.5, 0.5]}, "x"),
    ({"x": [], "probabilities": []}, "x"),
    ({"x": [0.0, 1.0], "probabilities": [0.5, 0.5], "step": 0.0}, "step"),
    ({"x": [0.0, 1.0], "probabilities": [0.5, 0.5], "step": np.nan}, "step"),
    ({"x": [0.0, 1.0], "probabilities": [0.5, 0.5], "truncation_bound": -1.0}, "truncation_bound"),
]


@pytest.mark.parametrize(("kwargs", "field"), BAD_CONSTRUCTIONS)
def test_invalid_distribution_is_refused(kwargs, field):
    arguments = {"step": 1.0, **kwargs}
    with pytest.raises(ParameterError) as info:
        AggregateDistribution(**arguments)
    assert info.value.name == field
