"""Options side by side: Submission.with_changes and compare (issue 15 item 1)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from xborder_risk import Submission
from xborder_risk.compare import BASE_OPTION, COMPARE_COLUMNS, compare, parse_option, read_options
from xborder_risk.errors import ParameterError
from xborder_risk.exposure import InvalidSubmissionError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "submissions"


@pytest.fixture(scope="module")
def egates() -> Submission:
    return Submission.from_file(EXAMPLES / "eu_egates_contractor.yaml")


def test_with_changes_returns_a_new_validated_submission(egates: Submission) -> None:
    changed = egates.with_changes(
        {"terms.cyber.deductible": 1_000_000, "tech_failure.systems[0].age_years": 11}
    )
    assert changed.terms["cyber"].deductible == 1_000_000
    assert changed.tech_failure is not None and changed.tech_failure.systems[0].age_years == 11
    assert egates.terms["cyber"].deductible == 500_000  # the original is unchanged
    assert changed.with_changes({"terms.cyber.deductible": 500_000}) == egates.with_changes(
        {"tech_failure.systems.0.age_years": 11}
    )
    # A model as the value.
    assert (
        egates.with_changes({"terms.cyber": egates.terms["tech_failure"]}).terms["cyber"]
        == (egates.terms["tech_failure"])
    )


@pytest.mark.parametrize(
    ("changes", "path", "rule"),
    [
        ({"terms.cyber.deductibel": 1}, "terms.cyber.deductibel", "extra_forbidden"),
        ({"terms.motor.limit": 1}, "terms.motor.limit", "unknown_path"),
        ({"terms.cyber.deductible": "lots"}, "terms.cyber.deductible", "float_type"),
        (
            {"tech_failure.systems[99].age_years": 1},
            "tech_failure.systems[99].age_years",
            "unknown_path",
        ),
        ({"currency.code": "EUR"}, "currency.code", "unknown_path"),
        ({"terms.cyber.deductible": 1e12}, "terms.cyber.deductible", "deductible_not_above_limit"),
        ({"a..b": 1}, "a..b", "path"),
    ],
)
def test_with_changes_names_the_path_and_the_rule(
    egates: Submission, changes: dict[str, object], path: str, rule: str
) -> None:
    with pytest.raises(InvalidSubmissionError) as info:
        egates.with_changes(changes)
    assert [(e.path, e.rule) for e in info.value.errors] == [(path, rule)]


def test_parse_option() -> None:
    assert parse_option("higher retention: terms.cyber.deductible=1e6; terms.cyber.share=0.5") == (
        "higher retention",
        {"terms.cyber.deductible": 1_000_000.0, "terms.cyber.share": 0.5},
    )
    assert parse_option("terms.cyber.limit=2e7") == (
        "terms.cyber.limit=2e7",
        {"terms.cyber.limit": 20_000_000.0},
    )
    for bad in ("label: no equals sign", "label:", "x: =3"):
        with pytest.raises(ParameterError):
            parse_option(bad)


def test_read_options(tmp_path: Path) -> None:
    good = tmp_path / "options.yaml"
    good.write_text("higher retention:\n  terms.cyber.deductible: 1.0e+6\n", encoding="utf-8")
    assert read_options(good) == {"higher retention": {"terms.cyber.deductible": 1e6}}
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="mapping of option label"):
        read_options(bad)


def test_compare_quotes_every_option_on_the_same_random_numbers(egates: Submission) -> None:
    frame = compare(
        egates,
        {
            "higher retention": {"terms.cyber.deductible": 1_000_000},
            "older gates": {"tech_failure.systems[0].age_years": 12},
        },
        n_years=2000,
        seed=11,
    )
    assert list(frame.columns) == list(COMPARE_COLUMNS)
    assert frame.attrs["currency"] == "EUR"
    options = list(dict.fromkeys(frame.index.get_level_values("option")))
    assert options == [BASE_OPTION, "higher retention", "older gates"]
    base = frame.xs(BASE_OPTION, level="option")
    higher = frame.xs("higher retention", level="option")
    older = frame.xs("older gates", level="option")
    # Only the changed line moves: the others are the same figures, bit for bit.
    for line in ("tech_failure", "operational_liability", "political_risk"):
        assert higher.loc[line, "expected_loss"] == base.loc[line, "expected_loss"]
    for line in ("cyber", "operational_liability", "political_risk"):
        assert older.loc[line, "expected_loss"] == base.loc[line, "expected_loss"]
    assert higher.loc["cyber", "deductible"] == 1_000_000
    assert higher.loc["cyber", "expected_loss"] < base.loc["cyber", "expected_loss"]
    np.testing.assert_allclose(
        higher["premium_change"], higher["gross_premium"] / base["gross_premium"] - 1
    )
    assert (base["premium_change"] == 0).all()


def test_compare_refuses_bad_options_before_simulating(egates: Submission) -> None:
    with pytest.raises(InvalidSubmissionError) as info:
        compare(
            egates,
            {"a": {"terms.cyber.deductibel": 1}, "b": {"terms.cyber.limit": "big"}},
            n_years=10,
        )
    assert [e.path for e in info.value.errors] == ["terms.cyber.deductibel", "terms.cyber.limit"]
    assert "option 'a'" in str(info.value) and "option 'b'" in str(info.value)
