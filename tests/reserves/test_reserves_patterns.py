"""Payment patterns, valuation timing and the yield curve."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad

from xborder_risk.errors import ParameterError
from xborder_risk.reserves import PaymentPattern, Valuation, YieldCurve

# illustrative pattern, not a rated one
PATTERN = PaymentPattern(
    development_months=[3, 6, 12, 24],
    cumulative_reported=[0.6, 0.85, 0.97, 1.0],
    cumulative_paid=[0.3, 0.6, 0.9, 1.0],
    line="illustrative",
)
PATTERNS_CSV = Path(__file__).resolve().parents[2] / "rating_tables" / "patterns.csv"


class TestPaymentPattern:
    def test_linear_interpolation_with_zero_at_month_zero(self) -> None:
        np.testing.assert_allclose(
            PATTERN.paid_at([-1.0, 0.0, 1.5, 3.0, 9.0, 24.0, 100.0]),
            [0.0, 0.0, 0.15, 0.3, 0.75, 1.0, 1.0],
        )
        np.testing.assert_allclose(PATTERN.reported_at([1.5, 18.0]), [0.3, 0.985])

    @pytest.mark.parametrize("kind", ["paid", "reported"])
    @pytest.mark.parametrize("tau", [0.5, 5.0, 12.0, 17.9, 18.0, 25.0, 41.0, 41.99])
    def test_exposure_average_equals_numerical_integral(self, kind: str, tau: float) -> None:
        period = 18.0
        at = PATTERN.paid_at if kind == "paid" else PATTERN.reported_at
        breaks = [tau - m for m in (0.0, 3.0, 6.0, 12.0, 24.0)]
        integral, _ = quad(lambda s: float(at(tau - s)), 0.0, period, points=breaks, limit=200)
        assert PATTERN.exposure_averaged(kind, tau, period) == pytest.approx(
            integral / period, rel=1e-10, abs=1e-14
        )

    def test_exposure_average_closed_form_for_a_linear_pattern(self) -> None:
        # P(d) = d / 12 on [0, 12]; occurrences uniform over 12 months:
        # F(6) = 1/8, F(12) = 1/2, F(18) = 7/8, F(24) = 1 (integrate by hand)
        linear = PaymentPattern([12.0], [1.0], [1.0])
        np.testing.assert_allclose(
            linear.exposure_averaged("paid", [0.0, 6.0, 12.0, 18.0, 24.0], 12.0),
            [0.0, 0.125, 0.5, 0.875, 1.0],
        )

    def test_exact_zero_and_one_at_the_ends(self) -> None:
        assert PATTERN.exposure_averaged("paid", 0.0, 12.0) == 0.0
        assert PATTERN.exposure_averaged("paid", 36.0, 12.0) == 1.0
        assert PATTERN.exposure_averaged("reported", 1e6, 12.0) == 1.0

    def test_from_frame_selects_and_sorts_the_line(self) -> None:
        frame = pd.DataFrame(
            {
                "line": ["a", "b", "a", "a"],
                "development_months": [12, 6, 3, 24],
                "cumulative_reported": [0.9, 1.0, 0.5, 1.0],
                "cumulative_paid": [0.7, 1.0, 0.2, 1.0],
            }
        )
        pattern = PaymentPattern.from_frame(frame, "a")
        np.testing.assert_array_equal(pattern.development_months, [3, 12, 24])
        np.testing.assert_array_equal(pattern.cumulative_paid, [0.2, 0.7, 1.0])
        assert pattern.line == "a"
        with pytest.raises(ParameterError, match=r"line.*no rows"):
            PaymentPattern.from_frame(frame, "c")
        with pytest.raises(ParameterError, match="lacks columns"):
            PaymentPattern.from_frame(frame.drop(columns="cumulative_paid"), "a")

    def test_to_frame_round_trip(self) -> None:
        again = PaymentPattern.from_frame(PATTERN.to_frame(), "illustrative")
        np.testing.assert_array_equal(again.cumulative_reported, PATTERN.cumulative_reported)

    def test_arrays_are_read_only(self) -> None:
        with pytest.raises(ValueError, match="read-only"):
            PATTERN.cumulative_paid[0] = 0.0

    def test_immutable_and_copyable(self) -> None:
        with pytest.raises(AttributeError, match="immutable"):
            PATTERN.line = "other"  # type: ignore[misc]
        twin = copy.deepcopy(PATTERN)
        np.testing.assert_array_equal(twin.cumulative_paid, PATTERN.cumulative_paid)
        assert twin.line == PATTERN.line
        valuation = Valuation("2025-01-01", "2025-06-30", 2.0)
        assert copy.deepcopy(valuation) == valuation
        curve = copy.deepcopy(YieldCurve([1.0, 2.0], [0.01, 0.02]))
        assert curve.discount_factor(2.0) == pytest.approx(1.02**-2)

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"development_months": [0, 12]}, r"development_months\[0\].*> 0"),
            ({"development_months": [12, 6]}, r"development_months\[1\].*increasing"),
            ({"development_months": [6, np.nan]}, r"development_months\[1\] = nan"),
            ({"cumulative_reported": [1.0, 0.9]}, r"cumulative_reported\[1\].*non-decreasing"),
            ({"cumulative_reported": [0.5, 0.9]}, r"cumulative_reported\[1\].*must be 1"),
            ({"cumulative_paid": [-0.1, 1.0]}, r"cumulative_paid\[0\].*\[0, 1\]"),
            ({"cumulative_paid": [0.6, 1.0]}, r"cumulative_paid\[0\].*<= cumulative_reported"),
            ({"cumulative_paid": [0.1, 1.0, 1.0]}, "one value per development month"),
            ({"cumulative_paid": ["a", "b"]}, "cumulative_paid.*real"),
            ({"line": 3}, "line"),
        ],
    )
    def test_invalid_patterns_name_the_field(self, kwargs: dict, field: str) -> None:
        base: dict = {
            "development_months": [6, 12],
            "cumulative_reported": [0.5, 1.0],
            "cumulative_paid": [0.2, 1.0],
        }
        with pytest.raises(ParameterError, match=field):
            PaymentPattern(**{**base, **kwargs})

    @pytest.mark.skipif(not PATTERNS_CSV.exists(), reason="rating tables not in this checkout")
    def test_shipped_rating_table_patterns_load(self) -> None:
        table = pd.read_csv(PATTERNS_CSV)
        for line in table["line"].unique():
            pattern = PaymentPattern.from_frame(table, line)
            assert pattern.cumulative_paid[-1] == 1.0


class TestValuation:
    def test_months(self) -> None:
        valuation = Valuation(dt.date(2025, 1, 1), dt.date(2026, 1, 1), policy_period_years=2.0)
        assert valuation.elapsed_months == pytest.approx(365 / (365.25 / 12))
        assert valuation.period_months == 24.0

    def test_iso_strings_are_parsed(self) -> None:
        valuation = Valuation("2025-01-01", "2025-06-30")  # type: ignore[arg-type]
        assert valuation.valuation_date == dt.date(2025, 6, 30)

    @pytest.mark.parametrize(
        ("args", "field"),
        [
            (("2025-01-01", "2024-12-31", 1.0), "valuation_date.*on or after inception_date"),
            (("2025-13-01", "2026-01-01", 1.0), "inception_date.*ISO date"),
            ((20250101, "2026-01-01", 1.0), "inception_date"),
            (("2025-01-01", "2026-01-01", 0.0), "policy_period_years.*> 0"),
            (("2025-01-01", "2026-01-01", float("nan")), "policy_period_years"),
            (("2025-01-01", "2026-01-01", True), "policy_period_years"),
        ],
    )
    def test_invalid_timing_names_the_field(self, args: tuple, field: str) -> None:
        with pytest.raises(ParameterError, match=field):
            Valuation(*args)


class TestYieldCurve:
    def test_discount_factors(self) -> None:
        curve = YieldCurve([1.0, 5.0], [0.02, 0.04])
        np.testing.assert_allclose(
            curve.discount_factor([0.0, 0.5, 1.0, 3.0, 10.0]),
            [1.0, 1.02**-0.5, 1.02**-1.0, 1.03**-3.0, 1.04**-10.0],
        )

    def test_flat(self) -> None:
        assert YieldCurve.flat(0.05).discount_factor(2.0) == pytest.approx(1.05**-2)

    @pytest.mark.parametrize(
        ("maturities", "rates", "field"),
        [
            ([0.0, 1.0], [0.01, 0.02], r"maturities_years\[0\]"),
            ([2.0, 1.0], [0.01, 0.02], r"maturities_years\[1\].*increasing"),
            ([1.0, 2.0], [0.01, -1.0], r"spot_rates\[1\].*> -1"),
            ([1.0, 2.0], [0.01], "spot_rates.*match"),
            ([1.0, 2.0], [0.01, np.inf], r"spot_rates\[1\].*finite"),
        ],
    )
    def test_invalid_curves_name_the_field(self, maturities: list, rates: list, field: str) -> None:
        with pytest.raises(ParameterError, match=field):
            YieldCurve(maturities, rates)  # type: ignore[arg-type]
