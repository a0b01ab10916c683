"""Provenance records written by release 0.1.0 still reproduce their quotes bit for bit.

The records in ``records/`` were written by ``records/make_records.py`` with release 0.1.0,
before the bases and the provenance became pydantic models; each keeps the quote table, the
reserves and the premium build-up it was written with, compared here exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xborder_risk import Submission
from xborder_risk.quote import ReproducibilityError, ReproducibilityWarning, reproduce
from xborder_risk.rating import rate

HERE = Path(__file__).resolve().parent
RECORDS = sorted((HERE / "records").glob("*.json"))


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_the_old_records_are_there():
    assert len(RECORDS) == 3
    assert {_load(p)["written_by"] for p in RECORDS} == {"0.1.0"}


#: The submissions as release 0.1.0 shipped them (the examples have since been migrated).
OLD_SUBMISSIONS = HERE / "records" / "submissions"


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_an_old_record_is_refused_with_the_reason(path):
    # Release 0.2.0 recalibrated every line (issues 12 and 13) and added fields to the
    # submission schema: a 0.1.0 quote cannot be reproduced bit for bit any more, and
    # ``reproduce`` must say so instead of returning other numbers under the old record.
    record = _load(path)
    submission = Submission.from_file(OLD_SUBMISSIONS / record["submission"])
    with (
        pytest.warns(ReproducibilityWarning, match=r"xborder_risk 0\.1\.0"),
        pytest.raises(ReproducibilityError, match=r"submission differs|rating tables changed"),
    ):
        reproduce(record["provenance"], submission)


def test_the_old_submissions_still_read_and_rate():
    # The schema changes of 0.2.0 are additive: every submission 0.1.0 accepted still reads.
    for path in sorted(OLD_SUBMISSIONS.glob("*.yaml")):
        submission = Submission.from_file(path)
        assert rate(submission).models, path.name
