"""Properties of the reserves from the simulation (hypothesis)."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from xborder_risk.errors import ParameterError
from xborder_risk.reserves import (
    PaymentPattern,
    Valuation,
    cost_of_capital_risk_margin,
    reserve_lines,
    unpaid,
)
from xborder_risk.reserves._patterns import DAYS_PER_MONTH
from xborder_risk.testing.strategies import amounts, policy_periods

FAST = settings(max_examples=60, deadline=None)


@st.composite
def payment_patterns(draw: st.DrawFn) -> PaymentPattern:
    """Valid patterns: 1-6 points over up to 30 years, paid <= reported, both ending at 1."""
    n = draw(st.integers(1, 6))
    gaps = draw(st.lists(st.floats(0.5, 60.0), min_size=n, max_size=n))
    first = sorted(draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
    second = sorted(draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
    # the pointwise max / min of two non-decreasing sequences are non-decreasing
    reported = np.maximum(first, second)
    paid = np.minimum(first, second)
    reported[-1] = paid[-1] = 1.0
    return PaymentPattern(np.cumsum(gaps), reported, paid)


@st.composite
def timings(draw: st.DrawFn) -> tuple[dt.date, float]:
    """(inception, policy period in years) from the shipped policy-period strategy."""
    inception, expiry = draw(policy_periods(latest=dt.date(2040, 12, 31)))
    return inception, (expiry - inception).days / 365.25


loss_vectors = st.lists(amounts(0.0, 1e9), min_size=1, max_size=40).map(np.array)


def fully_developed_date(
    inception: dt.date, period_years: float, pattern: PaymentPattern
) -> dt.date:
    months = 12.0 * period_years + pattern.fully_developed_months
    return inception + dt.timedelta(days=math.ceil(months * DAYS_PER_MONTH) + 1)


@FAST
@given(losses=loss_vectors, pattern=payment_patterns(), timing=timings())
def test_at_inception_all_of_the_loss_is_unpaid(
    losses: np.ndarray, pattern: PaymentPattern, timing: tuple[dt.date, float]
) -> None:
    inception, period = timing
    result = unpaid(losses, pattern, inception, period, inception)
    np.testing.assert_array_equal(result.unpaid, losses)
    assert result.best_estimate() == losses.mean()


@FAST
@given(
    losses=loss_vectors,
    pattern=payment_patterns(),
    timing=timings(),
    extra_days=st.integers(0, 3000),
)
def test_reserve_is_zero_once_every_occurrence_is_fully_developed(
    losses: np.ndarray, pattern: PaymentPattern, timing: tuple[dt.date, float], extra_days: int
) -> None:
    inception, period = timing
    valued = fully_developed_date(inception, period, pattern) + dt.timedelta(days=extra_days)
    result = unpaid(losses, pattern, inception, period, valued)
    assert not result.unpaid.any() and not result.case.any() and not result.ibnr.any()
    assert result.best_estimate() == 0.0
    valuation = Valuation(inception, valued, period)
    assert cost_of_capital_risk_margin(1e6, pattern, valuation) == 0.0


@FAST
@given(
    losses=loss_vectors,
    pattern=payment_patterns(),
    timing=timings(),
    days=st.lists(st.integers(0, 20_000), min_size=2, max_size=2),
)
def test_split_adds_up_and_unpaid_falls_with_time(
    losses: np.ndarray, pattern: PaymentPattern, timing: tuple[dt.date, float], days: list[int]
) -> None:
    inception, period = timing
    early, late = (inception + dt.timedelta(days=d) for d in sorted(days))
    first = unpaid(losses, pattern, inception, period, early)
    second = unpaid(losses, pattern, inception, period, late)
    for result in (first, second):
        assert (result.case >= 0.0).all() and (result.ibnr >= 0.0).all()
        np.testing.assert_allclose(
            result.paid + result.case + result.ibnr, losses, rtol=1e-12, atol=1e-6
        )
    assert (second.unpaid <= first.unpaid * (1.0 + 1e-12) + 1e-9).all()


@FAST
@given(
    losses=st.lists(amounts(0.0, 1e9), min_size=2, max_size=200).map(np.array),
    levels=st.lists(st.floats(0.001, 0.999), min_size=2, max_size=5),
    pattern=payment_patterns(),
    timing=timings(),
    days=st.integers(0, 3650),
    technique=st.sampled_from(["cte", "quantile"]),
)
# rounding cases found by HYPOTHESIS_PROFILE=explore: VaR_0.5 + (max - VaR_0.5) lands an ulp
# above max = TVaR_0.75; the mean of three 0.1s lands an ulp above 0.1 = TVaR_c
@example(
    losses=np.array([99109.04354750365, 103183475.37482332]),
    levels=[0.5, 0.75],
    pattern=PaymentPattern([1.0], [1.0], [1.0]),
    timing=(dt.date(2000, 1, 1), 1.0),
    days=0,
    technique="cte",
)
@example(
    losses=np.full(3, 0.1),
    levels=[0.5, 0.75],
    pattern=PaymentPattern([1.0], [1.0], [1.0]),
    timing=(dt.date(2000, 1, 1), 1.0),
    days=0,
    technique="cte",
)
def test_risk_adjustment_grows_with_the_confidence_level(
    losses: np.ndarray,
    levels: list[float],
    pattern: PaymentPattern,
    timing: tuple[dt.date, float],
    days: int,
    technique: str,
) -> None:
    inception, period = timing
    result = unpaid(losses, pattern, inception, period, inception + dt.timedelta(days=days))
    ordered = sorted(levels)
    adjustments = [result.risk_adjustment(c, technique=technique) for c in ordered]
    assert all(a <= b for a, b in itertools.pairwise(adjustments))
    equivalents = [
        result.risk_adjustment_confidence_equivalent(c, technique=technique) for c in ordered
    ]
    assert all(a <= b for a, b in itertools.pairwise(equivalents))
    # the equivalent confidence level is at least the nominal one (IFRS 17 para 119)
    # (up to the rounding the lower quantile allows n c: 4 ulp, measures._order_index)
    assert all(c * (1.0 - 1e-12) <= e <= 1.0 for c, e in zip(ordered, equivalents, strict=True))
    if technique == "cte":
        # TVaR_c is the mean of the quantiles above c, never below the mean of all of them
        assert all(a >= 0.0 for a in adjustments)
        quantiles = [result.risk_adjustment(c, technique="quantile") for c in ordered]
        assert all(q <= a for q, a in zip(quantiles, adjustments, strict=True))


@FAST
@given(
    pattern=payment_patterns(),
    stretch=st.floats(1.0, 5.0),
    timing=timings(),
    days=st.integers(0, 7300),
)
def test_a_longer_tail_never_runs_off_faster(
    pattern: PaymentPattern, stretch: float, timing: tuple[dt.date, float], days: int
) -> None:
    inception, period = timing
    longer = PaymentPattern(
        pattern.development_months * stretch, pattern.cumulative_reported, pattern.cumulative_paid
    )
    valuation = Valuation(inception, inception + dt.timedelta(days=days), period)
    losses = np.array([1.0, 2.0, 3.0])
    short_unpaid = unpaid(losses, pattern, inception, period, valuation.valuation_date)
    long_unpaid = unpaid(losses, longer, inception, period, valuation.valuation_date)
    assert long_unpaid.paid_fraction <= short_unpaid.paid_fraction + 1e-12
    assert cost_of_capital_risk_margin(100.0, longer, valuation) >= (
        cost_of_capital_risk_margin(100.0, pattern, valuation) - 1e-9
    )


@FAST
@given(timing=timings(), days_before=st.integers(1, 5000), pattern=payment_patterns())
def test_valuation_before_inception_is_rejected(
    timing: tuple[dt.date, float], days_before: int, pattern: PaymentPattern
) -> None:
    inception, period = timing
    with pytest.raises(ParameterError, match="valuation_date"):
        unpaid([1.0], pattern, inception, period, inception - dt.timedelta(days=days_before))


@FAST
@given(
    confidence=st.one_of(
        st.floats(max_value=0.0),
        st.floats(min_value=1.0),
        st.just(float("nan")),
        st.booleans(),
        st.text(max_size=3),
    ),
    pattern=payment_patterns(),
)
def test_confidence_outside_the_open_unit_interval_is_rejected(
    confidence: object, pattern: PaymentPattern
) -> None:
    result = unpaid([1.0, 2.0], pattern, dt.date(2025, 1, 1), 1.0, dt.date(2025, 6, 1))
    with pytest.raises(ParameterError, match="'level'"):
        result.risk_adjustment(confidence)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="'level'"):
        reserve_lines(
            np.ones((3, 1)), ["cyber"], {"cyber": pattern}, dt.date(2025, 1, 1), 1.0,
            dt.date(2025, 6, 1), level=confidence,  # type: ignore[arg-type]
        )  # fmt: skip
