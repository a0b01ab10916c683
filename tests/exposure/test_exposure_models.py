"""Exposure models: vocabulary, immutability, unknown fields, derived values, JSON Schema."""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from xborder_risk.errors import ParameterError
from xborder_risk.exposure import (
    COUNTERPARTIES,
    EXPOSURE_MODELS,
    INSURED_KINDS,
    LINES,
    MODELS,
    PERILS,
    REDUNDANCY_LEVELS,
    ROLES,
    SYSTEM_TYPES,
    VENDOR_SUPPORT_LEVELS,
    CyberExposure,
    InvalidSubmissionError,
    PolicyTerms,
    Submission,
    policy_years,
)

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "submissions" / "eu_egates_contractor.yaml"
CONTRACTS = ROOT / "docs" / "CONTRACTS.md"


@pytest.fixture(scope="module")
def example() -> Submission:
    return Submission.from_file(EXAMPLE)


def _contract_values(field: str) -> tuple[str, ...]:
    """The allowed values of ``field`` in the vocabulary table of docs/CONTRACTS.md."""
    for line in CONTRACTS.read_text().splitlines():
        if line.startswith(f"| {field} |"):
            return tuple(re.findall(r"`([a-z_0-9]+)`", line.split("|")[2]))
    raise AssertionError(f"{field} not in CONTRACTS.md")


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("system type", SYSTEM_TYPES),
        ("redundancy", REDUNDANCY_LEVELS),
        ("vendor support", VENDOR_SUPPORT_LEVELS),
        ("personnel role", ROLES),
        ("counterparty", COUNTERPARTIES),
        ("political perils", PERILS),
    ],
)
def test_vocabulary_matches_contracts(field, values):
    assert values == _contract_values(field)


def test_lines_kinds_and_controls_match_contracts():
    text = CONTRACTS.read_text()
    assert "Line names: `tech_failure`, `cyber`, `operational_liability`, `political_risk`" in text
    assert LINES == ("tech_failure", "cyber", "operational_liability", "political_risk")
    assert INSURED_KINDS == ("contractor", "agency")
    controls = _contract_values("security controls (bool)")
    assert set(controls) == set(CyberExposure.model_fields["controls"].annotation.model_fields)


def test_example_submission(example):
    assert example.lines == LINES
    assert example.insured.home_country == "NO"
    assert example.currency == "EUR"
    assert example.policy_period_years == 1.0
    assert example.tech_failure is not None and len(example.tech_failure.systems) == 6
    assert example.exposure("cyber") is example.cyber
    assert example.operational_liability is not None
    assert example.operational_liability.personnel_hours == 45 * 1650 + 210 * 1700 + 385 * 1600
    assert example.cyber is not None and example.cyber.total_records == 38_000_000 + 11_500_000


def test_layer_terms_build_an_engine_layer(example):
    from xborder_risk.engine import Layer

    layer = Layer(**example.layer_terms("political_risk"))
    assert (layer.limit, layer.aggregate_limit, layer.share) == (30e6, 45e6, 0.9)
    unlimited = PolicyTerms(limit=1e6).layer_kwargs()
    assert unlimited == {
        "deductible": 0.0,
        "limit": 1e6,
        "aggregate_deductible": 0.0,
        "aggregate_limit": math.inf,
        "share": 1.0,
    }
    assert Layer(**unlimited).aggregate_limit == math.inf
    with pytest.raises(ParameterError, match=r"'line' must be one of \['tech_failure'"):
        example.layer_terms("marine")


def test_lines_are_in_canonical_order_whatever_the_input_order(example):
    data = example.model_dump(mode="json")
    data["terms"] = dict(reversed(list(data["terms"].items())))
    sub = Submission.from_data(data)
    assert tuple(sub.terms) == LINES == sub.lines
    single = example.model_dump(mode="json")
    for line in ("tech_failure", "operational_liability", "political_risk"):
        single[line] = None
        del single["terms"][line]
    sub = Submission.from_data(single)
    assert sub.lines == ("cyber",)
    with pytest.raises(ParameterError, match=r"must be one of \['cyber'\] \(got 'tech_failure'\)"):
        sub.exposure("tech_failure")


# --- immutability and unknown fields --------------------------------------------------------


def test_models_are_deeply_immutable(example):
    with pytest.raises(ValidationError):
        example.currency = "USD"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        example.insured.headcount = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        example.terms["cyber"] = PolicyTerms(limit=1.0)  # type: ignore[index]
    assert example.tech_failure is not None
    assert isinstance(example.tech_failure.systems, tuple)
    assert isinstance(example.tech_failure.systems[0].countries, tuple)
    # Frozen means hashable: equal submissions hash equal, so they can key a cache.
    assert hash(Submission.from_json(example.to_json())) == hash(example)
    with pytest.raises(AttributeError):
        example.tech_failure.systems.append(example.tech_failure.systems[0])  # type: ignore[attr-defined]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_is_frozen_strict_and_forbids_extra(model):
    config = model.model_config
    assert config["frozen"] and config["strict"] and config["extra"] == "forbid"
    assert config["allow_inf_nan"] is False
    with pytest.raises(ValidationError) as info:
        model.model_validate({"surely_not_a_field": 1})
    assert any(e["type"] == "extra_forbidden" for e in info.value.errors())


def test_direct_construction_raises_pydantic_validation_error():
    with pytest.raises(ValidationError) as info:
        PolicyTerms(limit=1e6, deductible=2e6)
    assert info.value.errors()[0]["ctx"]["at"] == ("deductible",)
    assert issubclass(InvalidSubmissionError, ValueError)


# --- strict numbers: pydantic's lax traps -----------------------------------------------------


@pytest.mark.parametrize("bad", [math.inf, math.nan, "1e6", True, -1.0, 1e19, None])
def test_money_rejects_lax_inputs(bad):
    with pytest.raises(ValidationError):
        PolicyTerms(limit=bad)


def test_money_accepts_int_and_stores_float():
    terms = PolicyTerms(limit=5_000_000)
    assert terms.limit == 5e6 and type(terms.limit) is float


@pytest.mark.parametrize("bad", [True, 3.0, "3", -1, 10**13])
def test_counts_reject_bool_float_string_negative_and_huge(bad, example):
    data = example.model_dump(mode="json")
    data["cyber"]["pii_records"] = bad
    with pytest.raises(InvalidSubmissionError) as info:
        Submission.from_data(data)
    assert info.value.paths == ("cyber.pii_records",)


# --- valid but unusual ---------------------------------------------------------------------


def test_zero_exposure_is_valid(example):
    data = example.model_dump(mode="json")
    data["cyber"].update(pii_records=0, biometric_records=0, partner_connections=0)
    for group in data["operational_liability"]["personnel"]:
        group.update(headcount=0, annual_hours_per_person=0.0)
    data["political_risk"]["contracts"][0].update(contract_value=0.0, assets_in_country=0.0)
    sub = Submission.from_data(data)
    assert sub.cyber is not None and sub.cyber.total_records == 0
    assert sub.operational_liability is not None and sub.operational_liability.personnel_hours == 0


def test_boundary_terms_are_valid():
    PolicyTerms(deductible=5e6, limit=5e6, aggregate_limit=5e6, aggregate_deductible=5e6, share=1)
    PolicyTerms(limit=1e-9, share=1e-12)


# --- policy period ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        (date(2026, 1, 1), date(2027, 1, 1), 1.0),
        (date(2024, 2, 29), date(2025, 2, 28), 1.0),
        (date(2024, 1, 1), date(2025, 1, 1), 1.0),  # 366 days
        (date(2026, 4, 1), date(2028, 4, 1), 2.0),
        (date(2026, 1, 1), date(2026, 7, 2), 182 / 365),
        (date(2024, 1, 1), date(2024, 7, 1), 182 / 366),
        (date(2026, 4, 1), date(2027, 10, 1), 1 + 183 / 366),  # 2027-04 to 2028-04 spans 29 Feb
        # Policy years ending after date.max (the year 10000 is a leap year).
        (date(9999, 1, 1), date(9999, 12, 31), 364 / 365),
        (date(9999, 3, 1), date(9999, 12, 31), 305 / 366),
        (date(9996, 2, 29), date(9999, 12, 31), 3 + 306 / 366),
    ],
)
def test_policy_years_actual_actual(start, end, years):
    assert policy_years(start, end) == pytest.approx(years, rel=1e-15)


def test_a_policy_in_the_last_representable_year_is_valid(example):
    data = example.model_dump(mode="json")
    data.update(inception_date="9999-01-01", expiry_date="9999-12-31")
    assert Submission.from_data(data).policy_period_years == pytest.approx(364 / 365)


def test_json_schema_for_front_ends(example):
    schema = Submission.model_json_schema()
    assert set(schema["required"]) == {
        "insured",
        "currency",
        "inception_date",
        "expiry_date",
        "terms",
    }
    defs = schema["$defs"]
    assert {m.__name__ for m in MODELS} - {"Submission"} <= set(defs)
    system = defs["BorderSystem"]["properties"]
    assert system["system_type"]["enum"] == list(SYSTEM_TYPES)
    assert system["replacement_value"]["minimum"] == 0
    assert system["countries"]["items"]["enum"][:3] == ["AD", "AE", "AF"]
    assert len(system["countries"]["items"]["enum"]) == 249
    assert schema["properties"]["inception_date"]["format"] == "date"
    assert schema["properties"]["terms"]["propertyNames"]["enum"] == list(LINES)
    assert "deductible" in defs["PolicyTerms"]["properties"]
    assert defs["PolicyTerms"]["properties"]["share"]["exclusiveMinimum"] == 0
    # Field docstrings become descriptions that a front end can show.
    assert "service credits" in system["daily_outage_cost"]["description"]
    for line, model in EXPOSURE_MODELS.items():
        assert model.__name__ in schema["properties"][line]["anyOf"][0]["$ref"]
