"""Generated violations of every declared constraint of every exposure model.

The constraints are read from the models themselves (``Annotated`` metadata: bounds, lengths,
patterns, strictness, ``allow_inf_nan``, ``Literal`` vocabularies, nested models, required
fields, ``extra="forbid"``, and each model's ``cross_field_rules``).  For each, a violating
value is planted into a valid submission at every place the model occurs, and the submission
must be rejected with an error at exactly that field.  A constraint this file cannot break
fails the suite, so a new constraint cannot go untested.
"""

from __future__ import annotations

import copy
import math
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import annotated_types as at
import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from xborder_risk.exposure import MODELS, InvalidSubmissionError, Submission
from xborder_risk.exposure._base import format_path
from xborder_risk.exposure._types import IDENTIFIER_PATTERN, NAME_PATTERN

EXAMPLE = Path(__file__).parents[2] / "examples" / "submissions" / "eu_egates_programme.yaml"
BASE: dict[str, Any] = Submission.from_file(EXAMPLE).model_dump(mode="json")
# An excess layer above the cyber layer (0.5M to 25.5M), so TowerLayer has a place in BASE.
BASE["terms"]["cyber"]["tower"] = [{"attachment": 25.5e6, "limit": 25e6, "share": 1.0}]
# The terms of issue 11 are not serialised at their defaults; the generated violations start
# from them.
BASE["terms"]["cyber"].update(sublimits={}, exclusions=[])
_YEAR = {"claim_count": 1, "incurred": 10_000.0, "paid": 5_000.0}
BASE["loss_history"] = {
    "operational_liability": {
        "deductible": 25_000.0,
        "large_loss_threshold": 250_000.0,
        "years": [
            {
                **_YEAR,
                "year": 2021,
                "exposure": 9e5,
                "incurred": 61_000.0,
                "paid": 61_000.0,
                "age_months": 63.0,
            },
            {**_YEAR, "year": 2022, "exposure": 9e5, "age_months": 51.0},
            {
                "year": 2023,
                "exposure": 9e5,
                "claim_count": 3,
                "incurred": 402_000.0,
                "paid": 150_000.0,
                "age_months": 39.0,
                "large_losses": [
                    {
                        "claim_id": "OL-1",
                        "incurred": 310_000.0,
                        "paid": 95_000.0,
                        "description": "injury",
                    }
                ],
            },
            {**_YEAR, "year": 2024, "exposure": 1e6, "age_months": 27.0},
            {**_YEAR, "year": 2025, "exposure": 1e6, "age_months": 15.0},
        ],
    }
}

#: Where each model occurs in BASE (the first occurrence of list items).
LOCATIONS: dict[str, tuple[str | int, ...]] = {
    "Submission": (),
    "Insured": ("insured",),
    "TechFailureExposure": ("tech_failure",),
    "BorderSystem": ("tech_failure", "systems", 0),
    "CyberExposure": ("cyber",),
    "SecurityControls": ("cyber", "controls"),
    "OperationalLiabilityExposure": ("operational_liability",),
    "PersonnelGroup": ("operational_liability", "personnel", 0),
    "DroneGroup": ("operational_liability", "drones", 0),
    "PoliticalRiskExposure": ("political_risk",),
    "GovernmentContract": ("political_risk", "contracts", 0),
    "PolicyTerms": ("terms", "cyber"),
    "TowerLayer": ("terms", "cyber", "tower", 0),
    "LossHistory": ("loss_history", "operational_liability"),
    "HistoryYear": ("loss_history", "operational_liability", "years", 0),
    "LargeLoss": ("loss_history", "operational_liability", "years", 2, "large_losses", 0),
    "LocalPolicy": ("programme", "tech_failure", "local_policies", 1),
    "LinePlacement": ("programme", "operational_liability"),
}

#: A string that breaks each declared pattern (and nothing else).
PATTERN_VIOLATIONS = {
    IDENTIFIER_PATTERN: "-starts-with-dash",
    NAME_PATTERN: "   ",
    r"^[A-Z]{2}$": "no",
    r"^[A-Z]{3}$": "eur",
}


@dataclass(frozen=True)
class Violation:
    label: str
    model: str
    field: str
    apply: Callable[[dict[str, Any]], None]
    path: str


def _node(data: Any, loc: tuple[str | int, ...]) -> Any:
    for part in loc:
        data = data[part]
    return data


def _unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """(base type, constraint metadata, nullable) of a field annotation."""
    nullable = False
    metadata: list[Any] = []
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        assert len(args) == 1, annotation
        annotation = args[0]
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extras = typing.get_args(annotation)
        for extra in extras:
            metadata.extend(extra.metadata if isinstance(extra, FieldInfo) else [extra])
        annotation = base
    return annotation, metadata, nullable


def _constraints(info: FieldInfo) -> tuple[Any, list[Any], bool]:
    base, metadata, nullable = _unwrap(info.annotation)
    metadata = list(info.metadata) + metadata
    return base, metadata, nullable


def _scalar_violations(base: Any, metadata: list[Any]) -> Iterator[tuple[str, Any]]:
    """(label, bad value) pairs for one scalar type and its constraints."""
    if base is float:
        for m in metadata:
            if isinstance(m, at.Ge):
                yield f"ge {m.ge}", m.ge - 1.0
                yield f"ge {m.ge} (just below)", math.nextafter(m.ge, -math.inf)
            if isinstance(m, at.Gt):
                yield f"gt {m.gt} (equal)", float(m.gt)
            if isinstance(m, at.Le):
                yield f"le {m.le}", m.le * 2 if m.le else 1.0
        yield "nan", math.nan
        yield "inf", math.inf
        yield "-inf", -math.inf
        yield "numeric string", "1e6"
        yield "bool", True
        yield "null", None
    elif base is int:
        for m in metadata:
            if isinstance(m, at.Ge):
                yield f"ge {m.ge}", m.ge - 1
            if isinstance(m, at.Le):
                yield f"le {m.le}", m.le + 1
        yield "float", 2.0
        yield "bool", True
        yield "numeric string", "7"
        yield "null", None
    elif base is str:
        for m in metadata:
            if isinstance(m, at.MinLen) and m.min_length > 0:
                yield f"min_length {m.min_length}", "A" * (m.min_length - 1)
            if isinstance(m, at.MaxLen):
                yield f"max_length {m.max_length}", "A" * (m.max_length + 1)
        for m in metadata:
            pattern = getattr(m, "pattern", None)
            if pattern is not None:
                assert pattern in PATTERN_VIOLATIONS, f"no violation for pattern {pattern!r}"
                yield f"pattern {pattern}", PATTERN_VIOLATIONS[pattern]
            func = getattr(m, "func", None)
            if func is not None and func.__name__ == "_check_country":
                yield "not an ISO 3166-1 code", "XK"
            if func is not None and func.__name__ == "_check_currency":
                yield "not an ISO 4217 code", "HRK"
            if func is not None and func.__name__.endswith("_characters"):
                yield "control character", "Evil\x1b[2J Ltd"
        yield "int", 12
        yield "bool", False
        yield "null", None
    elif base is bool:
        yield "yes string", "yes"
        yield "int 1", 1
        yield "true string", "true"
        yield "null", None
    elif base is date:
        yield "not ISO format", "01/04/2026"
        yield "impossible date", "2026-02-30"
        yield "int", 20260401
        yield "null", None
    elif typing.get_origin(base) is typing.Literal:
        yield "outside vocabulary", "not_in_vocabulary"
        yield "upper case", str(typing.get_args(base)[0]).upper()
        yield "null", None
    elif isinstance(base, type) and issubclass(base, BaseModel):
        yield "string instead of mapping", "x"
        yield "list instead of mapping", []
    else:
        raise AssertionError(f"no violations known for {base!r}")


def _field_violations(model: type[BaseModel], loc: tuple[str | int, ...]) -> Iterator[Violation]:
    name = model.__name__
    for field, info in model.model_fields.items():
        path = (*loc, field)
        base, metadata, nullable = _constraints(info)

        def plant(value: Any, where: tuple[str | int, ...] = path) -> Callable[[dict], None]:
            def apply(data: dict[str, Any]) -> None:
                _node(data, where[:-1])[where[-1]] = copy.deepcopy(value)

            return apply

        if info.is_required():

            def remove(data: dict[str, Any], where: tuple[str | int, ...] = path) -> None:
                del _node(data, where[:-1])[where[-1]]

            yield Violation("missing", name, field, remove, format_path(path))

        origin = typing.get_origin(base)
        if origin is tuple:
            item_base, item_meta, _ = _unwrap(typing.get_args(base)[0])
            for m in metadata:
                if isinstance(m, at.MinLen):
                    yield Violation("empty", name, field, plant([]), format_path(path))
                if getattr(m, "func", None) is not None and "unique" in repr(m.func.__qualname__):
                    listed = _node(BASE, path)
                    first = listed[0] if listed else typing.get_args(item_base)[0]
                    key = {"systems": "system_id", "contracts": "contract_id", "years": "year"}.get(
                        field
                    )
                    key = key or ("role" if field == "personnel" else None)
                    key = key or ("country" if field == "local_policies" else None)
                    suffix = (1, key) if key else (1,)
                    yield Violation(
                        "duplicate item",
                        name,
                        field,
                        plant([first, first]),
                        format_path(path + suffix),
                    )
            yield Violation("not a list", name, field, plant("x"), format_path(path))
            if not (isinstance(item_base, type) and issubclass(item_base, BaseModel)):
                for label, bad in _scalar_violations(item_base, item_meta):
                    original = list(_node(BASE, path))
                    yield Violation(
                        f"item {label}",
                        name,
                        field,
                        plant([bad, *original[1:]]),
                        format_path((*path, 0)),
                    )
        elif origin is Mapping or origin is typing.Mapping:
            key_type, _ = typing.get_args(base)
            if typing.get_origin(key_type) is typing.Annotated:  # country-keyed weights
                yield Violation(
                    "unknown country key",
                    name,
                    field,
                    plant({**_node(BASE, path), "XX": 1.0}),
                    format_path((*path, "XX")),
                )
                yield Violation("not a mapping", name, field, plant(["NO"]), format_path(path))
                continue
            assert typing.get_origin(key_type) is typing.Literal
            yield Violation(
                "unknown key",
                name,
                field,
                plant({**_node(BASE, path), "marine": {"limit": 1.0}}),
                format_path((*path, "marine")),
            )
            yield Violation("not a mapping", name, field, plant(["cyber"]), format_path(path))
        else:
            for label, bad in _scalar_violations(base, metadata):
                if bad is None and nullable:
                    continue
                if label == "null" and not info.is_required() and not nullable:
                    label = "null for a defaulted field"
                yield Violation(label, name, field, plant(bad), format_path(path))

    def add_unknown(data: dict[str, Any], where: tuple[str | int, ...] = loc) -> None:
        _node(data, where)["unexpected_field"] = 1

    yield Violation(
        "unknown field", name, "*", add_unknown, format_path((*loc, "unexpected_field"))
    )


def _set(path: tuple[str | int, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        _node(data, path[:-1])[path[-1]] = value

    return apply


def _chain(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        for change in changes:
            change(data)

    return apply


def _no_exposure(data: dict[str, Any]) -> None:
    for line in ("tech_failure", "cyber", "operational_liability", "political_risk"):
        data[line] = None
    data["terms"] = {}


def _drop_line(line: str) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        data[line] = None

    return apply


def _drop_terms(line: str) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        del data["terms"][line]

    return apply


T = ("terms", "cyber")
H = ("loss_history", "operational_liability")
#: One violation per declared cross-field rule: (model, rule) -> (change, expected path).
CROSS_FIELD: dict[tuple[str, str], tuple[Callable[[dict[str, Any]], None], str]] = {
    ("PolicyTerms", "deductible_not_above_limit"): (
        _set((*T, "deductible"), 25_000_001.0),
        "terms.cyber.deductible",
    ),
    ("PolicyTerms", "aggregate_limit_at_least_limit"): (
        _set((*T, "aggregate_limit"), 24_999_999.0),
        "terms.cyber.aggregate_limit",
    ),
    ("PolicyTerms", "aggregate_deductible_not_above_aggregate_limit"): (
        _set((*T, "aggregate_deductible"), 25_000_001.0),
        "terms.cyber.aggregate_deductible",
    ),
    ("PolicyTerms", "attachment_not_below_deductible"): (
        _set((*T, "attachment"), 499_999.0),
        "terms.cyber.deductible",
    ),
    ("PolicyTerms", "sublimit_not_above_limit"): (
        _set((*T, "sublimits"), {"ransomware_extortion": 25_000_001.0}),
        "terms.cyber.sublimits.ransomware_extortion",
    ),
    ("PolicyTerms", "claims_made_terms_need_claims_made_basis"): (
        _set((*T, "retroactive_date"), "2024-01-01"),
        "terms.cyber.retroactive_date",
    ),
    ("PolicyTerms", "tower_layers_above_deductible"): (
        _set((*T, "tower"), [{"attachment": 499_999.0, "limit": 1e6}]),
        "terms.cyber.tower[0].attachment",
    ),
    ("PolicyTerms", "tower_layers_do_not_overlap"): (
        _set((*T, "tower"), [{"attachment": 25_499_999.0, "limit": 1e6}]),
        "terms.cyber.tower[0].attachment",
    ),
    ("Submission", "claims_made_only_for_cyber_and_tech_failure"): (
        _set(("terms", "operational_liability", "basis"), "claims_made"),
        "terms.operational_liability.basis",
    ),
    ("Submission", "retroactive_date_not_after_inception"): (
        _chain(
            _set((*T, "basis"), "claims_made"),
            _set((*T, "retroactive_date"), "2026-04-02"),
        ),
        "terms.cyber.retroactive_date",
    ),
    ("Submission", "sublimit_component_of_the_line"): (
        _set(("terms", "tech_failure", "sublimits"), {"ransomware_extortion": 1e6}),
        "terms.tech_failure.sublimits.ransomware_extortion",
    ),
    ("Submission", "exclusion_of_the_line"): (
        _set((*T, "exclusions"), ["motor"]),
        "terms.cyber.exclusions[0]",
    ),
    ("Submission", "at_least_one_exposure"): (_no_exposure, ""),
    ("Submission", "terms_for_every_exposure"): (_drop_terms("cyber"), "terms.cyber"),
    ("Submission", "no_terms_without_exposure"): (_drop_line("cyber"), "terms.cyber"),
    ("Submission", "expiry_after_inception"): (
        _set(("expiry_date",), "2026-04-01"),
        "expiry_date",
    ),
    ("Submission", "policy_period_at_most_max"): (
        _set(("expiry_date",), "2046-04-02"),
        "expiry_date",
    ),
    ("Submission", "history_only_for_exposure"): (
        _chain(
            _drop_line("political_risk"),
            _drop_terms("political_risk"),
            _set(("loss_history", "political_risk"), _node(BASE, H)),
        ),
        "loss_history.political_risk",
    ),
    ("Submission", "history_before_inception"): (
        _set((*H, "years", 4, "year"), 2027),
        "loss_history.operational_liability.years[4].year",
    ),
    ("LossHistory", "years_increasing"): (
        _set((*H, "years", 1, "year"), 2020),
        "loss_history.operational_liability.years[1].year",
    ),
    ("LossHistory", "older_years_more_developed"): (
        _set((*H, "years", 1, "age_months"), 64.0),
        "loss_history.operational_liability.years[1].age_months",
    ),
    ("LossHistory", "large_loss_at_least_threshold"): (
        _set((*H, "large_loss_threshold"), 400000.0),
        "loss_history.operational_liability.years[2].large_losses[0].incurred",
    ),
    ("LossHistory", "large_loss_within_limit"): (
        _set((*H, "limit"), 300000.0),
        "loss_history.operational_liability.years[2].large_losses[0].incurred",
    ),
    ("HistoryYear", "paid_not_above_incurred"): (
        _set((*H, "years", 0, "paid"), 61001.0),
        "loss_history.operational_liability.years[0].paid",
    ),
    ("HistoryYear", "claims_when_incurred"): (
        _set((*H, "years", 0, "claim_count"), 0),
        "loss_history.operational_liability.years[0].claim_count",
    ),
    ("HistoryYear", "large_losses_within_claim_count"): (
        _set((*H, "years", 3, "large_losses"), [{"incurred": 300000.0}, {"incurred": 300000.0}]),
        "loss_history.operational_liability.years[3].large_losses",
    ),
    ("HistoryYear", "large_losses_within_incurred"): (
        _set((*H, "years", 2, "incurred"), 300000.0),
        "loss_history.operational_liability.years[2].incurred",
    ),
    ("HistoryYear", "large_losses_within_paid"): (
        _set((*H, "years", 2, "paid"), 90000.0),
        "loss_history.operational_liability.years[2].paid",
    ),
    ("LargeLoss", "large_loss_paid_not_above_incurred"): (
        _set((*H, "years", 2, "large_losses", 0, "paid"), 310001.0),
        "loss_history.operational_liability.years[2].large_losses[0].paid",
    ),
    ("Submission", "penetration_test_not_after_expiry"): (
        _set(("cyber", "controls", "last_penetration_test"), "2027-04-02"),
        "cyber.controls.last_penetration_test",
    ),
    ("Submission", "programme_line_has_exposure"): (
        _chain(_drop_line("cyber"), _drop_terms("cyber")),
        "programme.cyber",
    ),
    ("Submission", "local_policy_country_in_line_exposure"): (
        _set(("programme", "tech_failure", "local_policies", 0, "country"), "DE"),
        "programme.tech_failure.local_policies[0].country",
    ),
    ("Submission", "local_limit_not_above_master_limit"): (
        _set(("programme", "tech_failure", "local_policies", 1, "limit"), 20_000_001.0),
        "programme.tech_failure.local_policies[1].limit",
    ),
    ("Submission", "local_deductible_not_above_local_limit"): (
        _set(("programme", "tech_failure", "local_policies", 1, "deductible"), 10_000_001.0),
        "programme.tech_failure.local_policies[1].deductible",
    ),
    ("Submission", "allocation_countries_are_line_countries"): (
        _set(("programme", "operational_liability", "allocation", "DE"), 5.0),
        "programme.operational_liability.allocation.DE",
    ),
}


def _all_violations() -> list[Violation]:
    assert {m.__name__ for m in MODELS} == set(LOCATIONS), "add the new model to LOCATIONS"
    found: list[Violation] = []
    for model in MODELS:
        found.extend(_field_violations(model, LOCATIONS[model.__name__]))
        for rule in model.cross_field_rules:
            change, path = CROSS_FIELD[(model.__name__, rule)]
            found.append(Violation(f"rule {rule}", model.__name__, rule, change, path))
    return found


VIOLATIONS = _all_violations()


def test_every_cross_field_rule_has_a_violation_and_no_extra():
    declared = {(m.__name__, rule) for m in MODELS for rule in m.cross_field_rules}
    assert declared == set(CROSS_FIELD)


def test_every_field_of_every_model_is_covered():
    covered = {(v.model, v.field) for v in VIOLATIONS}
    for model in MODELS:
        for field in model.model_fields:
            assert (model.__name__, field) in covered, f"{model.__name__}.{field} has no violation"


def test_boundary_values_are_accepted():
    # The violations above sit just past each bound; the bounds themselves are valid.
    data = copy.deepcopy(BASE)
    data["tech_failure"]["systems"][0].update(replacement_value=0.0, age_years=100.0)
    data["terms"]["cyber"].update(deductible=25e6, aggregate_deductible=25e6)
    data["terms"]["cyber"]["tower"] = [{"attachment": 50e6, "limit": 25e6}]  # touching is fine
    data["expiry_date"] = "2046-04-01"  # exactly 20 years
    data["cyber"]["controls"]["last_penetration_test"] = "2046-04-01"
    data["operational_liability"]["personnel"][0]["annual_hours_per_person"] = 8784.0
    Submission.from_data(data)


@pytest.mark.parametrize("violation", VIOLATIONS, ids=lambda v: f"{v.path or '<root>'}:{v.label}")
def test_violation_is_rejected_at_its_field(violation):
    data = copy.deepcopy(BASE)
    violation.apply(data)
    with pytest.raises(InvalidSubmissionError) as info:
        Submission.from_data(data)
    assert violation.path in info.value.paths, str(info.value)


def test_report_generated_violations(capsys):
    rejected = 0
    for violation in VIOLATIONS:
        data = copy.deepcopy(BASE)
        violation.apply(data)
        try:
            Submission.from_data(data)
        except InvalidSubmissionError as error:
            rejected += violation.path in error.paths
    with capsys.disabled():
        print(
            f"\ngenerated constraint violations: {rejected}/{len(VIOLATIONS)} rejected at the "
            f"expected field ({len(MODELS)} models)"
        )
    assert rejected == len(VIOLATIONS)
    assert len(VIOLATIONS) > 300
