"""price_lines: the per-line table, exact sums to the total, validation."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from xborder_risk import measures
from xborder_risk.errors import ParameterError
from xborder_risk.pricing import (
    PRICING_COLUMNS,
    CostOfCapital,
    ExpectedValuePrinciple,
    Loadings,
    StandardDeviationPrinciple,
    WangTransform,
    gross_up,
    price_lines,
)
from xborder_risk.rating import RatingTables

LINES = ("tech_failure", "cyber", "operational_liability", "political_risk")
LOADINGS = Loadings(
    fixed_expense=2_500.0,
    expense_ratio=0.08,
    commission=0.125,
    profit_margin=0.05,
    tax_rate=0.12,
    minimum_premium=10_000.0,
)  # illustrative


@pytest.fixture(scope="module")
def annual() -> np.ndarray:
    """Illustrative annual losses for the four lines, with a common shock (dependent)."""
    rng = np.random.default_rng(2025)
    n = 50_000
    shock = rng.binomial(1, 0.02, n) * rng.lognormal(10.0, 1.0, n)
    return np.column_stack(
        [
            rng.poisson(0.8, n) * rng.gamma(2.0, 20_000.0, n),
            rng.poisson(0.3, n) * rng.lognormal(11.0, 1.2, n) + 0.5 * shock,
            rng.poisson(0.2, n) * rng.pareto(2.5, n) * 80_000.0,
            shock,
        ]
    )


PRINCIPLES = [
    ExpectedValuePrinciple(0.3),
    StandardDeviationPrinciple(0.2),
    WangTransform(0.35),
    CostOfCapital(rate=0.10, level=0.99),
    CostOfCapital(rate=0.06, level=0.995, measure="value_at_risk"),
]


@pytest.mark.parametrize("allocation", ["co_tvar", "euler"])
@pytest.mark.parametrize("principle", PRINCIPLES, ids=repr)
def test_line_premiums_sum_to_the_total(annual, principle, allocation) -> None:
    result = price_lines(annual, LINES, principle, LOADINGS, allocation=allocation)
    table = result.table
    total = annual.sum(axis=1)
    lines = table.loc[list(LINES)]
    assert list(table.index) == [*LINES, "total"]
    assert list(table.columns) == list(PRICING_COLUMNS)
    assert np.isclose(lines["technical_premium"].sum(), principle.premium(total), rtol=1e-12)
    assert np.isclose(lines["risk_load"].sum(), principle.risk_load(total), rtol=1e-12)
    assert np.isclose(table.loc["total", "technical_premium"], principle.premium(total), rtol=1e-12)
    expected_gross = gross_up(principle.premium(total), LOADINGS).gross_premium
    assert np.isclose(lines["gross_premium"].sum(), expected_gross, rtol=1e-12)
    assert np.isclose(table.loc["total", "gross_premium"], expected_gross, rtol=1e-12)
    for column in ("expected_loss", "co_tvar", *PRICING_COLUMNS[5:]):
        assert np.isclose(lines[column].sum(), table.loc["total", column], rtol=1e-12)
    assert np.isclose(table.loc["total", "expected_loss"], total.mean(), rtol=1e-12)
    assert np.isclose(table.loc["total", "co_tvar"], measures.tvar(total, 0.99), rtol=1e-12)
    assert table.loc["total", "std"] == pytest.approx(total.std(), rel=1e-12)
    np.testing.assert_allclose(lines["std"], annual.std(axis=0), rtol=1e-12)
    # Every line's gross-up steps sum to its gross premium.
    steps = lines[["technical_premium", *PRICING_COLUMNS[5:-1]]].sum(axis=1)
    np.testing.assert_allclose(steps, lines["gross_premium"], rtol=1e-12)


def test_total_row_build_up_matches_the_result_build_up(annual) -> None:
    result = price_lines(annual, LINES, WangTransform(0.3), LOADINGS)
    build_up = result.build_up.to_frame().set_index("step")["amount"]
    for step in ("technical_premium", *PRICING_COLUMNS[5:]):
        assert result.table.loc["total", step] == pytest.approx(build_up[step], rel=1e-12)


def test_diversification_lowers_the_total_standard_deviation_load(annual) -> None:
    # sigma(S) <= sum sigma_i, so the diversified load is below the stand-alone loads.
    result = price_lines(annual, LINES, StandardDeviationPrinciple(0.3), allocation="euler")
    standalone = 0.3 * annual.std(axis=0)
    allocated = result.table.loc[list(LINES), "risk_load"].to_numpy()
    assert allocated.sum() < standalone.sum()
    assert (allocated <= standalone + 1e-9).all()  # Cov(X_i, S)/sigma_S <= sigma_i


def test_co_tvar_and_euler_agree_for_cost_of_capital_at_the_same_level(annual) -> None:
    principle = CostOfCapital(rate=0.1, level=0.995)
    by_co_tvar = price_lines(annual, LINES, principle, allocation_level=0.995)
    by_euler = price_lines(annual, LINES, principle, allocation_level=0.995, allocation="euler")
    pd.testing.assert_frame_equal(by_co_tvar.table, by_euler.table, rtol=1e-10)


def test_co_tvar_column_uses_the_allocation_level(annual) -> None:
    result = price_lines(annual, LINES, WangTransform(0.3), allocation_level=0.95)
    assert result.table.loc["total", "co_tvar"] == pytest.approx(
        measures.tvar(annual.sum(axis=1), 0.95), rel=1e-12
    )
    assert result.allocation_level == 0.95


def test_loadings_are_shared_in_proportion_to_technical_premium(annual) -> None:
    table = price_lines(annual, LINES, WangTransform(0.3), LOADINGS).table.loc[list(LINES)]
    shares = table["technical_premium"] / table["technical_premium"].sum()
    for column in ("fixed_expense", "commission", "premium_tax", "gross_premium"):
        np.testing.assert_allclose(table[column] / table[column].sum(), shares, rtol=1e-12)
    np.testing.assert_allclose(table["fixed_expense"].sum(), LOADINGS.fixed_expense, rtol=1e-12)


def test_no_losses_leaves_fixed_expense_and_minimum_premium_shared_equally() -> None:
    result = price_lines(np.zeros((100, 4)), LINES, WangTransform(0.5), LOADINGS)
    table = result.table
    assert (table["technical_premium"] == 0).all()
    np.testing.assert_allclose(
        table.loc[list(LINES), "gross_premium"], LOADINGS.minimum_premium * 1.12 / 4, rtol=1e-12
    )
    assert table.loc["total", "gross_premium"] == pytest.approx(LOADINGS.minimum_premium * 1.12)


def test_constant_total_with_a_risk_load_needs_the_euler_allocation() -> None:
    hedged = np.column_stack([np.arange(1.0, 11.0), 11.0 - np.arange(1.0, 11.0)])
    with pytest.raises(ParameterError, match="Euler"):
        price_lines(hedged, ["a", "b"], ExpectedValuePrinciple(0.5))
    result = price_lines(hedged, ["a", "b"], ExpectedValuePrinciple(0.5), allocation="euler")
    np.testing.assert_allclose(result.table["risk_load"], [2.75, 2.75, 5.5])


def test_a_single_line_gets_the_whole_risk_load(annual) -> None:
    one = annual[:, :1]
    result = price_lines(one, ["cyber"], CostOfCapital())
    assert result.table.loc["cyber", "risk_load"] == pytest.approx(
        CostOfCapital().risk_load(one[:, 0]), rel=1e-12
    )


@pytest.mark.parametrize("country", ["GB", "DE", "IT", "BE", "IE"])
def test_a_country_premium_tax_rate_is_charged_on_the_premium_before_tax(annual, country) -> None:
    # The quote puts the rating tables' rate (premium_tax.csv) into Loadings.tax_rate; every
    # line and the total then pay that fraction of their premium before tax, minimum included.
    row = RatingTables.load().premium_tax_for(country)
    assert row is not None
    rate = float(row["premium_tax_rate"])
    taxed = dataclasses.replace(LOADINGS, tax_rate=rate)
    result = price_lines(annual, LINES, CostOfCapital(), taxed)
    table = result.table
    before_tax = table["gross_premium"] - table["premium_tax"]
    np.testing.assert_allclose(table["premium_tax"], rate * before_tax, rtol=1e-12)
    untaxed = price_lines(annual, LINES, CostOfCapital(), dataclasses.replace(LOADINGS, tax_rate=0))
    np.testing.assert_allclose(untaxed.table["gross_premium"], before_tax, rtol=1e-12)
    assert result.build_up.premium_tax == pytest.approx(
        rate * result.build_up.premium_before_tax, rel=1e-12
    )


def test_result_exposes_inputs_and_returns_copies(annual) -> None:
    principle = WangTransform(0.2)
    result = price_lines(annual, list(LINES), principle, LOADINGS)
    assert result.lines == LINES
    assert result.principle is principle
    assert result.loadings is LOADINGS
    assert result.allocation == "co_tvar"
    frame = result.to_frame()
    frame.loc["total", "gross_premium"] = 0.0
    assert result.table.loc["total", "gross_premium"] > 0.0


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"lines": LINES[:3]}, "lines"),
        ({"lines": ("a", "a", "b", "c")}, "lines"),
        ({"lines": ("a", "b", "c", "total")}, "lines"),
        ({"lines": ("a", "b", "c", "")}, "lines"),
        ({"lines": "abcd"}, "lines"),
        ({"principle": 0.3}, "principle"),
        ({"loadings": {"commission": 0.1}}, "loadings"),
        ({"allocation_level": 1.0}, "allocation_level"),
        ({"allocation_level": math.nan}, "allocation_level"),
        ({"allocation": "shapley"}, "allocation"),
        ({"annual": -np.ones((10, 4))}, "annual"),
        ({"annual": np.full((10, 4), math.inf)}, "annual"),
        ({"annual": np.ones(10)}, "annual"),
    ],
)
def test_bad_arguments_are_rejected_naming_them(kwargs, name) -> None:
    arguments = {
        "annual": np.ones((10, 4)),
        "lines": LINES,
        "principle": WangTransform(0.3),
        "loadings": None,
        "allocation_level": 0.99,
        "allocation": "co_tvar",
    }
    arguments.update(kwargs)
    with pytest.raises(ParameterError) as info:
        price_lines(**arguments)
    assert info.value.name == name
