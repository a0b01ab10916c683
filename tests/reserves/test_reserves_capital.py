"""SCR and the cost-of-capital risk margin."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import stats

from xborder_risk.errors import ParameterError
from xborder_risk.reserves import (
    PaymentPattern,
    Valuation,
    YieldCurve,
    cost_of_capital_risk_margin,
    runoff_profile,
    scr,
)

INCEPTION = dt.date(2025, 1, 1)
AT_INCEPTION = Valuation(INCEPTION, INCEPTION, policy_period_years=1.0)
# paid linearly over 12 months from occurrence
LINEAR_12 = PaymentPattern([12.0], [1.0], [1.0])
# illustrative short- and long-tailed patterns (shapes only, not rated figures)
SHORT = PaymentPattern([3, 6, 12, 18], [0.8, 0.95, 1.0, 1.0], [0.4, 0.75, 0.95, 1.0])
LONG = PaymentPattern(
    [6, 12, 24, 36, 60, 84, 120, 156],
    [0.3, 0.5, 0.7, 0.82, 0.93, 0.97, 1.0, 1.0],
    [0.05, 0.12, 0.3, 0.48, 0.73, 0.86, 0.96, 1.0],
)


class TestSCR:
    def test_normal_losses(self) -> None:
        n, mu, sigma = 400_000, 1000.0, 100.0
        x = np.random.default_rng(99).normal(mu, sigma, size=n)
        z = stats.norm.ppf(0.995)
        # s.e. of the 99.5% quantile sqrt(p (1 - p) / n) / phi(z), of the mean 1 / sqrt(n)
        se = sigma * (math.sqrt(0.995 * 0.005 / n) / stats.norm.pdf(z) + 1 / math.sqrt(n))
        assert scr(x) == pytest.approx(z * sigma, abs=4 * se)

    def test_definition(self) -> None:
        x = np.arange(1.0, 201.0)  # VaR_0.995 is the 199th value
        assert scr(x) == pytest.approx(199.0 - 100.5)
        assert scr(x, level=0.5) == pytest.approx(100.0 - 100.5)

    @pytest.mark.parametrize("level", [0.0, 1.0, 2.0, float("nan")])
    def test_level_outside_unit_interval(self, level: float) -> None:
        with pytest.raises(ParameterError, match="level"):
            scr(np.ones(10), level=level)

    def test_losses_validated(self) -> None:
        with pytest.raises(ParameterError, match=r"losses\[0\].*>= 0"):
            scr([-1.0, 1.0])


class TestRiskMargin:
    def test_closed_form_for_a_linear_pattern(self) -> None:
        # occurrences uniform over 12 months, each paid linearly over 12 months: unpaid share
        # 1 at inception, 1/2 after a year, 0 after two (integrate by hand), so
        # RM = CoC * SCR0 * (1 v(1) + 1/2 v(2))
        np.testing.assert_allclose(runoff_profile(LINEAR_12, AT_INCEPTION), [1.0, 0.5, 0.0])
        assert cost_of_capital_risk_margin(1000.0, LINEAR_12, AT_INCEPTION) == pytest.approx(
            0.06 * 1000.0 * 1.5
        )
        curve = YieldCurve.flat(0.03)
        expected = 0.06 * 1000.0 * (1 / 1.03 + 0.5 / 1.03**2)
        assert cost_of_capital_risk_margin(
            1000.0, LINEAR_12, AT_INCEPTION, yield_curve=curve
        ) == pytest.approx(expected, rel=1e-12)
        assert cost_of_capital_risk_margin(
            1000.0, LINEAR_12, AT_INCEPTION, rate=0.1
        ) == pytest.approx(150.0)

    def test_valued_mid_run_off(self) -> None:
        # a year after inception half is unpaid; SCR(t) runs off from there: 1, then 0
        valuation = Valuation(INCEPTION, dt.date(2026, 1, 1))
        profile = runoff_profile(LINEAR_12, valuation).to_numpy()
        assert profile[0] == 1.0 and profile[-1] == 0.0
        assert cost_of_capital_risk_margin(1000.0, LINEAR_12, valuation) == pytest.approx(
            0.06 * 1000.0 * profile.sum()
        )

    def test_nothing_outstanding_gives_zero(self) -> None:
        valuation = Valuation(INCEPTION, dt.date(2030, 1, 1))
        assert cost_of_capital_risk_margin(1000.0, LINEAR_12, valuation) == 0.0
        assert runoff_profile(LINEAR_12, valuation).tolist() == [0.0]

    def test_long_tail_runs_off_slower_than_short_tail(self) -> None:
        short = runoff_profile(SHORT, AT_INCEPTION).to_numpy()
        long = runoff_profile(LONG, AT_INCEPTION).to_numpy()
        assert long.size > short.size
        padded = np.zeros(long.size)
        padded[: short.size] = short
        assert np.all(long >= padded) and np.any(long > padded)
        assert cost_of_capital_risk_margin(100.0, LONG, AT_INCEPTION) > (
            3 * cost_of_capital_risk_margin(100.0, SHORT, AT_INCEPTION)
        )

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"scr0": -1.0}, "scr0.*>= 0"),
            ({"scr0": float("inf")}, "scr0"),
            ({"rate": 1.5}, "rate.*<= 1"),
            ({"rate": -0.01}, "rate"),
            ({"pattern": "short"}, "pattern.*PaymentPattern"),
            ({"valuation": "2025-01-01"}, "valuation.*Valuation"),
            ({"yield_curve": 0.03}, "yield_curve"),
        ],
    )
    def test_invalid_arguments_name_the_field(self, kwargs: dict, field: str) -> None:
        base: dict = {"scr0": 1.0, "pattern": SHORT, "valuation": AT_INCEPTION}
        with pytest.raises(ParameterError, match=field):
            cost_of_capital_risk_margin(**{**base, **kwargs})
