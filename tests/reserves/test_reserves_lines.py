"""The per-line and total reserve table the quote uses."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xborder_risk.errors import ParameterError, XBorderRiskWarning
from xborder_risk.reserves import (
    PaymentPattern,
    ReservingBasis,
    Valuation,
    YieldCurve,
    cost_of_capital_risk_margin,
    reserve,
    reserve_lines,
    unpaid,
)

INCEPTION = dt.date(2025, 1, 1)
VALUED = dt.date(2025, 12, 31)
# illustrative patterns (shapes only, not rated figures)
PATTERNS = {
    "tech_failure": PaymentPattern([3, 6, 12, 18], [0.8, 0.95, 1.0, 1.0], [0.4, 0.75, 0.95, 1.0]),
    "operational_liability": PaymentPattern(
        [6, 12, 24, 36, 60, 84, 120, 156],
        [0.3, 0.5, 0.7, 0.82, 0.93, 0.97, 1.0, 1.0],
        [0.05, 0.12, 0.3, 0.48, 0.73, 0.86, 0.96, 1.0],
    ),
}
LINES = list(PATTERNS)
PATTERNS_CSV = Path(__file__).resolve().parents[2] / "rating_tables" / "patterns.csv"


def year_loss_table(n: int = 20_000, seed: int = 11) -> np.ndarray:
    rng = np.random.default_rng(seed)
    common = rng.gamma(2.0, 1.0, size=n)  # shared shock: lines are dependent
    return np.column_stack(
        [
            common * rng.lognormal(9.0, 0.6, size=n),
            common * rng.lognormal(10.0, 0.8, size=n),
        ]
    )


def inverted_cdf(x: np.ndarray, p: float) -> float:
    return float(np.quantile(x, p, method="inverted_cdf"))


class TestTable:
    def test_layout(self) -> None:
        table = reserve_lines(year_loss_table(), LINES, PATTERNS, INCEPTION, 1.0, VALUED)
        assert list(table.index) == [*LINES, "total"]
        assert table.index.name == "line"
        for column in (
            "expected_loss", "paid", "case", "ibnr", "best_estimate_reserve", "unpaid_q75",
            "unpaid_q99_5", "confidence", "risk_adjustment",
            "risk_adjustment_confidence_equivalent", "scr", "scr_unpaid", "risk_margin",
        ):  # fmt: skip
            assert column in table.columns
        assert table.attrs["risk_adjustment_technique"] == "cte"
        assert "best_estimate_reserve_discounted" not in table.columns
        assert np.isfinite(table.to_numpy(dtype=float)).all()

    def test_line_rows_match_unpaid(self) -> None:
        annual = year_loss_table()
        table = reserve_lines(annual, LINES, PATTERNS, INCEPTION, 1.0, VALUED, level=0.8)
        for j, line in enumerate(LINES):
            result = unpaid(annual[:, j], PATTERNS[line], INCEPTION, 1.0, VALUED)
            row = table.loc[line]
            assert row["best_estimate_reserve"] == pytest.approx(result.best_estimate())
            assert row["risk_adjustment"] == result.risk_adjustment(0.8, technique="cte")
            assert row["risk_adjustment_confidence_equivalent"] == (
                result.risk_adjustment_confidence_equivalent(0.8)
            )
            assert row["confidence"] == 0.8
            assert row["unpaid_q99_5"] == inverted_cdf(result.unpaid, 0.995)
            assert row["scr"] == pytest.approx(
                inverted_cdf(annual[:, j], 0.995) - annual[:, j].mean()
            )
            assert row["risk_margin"] == pytest.approx(
                cost_of_capital_risk_margin(
                    row["scr_unpaid"], PATTERNS[line], Valuation(INCEPTION, VALUED)
                )
            )
            assert row["paid"] + row["case"] + row["ibnr"] == pytest.approx(row["expected_loss"])

    def test_quantile_technique_rows_match_unpaid(self) -> None:
        annual = year_loss_table()
        table = reserve_lines(
            annual, LINES, PATTERNS, INCEPTION, 1.0, VALUED, level=0.8,
            risk_adjustment_technique="quantile",
        )  # fmt: skip
        assert table.attrs["risk_adjustment_technique"] == "quantile"
        for j, line in enumerate(LINES):
            result = unpaid(annual[:, j], PATTERNS[line], INCEPTION, 1.0, VALUED)
            row = table.loc[line]
            assert row["risk_adjustment"] == (
                inverted_cdf(result.unpaid, 0.8) - float(result.unpaid.mean())
            )
            assert row["risk_adjustment"] == result.risk_adjustment(0.8, technique="quantile")
            assert row["risk_adjustment_confidence_equivalent"] == pytest.approx(0.8, abs=1e-4)
        cte = reserve_lines(annual, LINES, PATTERNS, INCEPTION, 1.0, VALUED, level=0.8)
        # TVaR_c >= VaR_c: the CTE technique holds more, at a higher equivalent level
        assert (cte["risk_adjustment"] > table["risk_adjustment"]).all()
        assert (
            cte["risk_adjustment_confidence_equivalent"]
            > table["risk_adjustment_confidence_equivalent"]
        ).all()

    def test_total_comes_from_summed_years_not_summed_quantiles(self) -> None:
        annual = year_loss_table()
        table = reserve_lines(annual, LINES, PATTERNS, INCEPTION, 1.0, VALUED)
        per_year_unpaid = sum(
            unpaid(annual[:, j], PATTERNS[line], INCEPTION, 1.0, VALUED).unpaid
            for j, line in enumerate(LINES)
        )
        total = table.loc["total"]
        assert total["unpaid_q99_5"] == pytest.approx(inverted_cdf(per_year_unpaid, 0.995))
        assert total["scr"] == pytest.approx(
            inverted_cdf(annual.sum(axis=1), 0.995) - annual.sum(axis=1).mean()
        )
        lines = table.loc[LINES]
        for additive in ("expected_loss", "paid", "case", "ibnr", "best_estimate_reserve"):
            assert total[additive] == pytest.approx(lines[additive].sum(), rel=1e-12)
        # diversification: the total's tail sits below the sum of the lines' tails here
        assert total["unpaid_q99_5"] < lines["unpaid_q99_5"].sum()

    def test_at_inception_reserve_is_the_expected_loss_and_capitals_agree(self) -> None:
        annual = year_loss_table()
        table = reserve_lines(annual, LINES, PATTERNS, INCEPTION, 1.0, INCEPTION)
        pd.testing.assert_series_equal(
            table["best_estimate_reserve"], table["expected_loss"], check_names=False, rtol=1e-12
        )
        pd.testing.assert_series_equal(table["scr"], table["scr_unpaid"], check_names=False)
        assert (table[["paid", "case"]] == 0.0).all().all()

    def test_long_tailed_line_holds_more_margin_per_unit_of_capital(self) -> None:
        table = reserve_lines(year_loss_table(), LINES, PATTERNS, INCEPTION, 1.0, INCEPTION)
        ratio = table["risk_margin"] / table["scr_unpaid"]
        assert ratio["operational_liability"] > 2 * ratio["tech_failure"]

    def test_discounted_columns(self) -> None:
        table = reserve_lines(
            year_loss_table(), LINES, PATTERNS, INCEPTION, 1.0, VALUED,
            yield_curve=YieldCurve.flat(0.03),
        )  # fmt: skip
        undiscounted = reserve_lines(year_loss_table(), LINES, PATTERNS, INCEPTION, 1.0, VALUED)
        assert (table["best_estimate_reserve_discounted"] < table["best_estimate_reserve"]).all()
        # the same (CTE) technique on the present values
        assert (table["risk_adjustment_discounted"] > 0.0).all()
        assert (table["risk_adjustment_discounted"] < table["risk_adjustment"]).all()
        annual = year_loss_table()
        for j, line in enumerate(LINES):
            result = unpaid(annual[:, j], PATTERNS[line], INCEPTION, 1.0, VALUED,
                            yield_curve=YieldCurve.flat(0.03))  # fmt: skip
            for technique in ("cte", "quantile"):
                frame = reserve_lines(
                    annual, LINES, PATTERNS, INCEPTION, 1.0, VALUED,
                    yield_curve=YieldCurve.flat(0.03), risk_adjustment_technique=technique,
                )  # fmt: skip
                assert frame.loc[line, "risk_adjustment_discounted"] == (
                    result.risk_adjustment(discounted=True, technique=technique)
                )
        assert (table["risk_margin"] < undiscounted["risk_margin"]).all()

    def test_rare_losses_warn_and_give_no_margin(self) -> None:
        annual = np.zeros((1000, 2))
        annual[0] = [5e6, 1e6]  # one loss in a thousand years: VaR_0.995 = 0 < mean
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            table = reserve_lines(annual, LINES, PATTERNS, INCEPTION, 1.0, INCEPTION,
                                  risk_adjustment_technique="quantile")  # fmt: skip
        messages = [str(w.message) for w in caught if w.category is XBorderRiskWarning]
        assert sum("risk margin is set to 0" in m for m in messages) == 3  # 2 lines + total
        assert sum("quantile of the unpaid amount is below its mean" in m for m in messages) == 3
        assert (table["scr_unpaid"] < 0).all()
        assert (table["risk_margin"] == 0.0).all()
        assert (table["risk_adjustment"] < 0).all()  # reported, not floored
        assert (table["risk_adjustment_confidence_equivalent"] == 0.999).all()

    def test_rare_losses_get_a_positive_cte_risk_adjustment_without_a_warning(self) -> None:
        # IFRS 17 B91(a): a rare, severe loss needs a higher RA, not a negative one
        annual = np.zeros((1000, 2))
        annual[0] = [5e6, 1e6]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            table = reserve_lines(annual, LINES, PATTERNS, INCEPTION, 1.0, INCEPTION)
        messages = [str(w.message) for w in caught if w.category is XBorderRiskWarning]
        assert not any("risk adjustment" in m for m in messages)
        assert sum("risk margin is set to 0" in m for m in messages) == 3  # unchanged
        # VaR_0.75 = 0, so TVaR_0.75 = E[X] / 0.25 and RA = 3 E[X]
        np.testing.assert_allclose(
            table["risk_adjustment"], 3.0 * table["best_estimate_reserve"], rtol=1e-12
        )
        assert (table["risk_adjustment_confidence_equivalent"] == 0.999).all()

    def test_heavy_tail_negative_risk_adjustment_warns(self) -> None:
        # lognormal sigma = 2: mean exp(mu + 2) is above the 75th percentile exp(mu + 1.35)
        annual = np.random.default_rng(3).lognormal(0.0, 2.0, size=(50_000, 1))
        with pytest.warns(XBorderRiskWarning, match="0.75 quantile .* below its mean"):
            table = reserve_lines(annual, ["cyber"], {"cyber": PATTERNS["tech_failure"]},
                                  INCEPTION, 1.0, INCEPTION,
                                  risk_adjustment_technique="quantile")  # fmt: skip
        assert table.loc["cyber", "risk_adjustment"] < 0
        quiet = reserve_lines(annual, ["cyber"], {"cyber": PATTERNS["tech_failure"]},
                              INCEPTION, 1.0, INCEPTION, level=0.9,
                              risk_adjustment_technique="quantile")  # fmt: skip
        assert quiet.loc["cyber", "risk_adjustment"] > 0
        with warnings.catch_warnings():
            warnings.simplefilter("error", XBorderRiskWarning)  # the CTE never warns
            cte = reserve_lines(annual, ["cyber"], {"cyber": PATTERNS["tech_failure"]},
                                INCEPTION, 1.0, INCEPTION)  # fmt: skip
        assert cte.loc["cyber", "risk_adjustment"] > 0

    @pytest.mark.skipif(not PATTERNS_CSV.exists(), reason="rating tables not in this checkout")
    def test_shipped_patterns_long_tail_runs_off_slower(self) -> None:
        shipped = pd.read_csv(PATTERNS_CSV)
        patterns = {
            line: PaymentPattern.from_frame(shipped, line)
            for line in ("tech_failure", "operational_liability")
        }
        table = reserve_lines(year_loss_table(), list(patterns), patterns, INCEPTION, 1.0, VALUED)
        share_unpaid = table["best_estimate_reserve"] / table["expected_loss"]
        assert share_unpaid["operational_liability"] > share_unpaid["tech_failure"]
        ratio = table["risk_margin"] / table["scr_unpaid"]
        assert ratio["operational_liability"] > ratio["tech_failure"]


class TestValidation:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"lines": ["tech_failure"]}, "lines.*2 columns"),
            ({"lines": ["tech_failure", "tech_failure"]}, "lines.*repeat"),
            ({"lines": ["tech_failure", "total"]}, "lines.*'total'"),
            ({"lines": "tech_failure"}, "lines"),
            ({"patterns": {"tech_failure": PATTERNS["tech_failure"]}}, "operational_liability"),
            ({"annual": np.ones(5)}, "annual.*two-dimensional"),
            ({"annual": -np.ones((5, 2))}, r"annual\[0, 0\].*>= 0"),
            ({"valuation_date": dt.date(2024, 1, 1)}, "valuation_date.*inception_date"),
            ({"level": 1.0}, "level"),
            ({"level": 0.0}, "level"),
            ({"risk_adjustment_technique": "tvar"}, "risk_adjustment_technique.*'cte'"),
            ({"risk_adjustment_technique": None}, "risk_adjustment_technique"),
            ({"scr_level": 1.2}, "scr_level"),
            ({"coc_rate": -0.06}, "coc_rate"),
            ({"policy_period_years": -1.0}, "policy_period_years"),
        ],
    )
    def test_bad_input_names_the_field(self, change: dict, field: str) -> None:
        arguments: dict = {
            "annual": np.ones((5, 2)),
            "lines": LINES,
            "patterns": PATTERNS,
            "inception_date": INCEPTION,
            "policy_period_years": 1.0,
            "valuation_date": VALUED,
        }
        arguments.update(change)
        with pytest.raises(ParameterError, match=field):
            reserve_lines(**arguments)


def test_a_negative_scr_is_shown_as_zero_with_a_warning_unless_asked_not_to():
    rng = np.random.default_rng(0)
    # a loss in 0.2 % of years: VaR 99.5 % is 0, below the mean
    rare = np.where(rng.random(20_000) < 0.002, 1e6, 0.0)
    annual = np.column_stack([rare])
    args = (annual, ["tech_failure"], {"tech_failure": PATTERNS["tech_failure"]})
    dates = (dt.date(2026, 1, 1), 1.0, dt.date(2026, 1, 1))
    with pytest.warns(XBorderRiskWarning, match="SCR shown as 0"):
        floored = reserve(*args, *dates)
    assert floored.table.loc["tech_failure", "scr"] == 0.0
    assert floored.table.loc["total", "scr"] == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XBorderRiskWarning)
        raw = reserve(*args, *dates, ReservingBasis(floor_scr=False))
    assert raw.table.loc["tech_failure", "scr"] < 0.0
    assert (
        raw.table.loc["tech_failure", "risk_margin"]
        == floored.table.loc["tech_failure", "risk_margin"]
    )
