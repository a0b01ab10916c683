"""A tower's layers are quoted on the quote's own simulated ground-up losses (issue 11)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from xborder_risk import Submission, quote

EXAMPLE = Path(__file__).parents[2] / "examples" / "submissions" / "excess_cyber_claims_made.yaml"


@pytest.fixture(scope="module")
def tower_quote():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return quote(Submission.from_file(EXAMPLE), n_years=2_000, seed=5)


def test_policy_layer_row_is_the_quoted_line(tower_quote):
    tower = tower_quote.tower
    assert list(tower.layer) == ["policy", "tower 1"]
    policy = tower.iloc[0]
    cyber = tower_quote.simulation.annual[:, tower_quote.simulation.lines.index("cyber")]
    # Same stream, same layer: the policy row is the quote's cyber column exactly.
    assert policy.expected_loss == float(cyber.mean())
    assert policy.attachment == 10e6 and policy.limit == 20e6


def test_layers_fall_with_the_attachment_and_match_their_exact_mean(tower_quote):
    tower = tower_quote.tower
    upper = tower.iloc[1]
    assert upper.attachment == 30e6 and upper.share == 0.4
    assert 0 < upper.expected_loss_exact < tower.iloc[0].expected_loss_exact
    assert np.all(tower.expected_loss_rate_on_line > 0)
    assert tower.expected_claims_in_layer.iloc[1] < tower.expected_claims_in_layer.iloc[0]


def test_exclusions_are_listed_in_the_quote_record(tower_quote):
    record = tower_quote.to_dict()
    assert record["exclusions"] == {
        "tech_failure": ["infrastructure_outage"],
        "cyber": ["cyber_war"],
    }
    assert [row["layer"] for row in record["tower"]] == ["policy", "tower 1"]


def test_claims_made_reserves_follow_the_reporting_basis():
    from xborder_risk.quote import claims_made_pattern
    from xborder_risk.rating import RatingTables
    from xborder_risk.reserves import PaymentPattern

    occurrence = PaymentPattern.from_frame(RatingTables.load().patterns, "cyber")
    claims_made = claims_made_pattern(occurrence)
    months = np.array([1.0, 3.0, 6.0, 12.0, 24.0])
    # Reported from the trigger: nothing left to report after the first development month.
    assert np.all(claims_made.reported_at(months[1:]) == 1.0)
    assert np.all(claims_made.reported_at(months) >= occurrence.reported_at(months))
    # Paid sooner after the report than after the occurrence, never above reported.
    assert np.all(claims_made.paid_at(months) >= occurrence.paid_at(months))
    assert np.all(claims_made.paid_at(months) <= claims_made.reported_at(months))
    # At expiry the claims-made policy has less IBNR than the occurrence policy.
    at_expiry = 12.0
    ibnr = {
        name: 1.0 - p.exposure_averaged("reported", at_expiry, 12.0)[()]
        for name, p in (("occurrence", occurrence), ("claims_made", claims_made))
    }
    assert ibnr["claims_made"] < ibnr["occurrence"]


def test_quote_reserves_at_expiry_carry_less_ibnr_on_claims_made():
    submission = Submission.from_file(EXAMPLE)
    data = submission.model_dump(mode="json")
    cyber = data["terms"]["cyber"]
    for name in ("basis", "retroactive_date", "extended_reporting_years"):
        cyber.pop(name, None)
    occurrence = Submission.from_data(data)
    share = {}
    for name, sub in (("claims_made", submission), ("occurrence", occurrence)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            q = quote(sub, n_years=500, seed=5, valuation_date="2027-07-01")
        row = q.reserves.loc["cyber"]
        share[name] = row.ibnr / row.expected_loss
    # Claims-made cyber is fully reported shortly after its trigger; occurrence cyber at
    # expiry still has about a fifth of its ultimate to be reported.
    assert share["claims_made"] < 0.5 * share["occurrence"]


def test_report_says_how_each_term_entered_the_model(tower_quote):
    from xborder_risk.report.sections import build_sections

    terms = next(s for s in build_sections(tower_quote) if s.anchor == "terms")
    text = "\n".join(terms.bullets)
    assert "exclusions applied: cyber_war" in text
    assert "exclusions applied: infrastructure_outage" in text
    assert "claims-made, retroactive date 2023-07-01" in text
    assert "excess layer 20,000,000 xs 10,000,000" in text
    assert "coinsurance 10%" in text
    assert any(t.columns[1] == "Layer" for t in terms.tables)
