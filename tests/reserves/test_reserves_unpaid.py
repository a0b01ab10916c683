"""Outstanding losses from simulated years: split, summaries, risk adjustment, discounting."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy.integrate import quad

from xborder_risk import measures
from xborder_risk.errors import ParameterError
from xborder_risk.reserves import PaymentPattern, UnpaidResult, YieldCurve, unpaid
from xborder_risk.reserves._patterns import DAYS_PER_MONTH

# illustrative pattern, not a rated one
PATTERN = PaymentPattern([3, 6, 12, 24], [0.6, 0.85, 0.97, 1.0], [0.3, 0.6, 0.9, 1.0])
INCEPTION = dt.date(2025, 1, 1)
MID_YEAR = dt.date(2025, 7, 1)


def losses(n: int = 1000, seed: int = 7) -> np.ndarray:
    return np.random.default_rng(seed).lognormal(10.0, 1.2, size=n)


class TestSplit:
    def test_paid_case_ibnr_from_the_exposure_averaged_pattern(self) -> None:
        x = losses()
        result = unpaid(x, PATTERN, INCEPTION, 1.0, MID_YEAR)
        tau = (MID_YEAR - INCEPTION).days / DAYS_PER_MONTH
        f_paid = float(PATTERN.exposure_averaged("paid", tau, 12.0))
        f_reported = float(PATTERN.exposure_averaged("reported", tau, 12.0))
        assert 0.0 < f_paid < f_reported < 1.0
        assert result.paid_fraction == f_paid
        np.testing.assert_allclose(result.paid, x * f_paid, rtol=1e-15)
        np.testing.assert_allclose(result.case, x * (f_reported - f_paid), rtol=1e-15)
        np.testing.assert_allclose(result.ibnr, x * (1.0 - f_reported), rtol=1e-15)
        np.testing.assert_allclose(result.unpaid, result.case + result.ibnr, rtol=1e-12)
        np.testing.assert_allclose(result.paid + result.unpaid, x, rtol=1e-12)

    def test_at_inception_everything_is_unpaid_and_unreported(self) -> None:
        x = losses()
        result = unpaid(x, PATTERN, INCEPTION, 1.0, INCEPTION)
        np.testing.assert_array_equal(result.unpaid, x)
        np.testing.assert_array_equal(result.ibnr, x)
        assert not result.paid.any() and not result.case.any()
        assert result.best_estimate() == pytest.approx(x.mean(), rel=1e-15)

    def test_zero_once_fully_developed(self) -> None:
        # 12-month period + 24-month pattern: the last occurrence is fully paid at month 36
        last_payment = INCEPTION + dt.timedelta(days=math.ceil(36 * DAYS_PER_MONTH))
        result = unpaid(losses(), PATTERN, INCEPTION, 1.0, last_payment)
        assert not result.unpaid.any()
        assert result.best_estimate() == 0.0
        for technique in ("cte", "quantile"):
            assert result.risk_adjustment(0.99, technique=technique) == 0.0
            assert result.risk_adjustment_confidence_equivalent(0.99, technique=technique) == 1
        assert result.expected_cash_flows().empty

    def test_longer_policy_period_leaves_more_unpaid(self) -> None:
        x = losses()
        one = unpaid(x, PATTERN, INCEPTION, 1.0, MID_YEAR).best_estimate()
        two = unpaid(x, PATTERN, INCEPTION, 2.0, MID_YEAR).best_estimate()
        assert two > one

    def test_arrays_are_read_only(self) -> None:
        result = unpaid(losses(), PATTERN, INCEPTION, 1.0, MID_YEAR)
        with pytest.raises(ValueError, match="read-only"):
            result.unpaid[0] = 0.0


class TestSummaries:
    def test_quantile_is_the_inverted_cdf_quantile(self) -> None:
        result = unpaid(losses(999), PATTERN, INCEPTION, 1.0, MID_YEAR)
        for p in (0.5, 0.75, 0.9, 0.995):
            expected = np.quantile(result.unpaid, p, method="inverted_cdf")
            assert result.quantile(p) == expected

    def test_risk_adjustment_of_an_exponential_loss(self) -> None:
        # unpaid = u L with L ~ Exp(mean theta): VaR_c - mean = theta u (-ln(1 - c) - 1)
        n, theta = 200_000, 1000.0
        x = np.random.default_rng(2025).exponential(theta, size=n)
        result = unpaid(x, PATTERN, INCEPTION, 1.0, MID_YEAR)
        scale = theta * (1.0 - result.paid_fraction)
        for c in (0.75, 0.9):
            exact = scale * (-math.log(1.0 - c) - 1.0)
            # s.e. of the quantile sqrt(c / ((1 - c) n)) scale, of the mean scale / sqrt(n)
            tolerance = 4.0 * scale * (math.sqrt(c / ((1.0 - c) * n)) + 1.0 / math.sqrt(n))
            ra = result.risk_adjustment(c, technique="quantile")
            assert ra == pytest.approx(exact, abs=tolerance)
            # the quantile technique is VaR_c - mean, bit for bit
            assert ra == measures.value_at_risk(result.unpaid, c) - float(result.unpaid.mean())
        # below the mean at 50 %: the quantile technique is not floored
        assert result.risk_adjustment(0.5, technique="quantile") < 0.0

    def test_cte_risk_adjustment_of_an_exponential_loss(self) -> None:
        # unpaid = u L, L ~ Exp(mean theta), s = theta u: VaR_c = -s ln(1 - c) and, the
        # exponential being memoryless, TVaR_c = VaR_c + s, so RA = TVaR_c - s = -s ln(1 - c)
        n, theta = 200_000, 1000.0
        x = np.random.default_rng(2025).exponential(theta, size=n)
        result = unpaid(x, PATTERN, INCEPTION, 1.0, MID_YEAR)
        scale = theta * (1.0 - result.paid_fraction)
        for c in (0.5, 0.75, 0.9):
            exact = -scale * math.log(1.0 - c)
            # s.e. of TVaR: sqrt(Var[(X - VaR)+] / n) / (1 - c) = s sqrt((1 + c) / ((1 - c) n));
            # of the mean s / sqrt(n)
            tolerance = 4.0 * scale * (math.sqrt((1.0 + c) / ((1.0 - c) * n)) + 1.0 / math.sqrt(n))
            ra = result.risk_adjustment(c)
            assert ra == pytest.approx(exact, abs=tolerance)
            assert result.risk_adjustment(c, technique="cte") == ra  # the default
            # exactly the library's TVaR minus the mean on the same sample
            assert ra == measures.tvar(result.unpaid, c) - float(result.unpaid.mean())
        assert result.risk_adjustment(0.5) > 0.0  # where the quantile technique is negative

    def test_cte_risk_adjustment_of_discounted_unpaid(self) -> None:
        x = np.random.default_rng(5).exponential(1000.0, size=10_000)
        curve = YieldCurve.flat(0.04)
        result = unpaid(x, PATTERN, INCEPTION, 1.0, MID_YEAR, yield_curve=curve)
        sample = result.discounted_unpaid
        ra = result.risk_adjustment(0.75, discounted=True)
        assert ra == measures.tvar(sample, 0.75) - float(sample.mean())
        assert ra == pytest.approx(result.risk_adjustment(0.75) * result.discount_factor)

    def test_equivalent_confidence_level(self) -> None:
        # IFRS 17 para 119: P(unpaid <= best estimate + RA)
        n, theta = 200_000, 1000.0
        x = np.random.default_rng(2025).exponential(theta, size=n)
        result = unpaid(x, PATTERN, INCEPTION, 1.0, MID_YEAR)
        for c in (0.6, 0.75, 0.9):
            # continuous sample, n c an integer: P(X <= VaR_c) = ceil(n c) / n = c
            quantile = result.risk_adjustment_confidence_equivalent(c, technique="quantile")
            assert quantile == pytest.approx(c, abs=1.0 / n)
            # Exp: P(X <= TVaR_c) = 1 - exp(ln(1 - c) - 1) = 1 - (1 - c) / e
            cte = result.risk_adjustment_confidence_equivalent(c)
            assert cte == pytest.approx(1.0 - (1.0 - c) / math.e, abs=0.005)
            threshold = result.best_estimate() + result.risk_adjustment(c)
            assert cte == pytest.approx(np.mean(result.unpaid <= threshold), abs=2.0 / n)
            assert c <= quantile <= cte <= 1.0

    def test_equivalent_confidence_level_of_a_rare_loss(self) -> None:
        # one year in ten has a loss: VaR_0.75 = 0, so the quantile RA is -mean, while the
        # CTE RA is E[X] / (1 - c) - E[X] = 3 E[X], met in every year without a loss
        x = np.zeros(1000)
        x[::10] = np.arange(1.0, 101.0)
        result = unpaid(x, PATTERN, INCEPTION, 1.0, INCEPTION)
        mean = x.mean()
        assert result.risk_adjustment(0.75, technique="quantile") == -mean
        assert result.risk_adjustment_confidence_equivalent(0.75, technique="quantile") == 0.9
        assert result.risk_adjustment(0.75) == pytest.approx(3.0 * mean, rel=1e-12)
        # 4 E[X] = 20.2: the 900 zeros and the losses 1..20
        assert result.risk_adjustment_confidence_equivalent(0.75) == 0.92

    def test_constant_loss_has_no_risk_adjustment(self) -> None:
        result = unpaid(np.full(3, 0.1), PATTERN, INCEPTION, 1.0, INCEPTION)
        assert result.risk_adjustment(0.75) == 0.0  # no rounding below zero
        assert result.risk_adjustment_confidence_equivalent(0.75) == 1.0

    def test_std(self) -> None:
        result = unpaid(losses(), PATTERN, INCEPTION, 1.0, MID_YEAR)
        assert result.std() == pytest.approx(np.std(result.unpaid), rel=1e-12)


def present_value_per_unit(curve: YieldCurve, tau: float, period: float) -> float:
    """int_tau^inf v((s - tau)/12) dF(s), dF/ds = (P(s) - P(s - T)) / T, by quadrature."""
    end = period + PATTERN.fully_developed_months

    def density(s: float) -> float:
        return float(PATTERN.paid_at(s) - PATTERN.paid_at(s - period)) / period

    def integrand(s: float) -> float:
        return density(s) * float(curve.discount_factor((s - tau) / 12.0))

    # kinks of the density (pattern knots, and knots + T) and of v (curve maturities)
    kinks = (3.0, 6.0, 12.0, 15.0, 18.0, 24.0, tau + 12.0, tau + 36.0)
    breaks = [m for m in kinks if tau < m < end]
    value, _ = quad(integrand, tau, end, points=breaks or None, limit=200)
    return value


class TestDiscounting:
    @pytest.mark.parametrize("valuation", [INCEPTION, MID_YEAR, dt.date(2026, 3, 1)])
    def test_discount_factor_against_quadrature(self, valuation: dt.date) -> None:
        curve = YieldCurve([1.0, 3.0], [0.03, 0.05])
        result = unpaid(losses(), PATTERN, INCEPTION, 1.0, valuation, yield_curve=curve)
        tau = (valuation - INCEPTION).days / DAYS_PER_MONTH
        expected = present_value_per_unit(curve, tau, 12.0) / (1.0 - result.paid_fraction)
        # midpoint rule on quarter-months: second-order error, about 1e-6 here
        assert result.discount_factor == pytest.approx(expected, rel=1e-5)
        assert result.best_estimate(discounted=True) == pytest.approx(
            result.best_estimate() * expected, rel=1e-5
        )
        assert 0.0 < result.discount_factor < 1.0

    def test_zero_rates_do_not_discount(self) -> None:
        result = unpaid(losses(), PATTERN, INCEPTION, 1.0, MID_YEAR, yield_curve=YieldCurve.flat(0))
        assert result.discount_factor == pytest.approx(1.0, rel=1e-14)

    def test_cash_flows_add_up(self) -> None:
        curve = YieldCurve.flat(0.04)
        result = unpaid(losses(), PATTERN, INCEPTION, 1.0, MID_YEAR, yield_curve=curve)
        flows = result.expected_cash_flows()
        assert list(flows.columns) == ["expected_payment", "present_value"]
        assert flows.index[0] == 1
        assert flows["expected_payment"].sum() == pytest.approx(result.best_estimate(), rel=1e-9)
        assert flows["present_value"].sum() == pytest.approx(
            result.best_estimate(discounted=True), rel=1e-9
        )

    def test_discounted_needs_a_curve(self) -> None:
        result = unpaid(losses(), PATTERN, INCEPTION, 1.0, MID_YEAR)
        with pytest.raises(ParameterError, match=r"discounted.*yield_curve"):
            result.best_estimate(discounted=True)


class TestValidation:
    @pytest.mark.parametrize(
        ("bad", "field"),
        [
            ([1.0, -1.0], r"annual_losses\[1\].*>= 0"),
            ([1.0, np.nan], r"annual_losses\[1\] = nan"),
            ([[1.0, 2.0]], "annual_losses.*one-dimensional"),
            ([], "annual_losses.*empty"),
            (["1"], "annual_losses.*real"),
        ],
    )
    def test_bad_losses(self, bad: list, field: str) -> None:
        with pytest.raises(ParameterError, match=field):
            unpaid(bad, PATTERN, INCEPTION, 1.0, MID_YEAR)

    def test_valuation_before_inception(self) -> None:
        with pytest.raises(ParameterError, match=r"valuation_date.*on or after inception_date"):
            unpaid(losses(), PATTERN, INCEPTION, 1.0, dt.date(2024, 12, 31))

    def test_wrong_types(self) -> None:
        with pytest.raises(ParameterError, match=r"pattern.*PaymentPattern"):
            unpaid(losses(), "fast", INCEPTION, 1.0, MID_YEAR)  # type: ignore[arg-type]
        with pytest.raises(ParameterError, match="yield_curve"):
            unpaid(losses(), PATTERN, INCEPTION, 1.0, MID_YEAR, yield_curve=0.03)  # type: ignore[arg-type]

    @pytest.mark.parametrize("confidence", [0.0, 1.0, -0.5, 1.5, float("nan"), "0.75", True])
    def test_confidence_outside_the_open_unit_interval(self, confidence: object) -> None:
        result: UnpaidResult = unpaid(losses(), PATTERN, INCEPTION, 1.0, MID_YEAR)
        with pytest.raises(ParameterError, match="'level'"):
            result.risk_adjustment(confidence)  # type: ignore[arg-type]
        with pytest.raises(ParameterError, match="'level'"):
            result.quantile(confidence)  # type: ignore[arg-type]
        with pytest.raises(ParameterError, match="'level'"):
            result.risk_adjustment(confidence, technique="quantile")  # type: ignore[arg-type]
        with pytest.raises(ParameterError, match="'level'"):
            result.risk_adjustment_confidence_equivalent(confidence)  # type: ignore[arg-type]

    @pytest.mark.parametrize("technique", ["CTE", "var", "tvar", "", None, 1, ("cte",)])
    def test_unknown_technique(self, technique: object) -> None:
        result = unpaid(losses(), PATTERN, INCEPTION, 1.0, MID_YEAR)
        with pytest.raises(ParameterError, match=r"'technique'.*'cte'.*'quantile'") as info:
            result.risk_adjustment(0.75, technique=technique)  # type: ignore[arg-type]
        assert info.value.name == "technique"
        with pytest.raises(ParameterError, match="'technique'"):
            result.risk_adjustment_confidence_equivalent(technique=technique)  # type: ignore[arg-type]


def test_the_old_confidence_keyword_is_a_deprecated_spelling_of_level() -> None:
    from xborder_risk.errors import XBorderRiskDeprecationWarning

    result = unpaid(losses(), PATTERN, INCEPTION, 1.0, MID_YEAR)
    with pytest.warns(XBorderRiskDeprecationWarning, match="level="):
        old = result.risk_adjustment(confidence=0.8)
    assert old == result.risk_adjustment(level=0.8)
    with pytest.warns(XBorderRiskDeprecationWarning):
        assert result.quantile(p=0.9) == result.quantile(0.9)
    with pytest.raises(ParameterError, match="give one"):
        result.risk_adjustment(confidence=0.8, level=0.8)
