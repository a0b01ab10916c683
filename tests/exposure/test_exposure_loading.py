"""Reading submission files: YAML 1.1 pitfalls, safe loading, errors naming file and field."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import pytest
import yaml

from xborder_risk.exposure import InvalidSubmissionError, Submission, load_yaml_text
from xborder_risk.exposure import submission as submission_module

EXAMPLE = Path(__file__).parents[2] / "examples" / "submissions" / "eu_egates_contractor.yaml"


@pytest.fixture(scope="module")
def example() -> Submission:
    return Submission.from_file(EXAMPLE)


def _yaml_with(example: Submission, old: str, new: str) -> str:
    """The example as YAML with one plain scalar replaced verbatim (unquoted)."""
    text = example.to_yaml()
    assert old in text
    return text.replace(old, new)


# --- YAML 1.1 traps -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NO", "NO"),  # Norway, False in YAML 1.1
        ("ON", "ON"),  # True in YAML 1.1
        ("no", "no"),
        ("yes", "yes"),
        ("Off", "Off"),
        ("y", "y"),
        ("012", "012"),  # octal 10 in YAML 1.1
        ("0x1F", "0x1F"),
        ("1_000", "1_000"),
        ("2026-04-01", "2026-04-01"),  # a date object in YAML 1.1
        ("NA", "NA"),  # Namibia (pandas reads it as NaN; YAML must not)
        ("true", True),
        ("False", False),
        ("0", 0),
        ("-12", -12),
        ("350000", 350000),
        ("1.5", 1.5),
        ("1e6", 1e6),  # a string in PyYAML's YAML 1.1, a float in YAML 1.2
        ("-2.5E-3", -2.5e-3),
        ("~", None),
        ("null", None),
    ],
)
def test_scalar_resolution_follows_yaml_1_2(text, expected):
    loaded = load_yaml_text(f"value: {text}\n")["value"]
    assert loaded == expected and type(loaded) is type(expected)


def test_yaml_inf_and_nan_are_read_then_rejected_by_the_models():
    assert load_yaml_text("a: .inf\nb: -.Inf\n") == {"a": math.inf, "b": -math.inf}
    assert math.isnan(load_yaml_text("c: .nan\n")["c"])


def test_pyyaml_itself_misreads_norway():
    # The trap this loader exists for: PyYAML's safe_load follows YAML 1.1.
    assert yaml.safe_load("home_country: NO") == {"home_country": False}
    assert yaml.safe_load("n: 012") == {"n": 10}


def test_home_country_no_means_norway(example):
    assert "home_country: NO\n" in EXAMPLE.read_text()
    assert example.insured.home_country == "NO"
    assert "NO" in example.cyber.countries  # type: ignore[union-attr]


def test_namibia_and_on_codes_in_a_submission(example):
    text = _yaml_with(example, "home_country: 'NO'", "home_country: NA")
    assert Submission.from_yaml(text).insured.home_country == "NA"
    # 'ON' is not a country: it must be reported as an unknown code, not read as True.
    with pytest.raises(InvalidSubmissionError) as info:
        Submission.from_yaml(_yaml_with(example, "home_country: 'NO'", "home_country: ON"))
    assert info.value.paths == ("insured.home_country",)
    assert "ISO 3166-1" in str(info.value)


def test_leading_zero_identifier_stays_a_string(example):
    text = _yaml_with(example, "system_id: EG-OSL-01", "system_id: 012")
    sub = Submission.from_yaml(text)
    assert sub.tech_failure is not None and sub.tech_failure.systems[0].system_id == "012"


def test_leading_zero_count_is_rejected_not_misread(example):
    text = _yaml_with(example, "detention_facilities: 0", "detention_facilities: 012")
    with pytest.raises(InvalidSubmissionError) as info:
        Submission.from_yaml(text)
    assert info.value.paths == ("operational_liability.detention_facilities",)


def test_unquoted_dates_are_parsed(example):
    assert example.inception_date == date(2026, 4, 1)
    assert example.cyber is not None
    assert example.cyber.controls.last_penetration_test == date(2025, 11, 14)


def test_anchors_and_merge_keys_work(example):
    text = """
insured: {name: A, kind: agency, home_country: FI, currency: EUR, annual_revenue: 1.0e6,
          headcount: 5}
currency: EUR
inception_date: 2026-01-01
expiry_date: 2027-01-01
tech_failure:
  systems:
    - &gate {system_id: G1, system_type: e_gate, countries: [FI], replacement_value: 1,
             daily_outage_cost: 1, redundancy: none, age_years: 1, vendor_support: full}
    - <<: *gate
      system_id: G2
terms:
  tech_failure: {limit: 1000000}
"""
    sub = Submission.from_yaml(text)
    assert sub.tech_failure is not None
    assert [s.system_id for s in sub.tech_failure.systems] == ["G1", "G2"]


# --- safety and file-level errors -----------------------------------------------------------


def test_python_tags_are_refused_without_running_anything(tmp_path):
    marker = tmp_path / "pwned"
    text = f"insured: !!python/object/apply:os.mkdir ['{marker}']\n"
    with pytest.raises(InvalidSubmissionError) as info:
        Submission.from_yaml(text)
    assert not marker.exists()
    assert "not valid YAML" in str(info.value)


def test_duplicate_keys_are_errors():
    with pytest.raises(InvalidSubmissionError, match="duplicate key 'limit'"):
        Submission.from_yaml("terms:\n  cyber:\n    limit: 1\n    limit: 2\n")
    with pytest.raises(InvalidSubmissionError, match="duplicate key 'currency'"):
        Submission.from_json('{"currency": "EUR", "currency": "USD"}')


def test_errors_name_the_file_and_the_field(tmp_path, example):
    data = example.model_dump(mode="json")
    data["terms"]["cyber"]["share"] = 1.5
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InvalidSubmissionError) as info:
        Submission.from_file(path)
    assert info.value.source == str(path)
    assert info.value.paths == ("terms.cyber.share",)
    assert str(info.value).startswith(f"{path}: invalid Submission (1 error)")


def test_all_field_errors_are_reported_together(example):
    data = example.model_dump(mode="json")
    data["currency"] = "EURO"
    data["insured"]["headcount"] = -1
    data["tech_failure"]["systems"][2]["countries"] = []
    with pytest.raises(InvalidSubmissionError) as info:
        Submission.from_data(data)
    assert set(info.value.paths) == {
        "currency",
        "insured.headcount",
        "tech_failure.systems[2].countries",
    }


@pytest.mark.parametrize("suffix", [".yml", ".YAML", ".json"])
def test_suffixes_accepted(tmp_path, example, suffix):
    path = tmp_path / f"sub{suffix}"
    path.write_text(example.to_json() if suffix == ".json" else example.to_yaml())
    assert Submission.from_file(path) == example


def test_unsupported_suffix_and_missing_file(tmp_path):
    path = tmp_path / "sub.toml"
    path.write_text("x = 1")
    with pytest.raises(InvalidSubmissionError, match=r"unsupported file type '\.toml'"):
        Submission.from_file(path)
    with pytest.raises(FileNotFoundError):
        Submission.from_file(tmp_path / "absent.yaml")


def test_non_utf8_and_oversize_files(tmp_path, monkeypatch):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Gr\xe4nse\n".encode("latin-1"))
    with pytest.raises(InvalidSubmissionError, match="not UTF-8"):
        Submission.from_file(path)
    monkeypatch.setattr(submission_module, "MAX_FILE_BYTES", 4)
    with pytest.raises(InvalidSubmissionError, match="exceeds the 4-byte limit"):
        Submission.from_file(path)


@pytest.mark.parametrize("text", ["", "just a string\n", "- a\n- b\n", "42\n"])
def test_top_level_must_be_a_mapping(text):
    with pytest.raises(InvalidSubmissionError, match="must be a mapping"):
        Submission.from_yaml(text)


def test_a_bad_item_is_reported_once_not_also_as_an_empty_list(example):
    data = example.model_dump(mode="json")
    data["tech_failure"]["systems"][0]["countries"] = ["XX"]
    with pytest.raises(InvalidSubmissionError) as info:
        Submission.from_data(data)
    assert info.value.paths == ("tech_failure.systems[0].countries[0]",)
    assert "at least 1 item" not in str(info.value)
    # A list that is empty as given is still an error of the list itself.
    data["tech_failure"]["systems"][0]["countries"] = []
    with pytest.raises(InvalidSubmissionError) as info:
        Submission.from_data(data)
    assert info.value.paths == ("tech_failure.systems[0].countries",)
