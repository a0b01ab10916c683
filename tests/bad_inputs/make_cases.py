"""Regenerate the catalogue of invalid submissions in ``cases/`` (run by hand, not by pytest).

Each case is a complete submission with exactly one defect, written as YAML or JSON with a
header saying what is wrong.  ``cases/expected.yaml`` records, per file, the field path the
error must name (``""`` for a defect of the whole file) and, where useful, a fragment of the
message.  ``test_bad_inputs.py`` checks every file against it.

    python tests/bad_inputs/make_cases.py
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xborder_risk.exposure._loading import dump_yaml_text

CASES = Path(__file__).parent / "cases"


class Raw(str):
    """A scalar written into the YAML file exactly as given (unquoted)."""


BASE: dict[str, Any] = {
    "submission_id": "BAD-BASE-01",
    "insured": {
        "name": "Baltic Border Systems SIA",
        "kind": "contractor",
        "home_country": "LV",
        "currency": "EUR",
        "annual_revenue": 85000000,
        "headcount": 420,
    },
    "currency": "EUR",
    "inception_date": Raw("2026-01-01"),
    "expiry_date": Raw("2027-01-01"),
    "tech_failure": {
        "systems": [
            {
                "system_id": "EG-RIX-01",
                "system_type": "e_gate",
                "countries": ["LV"],
                "replacement_value": 4200000,
                "daily_outage_cost": 35000,
                "redundancy": "n_plus_1",
                "age_years": 4.5,
                "vendor_support": "full",
            },
            {
                "system_id": "BM-CORE",
                "system_type": "biometric_matching",
                "countries": ["LV", "LT"],
                "replacement_value": 6500000,
                "daily_outage_cost": 90000,
                "redundancy": "geo_redundant",
                "age_years": 2.0,
                "vendor_support": "full",
            },
        ]
    },
    "cyber": {
        "pii_records": 12000000,
        "biometric_records": 3500000,
        "partner_connections": 4,
        "controls": {
            "mfa": True,
            "edr": True,
            "offline_backups": False,
            "encryption_at_rest": True,
            "segmentation": True,
            "incident_response_plan": True,
            "last_penetration_test": Raw("2025-09-30"),
        },
        "countries": ["LV", "LT"],
    },
    "operational_liability": {
        "personnel": [
            {"role": "technician", "headcount": 120, "annual_hours_per_person": 1700},
            {"role": "support", "headcount": 80, "annual_hours_per_person": 1600},
        ],
        "vehicles": 25,
        "vessels": 0,
        "aircraft": 4,
        "use_of_force_authorised": False,
        "detention_facilities": 0,
        "countries": ["LV", "LT"],
        "claims_last_five_years": 1,
    },
    "political_risk": {
        "contracts": [
            {
                "contract_id": "LT-VSAT-2025-03",
                "host_country": "LT",
                "counterparty": "national",
                "contract_value": 18000000,
                "remaining_term_years": 3.0,
                "assets_in_country": 2500000,
                "perils": ["expropriation", "contract_frustration"],
            },
            {
                "contract_id": "LV-RIGA-PORT-07",
                "host_country": "LV",
                "counterparty": "sub_national",
                "contract_value": 4000000,
                "remaining_term_years": 1.5,
                "assets_in_country": 900000,
                "perils": ["political_violence"],
            },
        ]
    },
    "terms": {
        "tech_failure": {"deductible": 100000, "limit": 10000000, "aggregate_limit": 20000000},
        "cyber": {"deductible": 250000, "limit": 15000000, "aggregate_limit": 15000000},
        "operational_liability": {"deductible": 25000, "limit": 5000000},
        "political_risk": {"limit": 20000000, "share": 0.9},
    },
}


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        *parents, last = _split(path)
        node: Any = data
        for part in parents:
            node = node[part]
        node[last] = value

    return apply


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        *parents, last = _split(path)
        node: Any = data
        for part in parents:
            node = node[part]
        del node[last]

    return apply


def _split(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for token in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        parts.append(int(token[1:-1]) if token.startswith("[") else token)
    return parts


def _all(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        for change in changes:
            change(data)

    return apply


def _history() -> Callable[[dict[str, Any]], None]:
    """A valid three-year operational-liability loss history (the cases then break it)."""
    return _set(
        "loss_history",
        {
            "operational_liability": {
                "deductible": 25000,
                "large_loss_threshold": 100000,
                "years": [
                    {
                        "year": 2023,
                        "exposure": 800000,
                        "claim_count": 2,
                        "incurred": 180000,
                        "paid": 60000,
                        "age_months": 33,
                        "large_losses": [{"incurred": 150000, "paid": 50000}],
                    },
                    {
                        "year": 2024,
                        "exposure": 850000,
                        "claim_count": 1,
                        "incurred": 40000,
                        "paid": 10000,
                        "age_months": 21,
                    },
                    {
                        "year": 2025,
                        "exposure": 900000,
                        "claim_count": 0,
                        "incurred": 0,
                        "paid": 0,
                        "age_months": 9,
                    },
                ],
            }
        },
    )


# (file name, description, change, expected path, message fragment or None)
STRUCTURED: list[tuple[str, str, Callable[[dict[str, Any]], None], str, str | None]] = [
    (
        "integer_of_5000_digits.yaml",
        "an integer of 5,000 digits (over Python's 4,300-digit conversion limit)",
        _set("insured.annual_revenue", Raw("9" * 5000)),
        "insured.annual_revenue",
        "integer of 5,000 digits",
    ),
    (
        "escape_sequence_in_name.json",
        "terminal escape sequences (ESC) in the insured's name",
        _set("insured.name", "Evil \x1b[31mRed\x1b[0m \x1b]0;title\x07 SIA"),
        "insured.name",
        "control characters (found U+001B",
    ),
    (
        "bidi_override_in_name.yaml",
        "a right-to-left override (U+202E) in the insured's name",
        _set("insured.name", "Baltic \u202eAIS smetsyS"),
        "insured.name",
        "U+202E",
    ),
    (
        "escape_sequence_in_notes.yaml",
        "a clear-screen escape sequence in the notes (line breaks are fine)",
        _set("notes", "first line\nsecond \x1b[2J line"),
        "notes",
        "U+001B",
    ),
    (
        "negative_replacement_value.yaml",
        "a negative amount",
        _set("tech_failure.systems[0].replacement_value", -4200000),
        "tech_failure.systems[0].replacement_value",
        "greater than or equal to 0",
    ),
    (
        "nan_daily_outage_cost.yaml",
        "YAML .nan as an amount",
        _set("tech_failure.systems[1].daily_outage_cost", Raw(".nan")),
        "tech_failure.systems[1].daily_outage_cost",
        "finite",
    ),
    (
        "infinite_limit.yaml",
        "YAML .inf as the per-occurrence limit (the limit must be finite)",
        _set("terms.cyber.limit", Raw(".inf")),
        "terms.cyber.limit",
        "finite",
    ),
    (
        "nan_contract_value.json",
        "JSON NaN as an amount",
        _set("political_risk.contracts[0].contract_value", float("nan")),
        "political_risk.contracts[0].contract_value",
        "finite",
    ),
    (
        "infinite_revenue.json",
        "JSON Infinity as the revenue",
        _set("insured.annual_revenue", float("inf")),
        "insured.annual_revenue",
        "finite",
    ),
    (
        "amount_above_ceiling.json",
        "an amount above the 1e18 plausibility ceiling",
        _set("political_risk.contracts[1].assets_in_country", 5e19),
        "political_risk.contracts[1].assets_in_country",
        "less than or equal to",
    ),
    (
        "unknown_country_code.yaml",
        "a user-assigned code (XK) that is not ISO 3166-1",
        _set("cyber.countries", ["LV", "XK"]),
        "cyber.countries[1]",
        "ISO 3166-1",
    ),
    (
        "lowercase_country_code.yaml",
        "lower-case 'no' (Norway); also the YAML 1.1 false",
        _set("insured.home_country", Raw("no")),
        "insured.home_country",
        "upper-case",
    ),
    (
        "alpha3_country_code.json",
        "an alpha-3 country code",
        _set("political_risk.contracts[0].host_country", "LTU"),
        "political_risk.contracts[0].host_country",
        None,
    ),
    (
        "unknown_currency.yaml",
        "a currency that is not ISO 4217",
        _set("currency", "EURO"),
        "currency",
        None,
    ),
    (
        "withdrawn_currency.yaml",
        "a withdrawn ISO 4217 code (HRK, replaced by EUR in 2023)",
        _set("insured.currency", "HRK"),
        "insured.currency",
        "ISO 4217",
    ),
    (
        "deductible_above_limit.yaml",
        "deductible above the limit",
        _set("terms.tech_failure.deductible", 12000000),
        "terms.tech_failure.deductible",
        "must not exceed limit",
    ),
    (
        "sublimit_above_limit.yaml",
        "a ransomware sub-limit above the line's limit",
        _set("terms.cyber.sublimits", {"ransomware_extortion": 20000000}),
        "terms.cyber.sublimits.ransomware_extortion",
        "must not exceed limit",
    ),
    (
        "retroactive_date_after_inception.yaml",
        "a claims-made retroactive date after inception",
        _all(
            _set("terms.cyber.basis", "claims_made"),
            _set("terms.cyber.retroactive_date", Raw("2026-03-01")),
        ),
        "terms.cyber.retroactive_date",
        "on or before inception_date",
    ),
    (
        "retroactive_date_on_occurrence_basis.yaml",
        "a retroactive date on an occurrence-basis policy",
        _set("terms.cyber.retroactive_date", Raw("2024-01-01")),
        "terms.cyber.retroactive_date",
        "claims_made",
    ),
    (
        "claims_made_political_risk.yaml",
        "a claims-made basis on political risk",
        _set("terms.political_risk.basis", "claims_made"),
        "terms.political_risk.basis",
        "only for tech_failure and cyber",
    ),
    (
        "overlapping_tower_layers.yaml",
        "a tower layer that overlaps the policy's layer",
        _set("terms.cyber.tower", [{"attachment": 10000000, "limit": 10000000}]),
        "terms.cyber.tower[0].attachment",
        "overlaps",
    ),
    (
        "deductible_above_attachment.yaml",
        "an excess layer whose attachment has the deductible above it",
        _all(
            _set("terms.cyber.attachment", 200000),
            _set("terms.cyber.deductible", 250000),
        ),
        "terms.cyber.deductible",
        "must not exceed attachment",
    ),
    (
        "motor_exclusion_on_cyber.json",
        "a motor exclusion on the cyber line",
        _set("terms.cyber.exclusions", ["motor"]),
        "terms.cyber.exclusions[0]",
        "not written on cyber",
    ),
    (
        "unknown_exclusion.yaml",
        "an exclusion outside the vocabulary",
        _set("terms.cyber.exclusions", ["pandemic"]),
        "terms.cyber.exclusions[0]",
        None,
    ),
    (
        "coinsurance_of_one.yaml",
        "a coinsurance of 100 % (the insurer would pay nothing)",
        _set("terms.tech_failure.coinsurance", 1.0),
        "terms.tech_failure.coinsurance",
        "less than 1",
    ),
    (
        "sublimit_on_a_line_without_it.yaml",
        "a currency-inconvertibility sub-limit on the cyber line",
        _set("terms.cyber.sublimits", {"currency_inconvertibility": 1000000}),
        "terms.cyber.sublimits.currency_inconvertibility",
        "no sub-limited component",
    ),
    (
        "aggregate_limit_below_limit.yaml",
        "aggregate limit below the occurrence limit",
        _set("terms.cyber.aggregate_limit", 5000000),
        "terms.cyber.aggregate_limit",
        ">= limit",
    ),
    (
        "aggregate_deductible_above_aggregate_limit.json",
        "aggregate deductible above the aggregate limit",
        _set("terms.tech_failure.aggregate_deductible", 30000000),
        "terms.tech_failure.aggregate_deductible",
        "must not exceed aggregate_limit",
    ),
    (
        "negative_deductible.json",
        "a negative deductible",
        _set("terms.operational_liability.deductible", -1),
        "terms.operational_liability.deductible",
        None,
    ),
    (
        "share_zero.yaml",
        "a share of 0",
        _set("terms.political_risk.share", 0),
        "terms.political_risk.share",
        "greater than 0",
    ),
    (
        "share_above_one.json",
        "a share above 1 (percent written instead of a fraction)",
        _set("terms.political_risk.share", 90),
        "terms.political_risk.share",
        None,
    ),
    (
        "empty_systems.yaml",
        "an empty list of systems",
        _set("tech_failure.systems", []),
        "tech_failure.systems",
        "at least 1",
    ),
    (
        "empty_contracts.json",
        "an empty list of contracts",
        _set("political_risk.contracts", []),
        "political_risk.contracts",
        None,
    ),
    (
        "empty_countries.yaml",
        "an empty country list",
        _set("operational_liability.countries", []),
        "operational_liability.countries",
        None,
    ),
    (
        "empty_perils.yaml",
        "a contract covering no peril",
        _set("political_risk.contracts[1].perils", []),
        "political_risk.contracts[1].perils",
        None,
    ),
    (
        "duplicate_system_id.yaml",
        "two systems with the same id",
        _set("tech_failure.systems[1].system_id", "EG-RIX-01"),
        "tech_failure.systems[1].system_id",
        "duplicate",
    ),
    (
        "duplicate_contract_id.json",
        "two contracts with the same id",
        _set("political_risk.contracts[1].contract_id", "LT-VSAT-2025-03"),
        "political_risk.contracts[1].contract_id",
        "duplicate",
    ),
    (
        "duplicate_peril.yaml",
        "a peril listed twice",
        _set("political_risk.contracts[0].perils", ["expropriation", "expropriation"]),
        "political_risk.contracts[0].perils[1]",
        "duplicate",
    ),
    (
        "duplicate_role.yaml",
        "the same role twice in personnel",
        _set("operational_liability.personnel[1].role", "technician"),
        "operational_liability.personnel[1].role",
        "duplicate",
    ),
    (
        "duplicate_country.json",
        "a country listed twice for one system",
        _set("tech_failure.systems[1].countries", ["LV", "LT", "LV"]),
        "tech_failure.systems[1].countries[2]",
        "duplicate",
    ),
    (
        "reversed_dates.yaml",
        "expiry before inception",
        _all(_set("inception_date", Raw("2027-01-01")), _set("expiry_date", Raw("2026-01-01"))),
        "expiry_date",
        "after inception_date",
    ),
    (
        "policy_period_too_long.json",
        "a 100-year policy (expiry year mistyped)",
        _set("expiry_date", "2126-01-01"),
        "expiry_date",
        "exceeds the maximum",
    ),
    (
        "date_not_iso.yaml",
        "a date written day/month/year",
        _set("inception_date", Raw("01/01/2026")),
        "inception_date",
        "YYYY-MM-DD",
    ),
    (
        "impossible_date.yaml",
        "30 February",
        _set("expiry_date", Raw("2027-02-30")),
        "expiry_date",
        "calendar date",
    ),
    (
        "date_as_number.json",
        "a date as a number (would be read as seconds since 1970)",
        _set("inception_date", 20260101),
        "inception_date",
        None,
    ),
    (
        "string_amount.yaml",
        "words where a number belongs",
        _set("terms.political_risk.limit", "20 million"),
        "terms.political_risk.limit",
        "valid number",
    ),
    (
        "numeric_string_amount.json",
        'a quoted number "1e6" where a number belongs',
        _set("tech_failure.systems[0].daily_outage_cost", "1e6"),
        "tech_failure.systems[0].daily_outage_cost",
        "valid number",
    ),
    (
        "boolean_count.yaml",
        "a boolean where a count belongs",
        _set("operational_liability.vehicles", True),
        "operational_liability.vehicles",
        "valid integer",
    ),
    (
        "fractional_headcount.json",
        "a fractional headcount",
        _set("insured.headcount", 12.5),
        "insured.headcount",
        "valid integer",
    ),
    (
        "leading_zero_count.yaml",
        "012 (YAML 1.1 octal 10) as a count",
        _set("operational_liability.claims_last_five_years", Raw("012")),
        "operational_liability.claims_last_five_years",
        "valid integer",
    ),
    (
        "yes_for_boolean.yaml",
        "YAML 1.1 'yes' for a boolean (only true/false are booleans)",
        _set("cyber.controls.mfa", Raw("yes")),
        "cyber.controls.mfa",
        "valid boolean",
    ),
    (
        "number_for_boolean.json",
        "1 for a boolean",
        _set("operational_liability.use_of_force_authorised", 1),
        "operational_liability.use_of_force_authorised",
        "valid boolean",
    ),
    (
        "unknown_field_in_system.yaml",
        "a field the model does not have",
        _set("tech_failure.systems[0].warranty_years", 2),
        "tech_failure.systems[0].warranty_years",
        "unknown field",
    ),
    (
        "misspelled_line.json",
        "a misspelled exposure (politcal_risk) and its terms left orphan",
        _all(
            lambda d: d.__setitem__("politcal_risk", d.pop("political_risk")),
        ),
        "politcal_risk",
        "unknown field",
    ),
    (
        "missing_terms.yaml",
        "an exposure without terms",
        _delete("terms.cyber"),
        "terms.cyber",
        "missing policy terms",
    ),
    (
        "terms_for_absent_line.yaml",
        "terms for a line with no exposure",
        _delete("political_risk"),
        "terms.political_risk",
        "no political_risk exposure",
    ),
    (
        "unknown_line_in_terms.json",
        "terms for a line that does not exist",
        _set("terms.marine", {"limit": 1000000}),
        "terms.marine",
        "invalid key",
    ),
    (
        "no_exposure.yaml",
        "no exposure at all",
        _all(
            _delete("tech_failure"),
            _delete("cyber"),
            _delete("operational_liability"),
            _delete("political_risk"),
            _set("terms", {}),
        ),
        "",
        "at least one exposure",
    ),
    (
        "unknown_system_type.yaml",
        "a system type outside the vocabulary",
        _set("tech_failure.systems[0].system_type", "cctv"),
        "tech_failure.systems[0].system_type",
        None,
    ),
    (
        "unknown_peril.json",
        "a peril outside the vocabulary",
        _set("political_risk.contracts[1].perils", ["political_violence", "terrorism"]),
        "political_risk.contracts[1].perils[1]",
        None,
    ),
    (
        "unknown_insured_kind.yaml",
        "an insured kind outside the vocabulary",
        _set("insured.kind", "broker"),
        "insured.kind",
        None,
    ),
    ("missing_insured.yaml", "no insured", _delete("insured"), "insured", "Field required"),
    (
        "missing_control.json",
        "a security control not answered",
        _delete("cyber.controls.edr"),
        "cyber.controls.edr",
        "Field required",
    ),
    (
        "penetration_test_after_expiry.yaml",
        "a penetration test dated after the policy ends",
        _set("cyber.controls.last_penetration_test", Raw("2031-05-01")),
        "cyber.controls.last_penetration_test",
        "after the policy's expiry_date",
    ),
    (
        "hours_above_a_year.yaml",
        "more hours per person than a year has",
        _set("operational_liability.personnel[0].annual_hours_per_person", 9000),
        "operational_liability.personnel[0].annual_hours_per_person",
        None,
    ),
    (
        "zero_remaining_term.json",
        "a contract with no remaining term",
        _set("political_risk.contracts[0].remaining_term_years", 0),
        "political_risk.contracts[0].remaining_term_years",
        "greater than 0",
    ),
    (
        "age_as_calendar_year.yaml",
        "a commissioning year typed as an age",
        _set("tech_failure.systems[1].age_years", 2015),
        "tech_failure.systems[1].age_years",
        None,
    ),
    (
        "zero_revenue.yaml",
        "zero annual revenue",
        _set("insured.annual_revenue", 0),
        "insured.annual_revenue",
        "greater than 0",
    ),
    (
        "blank_name.json",
        "a blank insured name",
        _set("insured.name", "   "),
        "insured.name",
        "non-blank",
    ),
    (
        "invalid_submission_id.yaml",
        "an id with spaces",
        _set("submission_id", "BAD BASE 01"),
        "submission_id",
        None,
    ),
    (
        "negative_count.json",
        "a negative record count",
        _set("cyber.pii_records", -5),
        "cyber.pii_records",
        None,
    ),
    (
        "exposure_as_list.yaml",
        "an exposure given as a list instead of a mapping",
        _set("cyber", [{"pii_records": 1}]),
        "cyber",
        None,
    ),
    (
        "history_paid_above_incurred.yaml",
        "a loss-history year paid more than it incurred",
        _all(_history(), _set("loss_history.operational_liability.years[1].paid", 45000)),
        "loss_history.operational_liability.years[1].paid",
        "must not exceed incurred",
    ),
    (
        "history_year_after_inception.json",
        "a loss-history year after the policy's inception year",
        _all(_history(), _set("loss_history.operational_liability.years[2].year", 2027)),
        "loss_history.operational_liability.years[2].year",
        "after the policy's inception year",
    ),
    (
        "history_years_out_of_order.yaml",
        "loss-history years not listed oldest first",
        _all(_history(), _set("loss_history.operational_liability.years[1].year", 2022)),
        "loss_history.operational_liability.years[1].year",
        "oldest first",
    ),
    (
        "history_large_loss_below_threshold.yaml",
        "a large loss listed below the history's large-loss threshold",
        _all(
            _history(),
            _set("loss_history.operational_liability.years[0].large_losses[0].incurred", 90000),
        ),
        "loss_history.operational_liability.years[0].large_losses[0].incurred",
        "below large_loss_threshold",
    ),
    (
        "history_zero_exposure.json",
        "a loss-history year with zero exposure (nothing to put it on today's exposure)",
        _all(_history(), _set("loss_history.operational_liability.years[0].exposure", 0)),
        "loss_history.operational_liability.years[0].exposure",
        "greater than 0",
    ),
    (
        "history_age_as_calendar_date.yaml",
        "a valuation date typed where the age in months belongs",
        _all(_history(), _set("loss_history.operational_liability.years[0].age_months", 20250630)),
        "loss_history.operational_liability.years[0].age_months",
        "less than or equal to 1200",
    ),
    (
        "programme_local_policy_without_exposure.yaml",
        "a local cyber policy in Germany, where the cyber line has no exposure (LV, LT)",
        _set("programme", {"cyber": {"local_policies": [{"country": "DE"}]}}),
        "programme.cyber.local_policies[0].country",
        "where the line has no exposure",
    ),
    (
        "programme_local_limit_above_master.yaml",
        "a local limit above the master policy's limit",
        _set(
            "programme",
            {"cyber": {"local_policies": [{"country": "LT", "limit": 20000000}]}},
        ),
        "programme.cyber.local_policies[0].limit",
        "above the master's cyber limit",
    ),
    (
        "programme_unknown_country.json",
        "a local policy in an unknown country code",
        _set("programme", {"tech_failure": {"local_policies": [{"country": "XK"}]}}),
        "programme.tech_failure.local_policies[0].country",
        "not an ISO 3166-1 alpha-2 country code",
    ),
    (
        "programme_duplicate_local_policy.yaml",
        "two local policies in one country",
        _set(
            "programme",
            {"tech_failure": {"local_policies": [{"country": "LV"}, {"country": "LV"}]}},
        ),
        "programme.tech_failure.local_policies[1].country",
        "duplicate",
    ),
    (
        "programme_allocation_missing_country.yaml",
        "allocation weights that leave out a country of the line",
        _set("programme", {"operational_liability": {"allocation": {"LV": 120}}}),
        "programme.operational_liability.allocation",
        "allocation weights missing for LT",
    ),
]

# Files whose defect is in the text itself, written verbatim.
_VALID_TAIL = """\
currency: EUR
inception_date: 2026-01-01
expiry_date: 2027-01-01
operational_liability:
  personnel:
    - {role: technician, headcount: 10, annual_hours_per_person: 1700}
  vehicles: 2
  vessels: 0
  aircraft: 0
  use_of_force_authorised: false
  detention_facilities: 0
  countries: [LV]
  claims_last_five_years: 0
"""
_INSURED = """\
insured:
  name: Baltic Border Systems SIA
  kind: contractor
  home_country: LV
  currency: EUR
  annual_revenue: 85000000
  headcount: 420
"""
VERBATIM: list[tuple[str, str, str, str, str | None]] = [
    (
        "integer_of_5000_digits.json",
        "an integer of 5,000 digits in JSON",
        json.dumps(BASE, indent=2).replace("85000000", "9" * 5000) + "\n",
        "insured.annual_revenue",
        "integer of 5,000 digits",
    ),
    (
        "list_of_10001_items.yaml",
        "a list of 10,001 items (over the 10,000-item cap)",
        _INSURED + _VALID_TAIL + "notes: [" + "0, " * 10_000 + "0]\n",
        "",
        "holds more than 10,000 items",
    ),
    (
        "billion_laughs.yaml",
        "nested aliases expanding to 10^9 values (a 'billion laughs')",
        "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10))
        + _INSURED
        + _VALID_TAIL,
        "",
        "more than 200,000 values",
    ),
    (
        "duplicate_key.yaml",
        "the same key twice in one mapping (YAML keeps the last silently)",
        _INSURED + _VALID_TAIL + "terms:\n  operational_liability:\n    limit: 5000000\n"
        "    limit: 50000000\n",
        "",
        "duplicate key",
    ),
    (
        "python_object_tag.yaml",
        "a !!python/object tag (code execution with an unsafe loader)",
        _INSURED + _VALID_TAIL + "terms:\n  operational_liability:\n"
        "    limit: !!python/object/apply:os.getcwd []\n",
        "",
        "not valid YAML",
    ),
    ("top_level_list.json", "a JSON array instead of an object", "[]\n", "", "mapping"),
    (
        "yaml_syntax_error.yaml",
        "broken YAML indentation",
        _INSURED + _VALID_TAIL + "terms:\n  operational_liability:\n    limit: 5000000\n"
        "   deductible: 0\n",
        "",
        "not valid YAML",
    ),
    (
        "json_syntax_error.json",
        "a trailing comma in JSON",
        '{"currency": "EUR", "insured": {},}\n',
        "",
        "not valid JSON",
    ),
    (
        "deeply_nested.json",
        "arrays nested 5,000 deep (exhausts a recursive parser's stack)",
        "[" * 5000 + "]" * 5000 + "\n",
        "",
        "nested too deeply",
    ),
    (
        "deeply_nested.yaml",
        "a value nested 2,000 lists deep (exhausts a recursive parser's stack)",
        "notes: " + "[" * 2000 + "]" * 2000 + "\n",
        "",
        "nested too deeply",
    ),
]


def _yaml(data: dict[str, Any]) -> str:
    raws: dict[str, str] = {}

    def mark(node: Any) -> Any:
        if isinstance(node, Raw):
            key = f"__RAW_{len(raws)}__"
            raws[key] = str(node)
            return key
        if isinstance(node, dict):
            return {k: mark(v) for k, v in node.items()}
        if isinstance(node, list):
            return [mark(v) for v in node]
        return node

    text = dump_yaml_text(mark(data))
    for key, raw in raws.items():
        text = text.replace(key, raw)
    return text


def main() -> None:
    CASES.mkdir(exist_ok=True)
    for old in CASES.iterdir():
        old.unlink()
    manifest: dict[str, dict[str, str]] = {}
    for name, description, change, path, fragment in STRUCTURED:
        data = copy.deepcopy(BASE)
        change(data)
        header = f"Invalid: {description}. Expected error at: {path or '<file>'}"
        if name.endswith(".json"):
            # JSON has no comments: the description lives in the manifest only.
            text = json.dumps(data, indent=2) + "\n"
        else:
            text = f"# {header}\n" + _yaml(data)
        (CASES / name).write_text(text, encoding="utf-8")
        manifest[name] = {"path": path, "description": description}
        if fragment:
            manifest[name]["message"] = fragment
    for name, description, text, path, fragment in VERBATIM:
        if name.endswith(".yaml"):
            text = f"# Invalid: {description}.\n" + text
        (CASES / name).write_text(text, encoding="utf-8")
        manifest[name] = {"path": path, "description": description}
        if fragment:
            manifest[name]["message"] = fragment
    (CASES / "expected.yaml").write_text(
        "# Expected error per invalid submission: the field path the error must name\n"
        "# ('' = the file as a whole) and a fragment of the message.  Generated by\n"
        "# make_cases.py; edit there.\n" + dump_yaml_text(dict(sorted(manifest.items()))),
        encoding="utf-8",
    )
    print(f"wrote {len(manifest)} cases to {CASES}")


if __name__ == "__main__":
    main()
