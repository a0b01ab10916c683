"""Every shipped example quote is unchanged, figure for figure (the golden records).

Refactoring must not move a price: the records in this folder were written by
``make_golden.py`` and are compared exactly (the engine is bit-reproducible for a seed).
A commit that changes prices on purpose regenerates them and says why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .make_golden import SUBMISSIONS, golden_path, golden_record

SUBMISSION_PATHS = sorted(SUBMISSIONS.glob("*.yaml"))


def test_every_example_has_a_golden_record() -> None:
    assert SUBMISSION_PATHS
    missing = [p.name for p in SUBMISSION_PATHS if not golden_path(p).is_file()]
    assert not missing, f"no golden record for {missing}: run tests/golden/make_golden.py"


@pytest.mark.parametrize("path", SUBMISSION_PATHS, ids=lambda p: p.stem)
def test_example_quote_matches_golden_record(path: Path) -> None:
    expected = json.loads(golden_path(path).read_text())
    assert golden_record(path) == expected
