"""Properties of the principles and of price_lines (hypothesis).

Cost of capital on VaR at a low level floors its capital at zero and warns; the generated
principles include such cases on purpose, so the warning is silenced here (and tested in
test_pricing_principles.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pricing_strategies import (
    all_principles,
    annual_matrices,
    loadings,
    loss_vectors,
    non_negative_principles,
)

from xborder_risk.errors import ParameterError
from xborder_risk.pricing import (
    CostOfCapital,
    ExpectedValuePrinciple,
    StandardDeviationPrinciple,
    VariancePrinciple,
    WangTransform,
    price_lines,
)

pytestmark = pytest.mark.filterwarnings("ignore::xborder_risk.errors.XBorderRiskWarning")


def tolerance(x: np.ndarray) -> float:
    """Absolute float-rounding allowance for premiums computed from ``x``."""
    return 1e-9 * (float(np.abs(x).max()) + 1.0)


@settings(max_examples=80, deadline=None)
@given(
    annual=annual_matrices(),
    principle=non_negative_principles,
    loads=loadings(),
    allocation=st.sampled_from(["co_tvar", "euler"]),
)
def test_gross_at_least_technical_at_least_expected_loss(annual, principle, loads, allocation):
    names = [f"line_{i}" for i in range(annual.shape[1])]
    try:
        result = price_lines(annual, names, principle, loads, allocation=allocation)
    except ParameterError as error:
        # Only a constant total (no tail spread) with a positive load cannot be split by co-TVaR.
        assert allocation == "co_tvar" and error.name == "annual"
        total = annual.sum(axis=1)
        assert total.max() - total.min() <= 1e-9 * (abs(total).max() + 1)
        assume(False)
    total_row = result.table.loc["total"]
    tol = tolerance(annual.sum(axis=1)) * (1 + principle.premium(annual.sum(axis=1)))
    assert total_row["gross_premium"] >= total_row["technical_premium"] - tol
    assert total_row["technical_premium"] >= total_row["expected_loss"] - tol
    lines = result.table.iloc[:-1]
    scale = float(lines["technical_premium"].abs().sum() + lines["risk_load"].abs().sum())
    assert np.isclose(
        lines["technical_premium"].sum(),
        principle.premium(annual.sum(axis=1)),
        rtol=1e-12,
        atol=1e-12 * scale,
    )


@given(x=loss_vectors(), principle=non_negative_principles)
def test_risk_load_is_never_negative(x, principle) -> None:
    assert principle.risk_load(x) >= -tolerance(x)


# --- monotone in the parameter -----------------------------------------------------------

PARAMETERS = {
    "loading": (ExpectedValuePrinciple, st.floats(0.0, 5.0)),
    "k_sd": (StandardDeviationPrinciple, st.floats(0.0, 5.0)),
    "k_var": (VariancePrinciple, st.floats(0.0, 1e-4)),
    "lam": (WangTransform, st.floats(0.0, 3.0)),
}


@pytest.mark.parametrize("which", sorted(PARAMETERS))
@given(data=st.data(), x=loss_vectors())
def test_premium_is_monotone_in_the_loading_parameter(which, data, x) -> None:
    cls, values = PARAMETERS[which]
    low, high = sorted((data.draw(values), data.draw(values)))
    assert cls(low).premium(x) <= cls(high).premium(x) + tolerance(x)


@given(
    x=loss_vectors(),
    rates=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)),
    levels=st.tuples(st.floats(0.5, 0.999), st.floats(0.5, 0.999)),
    periods=st.tuples(st.floats(0.1, 3.0), st.floats(0.1, 3.0)),
)
def test_cost_of_capital_is_monotone_in_rate_level_and_period(x, rates, levels, periods) -> None:
    r0, r1 = sorted(rates)
    p0, p1 = sorted(levels)
    t0, t1 = sorted(periods)
    base = CostOfCapital(rate=r0, level=p0, period_years=t0).premium(x)
    assert base <= CostOfCapital(rate=r1, level=p0, period_years=t0).premium(x) + tolerance(x)
    assert base <= CostOfCapital(rate=r0, level=p1, period_years=t0).premium(x) + tolerance(x)
    assert base <= CostOfCapital(rate=r0, level=p0, period_years=t1).premium(x) + tolerance(x)


# --- scale and translation ---------------------------------------------------------------


@given(x=loss_vectors(), principle=all_principles, c=st.floats(0.01, 100.0))
def test_scaling_the_losses(x, principle, c) -> None:
    scaled = principle.premium(c * x)
    if isinstance(principle, VariancePrinciple):
        # k is per currency unit: the load scales with c squared.
        expected = c * x.mean() + c**2 * principle.risk_load(x)
    else:
        expected = c * principle.premium(x)  # positively homogeneous
    assert scaled == pytest.approx(expected, rel=1e-9, abs=c * tolerance(x))


@given(x=loss_vectors(), principle=all_principles, a=st.floats(-1e6, 1e6))
def test_adding_a_certain_amount(x, principle, a) -> None:
    shifted = principle.premium(x + a)
    if isinstance(principle, ExpectedValuePrinciple):
        expected = (1 + principle.loading) * (x.mean() + a)  # loads the certain amount too
    else:
        expected = principle.premium(x) + a  # translation invariant
    assert shifted == pytest.approx(expected, rel=1e-9, abs=tolerance(x) + 1e-9 * abs(a))


@given(x=loss_vectors(min_size=2), principle=all_principles)
def test_premium_ignores_the_order_of_the_years(x, principle) -> None:
    assert principle.premium(x[::-1]) == pytest.approx(principle.premium(x), rel=1e-12, abs=1e-9)


# --- more loss never lowers the premium --------------------------------------------------

monotone_principles = st.one_of(
    st.builds(ExpectedValuePrinciple, loading=st.floats(0.0, 2.0)),
    st.builds(WangTransform, lam=st.floats(0.0, 2.0)),
    st.builds(
        CostOfCapital,
        rate=st.floats(0.0, 1.0),
        level=st.floats(0.5, 0.999),
        measure=st.sampled_from(["tvar", "value_at_risk"]),
    ),
)


@given(data=st.data(), x=loss_vectors(), principle=monotone_principles)
def test_more_loss_in_every_year_never_lowers_the_premium(data, x, principle) -> None:
    # Monotone principles (EV, Wang, cost of capital with rate x period <= 1); the
    # standard deviation and variance principles are not monotone (Bühlmann 1970).
    extra = data.draw(loss_vectors(min_size=x.size, max_size=x.size))
    assert principle.premium(x + extra) >= principle.premium(x) - tolerance(x + extra)


@given(x=loss_vectors(), principle=all_principles, c=st.floats(1.0, 10.0))
def test_more_exposure_never_lowers_the_premium(x, principle, c) -> None:
    assert principle.premium(c * x) >= principle.premium(x) - c * tolerance(x)


# --- Wang transform: the integral of the distorted empirical survival function ----------


@given(x=loss_vectors(max_size=60), lam=st.floats(0.0, 2.0))
def test_wang_equals_the_integral_of_the_distorted_step_function(x, lam) -> None:
    from scipy import stats

    # Independent evaluation: S_n is constant between distinct sample values, so
    # rho = min(x) + sum over gaps of g(S_n(t)) * gap length.
    values = np.unique(x)
    survival = np.array([(x > v).mean() for v in values[:-1]])
    g = stats.norm.cdf(stats.norm.ppf(survival) + lam)
    expected = values[0] + float((g * np.diff(values)).sum())
    assert WangTransform(lam).premium(x) == pytest.approx(expected, rel=1e-9, abs=tolerance(x))
