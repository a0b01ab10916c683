"""Co-TVaR / Euler allocation: exact additivity, the Euler gradient, closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pricing_strategies import all_principles, annual_matrices, levels
from scipy import stats

from xborder_risk import measures
from xborder_risk.errors import ParameterError
from xborder_risk.pricing import (
    CostOfCapital,
    ExpectedValuePrinciple,
    StandardDeviationPrinciple,
    VariancePrinciple,
    WangTransform,
    allocate_by_co_tvar,
    co_tvar,
    co_var,
    price_lines,
    tail_weights,
)


def rounding_scale(matrix: np.ndarray) -> float:
    """Size of the numbers summed, for an absolute float-rounding tolerance."""
    return float(np.abs(matrix).sum(axis=1).max()) + 1e-300


@pytest.fixture(scope="module")
def continuous_annual() -> np.ndarray:
    """Three dependent lines with continuous losses (no ties), illustrative."""
    rng = np.random.default_rng(5)
    common = rng.lognormal(0.0, 0.8, 2000)
    return np.column_stack(
        [
            rng.gamma(2.0, 10.0, 2000) + 5 * common,
            rng.lognormal(2.0, 1.0, 2000),
            rng.pareto(3.0, 2000) * 20 + 10 * common,
        ]
    )


# --- exact additivity, ties included -----------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(annual=annual_matrices(), level=levels)
def test_co_tvar_sums_to_the_tvar_of_the_total(annual, level) -> None:
    total = annual.sum(axis=1)
    assert np.isclose(
        co_tvar(annual, level).sum(),
        measures.tvar(total, level),
        rtol=1e-12,
        atol=1e-12 * rounding_scale(annual),
    )


@settings(max_examples=60, deadline=None)
@given(annual=annual_matrices(), level=levels)
def test_co_var_sums_to_the_var_of_the_total(annual, level) -> None:
    total = annual.sum(axis=1)
    assert np.isclose(
        co_var(annual, level).sum(),
        measures.value_at_risk(total, level),
        rtol=1e-12,
        atol=1e-12 * rounding_scale(annual),
    )


@settings(max_examples=60, deadline=None)
@given(annual=annual_matrices(), level=levels)
def test_tail_weights_carry_exactly_the_tail_mass(annual, level) -> None:
    total = annual.sum(axis=1)
    weights, tail_mass = tail_weights(total, level)
    assert tail_mass == pytest.approx(total.size * (1 - level))
    assert weights.sum() == pytest.approx(tail_mass, rel=1e-12)
    assert ((weights >= -1e-12) & (weights <= 1 + 1e-12)).all()
    # Weight is never given to a year below a year that is left out.
    var = measures.value_at_risk(total, level)
    assert (weights[total < var] == 0).all()
    assert (weights[total > var] == 1).all()


@pytest.mark.filterwarnings("ignore::xborder_risk.errors.XBorderRiskWarning")
@settings(max_examples=60, deadline=None)
@given(annual=annual_matrices(), principle=all_principles)
def test_euler_allocations_sum_to_the_total_risk_load(annual, principle) -> None:
    allocated = principle.allocate(annual)
    total_load = principle.risk_load(annual.sum(axis=1))
    scale = rounding_scale(annual) + abs(total_load)
    assert allocated.shape == (annual.shape[1],)
    assert np.isclose(allocated.sum(), total_load, rtol=1e-12, atol=1e-11 * scale)


@settings(max_examples=60, deadline=None)
@given(
    annual=annual_matrices(),
    level=levels,
    load=st.one_of(st.just(0.0), st.floats(1e-6, 1e6)),  # currency amounts, no subnormals
)
def test_co_tvar_allocation_sums_to_the_given_load(annual, level, load) -> None:
    total = annual.sum(axis=1)
    spread = measures.tvar(total, level) - total.mean()
    no_spread = spread <= 1e-12 * rounding_scale(annual)
    if load > 1e-12 * rounding_scale(annual) and no_spread:
        with pytest.raises(ParameterError, match="spread"):
            allocate_by_co_tvar(annual, load, level)
        return
    allocated = allocate_by_co_tvar(annual, load, level)
    assert np.isclose(allocated.sum(), load, rtol=1e-12, atol=1e-12 * np.abs(allocated).sum())


# --- closed forms and outside truths -----------------------------------------------------


def test_comonotonic_lines_get_their_standalone_tvar() -> None:
    # TVaR is comonotonic additive, and with X2 = 3 X1 every tail scenario is shared,
    # ties included (integer losses, many tied at VaR).
    x1 = np.random.default_rng(1).poisson(4.0, 997).astype(float)
    annual = np.column_stack([x1, 3 * x1])
    level = 0.99  # tail mass 9.97: a fractional atom at VaR
    np.testing.assert_allclose(
        co_tvar(annual, level), [measures.tvar(x1, level), measures.tvar(3 * x1, level)], rtol=1e-12
    )


def test_co_tvar_without_ties_is_the_mean_over_the_worst_years() -> None:
    rng = np.random.default_rng(2)
    annual = rng.exponential(1.0, (1000, 3))
    level = 0.98  # 20 worst years exactly
    worst = np.argsort(annual.sum(axis=1))[-20:]
    np.testing.assert_allclose(co_tvar(annual, level), annual[worst].mean(axis=0), rtol=1e-12)


def test_co_tvar_of_bivariate_normal_matches_closed_form() -> None:
    # For jointly normal lines E[X_i | S >= VaR_p] = mu_i + Cov(X_i, S)/sigma_S * phi(z)/(1-p).
    n, level = 400_000, 0.99
    mean = np.array([50.0, 80.0])
    cov = np.array([[100.0, 60.0], [60.0, 400.0]])
    annual = np.random.default_rng(8).multivariate_normal(mean, cov, n)
    cov_with_total = cov.sum(axis=1)
    sigma_total = math.sqrt(cov.sum())
    z = stats.norm.ppf(level)
    expected = mean + cov_with_total / sigma_total * stats.norm.pdf(z) / (1 - level)
    # Influence function of co-TVaR: (X_i - E[X_i | S = VaR]) 1{S > VaR} / (1 - p).
    total = annual.sum(axis=1)
    var = mean.sum() + z * sigma_total
    at_var = mean + cov_with_total / cov.sum() * (var - mean.sum())
    influence = (annual - at_var) * (total > var)[:, None] / (1 - level)
    se = influence.std(axis=0) / math.sqrt(n)
    np.testing.assert_array_less(np.abs(co_tvar(annual, level) - expected), 4 * se)


EULER_PRINCIPLES = [
    ExpectedValuePrinciple(0.3),
    StandardDeviationPrinciple(1.5),
    WangTransform(0.7),
    CostOfCapital(rate=0.1, level=0.99, measure="tvar"),
    CostOfCapital(rate=0.1, level=0.99, measure="value_at_risk"),
]


@pytest.mark.parametrize("principle", EULER_PRINCIPLES, ids=repr)
def test_euler_allocation_is_the_gradient_of_the_risk_load(continuous_annual, principle) -> None:
    # Euler: the allocation to line i is d/dh risk_load(S + h X_i) at h = 0. With
    # continuous losses no ranks change for a small h, so a central difference is exact
    # up to rounding.
    total = continuous_annual.sum(axis=1)
    h = 1e-6
    gradient = [
        (principle.risk_load(total + h * column) - principle.risk_load(total - h * column))
        / (2 * h)
        for column in continuous_annual.T
    ]
    np.testing.assert_allclose(principle.allocate(continuous_annual), gradient, rtol=1e-6)


def test_variance_allocation_is_half_the_gradient(continuous_annual) -> None:
    # k Var is homogeneous of degree 2: the covariance allocation is half the gradient.
    principle = VariancePrinciple(0.001)
    total = continuous_annual.sum(axis=1)
    h = 1e-6
    gradient = np.array(
        [
            (principle.risk_load(total + h * c) - principle.risk_load(total - h * c)) / (2 * h)
            for c in continuous_annual.T
        ]
    )
    np.testing.assert_allclose(principle.allocate(continuous_annual), gradient / 2, rtol=1e-6)


def test_standard_deviation_allocation_for_independent_lines() -> None:
    # Independent lines: Cov(X_i, S) = Var(X_i), so line i gets k Var(X_i) / sigma_S.
    rng = np.random.default_rng(4)
    annual = np.column_stack([rng.normal(0, 3, 500_000), rng.normal(0, 4, 500_000)])
    allocated = StandardDeviationPrinciple(2.0).allocate(annual)
    np.testing.assert_allclose(allocated, 2.0 * np.array([9.0, 16.0]) / 5.0, rtol=0.02)


def test_wang_allocation_ignores_the_order_of_tied_years() -> None:
    rng = np.random.default_rng(6)
    annual = rng.integers(0, 4, size=(300, 3)).astype(float)  # many tied totals
    order = rng.permutation(300)
    np.testing.assert_allclose(
        WangTransform(0.8).allocate(annual[order]), WangTransform(0.8).allocate(annual), rtol=1e-12
    )


def test_co_tvar_allocation_equals_cost_of_capital_euler_allocation(continuous_annual) -> None:
    principle = CostOfCapital(rate=0.12, level=0.995)
    total_load = principle.risk_load(continuous_annual.sum(axis=1))
    np.testing.assert_allclose(
        allocate_by_co_tvar(continuous_annual, total_load, 0.995),
        principle.allocate(continuous_annual),
        rtol=1e-10,
    )


# --- degenerate and bad input ------------------------------------------------------------


def test_zero_risk_load_allocates_zeros_even_without_spread() -> None:
    constant = np.column_stack([np.arange(10.0), 9.0 - np.arange(10.0)])
    np.testing.assert_array_equal(allocate_by_co_tvar(constant, 0.0, 0.9), [0.0, 0.0])


def test_rounding_load_of_a_riskless_total_is_shared_not_refused() -> None:
    # Every year at an aggregate limit: the mean of the constant total is off by an ulp, so
    # the cost-of-capital load is float rounding, not risk; a quote must not fail on it.
    capped = np.column_stack([np.full(2000, 4194.976457406592), np.zeros(2000)])
    total = capped.sum(axis=1)
    load = CostOfCapital().risk_load(total)
    assert 0.0 < load < 1e-12 * rounding_scale(capped)
    allocated = allocate_by_co_tvar(capped, load, 0.99)
    np.testing.assert_array_equal(allocated, [load / 2, load / 2])
    result = price_lines(capped, ["a", "b"], CostOfCapital())
    assert result.table.loc["total", "risk_load"] == pytest.approx(load, rel=1e-12)


def test_non_zero_load_without_tail_spread_is_refused() -> None:
    perfect_hedge = np.column_stack([np.arange(10.0), 9.0 - np.arange(10.0)])
    with pytest.raises(ParameterError, match="Euler allocation") as info:
        allocate_by_co_tvar(perfect_hedge, 5.0, 0.9)
    assert info.value.name == "annual"


@pytest.mark.parametrize(
    ("annual", "fragment"),
    [
        (np.ones(5), "two-dimensional"),
        (np.ones((0, 2)), "not be empty"),
        (np.array([[1.0, math.nan]]), r"annual\[0, 1\] = nan"),
        (np.array([["a", "b"]]), "real numbers"),
    ],
)
def test_bad_matrices_are_rejected(annual, fragment) -> None:
    for call in (
        lambda: co_tvar(annual, 0.9),
        lambda: co_var(annual, 0.9),
        lambda: allocate_by_co_tvar(annual, 1.0, 0.9),
        lambda: WangTransform(0.5).allocate(annual),
    ):
        with pytest.raises(ParameterError, match=fragment):
            call()


@pytest.mark.parametrize("level", [0.0, 1.0, -0.5, math.nan])
def test_bad_levels_are_rejected(level) -> None:
    with pytest.raises(ParameterError) as info:
        co_tvar(np.ones((3, 2)), level)
    assert info.value.name == "level"
