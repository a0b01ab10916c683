"""Bad input is refused with the parameter named; oversize requests before allocating."""

import math
import time
import tracemalloc

import numpy as np
import pytest

from xborder_risk.distributions import Gamma, Pareto, Poisson
from xborder_risk.engine import Layer, LossModel
from xborder_risk.errors import ParameterError, SimulationSizeError
from xborder_risk.exact import (
    MAX_GRID_POINTS,
    PANJER_MAX_POINTS,
    AggregateDistribution,
    aggregate_distribution,
    compound_pmf,
    discretise_layered_severity,
)

MODEL = LossModel("m", Poisson(lam=2.0), Gamma(alpha=2.0, theta=1.0), Layer(limit=10.0))

BAD_ARGUMENTS = [
    ("step", 0.0),
    ("step", -0.5),
    ("step", math.nan),
    ("step", math.inf),
    ("step", True),
    ("step", "0.1"),
    ("step", 0.3),  # does not divide the occurrence limit 10
    ("step", 20.0),  # larger than the limit
    ("n_points", 0),
    ("n_points", 1),
    ("n_points", 1000),  # not a power of two
    ("n_points", 1024.0),
    ("n_points", True),
    ("n_points", "1024"),
    ("method", "FFT"),
    ("method", "monte_carlo"),
    ("method", None),
    ("tail_tolerance", 0.0),
    ("tail_tolerance", 1e-16),
    ("tail_tolerance", 0.5),
    ("tail_tolerance", math.nan),
    ("tail_tolerance", True),
]


@pytest.mark.parametrize(("name", "value"), BAD_ARGUMENTS)
def test_bad_arguments_name_the_parameter(name, value):
    with pytest.raises(ParameterError) as info:
        aggregate_distribution(MODEL, **{name: value})
    assert info.value.name == name
    assert name in str(info.value)


@pytest.mark.parametrize("model", ["m", None, Poisson(lam=1.0), Layer()])
def test_model_must_be_a_loss_model(model):
    with pytest.raises(ParameterError) as info:
        aggregate_distribution(model)
    assert info.value.name == "model"


def test_too_few_points_for_the_tolerance_is_refused():
    with pytest.raises(ParameterError) as info:
        aggregate_distribution(MODEL, step=0.01, n_points=64)
    assert info.value.name == "n_points"
    assert "tail_tolerance" in str(info.value)


def test_oversize_grid_is_refused():
    with pytest.raises(SimulationSizeError, match="2\\*\\*26"):
        aggregate_distribution(MODEL, n_points=2 * MAX_GRID_POINTS)


def test_heavy_unlimited_tail_is_refused_before_allocating():
    # Pareto(alpha=1.2) without a limit: P(X > x) = 1e-12 only at x ~ 1e10 -> ~1e12 points.
    model = LossModel("heavy", Poisson(lam=3.0), Pareto(alpha=1.2, theta=1.0))
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(SimulationSizeError, match="tail_tolerance"):
            aggregate_distribution(model)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20
    assert time.perf_counter() - started < 5.0


def test_panjer_is_kept_to_a_modest_grid():
    with pytest.raises(SimulationSizeError, match="panjer"):
        aggregate_distribution(MODEL, step=0.001, n_points=2 * PANJER_MAX_POINTS, method="panjer")
    with pytest.raises(SimulationSizeError, match="panjer"):
        compound_pmf(Poisson(lam=1.0), [0.0, 1.0], 2 * PANJER_MAX_POINTS, method="panjer")


BAD_LEVELS = [0.0, 1.0, -0.1, 1.5, math.nan, True, "0.9", [0.5, 1.0], None]


@pytest.mark.parametrize("p", BAD_LEVELS, ids=repr)
def test_bad_levels_are_refused(p):
    dist = AggregateDistribution(x=[0.0, 1.0], probabilities=[0.5, 0.5], step=1.0)
    for measure in (dist.value_at_risk, dist.tvar, dist.quantile):
        with pytest.raises(ParameterError) as info:
            measure(p)
        assert info.value.name == "level"


@pytest.mark.parametrize("x", [[0.5, math.nan], "1.0", True, None], ids=repr)
def test_cdf_refuses_non_numbers(x):
    dist = AggregateDistribution(x=[0.0, 1.0], probabilities=[0.5, 0.5], step=1.0)
    with pytest.raises(ParameterError) as info:
        dist.cdf(x)
    assert info.value.name == "x"


BAD_SEVERITY_PMFS = [
    [0.5, 0.6],  # sums to 1.1
    [1.5, -0.5],
    [0.5, math.nan],
    [],
    [[0.5, 0.5]],
    [0.25] * 4 + [0.0] * 6,  # longer than n_points=8
]


@pytest.mark.parametrize("pmf", BAD_SEVERITY_PMFS, ids=repr)
def test_compound_pmf_refuses_a_bad_severity_pmf(pmf):
    with pytest.raises(ParameterError) as info:
        compound_pmf(Poisson(lam=1.0), pmf, 8)
    assert info.value.name == "severity_pmf"


def test_compound_pmf_refuses_a_non_frequency():
    with pytest.raises(ParameterError) as info:
        compound_pmf(Gamma(alpha=1.0, theta=1.0), [0.0, 1.0], 8)
    assert info.value.name == "frequency"


@pytest.mark.parametrize(
    ("name", "value"), [("step", 0.0), ("step", 3.0), ("n_points", 1), ("layer", None)]
)
def test_discretise_refuses_bad_arguments(name, value):
    arguments = {"step": 0.5, "n_points": 64, "layer": Layer(limit=10.0), name: value}
    with pytest.raises(ParameterError) as info:
        discretise_layered_severity(Gamma(alpha=2.0, theta=1.0), **arguments)
    assert info.value.name == name


def test_no_runtime_warnings_and_no_nan_in_a_degenerate_layer():
    # A deductible far in the tail: the layer is (numerically) never reached.
    layer = Layer(deductible=1e4, limit=5.0)
    dist = aggregate_distribution(LossModel("far", Poisson(lam=1.0), Gamma(2.0, 1.0), layer))
    assert np.isfinite(dist.probabilities).all()
    assert dist.probabilities[0] == pytest.approx(1.0, abs=1e-12)
    assert dist.value_at_risk(0.999) == 0.0
