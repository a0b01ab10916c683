"""Each line priced on its own (issue 17 item 2): streams keyed by line name, not position.

A line's premium does not move when another line of the submission is added, removed or
re-termed (same seed): its simulated losses are drawn from its own stream, and the default
risk load is its marginal capital against the reference book, line by line. Only what is
genuinely policy-level moves it: a fixed expense is shared among the lines pro rata to their
technical premiums, and a standalone capital basis allocates the policy's own capital.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest
import yaml

from xborder_risk import Submission, quote
from xborder_risk.pricing import Loadings, PricingBasis
from xborder_risk.quote import Provenance, ReproducibilityError, reproduce

EXAMPLES = Path(__file__).parents[2] / "examples" / "submissions"
N_YEARS = 20_000
SEED = 7
IRAQ = yaml.safe_load((EXAMPLES / "high_risk_infrastructure.yaml").read_text())


def _without(record: dict, line: str) -> dict:
    changed = copy.deepcopy(record)
    del changed[line]
    del changed["terms"][line]
    return changed


def _retermed(record: dict) -> dict:
    changed = copy.deepcopy(record)
    changed["terms"]["tech_failure"]["deductible"] = 1_000_000
    return changed


VARIANTS = {
    "full": IRAQ,
    "without political_risk": _without(IRAQ, "political_risk"),
    "without tech_failure": _without(IRAQ, "tech_failure"),
    "tech_failure re-termed": _retermed(IRAQ),
}


def _frames(basis: PricingBasis | None) -> dict[str, pd.DataFrame]:
    return {
        name: quote(
            Submission.model_validate(record), n_years=N_YEARS, seed=SEED, basis=basis
        ).to_frame()
        for name, record in VARIANTS.items()
    }


@pytest.mark.parametrize(
    "basis", [None, PricingBasis(book_shocks=False)], ids=["default", "no_book_shocks"]
)
def test_a_line_premium_is_exactly_the_same_whatever_the_other_lines(basis):
    frames = _frames(basis)
    full = frames["full"]
    for name, frame in frames.items():
        for line in ("operational_liability", "political_risk"):
            if line not in frame.index:
                continue
            pd.testing.assert_series_equal(frame.loc[line], full.loc[line], obj=f"{name}: {line}")
    # the re-termed line itself did move: the comparison can fail
    retermed = frames["tech_failure re-termed"].loc["tech_failure", "expected_loss"]
    assert retermed != full.loc["tech_failure", "expected_loss"]


def test_a_fixed_expense_is_policy_level_and_is_all_that_moves():
    basis = PricingBasis(book_shocks=False, loadings=Loadings(fixed_expense=50_000.0))
    frames = _frames(basis)
    full = frames["full"].loc["operational_liability"]
    alone = frames["without political_risk"].loc["operational_liability"]
    for column in ("expected_loss", "risk_load", "technical_premium", "scr", "tvar_99"):
        assert alone[column] == full[column], column
    assert alone["fixed_expense"] > full["fixed_expense"]  # fewer lines share it


def test_new_quotes_record_name_keyed_streams_and_old_records_reproduce_by_position():
    sub = Submission.model_validate(IRAQ)
    by_name = quote(sub, n_years=2_000, seed=SEED)
    assert by_name.provenance.stream_keys == "name"
    by_position = quote(sub, n_years=2_000, seed=SEED, stream_keys="position")
    assert by_position.provenance.stream_keys == "position"
    assert (by_name.simulation.annual != by_position.simulation.annual).any()
    # a record from before the field existed (no "stream_keys") reads as position-keyed
    record = by_position.provenance.to_record()
    del record["stream_keys"]
    record["book"] = None
    assert Provenance.read(record).stream_keys == "position"
    for provenance, expected in ((by_name, by_name), (by_position, by_position)):
        again = reproduce(provenance.provenance.to_record(), sub)
        pd.testing.assert_frame_equal(again.to_frame(), expected.to_frame())


def test_a_book_priced_record_from_before_name_keyed_streams_is_refused():
    sub = Submission.model_validate(IRAQ)
    record = quote(sub, n_years=2_000, seed=SEED).provenance.to_record()
    assert record["book"] is not None
    del record["stream_keys"]
    with pytest.raises(ReproducibilityError, match="keyed by name"):
        reproduce(record, sub)
