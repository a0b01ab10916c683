"""The international programme: allocation to the cent, local taxes, placement rules."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xborder_risk import quote
from xborder_risk.errors import ParameterError
from xborder_risk.exposure import InvalidSubmissionError, Submission
from xborder_risk.exposure.programme import allocation_key, line_countries
from xborder_risk.pricing.programme import (
    EEA,
    PROGRAMME_COLUMNS,
    SanctionsError,
    allocate_cents,
    build_programme,
    screen_sanctions,
)
from xborder_risk.rating import RatingTables

EXAMPLES = Path(__file__).parents[2] / "examples" / "submissions"
PROGRAMME = EXAMPLES / "eu_egates_programme.yaml"


@pytest.fixture(scope="module")
def tables() -> RatingTables:
    return RatingTables.load()


@pytest.fixture(scope="module")
def example() -> Submission:
    return Submission.from_file(PROGRAMME)


def _data(sub: Submission) -> dict:
    return copy.deepcopy(sub.model_dump(mode="json"))


# --- largest remainder --------------------------------------------------------------------


def test_largest_remainder_hand_example() -> None:
    # 100 cents in thirds: quotas 33.33.. each, one cent left to the first (ties to earlier).
    assert allocate_cents(100, [1, 1, 1]) == [34, 33, 33]
    # 1001 cents by 0.5 / 0.3 / 0.2: quotas 500.5, 300.3, 200.2 -> 500, 300, 200 and the
    # leftover cent to the largest remainder (0.5).
    assert allocate_cents(1001, [0.5, 0.3, 0.2]) == [501, 300, 200]
    assert allocate_cents(7, [0, 1]) == [0, 7]


@given(
    st.integers(min_value=0, max_value=10**13),
    st.lists(st.floats(min_value=0, max_value=1e9, allow_nan=False), min_size=1, max_size=12),
)
def test_largest_remainder_sums_exactly(total: int, weights: list[float]) -> None:
    if sum(weights) <= 0:
        weights = [*weights[:-1], 1.0]
    parts = allocate_cents(total, weights)
    assert sum(parts) == total
    whole = sum(Decimal(str(w)) for w in weights)
    for part, weight in zip(parts, weights, strict=True):
        quota = Decimal(total) * Decimal(str(weight)) / whole
        assert abs(Decimal(part) - quota) < 1  # never more than one cent from its quota


@pytest.mark.parametrize("weights", [[], [0.0, 0.0], [1.0, -1.0], [float("nan")]])
def test_largest_remainder_refuses_bad_weights(weights: list[float]) -> None:
    with pytest.raises(ParameterError, match="weights"):
        allocate_cents(100, weights)


# --- the programme table --------------------------------------------------------------------


def test_programme_table_sums_to_each_line_premium_to_the_cent(example, tables) -> None:
    premiums = {
        "tech_failure": 50_000.005,
        "cyber": 125_000.0,
        "operational_liability": 415_219.4349,
        "political_risk": 81_000.01,
    }
    result = build_programme(example, tables, premiums)
    assert tuple(result.table.columns) == PROGRAMME_COLUMNS
    totals = result.line_totals()
    for line, premium in premiums.items():
        cents = int((Decimal(str(premium)) * 100).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
        allocated = sum(
            round(p * 100) for p in result.table.loc[result.table.line == line, "premium"]
        )
        assert allocated == cents, line
        assert round(totals.loc[line, "premium"] * 100) == cents
    # FI: 25.5 % tax on its share; NO, EE, LV: none.
    fi = result.table[(result.table.country == "FI")]
    assert (fi["premium_tax_rate"] == 0.255).all()
    for row in fi.itertuples():
        assert round(row.premium_tax * 100) == int(
            (Decimal(str(row.premium)) * Decimal("25.5")).quantize(
                Decimal(1), rounding="ROUND_HALF_UP"
            )
        )
    assert (result.table.loc[result.table.country != "FI", "premium_tax"] == 0).all()


def test_placements_and_difference_in_limits(example, tables) -> None:
    result = build_programme(example, tables, {line: 1000.0 for line in example.lines})
    table = result.table.set_index(["line", "country"])
    assert table.loc[("cyber", "NO"), "placement"] == "master"
    assert table.loc[("cyber", "FI"), "placement"] == "local"
    # EE local limit 10M under a 25M master: the master pays 15M difference in limits.
    assert table.loc[("cyber", "EE"), "local_limit"] == 10_000_000
    assert table.loc[("cyber", "EE"), "master_dil"] == 15_000_000
    # The Latvian FCMC levy (0.184 %) falls on the local policy and is borne by the insurer.
    assert table.loc[("cyber", "LV"), "insurer_levies"] == pytest.approx(0.46)  # 0.184 % of 250.00
    assert table.loc[("cyber", "LV"), "total_payable"] == table.loc[("cyber", "LV"), "premium"]
    # Local amounts: NOK for Norway with the dated FX table.
    assert table.loc[("cyber", "NO"), "local_currency"] == "NOK"
    expected = round(250.0 * tables.convert(1.0, "EUR", "NOK"), 2)  # a quarter of 1,000
    assert table.loc[("cyber", "NO"), "local_premium"] == pytest.approx(expected, abs=0.006)
    assert not result.referrals  # all four countries are in the EEA


def test_allocation_keys_follow_the_rating_exposure(example) -> None:
    tech = allocation_key(example, "tech_failure")
    # EG-HEL-02 (60,000 a day) in FI alone + a quarter of BMS-CORE and TDX-HUB.
    assert tech.weights["FI"] == pytest.approx(60_000 + 240_000 / 4 + 120_000 / 4)
    pr = allocation_key(example, "political_risk")
    assert pr.weights == {"EE": 42_000_000 + 6_800_000, "LV": 9_500_000 + 2_900_000}
    given_key = allocation_key(example, "operational_liability")
    assert given_key.weights == {"NO": 260, "FI": 190, "EE": 110, "LV": 80}
    assert line_countries(example, "political_risk") == ("EE", "LV")


def test_non_admitted_where_admitted_cover_is_required_is_referred(tables) -> None:
    sub = Submission.from_file(EXAMPLES / "high_risk_infrastructure.yaml")
    data = _data(sub)
    data["programme"] = {}
    result = build_programme(
        Submission.from_data(data), tables, {line: 1000.0 for line in sub.lines}
    )
    referred = {(r.line, r.kind) for r in result.referrals}
    # Iraq requires locally admitted cover (judgement row); political risk is exempt.
    assert ("tech_failure", "admitted_cover_required") in referred
    assert all(r.line != "political_risk" for r in result.referrals)
    assert all("IQ" in r.reason for r in result.referrals)
    # A local policy in Iraq clears the referral for that line.
    data["programme"] = {"tech_failure": {"local_policies": [{"country": "IQ"}]}}
    again = build_programme(
        Submission.from_data(data), tables, {line: 1000.0 for line in sub.lines}
    )
    assert ("tech_failure", "admitted_cover_required") not in {
        (r.line, r.kind) for r in again.referrals
    }


def test_sanctioned_country_is_refused_naming_the_field(example, tables) -> None:
    data = _data(example)
    data["cyber"]["countries"] = ["NO", "FI", "EE", "LV", "KP"]
    sub = Submission.from_data(data)
    with pytest.raises(SanctionsError, match=r"cyber\.countries\[4\].*comprehensive sanctions"):
        screen_sanctions(sub, tables)
    with pytest.raises(SanctionsError, match="31 CFR Part 510"):
        quote(sub, n_years=10)
    screen_sanctions(example, tables)  # nothing listed


def test_eea_has_thirty_states() -> None:
    assert len(EEA) == 30 and {"NO", "IS", "LI"} <= EEA and "CH" not in EEA and "GB" not in EEA


def test_tax_table_covers_eea_and_example_countries(tables) -> None:
    countries = set(EEA)
    for path in EXAMPLES.glob("*.yaml"):
        sub = Submission.from_file(path)
        countries.add(sub.insured.home_country)
        for line in sub.lines:
            countries.update(line_countries(sub, line))
    frame = tables.table("programme_tax")
    missing = sorted(countries - set(frame["country"]))
    assert not missing
    statuses = set(frame["status"])
    assert statuses <= {"verified", "secondary", "judgement"}


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (
            {"tech_failure": {"local_policies": [{"country": "DE"}]}},
            "programme.tech_failure.local_policies[0].country",
        ),
        (
            {"cyber": {"local_policies": [{"country": "FI", "limit": 25_000_001.0}]}},
            "programme.cyber.local_policies[0].limit",
        ),
        (
            {"cyber": {"local_policies": [{"country": "XX"}]}},
            "programme.cyber.local_policies[0].country",
        ),
        (
            {"cyber": {"local_policies": [{"country": "FI"}, {"country": "FI"}]}},
            "programme.cyber.local_policies[1].country",
        ),
        ({"marine": {"local_policies": []}}, "programme.marine"),
    ],
)
def test_bad_programme_names_the_field(example, change, path) -> None:
    data = _data(example)
    data["programme"] = change
    with pytest.raises(InvalidSubmissionError) as caught:
        Submission.from_data(data)
    assert caught.value.errors[0].path.startswith(path)


# --- the quote ------------------------------------------------------------------------------


def test_quote_reconciles_with_the_programme_to_the_cent(example) -> None:
    q = quote(example, n_years=2_000, seed=7)
    frame = q.to_frame()
    programme = q.programme
    for line in q.lines:
        rows = programme[programme.line == line]
        before_tax = frame.loc[line, "gross_premium"] - frame.loc[line, "premium_tax"]
        assert round(rows["premium"].sum() * 100) == round(before_tax * 100)
        assert round(frame.loc[line, "premium_tax"] * 100) == round(
            (rows["premium_tax"].sum() + rows["levies"].sum()) * 100
        )
        assert round(frame.loc[line, "gross_premium"], 2) == pytest.approx(
            rows["total_payable"].sum(), abs=1e-9
        )
    assert round(frame.loc["total", "premium_tax"] * 100) == round(
        (programme["premium_tax"].sum() + programme["levies"].sum()) * 100
    )
    record = json.loads(q.to_json())
    assert len(record["programme"]) == len(programme)
    assert any("international programme" in m for m in q.messages)
    from xborder_risk.report import render_html, render_markdown

    markdown = render_markdown(q, chart_file="c.png")
    assert "## International programme" in markdown
    assert f"**{programme['total_payable'].sum():,.2f}**" in markdown
    assert 'id="programme"' in render_html(q, chart_png=None)


def test_quote_without_programme_has_an_empty_programme_frame() -> None:
    sub = Submission.from_file(EXAMPLES / "eu_egates_contractor.yaml")
    q = quote(sub, n_years=500, seed=1)
    assert q.programme.empty and tuple(q.programme.columns) == PROGRAMME_COLUMNS
    assert "programme" not in q.to_dict()


# --- the command line -----------------------------------------------------------------------


def test_cli_writes_the_programme_and_refuses_a_sanctioned_country(tmp_path, example) -> None:
    from typer.testing import CliRunner

    from xborder_risk import cli

    runner = CliRunner()
    done = runner.invoke(
        cli.app,
        ["quote", str(PROGRAMME), "-n", "500", "-o", str(tmp_path), "-f", "json,csv"],
    )
    assert done.exit_code == 0, done.output
    rows = (tmp_path / "eu_egates_programme_programme.csv").read_text().splitlines()
    assert rows[0].split(",")[: len(PROGRAMME_COLUMNS)] == list(PROGRAMME_COLUMNS)
    assert len(rows) == 1 + 14  # 4 + 4 + 4 + 2 countries
    record = json.loads((tmp_path / "eu_egates_programme.json").read_text())
    assert {r["country"] for r in record["programme"]} == {"NO", "FI", "EE", "LV"}

    data = _data(example)
    data["operational_liability"]["countries"] = ["NO", "FI", "EE", "LV", "CU"]
    data["programme"]["operational_liability"].pop("allocation")
    path = tmp_path / "cuba.json"
    path.write_text(json.dumps(data))
    out = str(tmp_path / "out")
    refused = runner.invoke(cli.app, ["quote", str(path), "-n", "100", "-o", out])
    assert refused.exit_code != 0
    assert "operational_liability.countries[4]" in refused.output
    assert "comprehensive sanctions" in refused.output
