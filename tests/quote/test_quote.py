"""The quote: rate -> simulate -> price -> reserve, its table, provenance and properties."""

import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from xborder_risk import Submission, measures, quote
from xborder_risk.errors import ParameterError
from xborder_risk.exposure import COUNTRY_CODES
from xborder_risk.pricing import CostOfCapital, Loadings, StandardDeviationPrinciple
from xborder_risk.quote import (
    QUOTE_COLUMNS,
    READ_FIRST_COLUMNS,
    Provenance,
    ReproducibilityError,
    reproduce,
)
from xborder_risk.quote import QuoteBasis as PricingBasis
from xborder_risk.rating import RatingTables, refresh_checksums
from xborder_risk.testing import strategies

EXAMPLES = sorted((Path(__file__).parents[2] / "examples" / "submissions").glob("*.yaml"))
TABLES = RatingTables.load()
# Generated submissions are drawn in currencies the shipped FX table covers.
RATED_CURRENCIES = sorted(TABLES.fx["currency"])
#: The amount columns of a quote (the read-first columns hold terms, ratios and text).
AMOUNTS = [column for column in QUOTE_COLUMNS if column not in READ_FIRST_COLUMNS]


_RECORD = json.loads((Path(__file__).parent / "records" / "default_basis.json").read_text())


def _read_basis(record):
    """The basis a provenance record with this ``basis`` entry reproduces with."""
    return Provenance.read({**_RECORD["provenance"], "basis": record}).basis


@pytest.fixture(scope="module")
def egates():
    return Submission.from_file(EXAMPLES[0].parent / "eu_egates_contractor.yaml")


@pytest.fixture(scope="module")
def gb_agency():
    return Submission.from_file(EXAMPLES[0].parent / "agency_traveller_data_platform.yaml")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_submission_quotes_to_finite_positive_figures(path):
    q = quote(Submission.from_file(path), n_years=20_000, seed=1, tables=TABLES)
    table = q.to_frame()
    assert list(table.columns) == list(QUOTE_COLUMNS)
    assert list(table.index) == [*q.lines, "total"]
    assert np.isfinite(table[AMOUNTS].to_numpy()).all()
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
    assert table.loc["total", "var_99_5"] == q.simulation.value_at_risk(0.995)


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
        country_premium_tax=False,
        market_terms=False,
    )
    q = quote(egates, n_years=20_000, seed=77, tables=TABLES, basis=basis)
    record = json.loads(q.to_json())["provenance"]
    again = reproduce(record, egates, TABLES)
    pd.testing.assert_frame_equal(again.to_frame(), q.to_frame(), check_exact=True)
    assert record["seed"] == 77 and record["n_years"] == 20_000
    assert set(record["table_checksums"]) == set(TABLES.checksums)
    other = egates.model_copy(update={"submission_id": "changed"})
    with pytest.raises(ReproducibilityError):
        reproduce(record, other, TABLES)


def test_standalone_cost_of_capital_is_held_over_the_policy_period():
    # Standalone, a two-year policy holds its own capital for two years: the risk load is
    # 10 % a year x 2 years x (TVaR 99 % - mean) of the two-year total loss.
    # Without its loss history: the credit lowers operational liability enough that its
    # allocated risk load turns negative and is floored, which the formula below leaves out.
    two_year = Submission.from_file(
        EXAMPLES[0].parent / "high_risk_infrastructure.yaml"
    ).model_copy(update={"loss_history": None})
    assert two_year.policy_period_years == 2.0
    standalone = PricingBasis(capital_method="standalone")
    q = quote(two_year, n_years=20_000, seed=9, tables=TABLES, basis=standalone)
    principle = q.basis.principle
    assert isinstance(principle, CostOfCapital) and principle.period_years == 2.0
    total = q.simulation.total
    expected = 0.10 * 2.0 * (measures.tvar(total, 0.99) - total.mean())
    assert q.to_frame().loc["total", "risk_load"] == pytest.approx(expected, rel=1e-12)
    record = json.loads(q.to_json())["provenance"]
    assert record["basis"]["principle"]["parameters"]["period_years"] == 2.0
    again = reproduce(record, two_year, TABLES)
    pd.testing.assert_frame_equal(again.to_frame(), q.to_frame(), check_exact=True)
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
@given(
    strategies.submissions(
        currencies=RATED_CURRENCIES,
        # a country under comprehensive sanctions is refused (tests/pricing/test_programme.py)
        countries=sorted(set(COUNTRY_CODES) - set(TABLES.table("sanctions")["country"])),
    )
)
def test_generated_submissions_quote_with_premium_above_expected_loss(submission):
    q = quote(submission, n_years=2_000, seed=11, tables=TABLES)
    table = q.to_frame()
    assert np.isfinite(table[AMOUNTS].to_numpy()).all()
    total = table.loc["total"]
    assert total["gross_premium"] >= total["technical_premium"] >= total["expected_loss"] - 1e-6


# ---------------------------------------------------------------------------------------------
# premium tax of the insured's home country (rating_tables/premium_tax.csv)


def _tax_messages(q):
    return [m for m in q.messages if m.startswith("premium tax:")]


def test_country_premium_tax_of_a_gb_insured_is_12_percent_of_the_premium_before_tax(gb_agency):
    assert gb_agency.insured.home_country == "GB"
    q = quote(gb_agency, n_years=5_000, seed=4, tables=TABLES)
    table = q.to_frame()
    before_tax = table["gross_premium"] - table["premium_tax"]
    np.testing.assert_allclose(table["premium_tax"], 0.12 * before_tax, rtol=1e-12)
    assert table.loc["total", "premium_tax"] > 0
    assert q.pricing.build_up.premium_tax == pytest.approx(
        0.12 * q.pricing.build_up.premium_before_tax, rel=1e-12
    )
    assert q.loadings.tax_rate == 0.12 and q.basis.loadings.tax_rate == 0.0
    assert dict(q.premium_tax) == {
        "rate": 0.12,
        "status": "table_row",
        "country": "GB",
        "table": "premium_tax",
        "file": "premium_tax.csv",
        "key": {"country": "GB"},
        "table_version": TABLES.versions["premium_tax"],
        "basis": "Insurance Premium Tax standard rate",
    }
    (message,) = _tax_messages(q)
    assert "12.00%" in message and "premium_tax.csv, country=GB" in message
    assert "2009/138/EC Art. 13(13)(d)" in message
    record = json.loads(q.to_json())
    assert record["provenance"]["premium_tax"]["rate"] == 0.12
    assert record["provenance"]["basis"]["country_premium_tax"] is True
    # Without the tax, every step before it is unchanged.
    untaxed = quote(
        gb_agency,
        n_years=5_000,
        seed=4,
        tables=TABLES,
        basis=PricingBasis(country_premium_tax=False),
    ).to_frame()
    np.testing.assert_allclose(untaxed["gross_premium"], before_tax, rtol=1e-12)


def test_a_country_without_a_row_pays_no_premium_tax_and_the_quote_says_so(egates):
    assert egates.insured.home_country == "NO"
    assert TABLES.premium_tax_for("NO") is None
    q = quote(egates, n_years=2_000, seed=4, tables=TABLES)
    assert (q.to_frame()["premium_tax"] == 0.0).all()
    assert q.premium_tax["status"] == "no_row" and q.premium_tax["rate"] == 0.0
    (message,) = _tax_messages(q)
    assert "premium_tax.csv has no row for NO" in message and "no premium tax" in message
    assert message in json.loads(q.to_json())["messages"]


def test_tables_without_a_premium_tax_table_quote_with_no_tax_and_a_message(tmp_path, gb_agency):
    directory = tmp_path / "tables"
    shutil.copytree(Path(__file__).parents[2] / "rating_tables", directory)
    (directory / "premium_tax.csv").unlink()
    manifest = directory / "manifest.yaml"
    text = manifest.read_text()
    start = text.index("  premium_tax:\n")
    end = text.index("  patterns:\n")
    manifest.write_text(text[:start] + text[end:])
    refresh_checksums(directory)
    own = RatingTables.load(directory)
    assert not own.has_premium_tax
    q = quote(gb_agency, n_years=2_000, seed=4, tables=own)
    assert (q.to_frame()["premium_tax"] == 0.0).all()
    assert q.premium_tax["status"] == "no_table" and q.premium_tax["table"] is None
    (message,) = _tax_messages(q)
    assert "no premium-tax table" in message and "GB" in message
    record = json.loads(q.to_json())["provenance"]
    again = reproduce(record, gb_agency, own)
    pd.testing.assert_frame_equal(again.to_frame(), q.to_frame(), check_exact=True)
    # A record made with the shipped premium-tax table does not reproduce on tables without it.
    with pytest.raises(ReproducibilityError):
        reproduce(dict(record, table_checksums=TABLES.checksums), gb_agency, own)


def test_country_premium_tax_and_a_loadings_tax_rate_conflict():
    with pytest.raises(ParameterError) as info:
        PricingBasis(loadings=Loadings(tax_rate=0.12))
    assert info.value.name == "country_premium_tax / loadings.tax_rate"
    assert "give one or the other" in str(info.value)
    with pytest.raises(ParameterError) as info:
        PricingBasis(country_premium_tax="yes")  # type: ignore[arg-type]
    assert info.value.name == "country_premium_tax"
    # Either one alone is fine.
    PricingBasis(loadings=Loadings(tax_rate=0.12), country_premium_tax=False)
    PricingBasis(loadings=Loadings(tax_rate=0.0))


def test_without_country_premium_tax_the_loadings_tax_rate_is_used_as_given(gb_agency):
    basis = PricingBasis(
        loadings=Loadings(expense_ratio=0.12, commission=0.1, tax_rate=0.03),
        country_premium_tax=False,
        market_terms=False,
    )
    q = quote(gb_agency, n_years=2_000, seed=4, tables=TABLES, basis=basis)
    table = q.to_frame()
    before_tax = table["gross_premium"] - table["premium_tax"]
    np.testing.assert_allclose(table["premium_tax"], 0.03 * before_tax, rtol=1e-12)
    assert q.premium_tax["status"] == "loadings" and q.premium_tax["rate"] == 0.03
    assert q.premium_tax["country"] is None
    assert _tax_messages(q) == []
    assert q.loadings == basis.loadings


def test_country_premium_tax_quote_reproduces_bit_for_bit(gb_agency):
    q = quote(gb_agency, n_years=5_000, seed=21, tables=TABLES)
    record = json.loads(q.to_json())["provenance"]
    assert _read_basis(record["basis"]).country_premium_tax is True
    again = reproduce(record, gb_agency, TABLES)
    pd.testing.assert_frame_equal(again.to_frame(), q.to_frame(), check_exact=True)
    assert again.premium_tax == q.premium_tax
    assert again.to_frame().loc["total", "premium_tax"] > 0


def test_a_record_from_before_the_country_premium_tax_uses_its_loadings_tax_rate():
    # Records written before the field existed priced with loadings.tax_rate as given.
    basis = PricingBasis(loadings=Loadings(tax_rate=0.05), country_premium_tax=False)
    record = basis.model_dump(mode="json", by_alias=True)
    assert record["country_premium_tax"] is False
    del record["country_premium_tax"]
    assert _read_basis(record) == basis
    assert _read_basis(PricingBasis().model_dump(mode="json", by_alias=True)) == PricingBasis()


def test_risk_adjustment_technique_defaults_to_cte_and_is_validated():
    assert PricingBasis().risk_adjustment_technique == "cte"
    assert PricingBasis(risk_adjustment_technique="quantile").risk_adjustment_technique == (
        "quantile"
    )
    for bad in ("CTE", "tvar", None, 0.75):
        with pytest.raises(ParameterError, match="'cte'") as info:
            PricingBasis(risk_adjustment_technique=bad)  # type: ignore[arg-type]
        assert info.value.name == "risk_adjustment_technique"


def test_default_risk_adjustments_of_the_egates_quote_are_cte_and_positive(egates):
    # Cyber, technology failure and political risk are loss-free in most simulated years:
    # their 75 % quantile is below the mean, so the quantile technique gives a negative RA;
    # the CTE technique gives a positive one (IFRS 17 B91(a)) and no note about it.
    q = quote(egates, n_years=20_000, seed=3, tables=TABLES)
    old = quote(egates, n_years=20_000, seed=3, tables=TABLES,
                basis=PricingBasis(risk_adjustment_technique="quantile"))  # fmt: skip
    ra, ra_quantile = q.to_frame()["risk_adjustment"], old.to_frame()["risk_adjustment"]
    assert (ra > 0).all()
    assert (ra_quantile < 0).sum() >= 3
    assert (ra >= ra_quantile).all()
    assert not any("quantile of the unpaid amount" in m for m in q.messages)
    assert any("quantile of the unpaid amount" in m for m in old.messages)
    for line in q.lines:
        unpaid = q.simulation.annual[:, q.lines.index(line)]  # valued at inception
        assert ra[line] == pytest.approx(measures.tvar(unpaid, 0.75) - unpaid.mean(), rel=1e-12)
    equivalent = q.reserves["risk_adjustment_confidence_equivalent"]
    assert ((equivalent >= 0.75) & (equivalent <= 1.0)).all()
    np.testing.assert_allclose(
        old.reserves["risk_adjustment_confidence_equivalent"].drop(index="total").clip(0.75),
        old.reserves["risk_adjustment_confidence_equivalent"].drop(index="total"),
    )
    # the premium does not depend on the reserve technique
    np.testing.assert_array_equal(q.to_frame()["gross_premium"], old.to_frame()["gross_premium"])


@pytest.mark.parametrize("technique", ["cte", "quantile"])
def test_risk_adjustment_technique_reproduces_bit_for_bit(egates, technique):
    basis = PricingBasis(risk_adjustment_technique=technique, risk_adjustment_level=0.8)
    q = quote(egates, n_years=5_000, seed=8, tables=TABLES, basis=basis)
    record = json.loads(q.to_json())["provenance"]
    assert record["basis"]["risk_adjustment_technique"] == technique
    assert _read_basis(record["basis"]) == basis.for_submission(egates)
    again = reproduce(record, egates, TABLES)
    assert again.basis.risk_adjustment_technique == technique
    pd.testing.assert_frame_equal(again.to_frame(), q.to_frame(), check_exact=True)
    np.testing.assert_array_equal(again.reserves.to_numpy(), q.reserves.to_numpy())


def test_a_record_from_before_the_risk_adjustment_technique_reproduces_its_quantile_ra(egates):
    # Records written before the field existed measured the RA as the quantile minus the
    # mean: read without the key they reproduce the negative RAs they were priced with.
    old_basis = PricingBasis(risk_adjustment_technique="quantile")
    q = quote(egates, n_years=5_000, seed=8, tables=TABLES, basis=old_basis)
    record = json.loads(q.to_json())["provenance"]
    del record["basis"]["risk_adjustment_technique"]
    assert _read_basis(record["basis"]) == old_basis.for_submission(egates)
    again = reproduce(record, egates, TABLES)
    assert again.basis.risk_adjustment_technique == "quantile"
    pd.testing.assert_frame_equal(again.to_frame(), q.to_frame(), check_exact=True)
    assert (again.to_frame()["risk_adjustment"] < 0).any()
    # a current record keeps its technique
    current = PricingBasis().model_dump(mode="json", by_alias=True)
    assert _read_basis(current).risk_adjustment_technique == "cte"
