"""Calibration of the cyber and technology-failure models against the public figures they cite.

Each test recomputes a cited statistic from the fitted model and asserts it within a stated
tolerance (sources: rating_tables/line_parameters.csv, outage_duration.csv, docs/rating.md).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from xborder_risk.distributions import Lognormal
from xborder_risk.exposure import Submission
from xborder_risk.exposure.bi_terms import BusinessInterruptionTerms
from xborder_risk.rating import RatingTables, expected_layer_loss, rate
from xborder_risk.rating._severities import DurationCost

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples" / "submissions"


@pytest.fixture(scope="module")
def tables() -> RatingTables:
    return RatingTables.load()


def _par(tables: RatingTables, line: str, name: str) -> float:
    return tables.line_parameter(line, name)[0]


def _base(name: str = "eu_egates_contractor") -> dict[str, Any]:
    submission = Submission.from_yaml((EXAMPLES_DIR / f"{name}.yaml").read_text())
    return submission.model_dump(mode="json")


def _cyber_only(**cyber: Any) -> Submission:
    data = _base()
    data["cyber"].update(cyber)
    for key in ("tech_failure", "operational_liability", "political_risk"):
        data.pop(key, None)
        data["terms"].pop(key, None)
    return Submission.from_data(data)


def _cyber_model(submission: Submission) -> Any:
    return rate(submission).model("cyber")


# -- cyber ------------------------------------------------------------------------------------


def test_cost_curve_reproduces_ibm_mega_breach_figures(tables: RatingTables) -> None:
    # IBM / Ponemon: about USD 40-42M at 1M records, about USD 350M at 50M records.
    reference = float(
        tables.lookup(
            "severity_base", line="cyber", insured_kind="contractor", component="incident"
        )["median"]
    )
    slope = _par(tables, "cyber", "cost_records_slope")
    assert reference == pytest.approx(42e6, rel=0.05)
    assert reference * 50.0**slope == pytest.approx(350e6, rel=0.10)


def test_third_party_part_reproduces_the_opm_settlement(tables: RatingTables) -> None:
    # OPM breach: 22.1M people, a USD 63M settlement fund (third-party part only).
    reference = 42e6
    slope = _par(tables, "cyber", "cost_records_slope")
    third = _par(tables, "cyber", "third_party_share")
    assert reference * 22.1**slope * third == pytest.approx(63e6, rel=0.10)
    shares = [
        _par(tables, "cyber", n)
        for n in ("response_share", "business_interruption_share", "third_party_share")
    ]
    assert math.fsum(shares) == pytest.approx(1.0, abs=1e-9)


def test_ten_percent_of_incidents_above_20m_at_208m_records() -> None:
    # Cyentia IRIS 20/20: about 10 % of losses above USD 20M at this scale (issue 12).  An
    # unsegmented contractor holding 208M records in a partial-regime country, no credits.
    controls = dict.fromkeys(
        (
            "mfa",
            "edr",
            "offline_backups",
            "encryption_at_rest",
            "segmentation",
            "incident_response_plan",
        ),
        False,
    )
    submission = _cyber_only(
        pii_records=208_000_000, biometric_records=0, controls=controls, countries=["US"]
    )
    data = submission.model_dump(mode="json")
    data["currency"] = "USD"
    data["insured"]["currency"] = "USD"
    model = _cyber_model(Submission.from_data(data))
    share = float(model.severity.sf(20e6))
    assert 0.08 <= share <= 0.12


def test_100x_records_moves_severity_by_the_cost_curve(tables: RatingTables) -> None:
    slope = _par(tables, "cyber", "cost_records_slope")
    elasticity = _par(tables, "cyber", "records_frequency_elasticity")
    small = _cyber_model(_cyber_only(pii_records=2_000_000, biometric_records=0))
    large = _cyber_model(_cyber_only(pii_records=200_000_000, biometric_records=0))
    median_ratio = float(large.severity.ppf(0.5)) / float(small.severity.ppf(0.5))
    assert median_ratio == pytest.approx(100.0**slope, rel=1e-6)
    assert large.frequency.mean() / small.frequency.mean() == pytest.approx(
        100.0**elasticity, rel=1e-9
    )
    # the expected loss rises by much more than the 4x the old decade bands gave
    assert expected_layer_loss(large) > 8.0 * expected_layer_loss(small)


def test_biometric_templates_visibly_move_the_expected_loss() -> None:
    without = _cyber_model(_cyber_only(biometric_records=0))
    with_bio = _cyber_model(_cyber_only(biometric_records=11_500_000))
    as_pii = _cyber_model(_cyber_only(pii_records=38_000_000 + 11_500_000, biometric_records=0))
    assert expected_layer_loss(with_bio) > 1.15 * expected_layer_loss(without)
    # a template weighs more than a PII record (irrevocable data)
    assert expected_layer_loss(with_bio) > expected_layer_loss(as_pii)


def test_control_credits_are_capped(tables: RatingTables) -> None:
    none = dict.fromkeys(
        (
            "mfa",
            "edr",
            "offline_backups",
            "encryption_at_rest",
            "segmentation",
            "incident_response_plan",
        ),
        False,
    )
    every = dict.fromkeys(none, True)
    # no records: segmentation has no records to take out of reach, only its credit counts
    bare = _cyber_model(_cyber_only(controls=none, pii_records=0, biometric_records=0))
    full = _cyber_model(_cyber_only(controls=every, pii_records=0, biometric_records=0))
    # no layer: compare ground-up means (frequency x median scale) of the spliced severities
    ratio = (full.frequency.mean() * float(full.severity.ppf(0.5))) / (
        bare.frequency.mean() * float(bare.severity.ppf(0.5))
    )
    assert ratio == pytest.approx(_par(tables, "cyber", "control_credit_floor"), rel=1e-9)


def test_revenue_raises_cyber_frequency(tables: RatingTables) -> None:
    data = _cyber_only().model_dump(mode="json")
    low = Submission.from_data({**data, "cyber": {**data["cyber"], "annual_revenue": 1e7}})
    high = Submission.from_data({**data, "cyber": {**data["cyber"], "annual_revenue": 1e9}})
    ratio = _cyber_model(high).frequency.mean() / _cyber_model(low).frequency.mean()
    assert ratio == pytest.approx(100.0 ** _par(tables, "cyber", "revenue_elasticity"), rel=1e-9)


def test_vendor_access_raises_cyber_frequency() -> None:
    base = _cyber_model(_cyber_only(vendor_access=0)).frequency.mean()
    ten = _cyber_model(_cyber_only(vendor_access=10)).frequency.mean()
    assert ten / base == pytest.approx(1.0 / 0.85, rel=1e-3)


# -- technology failure -----------------------------------------------------------------------


def test_duration_sigma_reproduces_uptime_2024(tables: RatingTables) -> None:
    # Uptime 2024: 54 % of significant outages above USD 100k, 16 % above USD 1M, so
    # P(> 1M | > 100k) is about 30 %.  An outage cost scaled so that P(> 100k) = 54 %.
    sigma = float(tables.lookup("outage_duration", system_type="e_gate")["sigma"])
    from scipy import stats

    median = 1e5 / math.exp(sigma * stats.norm.ppf(0.46))
    cost = Lognormal(mu=math.log(median), sigma=sigma)
    assert float(cost.sf(1e5)) == pytest.approx(0.54, abs=1e-9)
    assert float(cost.sf(1e6)) == pytest.approx(0.16, abs=0.02)
    assert float(cost.sf(1e6)) / float(cost.sf(1e5)) == pytest.approx(16 / 54, abs=0.04)


def _tech_only(**changes: Any) -> dict[str, Any]:
    data = _base()
    for key in ("cyber", "operational_liability", "political_risk"):
        data.pop(key, None)
        data["terms"].pop(key, None)
    data.update(changes)
    return data


def test_a_shared_system_is_rated_once_whatever_its_countries() -> None:
    data = _tech_only()
    one = next(s for s in data["tech_failure"]["systems"] if s["system_id"] == "BMS-CORE")
    single = {**data, "tech_failure": {"systems": [{**one, "countries": ["NO"]}]}}
    four = {**data, "tech_failure": {"systems": [one]}}
    a = rate(Submission.from_data(single)).model("tech_failure")
    b = rate(Submission.from_data(four)).model("tech_failure")
    assert len(one["countries"]) == 4
    assert expected_layer_loss(b) == pytest.approx(expected_layer_loss(a), rel=1e-12)


def test_waiting_and_indemnity_periods_reduce_the_loss_exactly() -> None:
    duration = Lognormal(mu=math.log(3.0), sigma=2.1)
    full = DurationCost(duration=duration, fixed=0.0, rates=(1e4,), spans=(math.inf,), wait=0.0)
    terms = BusinessInterruptionTerms(waiting_period_hours=8.0, indemnity_period_days=30.0)
    cut = DurationCost(
        duration=duration, fixed=0.0, rates=(1e4,), spans=(terms.paid_span_hours,), wait=8.0
    )
    # E[min(max(D - w, 0), I - w)] = E[D ^ I] - E[D ^ w]
    exact = 1e4 * (
        float(duration.limited_expected_value(720.0)) - float(duration.limited_expected_value(8.0))
    )
    assert cut.mean() == pytest.approx(exact, rel=1e-12)
    assert cut.mean() < full.mean()
    sample = cut.sample(np.random.default_rng(7), 400_000)
    assert sample.mean() == pytest.approx(exact, rel=0.03)
    assert sample.max() <= 1e4 * (720.0 - 8.0) + 1e-6


def test_bi_terms_move_tech_failure_and_cyber_the_right_way() -> None:
    data = _base()
    plain = rate(Submission.from_data(data))
    data["terms"]["tech_failure"]["business_interruption"] = {
        "waiting_period_hours": 12.0,
        "indemnity_period_days": 30.0,
    }
    data["terms"]["cyber"]["business_interruption"] = {
        "waiting_period_hours": 12.0,
        "indemnity_period_days": 30.0,
    }
    termed = rate(Submission.from_data(data))
    for line in ("tech_failure", "cyber"):
        assert expected_layer_loss(termed.model(line)) < expected_layer_loss(plain.model(line))


def test_waiting_period_longer_than_indemnity_period_is_refused() -> None:
    with pytest.raises(ValidationError, match="waiting_period_hours"):
        BusinessInterruptionTerms(waiting_period_hours=800.0, indemnity_period_days=30.0)


def test_liquidated_damages_cap_bounds_the_outage_cost() -> None:
    data = _tech_only()
    one = next(s for s in data["tech_failure"]["systems"] if s["system_id"] == "BMS-CORE")
    capped = {**one, "replacement_value": 0.0, "liquidated_damages_cap": 500_000.0}
    uncapped = {**one, "replacement_value": 0.0}
    a = rate(Submission.from_data({**data, "tech_failure": {"systems": [capped]}}))
    b = rate(Submission.from_data({**data, "tech_failure": {"systems": [uncapped]}}))
    severity = a.model("tech_failure").severity
    assert severity.support_upper == pytest.approx(500_000.0 + 25_000.0 / 1.0389, rel=1e-3)
    assert expected_layer_loss(a.model("tech_failure")) < expected_layer_loss(
        b.model("tech_failure")
    )


def test_replacement_value_prices_hardware_damage() -> None:
    data = _tech_only()
    more = {
        **data,
        "tech_failure": {
            "systems": [
                {**s, "replacement_value": 10 * s["replacement_value"]}
                for s in data["tech_failure"]["systems"]
            ]
        },
    }
    a = expected_layer_loss(rate(Submission.from_data(data)).model("tech_failure"))
    b = expected_layer_loss(rate(Submission.from_data(more)).model("tech_failure"))
    assert b > a


def test_common_vendor_event_stops_several_systems_at_once() -> None:
    data = _tech_only()
    shared = {
        **data,
        "tech_failure": {
            "systems": [{**s, "vendor": "edr_vendor_x"} for s in data["tech_failure"]["systems"]]
        },
    }
    plain = rate(Submission.from_data(data))
    common = rate(Submission.from_data(shared))
    sheet = common.worksheet
    assert (sheet["component"] == "vendor:edr_vendor_x").any()
    assert expected_layer_loss(common.model("tech_failure")) > expected_layer_loss(
        plain.model("tech_failure")
    )


# -- provenance -------------------------------------------------------------------------------


def test_worksheet_rows_carry_source_and_status_and_the_unverified_share() -> None:
    result = rate(Submission.from_data(_base()))
    sheet = result.worksheet
    assert {"source", "status"} <= set(sheet.columns)
    table_rows = sheet[sheet["table"].isin(["line_parameters", "outage_duration"])]
    assert set(table_rows["status"]) <= {"verified", "secondary", "judgement"}
    assert (table_rows["source"].str.len() > 0).all()
    shares = sheet[sheet["factor"] == "share of expected loss resting on parameters not verified"]
    assert set(shares["line"]) == set(result.lines)
    assert ((shares["value"] >= 0.0) & (shares["value"] <= 1.0)).all()
