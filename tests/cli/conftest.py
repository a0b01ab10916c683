"""Shared fixtures of the CLI and report tests: small quotes and hostile submissions.

Test modules import nothing from here (conftest modules of different folders share one
name); they use the fixtures only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from xborder_risk import Quote, Submission, quote
from xborder_risk.exposure import load_yaml_text

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "submissions"

#: Strings an attacker could put in free-text fields of a submission.
HOSTILE_NAME = '<script>alert("name")</script> & Sons | =HYPERLINK("x") *bold* [link](y)'
HOSTILE_NOTES = "<img src=x onerror=alert(1)>\n<a href='javascript:alert(2)'>click</a> `code`"


@pytest.fixture(scope="session")
def egates_quote() -> Quote:
    """A small quote of the four-line example submission."""
    submission = Submission.from_file(EXAMPLES / "eu_egates_contractor.yaml")
    return quote(submission, n_years=5000, seed=7)


def hostile_submission_data() -> dict[str, object]:
    """The e-gates example with hostile insured name and notes (still a valid submission)."""
    data = load_yaml_text((EXAMPLES / "eu_egates_contractor.yaml").read_text(encoding="utf-8"))
    data["insured"]["name"] = HOSTILE_NAME
    data["notes"] = HOSTILE_NOTES
    return data


@pytest.fixture(scope="session")
def hostile_strings() -> tuple[str, str]:
    """The hostile insured name and notes."""
    return HOSTILE_NAME, HOSTILE_NOTES


@pytest.fixture(scope="session")
def hostile_quote() -> Quote:
    """A quote whose submission carries HTML and Markdown in its free-text fields."""
    submission = Submission.from_data(hostile_submission_data())
    return quote(submission, n_years=2000, seed=11)


@pytest.fixture()
def hostile_file(tmp_path: Path) -> Path:
    """The hostile submission written as a YAML file."""
    path = tmp_path / "hostile.yaml"
    path.write_text(Submission.from_data(hostile_submission_data()).to_yaml(), encoding="utf-8")
    return path
