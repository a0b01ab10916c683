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
