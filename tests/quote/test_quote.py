"""The quote: rate -> simulate -> price -> reserve, its table, provenance and properties."""

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from xborder_risk import Submission, measures, quote
from xborder_risk.errors import ParameterError
from xborder_risk.pricing import CostOfCapital, Loadings, StandardDeviationPrinciple
from xborder_risk.quote import QUOTE_COLUMNS, PricingBasis, ReproducibilityError, reproduce
from xborder_risk.rating import RatingTables
from xborder_risk.testing import strategies

EXAMPLES = sorted((Path(__file__).parents[2] / "examples" / "submissions").glob("*.yaml"))
TABLES = RatingTables.load()
# Generated submissions are drawn in currencies the shipped FX table covers.
RATED_CURRENCIES = sorted(TABLES.fx["currency"])


@pytest.fixture(scope="module")
def egates():
    return Submission.from_file(EXAMPLES[0].parent / "eu_egates_contractor.yaml")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_submission_quotes_to_finite_positive_figures(path):
    q = quote(Submission.from_file(path), n_years=20_000, seed=1, tables=TABLES)
    table = q.to_frame()
    assert list(table.columns) == list(QUOTE_COLUMNS)
    assert list(table.index) == [*q.lines, "total"]
    assert np.isfinite(table.to_numpy()).all()
    for column in ("expected_loss", "technical_premium", "gross_premium", "scr"):
        assert (table.loc["total", column]) > 0, column
    assert (table["gross_premium"] >= table["technical_premium"] - 1e-6).all()
    # The diversified risk load is non-negative for the policy; a line's co-TVaR share of
    # it can dip below zero when the line barely moves the total's tail (Euler allocation).
    total = table.loc["total"]
    assert total["technical_premium"] >= total["expected_loss"]


def test_line_premiums_sum_to_the_total_and_reserve_at_inception_is_expected_loss(egates):
    q = quote(egates, n_years=30_000, seed=3, tables=TABLES)
    table = q.to_frame()
    lines = table.drop(index="total")
    for column in ("risk_load", "technical_premium", "gross_premium", "expected_loss"):
        assert lines[column].sum() == pytest.approx(table.loc["total", column], rel=1e-12)
    # Valued at inception nothing is paid: the reserve is the whole expected loss.
    np.testing.assert_allclose(table["best_estimate_reserve"], table["expected_loss"], rtol=1e-12)
    assert table.loc["total", "var_99_5"] == q.simulation.var(0.995)


def test_reserves_run_off_after_expiry(egates):
    q0 = quote(egates, n_years=20_000, seed=3, tables=TABLES)
    later = egates.expiry_date + dt.timedelta(days=365 * 2)
    q2 = quote(egates, n_years=20_000, seed=3, tables=TABLES, valuation_date=later)
    before = q0.to_frame()["best_estimate_reserve"]
    after = q2.to_frame()["best_estimate_reserve"]
    assert (after <= before + 1e-9).all()
    assert after["total"] < before["total"]
    # Premium does not depend on the valuation date.
    np.testing.assert_array_equal(q0.to_frame()["gross_premium"], q2.to_frame()["gross_premium"])


def test_quote_is_reproducible_from_its_provenance(egates):
    basis = PricingBasis(
        principle=StandardDeviationPrinciple(k=0.3),
        loadings=Loadings(fixed_expense=2_500, expense_ratio=0.1, tax_rate=0.03),
    )
    q = quote(egates, n_years=20_000, seed=77, tables=TABLES, basis=basis)
    record = json.loads(q.to_json())["provenance"]
    again = reproduce(record, egates, TABLES)
    np.testing.assert_array_equal(again.to_frame().to_numpy(), q.to_frame().to_numpy())
    assert record["seed"] == 77 and record["n_years"] == 20_000
    assert set(record["table_checksums"]) == set(TABLES.checksums)
    other = egates.model_copy(update={"submission_id": "changed"})
    with pytest.raises(ReproducibilityError):
        reproduce(record, other, TABLES)


def test_default_cost_of_capital_is_held_over_the_policy_period():
    # A two-year policy holds its capital for two years: the default risk load is
    # 10 % a year x 2 years x (TVaR 99 % - mean) of the two-year total loss.
    two_year = Submission.from_file(EXAMPLES[0].parent / "high_risk_infrastructure.yaml")
    assert two_year.policy_period_years == 2.0
    q = quote(two_year, n_years=20_000, seed=9, tables=TABLES)
    principle = q.basis.principle
    assert isinstance(principle, CostOfCapital) and principle.period_years == 2.0
    total = q.simulation.total
    expected = 0.10 * 2.0 * (measures.tvar(total, 0.99) - total.mean())
    assert q.to_frame().loc["total", "risk_load"] == pytest.approx(expected, rel=1e-12)
    record = json.loads(q.to_json())["provenance"]
    assert record["basis"]["principle"]["parameters"]["period_years"] == 2.0
    again = reproduce(record, two_year, TABLES)
    np.testing.assert_array_equal(again.to_frame().to_numpy(), q.to_frame().to_numpy())
    # An explicit principle is used as given.
    one_year = PricingBasis(principle=CostOfCapital())
    assert one_year.for_submission(two_year).principle == CostOfCapital()


def test_quote_json_and_ep_curves(egates):
    q = quote(egates, n_years=10_000, seed=5, tables=TABLES)
    data = json.loads(q.to_json())
    assert data["currency"] == q.currency == egates.currency
    assert set(data["quote"]) == {*q.lines, "total"}
    # The whole reserve table, with the paid / case / IBNR split, is in the record.
    assert set(data["reserves"]) == {*q.lines, "total"}
    for column in ("paid", "case", "ibnr", "best_estimate_reserve", "risk_margin"):
        assert data["reserves"]["total"][column] == q.reserves.loc["total", column]
    curves = q.ep_curves()
    assert set(curves["kind"]) == {"aep", "oep"}
    assert set(curves["line"]) == {*q.lines, "total"}
    assert not q.worksheet.empty
    assert list(q.premium_build_up["step"])[-1] == "gross_premium"


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_years": 0}, "n_years"),
        ({"seed": -2}, "seed"),
        ({"valuation_date": "2020-01-01"}, "valuation_date"),
        ({"valuation_date": "not a date"}, "valuation_date"),
        ({"tables": "rating_tables"}, "tables"),
        ({"basis": {"principle": "cost of capital"}}, "basis"),
    ],
)
def test_bad_quote_arguments_name_the_parameter(egates, kwargs, name):
    with pytest.raises(ParameterError) as info:
        quote(egates, **({"n_years": 1000, "tables": TABLES} | kwargs))
    assert info.value.name == name


def test_bad_pricing_basis():
    with pytest.raises(ParameterError):
        PricingBasis(allocation_level=1.0)
    with pytest.raises(ParameterError):
        PricingBasis(coc_rate=-0.01)


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(strategies.submissions(currencies=RATED_CURRENCIES))
def test_generated_submissions_quote_with_premium_above_expected_loss(submission):
    q = quote(submission, n_years=2_000, seed=11, tables=TABLES)
    table = q.to_frame()
    assert np.isfinite(table.to_numpy()).all()
    total = table.loc["total"]
    assert total["gross_premium"] >= total["technical_premium"] >= total["expected_loss"] - 1e-6
