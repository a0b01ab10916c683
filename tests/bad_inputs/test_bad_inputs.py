"""Every file of the bad-input catalogue is rejected with an error naming the expected field."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from xborder_risk.errors import XBorderRiskError
from xborder_risk.exposure import InvalidSubmissionError, Submission

CASES = Path(__file__).parent / "cases"
EXPECTED: dict[str, dict[str, str]] = yaml.safe_load((CASES / "expected.yaml").read_text())
FILES = sorted(p.name for p in CASES.iterdir() if p.name != "expected.yaml")


def test_catalogue_is_complete_and_large_enough():
    assert sorted(EXPECTED) == FILES, "every case file needs a manifest entry and vice versa"
    assert len(FILES) >= 30
    assert {Path(f).suffix for f in FILES} == {".yaml", ".json"}
    # Distinct cases: no two files share the same content.
    contents = {(CASES / f).read_bytes() for f in FILES}
    assert len(contents) == len(FILES)


@pytest.mark.parametrize("name", FILES)
def test_case_is_rejected_naming_the_field(name):
    expected = EXPECTED[name]
    with pytest.raises(InvalidSubmissionError) as info:
        Submission.from_file(CASES / name)
    error = info.value
    assert isinstance(error, XBorderRiskError) and isinstance(error, ValueError)
    # One defect per file: exactly one error, at the expected path.
    assert error.paths == (expected["path"],), str(error)
    assert str(CASES / name) in str(error), "the message names the file"
    if expected["path"]:
        assert expected["path"] in str(error), "the message names the field"
    if "message" in expected:
        assert expected["message"] in str(error)


def test_base_of_the_catalogue_is_valid():
    # The catalogue's cases differ from this valid base by one defect each; if the base
    # itself were invalid every case would be rejected for the wrong reason.
    spec = importlib.util.spec_from_file_location(
        "bad_inputs_make_cases", Path(__file__).with_name("make_cases.py")
    )
    assert spec is not None and spec.loader is not None
    make_cases = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_cases)
    assert Submission.from_yaml(make_cases._yaml(make_cases.BASE)).lines == (
        "tech_failure",
        "cyber",
        "operational_liability",
        "political_risk",
    )


def test_report_rejected_fraction(capsys):
    rejected = 0
    for name in FILES:
        try:
            Submission.from_file(CASES / name)
        except InvalidSubmissionError as error:
            rejected += error.paths == (EXPECTED[name]["path"],)
    with capsys.disabled():
        print(f"\nbad-input catalogue: {rejected}/{len(FILES)} rejected with the expected field")
    assert rejected == len(FILES)
