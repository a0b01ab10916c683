"""The quote with market terms, the read-first columns, referrals and the basis file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from xborder_risk import Submission, quote
from xborder_risk.errors import ParameterError
from xborder_risk.exposure import PolicyTerms
from xborder_risk.pricing import PricingBasis, TargetLossRatio
from xborder_risk.pricing.market import Referral
from xborder_risk.quote import LEGACY_BASIS_DEFAULTS, QuoteBasis, reproduce
from xborder_risk.rating import RatingTables, refresh_checksums
from xborder_risk.rating.tables import MARKET_BANDS_TABLE, MARKET_TERMS_TABLE
from xborder_risk.reserves import ReservingBasis

REPO = Path(__file__).resolve().parents[2]
SUBMISSIONS = REPO / "examples" / "submissions"
TABLES = RatingTables.load()


@pytest.fixture(scope="module")
def egates() -> Submission:
    return Submission.from_file(SUBMISSIONS / "eu_egates_contractor.yaml")


@pytest.fixture(scope="module")
def egates_quote(egates):
    return quote(egates, n_years=5_000, seed=3, tables=TABLES)


def _with_terms(submission: Submission, line: str, **terms: float) -> Submission:
    new = dict(submission.terms)
    new[line] = PolicyTerms(**terms)
    return Submission.model_validate(submission.model_dump() | {"terms": new})


def test_the_read_first_columns(egates, egates_quote):
    table = egates_quote.to_frame()
    years = egates.policy_period_years
    for line in egates_quote.lines:
        terms = egates.terms[line]
        row = table.loc[line]
        assert row["limit"] == terms.limit and row["share"] == terms.share
        assert row["deductible"] == terms.deductible
        assert row["rate_on_line"] == pytest.approx(
            row["gross_premium"] / years / (terms.limit * terms.share), rel=1e-12
        )
        assert row["expected_loss_ratio"] == pytest.approx(
            row["expected_loss"] / row["gross_premium"], rel=1e-12
        )
        assert row["minimum_applied"] in ("none", "minimum_premium", "minimum_rate_on_line")
        # guard: the technical premium is never below the expected loss
        assert row["technical_premium"] >= row["expected_loss"]
    data = json.loads(egates_quote.to_json())
    assert data["quote"]["cyber"]["minimum_applied"] in ("none", "minimum_premium")
    assert data["referrals"] == [r.to_record() for r in egates_quote.referrals]


def test_each_line_carries_the_market_terms_of_the_tables(egates, egates_quote):
    table = egates_quote.to_frame()
    for line in egates_quote.lines:
        row = TABLES.market_terms_for(line)
        assert row is not None
        if egates_quote.minimum_applied[line] != "none":
            continue
        before_tax = table.loc[line, "gross_premium"] - table.loc[line, "premium_tax"]
        assert table.loc[line, "commission"] == pytest.approx(
            row["commission"] * before_tax, rel=1e-9
        )


def test_a_premium_above_what_the_policy_can_pay_is_refer_decline():
    # The case: limit = aggregate limit = 100,000 priced above 100,000.
    high = Submission.from_file(SUBMISSIONS / "high_risk_infrastructure.yaml")
    line = "operational_liability"
    small = _with_terms(high, line, deductible=0.0, limit=100_000.0, aggregate_limit=100_000.0)
    q = quote(small, n_years=5_000, seed=3, tables=TABLES)
    gross = q.to_frame().loc[line, "gross_premium"]
    assert gross >= 100_000
    kinds = {(r.line, r.kind) for r in q.referrals}
    assert (line, "price_at_or_above_cover") in kinds
    (referral,) = [r for r in q.referrals if r.kind == "price_at_or_above_cover"]
    assert isinstance(referral, Referral) and referral.band == (0.0, 100_000.0)
    assert "refer/decline" in referral.reason


def test_lines_outside_their_market_bands_are_referred_with_band_and_source(egates_quote):
    band = [r for r in egates_quote.referrals if r.kind == "outside_market_band"]
    assert band, "the shipped examples still price lines outside the market bands"
    for referral in band:
        assert referral.band is not None and referral.band[0] < referral.band[1]
        assert "market_bands.csv" in (referral.source or "")
        assert not referral.band[0] <= referral.figure <= referral.band[1]


def test_a_negative_scr_is_shown_as_zero_with_the_reason():
    # A technology-failure layer far above the outages (19M xs 19M): its premium is the
    # minimum rate on line, far above its losses, so its unfloored SCR is negative.
    data = Submission.from_file(SUBMISSIONS / "high_risk_infrastructure.yaml").model_dump(
        mode="json"
    )
    data["terms"]["tech_failure"].update(deductible=19_000_000.0, limit=19_000_000.0)
    agency = Submission.from_data(data)
    q = quote(agency, n_years=5_000, seed=3, tables=TABLES)
    raw = quote(
        agency, n_years=5_000, seed=3, tables=TABLES, reserving=ReservingBasis(floor_scr=False)
    )
    negative = raw.reserves.index[raw.reserves["scr"] < 0]
    assert len(negative) > 0
    for line in negative:
        assert q.reserves.loc[line, "scr"] == 0.0
        assert any(m.startswith(f"{line}: SCR shown as 0") for m in q.messages)
    assert (q.reserves["risk_margin"] == raw.reserves["risk_margin"]).all()


def test_target_loss_ratio_basis_prices_lines_to_their_targets(egates):
    targets = {"tech_failure": 0.5, "cyber": 0.55, "operational_liability": 0.6}
    basis = PricingBasis(principle=TargetLossRatio(targets=targets, default=0.5))
    q = quote(egates, n_years=5_000, seed=3, tables=TABLES, basis=basis)
    table = q.to_frame()
    for line in q.lines:
        if q.minimum_applied[line] != "none":
            continue
        before_tax = table.loc[line, "gross_premium"] - table.loc[line, "premium_tax"]
        target = targets.get(line, 0.5)
        assert table.loc[line, "expected_loss"] / before_tax == pytest.approx(target, rel=1e-9)
    again = reproduce(q.to_dict()["provenance"], egates, TABLES)
    assert again.to_dict()["quote"] == q.to_dict()["quote"]


def test_a_record_without_the_new_fields_prices_as_before(egates):
    record = QuoteBasis().model_dump(mode="json", by_alias=True)
    for key in LEGACY_BASIS_DEFAULTS:
        record.pop(key)
    record["loadings"] = {"expense_ratio": 0.12, "commission": 0.1, "profit_margin": 0.05}
    old = QuoteBasis.model_validate({**LEGACY_BASIS_DEFAULTS, **record})
    assert not old.market_terms and not old.floor_risk_load and not old.floor_scr
    # Seed 0: the allocation of this policy's capital gives two lines a negative risk load,
    # which the old basis keeps (no floor).
    q = quote(egates, n_years=2_000, seed=0, tables=TABLES, basis=old)
    assert set(q.minimum_applied.values()) == {"none"}
    assert (q.to_frame()["risk_load"].drop("total") < 0).any()  # not floored


def _tables_without(tmp_path: Path, *names: str) -> RatingTables:
    directory = tmp_path / "tables"
    shutil.copytree(REPO / "rating_tables", directory)
    manifest = yaml.safe_load((directory / "manifest.yaml").read_text())
    for name in names:
        (directory / manifest["tables"][name]["file"]).unlink()
        del manifest["tables"][name]
    (directory / "manifest.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    refresh_checksums(directory)
    return RatingTables.load(directory)


def test_tables_without_the_market_tables_quote_with_the_basis_loadings_and_say_so(
    egates, tmp_path
):
    tables = _tables_without(tmp_path, MARKET_TERMS_TABLE, MARKET_BANDS_TABLE)
    assert not tables.has_table(MARKET_TERMS_TABLE)
    assert tables.market_bands_for("cyber") == ()
    q = quote(egates, n_years=2_000, seed=3, tables=tables)
    notes = [m for m in q.messages if "market terms" in m]
    assert len(notes) == len(q.lines)
    assert not [r for r in q.referrals if r.kind == "outside_market_band"]


def test_bad_market_tables_are_refused(tmp_path):
    directory = tmp_path / "tables"
    shutil.copytree(REPO / "rating_tables", directory)
    bands = directory / "market_bands.csv"
    bands.write_text(
        bands.read_text().replace(
            "cyber,expected_loss_ratio,0.30,0.70", "cyber,expected_loss_ratio,0.80,0.70"
        )
    )
    terms = directory / "market_terms.csv"
    terms.write_text(
        terms.read_text().replace(
            "cyber,USD,5000,0.005,0.15,0.12", "cyber,USD,5000,0.005,0.55,0.40"
        )
    )
    refresh_checksums(directory)
    tables = RatingTables.load(directory)
    with pytest.raises(Exception, match=r"lower 0\.8 must be below upper 0\.7"):
        tables.market_bands_for("cyber")
    with pytest.raises(Exception, match="must be < 1"):
        tables.market_terms_for("cyber")


# -- the basis file -----------------------------------------------------------------------------


def test_the_example_basis_file_reads_and_prices(egates):
    basis = QuoteBasis.from_file(REPO / "examples" / "bases" / "target_loss_ratio.json")
    assert isinstance(basis.principle, TargetLossRatio)
    q = quote(egates, n_years=1_000, seed=3, tables=TABLES, basis=basis)
    assert q.basis.principle == basis.principle


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("allocation_level: 1.5\n", "allocation_level"),
        ("alocation_level: 0.9\n", "alocation_level"),
        ("loadings: {commission: 0.1}\n", "market_terms / loadings"),
        ("- 1\n", "<file>"),
        ("a: [\n", "<file>"),
        ("market_terms: true\nmarket_terms: false\n", "<file>"),
        (
            "principle: {type: TargetLossRatio, parameters: {targets: {cyber: 2}}}\n",
            "targets[cyber]",
        ),
    ],
)
def test_a_bad_basis_file_names_the_field(tmp_path, text, name):
    path = tmp_path / "basis.yaml"
    path.write_text(text)
    with pytest.raises(ParameterError) as info:
        QuoteBasis.from_file(path)
    assert info.value.name == name
    assert str(path) in str(info.value)


def test_a_basis_file_must_be_yaml_or_json(tmp_path):
    path = tmp_path / "basis.txt"
    path.write_text("{}")
    with pytest.raises(ParameterError, match="yaml"):
        QuoteBasis.from_file(path)


def test_the_basis_schema_lists_every_field():
    schema = QuoteBasis.json_schema()
    keys = {info.serialization_alias or name for name, info in QuoteBasis.model_fields.items()}
    assert set(schema["properties"]) == keys
    titles = {s.get("title") for s in schema["properties"]["principle"]["oneOf"]}
    assert "TargetLossRatio" in titles and "CostOfCapital" in titles
    assert schema["properties"]["market_terms"]["default"] is True
