"""Field types of the exposure models, declared as data.

Each type is an ``Annotated`` alias whose constraints (bounds, strictness, patterns, lengths)
are plain metadata, so the conformance tests can enumerate every constraint and generate a
value that breaks it (``tests/exposure/test_exposure_constraints.py``).

Why strict everywhere: pydantic's lax mode, with ``Field(gt=0)`` alone, accepts ``inf``, the
string ``"1e6"`` and ``True`` as a positive amount.  Here money is a finite float (an integer is
accepted and stored as float), a count is an ``int`` and never a ``bool``, a code is an upper-case
string from the official ISO list, and a date is a ``datetime.date`` or an ISO ``YYYY-MM-DD``
string.

The vocabulary (lines, kinds, system types, ...) is fixed in ``docs/CONTRACTS.md`` and shared
with the rating tables.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from datetime import date
from typing import Annotated, Any, Final, Literal, get_args

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from xborder_risk.exposure._codes import COUNTRY_CODES, CURRENCY_CODES

__all__ = [
    "COUNTERPARTIES",
    "INSURED_KINDS",
    "LINES",
    "MAX_AMOUNT",
    "MAX_COUNT",
    "MAX_HOURS_PER_YEAR",
    "MAX_YEARS",
    "PATTERN_DESCRIPTIONS",
    "PERILS",
    "REDUNDANCY_LEVELS",
    "ROLES",
    "SYSTEM_TYPES",
    "VENDOR_SUPPORT_LEVELS",
    "Count",
    "Counterparty",
    "CountryCode",
    "CountryList",
    "CurrencyCode",
    "Hours",
    "Identifier",
    "InsuredKind",
    "IsoDate",
    "Line",
    "Money",
    "Name",
    "Notes",
    "Peril",
    "PositiveCount",
    "PositiveMoney",
    "PositiveYears",
    "Redundancy",
    "Role",
    "Share",
    "SystemType",
    "VendorSupport",
    "Years",
    "escape_control_characters",
    "unique_items",
]

# --- vocabulary (docs/CONTRACTS.md) ---------------------------------------------------------

Line = Literal["tech_failure", "cyber", "operational_liability", "political_risk"]
InsuredKind = Literal["contractor", "agency"]
SystemType = Literal[
    "e_gate",
    "biometric_matching",
    "surveillance_sensors",
    "drone_aerial",
    "traveller_data_platform",
    "radio_network",
    "vehicle_scanner",
]
Redundancy = Literal["none", "n_plus_1", "geo_redundant"]
VendorSupport = Literal["full", "limited", "end_of_life"]
Role = Literal["field_officer", "technician", "support"]
Counterparty = Literal["national", "sub_national"]
Peril = Literal[
    "expropriation", "contract_frustration", "political_violence", "currency_inconvertibility"
]

#: The four lines in canonical order (the order of ``Submission.lines`` and of reports).
LINES: Final[tuple[str, ...]] = get_args(Line)
INSURED_KINDS: Final[tuple[str, ...]] = get_args(InsuredKind)
SYSTEM_TYPES: Final[tuple[str, ...]] = get_args(SystemType)
REDUNDANCY_LEVELS: Final[tuple[str, ...]] = get_args(Redundancy)
VENDOR_SUPPORT_LEVELS: Final[tuple[str, ...]] = get_args(VendorSupport)
ROLES: Final[tuple[str, ...]] = get_args(Role)
COUNTERPARTIES: Final[tuple[str, ...]] = get_args(Counterparty)
PERILS: Final[tuple[str, ...]] = get_args(Peril)

# --- plausibility ceilings ------------------------------------------------------------------

#: Largest amount accepted, in any currency.  No insured value reaches 1e18 even in the
#: currencies with the smallest unit value (1e18 IRR is of the order of 1e12 USD); the ceiling
#: catches pasted or mistyped numbers and keeps simulated sums far from float64 overflow.
MAX_AMOUNT: Final[float] = 1e18
#: Largest count accepted (records, people, vehicles).  Far above any real book (the world has
#: about 8e9 people) and far below 2**53, so counts stay exact in float64 and int64 products.
MAX_COUNT: Final[int] = 10**12
#: Hours in a leap year (366 x 24): one person cannot work more in a year.
MAX_HOURS_PER_YEAR: Final[float] = 8784.0
#: Ceiling for an age or a remaining term in years; catches a calendar year typed as an age.
MAX_YEARS: Final[float] = 100.0

# --- numbers --------------------------------------------------------------------------------

Money = Annotated[float, Field(ge=0, le=MAX_AMOUNT, strict=True, allow_inf_nan=False)]
"""An amount >= 0 in a stated currency, finite."""

PositiveMoney = Annotated[float, Field(gt=0, le=MAX_AMOUNT, strict=True, allow_inf_nan=False)]
"""An amount > 0 in a stated currency, finite."""

Count = Annotated[int, Field(ge=0, le=MAX_COUNT, strict=True)]
"""A whole number >= 0 (never a bool, never a float such as 3.0)."""

PositiveCount = Annotated[int, Field(ge=1, le=MAX_COUNT, strict=True)]
"""A whole number >= 1."""

Years = Annotated[float, Field(ge=0, le=MAX_YEARS, strict=True, allow_inf_nan=False)]
"""A duration in years, 0 <= t <= 100."""

PositiveYears = Annotated[float, Field(gt=0, le=MAX_YEARS, strict=True, allow_inf_nan=False)]
"""A duration in years, 0 < t <= 100."""

Hours = Annotated[float, Field(ge=0, le=MAX_HOURS_PER_YEAR, strict=True, allow_inf_nan=False)]
"""Hours per person per year, 0 <= h <= 8784."""

Share = Annotated[float, Field(gt=0, le=1, strict=True, allow_inf_nan=False)]
"""The insurer's share of a layer, 0 < share <= 1."""

# --- codes and text -------------------------------------------------------------------------


def _check_country(code: str) -> str:
    if code not in COUNTRY_CODES:
        hint = " (codes are upper case)" if code.upper() in COUNTRY_CODES else ""
        raise PydanticCustomError(
            "country_code",
            "not an ISO 3166-1 alpha-2 country code{hint}",
            {"hint": hint},
        )
    return code


def _check_currency(code: str) -> str:
    if code not in CURRENCY_CODES:
        hint = " (codes are upper case)" if code.upper() in CURRENCY_CODES else ""
        raise PydanticCustomError(
            "currency_code",
            "not an active ISO 4217 currency code{hint}",
            {"hint": hint},
        )
    return code


CountryCode = Annotated[
    str,
    Field(
        strict=True,
        min_length=2,
        max_length=2,
        pattern=r"^[A-Z]{2}$",
        json_schema_extra={"enum": sorted(COUNTRY_CODES)},
    ),
    AfterValidator(_check_country),
]
"""ISO 3166-1 alpha-2 country code, upper case (``NO`` is Norway, ``NA`` Namibia)."""

CurrencyCode = Annotated[
    str,
    Field(
        strict=True,
        min_length=3,
        max_length=3,
        pattern=r"^[A-Z]{3}$",
        json_schema_extra={"enum": sorted(CURRENCY_CODES)},
    ),
    AfterValidator(_check_currency),
]
"""Active ISO 4217 alphabetic currency code, upper case."""

IDENTIFIER_PATTERN: Final[str] = r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$"
NAME_PATTERN: Final[str] = r"\S"

#: Plain-words reading of each pattern, used in error messages instead of the regex.
PATTERN_DESCRIPTIONS: Final[dict[str, str]] = {
    IDENTIFIER_PATTERN: "letters, digits and _ . : / - only, starting with a letter or digit",
    NAME_PATTERN: "non-blank text",
    r"^[A-Z]{2}$": "two upper-case letters (ISO 3166-1 alpha-2)",
    r"^[A-Z]{3}$": "three upper-case letters (ISO 4217)",
}

Identifier = Annotated[
    str,
    Field(strict=True, min_length=1, max_length=64, pattern=IDENTIFIER_PATTERN),
]
"""An identifier: 1-64 characters, letters, digits and ``_ . : / -``, starting alphanumeric."""

# Control characters reach a terminal as commands (ESC [ ... rewrites the screen, sets the
# window title or, in some terminals, writes files) and a report as invisible text; the
# bidirectional overrides and isolates reorder what a reader sees ("Trojan Source",
# CVE-2021-42574).  None belongs in a name; notes may keep tab and line breaks.
_CONTROL_IN_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_IN_NOTES = re.compile("(?![\t\n\r])[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escape_control_characters(text: str, *, keep_line_breaks: bool = False) -> str:
    """``text`` with the characters names refuse shown as Python escapes (ESC as ``\\x1b``).

    For text bound for a terminal or a report that did not pass the models (file names,
    messages, rating-table cells): it shows what is there without acting on it.

    Parameters
    ----------
    text : str
        Any text.
    keep_line_breaks : bool
        Keep tab, line feed and carriage return as they are (as notes may hold them).
    """
    pattern = _CONTROL_IN_NOTES if keep_line_breaks else _CONTROL_IN_NAME
    return pattern.sub(lambda m: repr(m.group())[1:-1], text)


def _control_character_check(pattern: re.Pattern[str]) -> Callable[[str], str]:
    def check(text: str) -> str:
        found = pattern.search(text)
        if found is not None:
            raise PydanticCustomError(
                "control_character",
                "must not contain control characters (found {code} at character {position})",
                {"code": f"U+{ord(found.group()):04X}", "position": found.start() + 1},
            )
        return text

    return check


_check_name_characters = _control_character_check(_CONTROL_IN_NAME)
_check_name_characters.__name__ = "_check_name_characters"
_check_notes_characters = _control_character_check(_CONTROL_IN_NOTES)
_check_notes_characters.__name__ = "_check_notes_characters"

Name = Annotated[
    str,
    Field(strict=True, min_length=1, max_length=200, pattern=NAME_PATTERN),
    AfterValidator(_check_name_characters),
]
"""A display name: 1-200 characters, not blank, no control or bidirectional-override
characters."""

Notes = Annotated[
    str, Field(strict=True, max_length=10_000), AfterValidator(_check_notes_characters)
]
"""Free text, at most 10,000 characters; tab and line breaks but no other control or
bidirectional-override characters."""

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_iso_date(value: Any) -> Any:
    # Files carry dates as text; only the unambiguous ISO 8601 calendar form is accepted,
    # never a number (pydantic's lax mode would read 20260101 as seconds since 1970).
    if isinstance(value, str):
        if not _ISO_DATE.match(value):
            raise PydanticCustomError("date_format", "dates must be written YYYY-MM-DD", {})
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise PydanticCustomError(
                "date_value", "not a calendar date: {reason}", {"reason": str(exc)}
            ) from None
    return value


IsoDate = Annotated[date, BeforeValidator(_parse_iso_date), Field(strict=True)]
"""A calendar date: a ``datetime.date`` (not a ``datetime``) or an ISO ``YYYY-MM-DD`` string."""

# --- containers -----------------------------------------------------------------------------


def unique_items(
    what: str, key: Callable[[Any], Hashable] | None = None, key_name: str | None = None
) -> AfterValidator:
    """An ``AfterValidator`` rejecting a sequence with repeated items (or repeated ``key``).

    The error points at the second occurrence, e.g. ``systems[1].system_id``.
    """

    def check(items: Sequence[Any]) -> Sequence[Any]:
        keys = [key(item) if key else item for item in items]
        counts = Counter(keys)
        for index, k in enumerate(keys):
            if counts[k] > 1:
                first = keys.index(k)
                if index != first:
                    at: tuple[str | int, ...] = (index, key_name) if key_name else (index,)
                    raise PydanticCustomError(
                        "duplicate",
                        "duplicate {what} {shown} (already at position {first})",
                        {"what": what, "shown": repr(k), "value": k, "first": first, "at": at},
                    )
        return items

    return AfterValidator(check)


CountryList = Annotated[
    tuple[CountryCode, ...],
    Field(strict=False, min_length=1),
    unique_items("country code"),
]
"""A non-empty list of distinct country codes."""
