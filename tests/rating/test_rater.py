"""The rater on the example submission, its worksheet, messages and errors."""

from __future__ import annotations

import math
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from xborder_risk.distributions import NegativeBinomial, Poisson
from xborder_risk.engine import Layer, simulate
from xborder_risk.errors import MomentDoesNotExistError, SubmissionError, XBorderRiskWarning
from xborder_risk.exposure import Submission
from xborder_risk.rating import (
    WORKSHEET_COLUMNS,
    RatedSubmission,
    RatingTables,
    expected_layer_loss,
    rate,
    refresh_checksums,
)
from xborder_risk.rating.lines._base import check_tail_under_limit

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "submissions" / "eu_egates_contractor.yaml"


@pytest.fixture(scope="module")
def example() -> Submission:
    return Submission.from_file(EXAMPLE)


@pytest.fixture(scope="module")
def rated(example: Submission) -> RatedSubmission:
    return rate(example)


@pytest.fixture(scope="module")
def tables() -> RatingTables:
    return RatingTables.load()


def _data(submission: Submission) -> dict[str, Any]:
    data: dict[str, Any] = submission.model_dump(mode="json")
    return data


def test_every_line_is_rated_with_a_finite_positive_expected_loss(
    rated: RatedSubmission, example: Submission
) -> None:
    assert (
        rated.lines
        == example.lines
        == (
            "tech_failure",
            "cyber",
            "operational_liability",
            "political_risk",
        )
    )
    assert rated.currency == "EUR"
    for model in rated.models:
        assert model.layer == Layer(**example.layer_terms(model.name))
        loss = expected_layer_loss(model)
        assert math.isfinite(loss) and loss > 0.0
        assert model.frequency.mean() > 0.0
    summary = rated.summary()
    assert list(summary["line"]) == list(rated.lines)
    assert np.isfinite(summary[["expected_claims", "limited_severity"]].to_numpy()).all()
    assert set(rated.table_versions) == set(RatingTables.load().versions)


def test_worksheet_final_rows_equal_the_models(rated: RatedSubmission) -> None:
    sheet = rated.worksheet
    assert tuple(sheet.columns) == WORKSHEET_COLUMNS
    assert not sheet.isna().any().any()
    for model in rated.models:
        rows = sheet[sheet["line"] == model.name]
        assert list(rows["step"]) == list(range(1, len(rows) + 1))
        final = rows[rows["component"] == "line"]
        claims, loss = final.iloc[0], final.iloc[1]
        assert claims["frequency"] == pytest.approx(model.frequency.mean(), rel=1e-12)
        exhaustion = model.layer.deductible + model.layer.limit
        assert claims["severity"] == pytest.approx(
            float(model.severity.limited_expected_value(exhaustion)), rel=1e-12
        )
        assert loss["value"] == pytest.approx(expected_layer_loss(model), rel=1e-12)
        # The components' last running frequencies add up to the line's.
        components = rows[rows["component"] != "line"].groupby("component", sort=False)
        total = sum(group["frequency"].iloc[-1] for _, group in components)
        assert total == pytest.approx(model.frequency.mean(), rel=1e-12)


def test_worksheet_running_values_are_the_products_of_the_factors(
    rated: RatedSubmission,
) -> None:
    sheet = rated.worksheet
    cyber = sheet[(sheet["line"] == "cyber") & (sheet["component"] == "incident")]
    frequency_rows = cyber[cyber["factor"].str.contains("frequency|policy period|penetration")]
    # Each frequency factor row multiplies the previous running frequency by its value.
    previous = cyber["frequency"].shift(1)
    changed = cyber["frequency"] != previous
    ratio = (cyber["frequency"] / previous)[changed].dropna()
    assert np.allclose(ratio.to_numpy(), cyber.loc[ratio.index, "value"].to_numpy(), rtol=1e-12)
    assert len(frequency_rows) >= 5


def test_cyber_frequency_by_hand_from_the_tables(
    rated: RatedSubmission, example: Submission, tables: RatingTables
) -> None:
    # E[N] = base x (revenue / ref)^a x (reachable records / 1M)^c x partner band
    #        x (1 + k ln(1 + vendors)) x control credits x pen-test level x period.
    cyber = example.cyber
    assert cyber is not None

    def par(name: str) -> float:
        return float(tables.lookup("line_parameters", line="cyber", name=name)["value"])

    insured = example.insured
    revenue_usd = insured.annual_revenue * tables.fx_rate(insured.currency)
    reach = par("segmentation_reach_fraction") if cyber.controls.segmentation else 1.0
    records = max(reach * cyber.total_records, par("minimum_breach_records"))
    expected = tables.lookup(
        "frequency_base", line="cyber", insured_kind="contractor", component="incident"
    )["frequency_per_unit"]
    expected *= (revenue_usd / par("revenue_reference_usd")) ** par("revenue_elasticity")
    expected *= (records / par("cost_reference_records")) ** par("records_frequency_elasticity")
    expected *= tables.band("cyber", "partner_connections", cyber.partner_connections)[0]
    expected *= 1.0 + par("vendor_access_coefficient") * math.log1p(cyber.vendor_access)
    credit = 1.0  # the frequency credit, floored at sqrt(control_credit_floor)
    for control in (
        "mfa",
        "edr",
        "offline_backups",
        "encryption_at_rest",
        "incident_response_plan",
    ):
        freq = tables.relativity("cyber", "security_control", control)[0]
        expected *= freq
        credit *= freq
    # 2025-11-14 is 4 full months before the 2026-04-01 inception.
    pen = tables.relativity("cyber", "penetration_test", "within_12_months")
    expected *= pen[0]
    credit *= pen[0]
    expected *= max(1.0, math.sqrt(par("control_credit_floor")) / credit)
    assert rated.model("cyber").frequency.mean() == pytest.approx(expected, rel=1e-12)
    assert isinstance(rated.model("cyber").frequency, NegativeBinomial)


def test_severities_are_converted_to_the_submission_currency(
    example: Submission, tables: RatingTables
) -> None:
    in_eur = rate(example)
    in_usd = rate(Submission.from_data({**_data(example), "currency": "USD"}))

    # The same exposure amounts read as USD instead of EUR: only table amounts are converted,
    # so personnel severities (from the USD table) differ by the EUR rate exactly.
    def median(result: RatedSubmission) -> float:
        sheet = result.worksheet
        line = sheet["line"] == "operational_liability"
        rows = sheet[line & (sheet["component"] == "vehicles")]
        return float(rows["severity"].iloc[-1])

    assert median(in_usd) / median(in_eur) == pytest.approx(tables.fx_rate("EUR"), rel=1e-12)


def test_simulated_mean_agrees_with_the_expected_layer_loss(rated: RatedSubmission) -> None:
    # Aggregate limits of these two lines almost never bind (P < 1e-6), so the simulated mean
    # estimates the occurrence-layer expectation; tolerance = 5 Monte Carlo standard errors.
    lines = ("tech_failure", "operational_liability")
    models = [rated.model(line) for line in lines]
    result = simulate(models, 200_000, seed=20260401)
    for column, model in enumerate(models):
        annual = result.annual[:, column]
        standard_error = annual.std(ddof=1) / math.sqrt(annual.size)
        assert abs(annual.mean() - expected_layer_loss(model)) < 5 * standard_error


def test_zero_exposure_line_is_a_zero_frequency_model_with_a_message(example: Submission) -> None:
    data = _data(example)
    for system in data["tech_failure"]["systems"]:
        system["daily_outage_cost"] = 0.0
        system["replacement_value"] = 0.0  # no hardware-damage exposure either
    submission = Submission.from_data(data)
    with pytest.warns(XBorderRiskWarning, match="line 'tech_failure' rates to zero expected"):
        result = rate(submission)
    model = result.model("tech_failure")
    assert isinstance(model.frequency, Poisson) and model.frequency.lam == 0.0
    assert expected_layer_loss(model) == 0.0
    assert any("zero expected claims" in m for m in result.messages)
    assert result.model("cyber").frequency.mean() > 0


def test_country_without_risk_data_is_rated_on_the_default_class_with_a_message(
    example: Submission, tables: RatingTables
) -> None:
    data = _data(example)
    data["political_risk"]["contracts"][0]["host_country"] = "AQ"
    with pytest.warns(XBorderRiskWarning, match=r"AQ \(Antarctica\) has no published OECD"):
        result = rate(Submission.from_data(data))
    sheet = result.worksheet
    first = sheet[sheet["component"] == "EE-PBGB-2024-017/expropriation"].iloc[0]
    default_class = int(tables.parameter("default_oecd_crc"))
    assert first["key"].startswith(f"{default_class}/expropriation")


def test_currency_without_fx_is_a_clear_error(example: Submission) -> None:
    submission = Submission.from_data({**_data(example), "currency": "MNT"})
    with pytest.raises(SubmissionError, match=r"field 'currency': 'MNT' has no exchange rate"):
        rate(submission)


def test_country_missing_from_user_tables_is_a_clear_error(
    example: Submission, tmp_path: Path
) -> None:
    directory = tmp_path / "tables"
    shutil.copytree(REPO / "rating_tables", directory)
    for name in (
        "countries.csv",
        "political_violence_index.csv",
        "programme_tax.csv",
        "premium_levies.csv",
    ):
        path = directory / name
        path.write_text("".join(x for x in path.open() if not x.startswith("LV,")))
    refresh_checksums(directory)
    own = RatingTables.load(directory)
    with pytest.raises(SubmissionError, match=r"'cyber\.countries': country 'LV' has no row"):
        rate(example, own)


def test_rate_rejects_things_that_are_not_submissions(tables: RatingTables) -> None:
    with pytest.raises(SubmissionError, match="'submission' must be a Submission"):
        rate({"currency": "EUR"}, tables)  # type: ignore[arg-type]


def test_policy_period_scales_frequency(example: Submission) -> None:
    one_year = rate(example)
    data = _data(example)
    data["expiry_date"] = "2028-04-01"
    two_years = rate(Submission.from_data(data))
    for line in ("tech_failure", "cyber", "operational_liability"):
        assert two_years.model(line).frequency.mean() == pytest.approx(
            2.0 * one_year.model(line).frequency.mean(), rel=1e-12
        )
    # Political risk: years at risk = min(remaining term, period); both contracts run >= 2 years.
    assert two_years.model("political_risk").frequency.mean() == pytest.approx(
        2.0 * one_year.model("political_risk").frequency.mean(), rel=1e-12
    )


def test_heavy_tail_needs_a_finite_limit(
    rated: RatedSubmission, example: Submission, tmp_path: Path
) -> None:
    cyber = rated.model("cyber")
    with pytest.raises(SubmissionError, match=r"limit must be finite.*xi = 0\.8"):
        check_tail_under_limit("cyber", cyber.severity, Layer())
    # A user's table with an infinite-mean tail (xi = 1.2) still rates, under the finite limit.
    directory = tmp_path / "tables"
    shutil.copytree(REPO / "rating_tables", directory)
    tail = directory / "severity_tail.csv"
    tail.write_text(tail.read_text().replace(",0.8,0.8", ",1.2,0.8"))
    refresh_checksums(directory)
    heavy = rate(example, RatingTables.load(directory)).model("cyber")
    with pytest.raises(MomentDoesNotExistError):
        heavy.severity.mean()
    assert expected_layer_loss(heavy) > expected_layer_loss(cyber)


def test_messages_are_also_warnings_and_quiet_otherwise(example: Submission) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", XBorderRiskWarning)
        result = rate(example)
    assert result.messages == ()
