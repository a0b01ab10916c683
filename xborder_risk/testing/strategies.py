"""Hypothesis strategies that generate valid xborder_risk objects by construction.

For actuaries who property-test their own rating tables ("more records never lower the cyber
expected loss under my tables") and for the project's own tests.  Every object drawn passes the
models' validation, including the cross-field rules (deductible within limit, distinct ids,
terms for exactly the lines present, penetration test before expiry, ...).

Requires ``hypothesis`` (a development dependency).

Examples
--------
>>> from hypothesis import given
>>> from xborder_risk.testing.strategies import submissions
>>> @given(submissions(lines=["cyber"], countries=["DE", "FR", "NO"]))
... def test_cyber_is_rated(sub):
...     assert sub.lines == ("cyber",)

Bounds
------
Each strategy takes optional bounds (``max_systems``, ``max_amount``, ``countries=`` ...) so that
generated submissions stay inside the domain of a user's tables: pass ``countries=`` the codes
your country table covers and ``currencies=`` those your FX table converts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

from hypothesis import strategies as st

from xborder_risk import exposure as vocabulary  # the lines' vocabulary, defined once
from xborder_risk._validation import check_real
from xborder_risk.errors import ParameterError
from xborder_risk.exposure import (
    BorderSystem,
    CyberExposure,
    FrozenModel,
    GovernmentContract,
    Insured,
    Line,
    OperationalLiabilityExposure,
    PersonnelGroup,
    PolicyTerms,
    PoliticalRiskExposure,
    SecurityControls,
    Submission,
    TechFailureExposure,
)

if TYPE_CHECKING:
    from xborder_risk.engine import Layer

__all__ = [
    "amounts",
    "border_systems",
    "country_codes",
    "currency_codes",
    "cyber_exposures",
    "government_contracts",
    "identifiers",
    "insureds",
    "layers",
    "operational_liability_exposures",
    "personnel_groups",
    "policy_periods",
    "policy_terms",
    "political_risk_exposures",
    "security_controls",
    "submissions",
    "tech_failure_exposures",
]

#: Default ceiling of generated amounts: large enough to exercise big numbers, small enough
#: that a user's rating arithmetic stays well inside float64.
DEFAULT_MAX_AMOUNT = 1e10


def _checked_codes(codes: Sequence[str] | None, universe: frozenset[str], what: str) -> list[str]:
    if codes is None:
        return sorted(universe)
    chosen = list(dict.fromkeys(codes))
    unknown = [c for c in chosen if c not in universe]
    if not chosen or unknown:
        raise ParameterError(
            "strategies",
            what,
            codes,
            f"must be a non-empty list of valid codes (unknown: {unknown})",
        )
    return chosen


def _checked_choice(values: Sequence[str] | None, allowed: tuple[str, ...], what: str) -> list[str]:
    if values is None:
        return list(allowed)
    chosen = list(dict.fromkeys(values))
    unknown = [v for v in chosen if v not in allowed]
    if not chosen or unknown:
        raise ParameterError(
            "strategies",
            what,
            values,
            f"must be a non-empty subset of {allowed} (unknown: {unknown})",
        )
    return chosen


def country_codes(countries: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """ISO 3166-1 alpha-2 codes, from ``countries`` if given (``NO`` and ``NA`` included)."""
    return st.sampled_from(_checked_codes(countries, vocabulary.COUNTRY_CODES, "countries"))


def currency_codes(currencies: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """Active ISO 4217 codes, from ``currencies`` if given."""
    return st.sampled_from(_checked_codes(currencies, vocabulary.CURRENCY_CODES, "currencies"))


def _country_lists(
    countries: Sequence[str] | None, max_countries: int
) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(
        country_codes(countries), min_size=1, max_size=max(1, max_countries), unique=True
    ).map(tuple)


def identifiers(prefix: str = "") -> st.SearchStrategy[str]:
    """Identifiers valid for ``system_id`` / ``contract_id`` (1-64 characters)."""
    body = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:/-]{0,20}", fullmatch=True)
    return body.map(lambda s: (prefix + s)[:64]) if prefix else body


#: What notes may hold: any text but control characters (tab and line feed allowed) and the
#: bidirectional overrides (exposure/_types.py refuses them).
_NOTE_CHARACTERS = st.characters(
    exclude_categories=["Cc", "Cs"],
    exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
) | st.sampled_from("\t\n")


def _names() -> st.SearchStrategy[str]:
    first = st.characters(categories=["Lu", "Ll"])
    rest = st.text(
        alphabet=st.characters(categories=["Lu", "Ll", "Nd", "Zs", "Pd", "Po"]), max_size=40
    )
    return st.builds(lambda a, b: (a + b)[:200], first, rest)


def amounts(
    min_value: float = 0.0, max_value: float = DEFAULT_MAX_AMOUNT, *, exclude_min: bool = False
) -> st.SearchStrategy[float]:
    """Finite amounts in ``[min_value, max_value]`` (round numbers and arbitrary floats)."""
    low = check_real("amounts", "min_value", min_value, lower=0.0, upper=vocabulary.MAX_AMOUNT)
    if not low <= check_real("amounts", "max_value", max_value, upper=vocabulary.MAX_AMOUNT):
        raise ParameterError("amounts", "max_value", max_value, f"must be >= min_value = {low:g}")
    floats = st.floats(
        min_value, max_value, allow_nan=False, allow_infinity=False, exclude_min=exclude_min
    )
    low = math.floor(min_value) + 1 if exclude_min else math.ceil(min_value)
    high = math.floor(max_value)
    if low > high:
        return floats
    # Underwriters write round numbers; mixing them in finds ties such as deductible == limit.
    return st.one_of(st.integers(low, high).map(float), floats)


def _counts(max_value: int, min_value: int = 0) -> st.SearchStrategy[int]:
    return st.integers(min_value, min(max_value, vocabulary.MAX_COUNT))


def insureds(
    *,
    kinds: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
    currencies: Sequence[str] | None = None,
    max_revenue: float = DEFAULT_MAX_AMOUNT,
    max_headcount: int = 100_000,
) -> st.SearchStrategy[Insured]:
    """Valid :class:`~xborder_risk.exposure.Insured` objects."""
    return st.builds(
        Insured,
        name=_names(),
        kind=st.sampled_from(_checked_choice(kinds, vocabulary.INSURED_KINDS, "kinds")),
        home_country=country_codes(countries),
        currency=currency_codes(currencies),
        annual_revenue=amounts(0.0, max_revenue, exclude_min=True),
        headcount=_counts(max_headcount, 1),
    )


def border_systems(
    *,
    system_types: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
    max_countries: int = 3,
    max_amount: float = DEFAULT_MAX_AMOUNT,
) -> st.SearchStrategy[BorderSystem]:
    """Valid :class:`~xborder_risk.exposure.BorderSystem` objects."""
    return st.builds(
        BorderSystem,
        system_id=identifiers(),
        system_type=st.sampled_from(
            _checked_choice(system_types, vocabulary.SYSTEM_TYPES, "system_types")
        ),
        countries=_country_lists(countries, max_countries),
        replacement_value=amounts(0.0, max_amount),
        daily_outage_cost=amounts(0.0, max_amount),
        redundancy=st.sampled_from(vocabulary.REDUNDANCY_LEVELS),
        age_years=st.floats(0.0, vocabulary.MAX_YEARS, allow_nan=False),
        vendor_support=st.sampled_from(vocabulary.VENDOR_SUPPORT_LEVELS),
    )


def tech_failure_exposures(
    *,
    min_systems: int = 1,
    max_systems: int = 5,
    system_types: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
    max_countries: int = 3,
    max_amount: float = DEFAULT_MAX_AMOUNT,
) -> st.SearchStrategy[TechFailureExposure]:
    """Valid technology-failure exposures with distinct ``system_id``."""
    systems = st.lists(
        border_systems(
            system_types=system_types,
            countries=countries,
            max_countries=max_countries,
            max_amount=max_amount,
        ),
        min_size=max(1, min_systems),
        max_size=max(1, min_systems, max_systems),
        unique_by=lambda s: s.system_id,
    )
    return st.builds(TechFailureExposure, systems=systems.map(tuple))


def security_controls(*, latest_test: date | None = None) -> st.SearchStrategy[SecurityControls]:
    """Valid security controls; ``last_penetration_test`` (if any) no later than ``latest_test``."""
    latest = latest_test or date(2060, 12, 31)
    return st.builds(
        SecurityControls,
        mfa=st.booleans(),
        edr=st.booleans(),
        offline_backups=st.booleans(),
        encryption_at_rest=st.booleans(),
        segmentation=st.booleans(),
        incident_response_plan=st.booleans(),
        last_penetration_test=st.none() | st.dates(date(1990, 1, 1), latest),
    )


def cyber_exposures(
    *,
    max_records: int = 10**9,
    max_partners: int = 100,
    countries: Sequence[str] | None = None,
    max_countries: int = 3,
    max_revenue: float = DEFAULT_MAX_AMOUNT,
    latest_test: date | None = None,
) -> st.SearchStrategy[CyberExposure]:
    """Valid cyber exposures (zero records included: a valid, unusual exposure)."""
    return st.builds(
        CyberExposure,
        pii_records=_counts(max_records),
        biometric_records=_counts(max_records),
        partner_connections=_counts(max_partners),
        annual_revenue=st.none() | amounts(0.0, max_revenue, exclude_min=True),
        controls=security_controls(latest_test=latest_test),
        countries=_country_lists(countries, max_countries),
    )


def personnel_groups(
    *, roles: Sequence[str] | None = None, max_headcount: int = 10_000
) -> st.SearchStrategy[PersonnelGroup]:
    """Valid :class:`~xborder_risk.exposure.PersonnelGroup` objects."""
    return st.builds(
        PersonnelGroup,
        role=st.sampled_from(_checked_choice(roles, vocabulary.ROLES, "roles")),
        headcount=_counts(max_headcount),
        annual_hours_per_person=st.floats(0.0, vocabulary.MAX_HOURS_PER_YEAR, allow_nan=False),
    )


def operational_liability_exposures(
    *,
    countries: Sequence[str] | None = None,
    max_countries: int = 3,
    max_headcount: int = 10_000,
    max_fleet: int = 1_000,
    max_claims: int = 100,
) -> st.SearchStrategy[OperationalLiabilityExposure]:
    """Valid operational-liability exposures, each role at most once."""
    return st.builds(
        OperationalLiabilityExposure,
        personnel=st.lists(
            personnel_groups(max_headcount=max_headcount),
            min_size=1,
            max_size=len(vocabulary.ROLES),
            unique_by=lambda g: g.role,
        ).map(tuple),
        vehicles=_counts(max_fleet),
        vessels=_counts(max_fleet),
        aircraft=_counts(max_fleet),
        use_of_force_authorised=st.booleans(),
        detention_facilities=_counts(max_fleet),
        countries=_country_lists(countries, max_countries),
    )


def government_contracts(
    *,
    countries: Sequence[str] | None = None,
    max_amount: float = DEFAULT_MAX_AMOUNT,
    perils: Sequence[str] | None = None,
) -> st.SearchStrategy[GovernmentContract]:
    """Valid :class:`~xborder_risk.exposure.GovernmentContract` objects."""
    allowed = _checked_choice(perils, vocabulary.PERILS, "perils")
    return st.builds(
        GovernmentContract,
        contract_id=identifiers(),
        host_country=country_codes(countries),
        counterparty=st.sampled_from(vocabulary.COUNTERPARTIES),
        contract_value=amounts(0.0, max_amount),
        remaining_term_years=st.floats(
            0.0, vocabulary.MAX_YEARS, allow_nan=False, exclude_min=True
        ),
        assets_in_country=amounts(0.0, max_amount),
        perils=st.lists(st.sampled_from(allowed), min_size=1, unique=True).map(tuple),
    )


def political_risk_exposures(
    *,
    min_contracts: int = 1,
    max_contracts: int = 4,
    countries: Sequence[str] | None = None,
    max_amount: float = DEFAULT_MAX_AMOUNT,
) -> st.SearchStrategy[PoliticalRiskExposure]:
    """Valid political-risk exposures with distinct ``contract_id``."""
    contracts = st.lists(
        government_contracts(countries=countries, max_amount=max_amount),
        min_size=max(1, min_contracts),
        max_size=max(1, min_contracts, max_contracts),
        unique_by=lambda c: c.contract_id,
    )
    return st.builds(PoliticalRiskExposure, contracts=contracts.map(tuple))


@st.composite
def policy_terms(
    draw: st.DrawFn,
    *,
    max_limit: float = DEFAULT_MAX_AMOUNT,
    aggregate: bool | None = None,
) -> PolicyTerms:
    """Valid :class:`~xborder_risk.exposure.PolicyTerms`.

    ``deductible <= limit``; ``aggregate_limit`` (when drawn) ``>= limit``; the aggregate
    deductible within the aggregate limit.  ``aggregate=True``/``False`` forces an aggregate
    limit to be present/absent; ``None`` draws either.
    """
    limit = draw(amounts(0.0, max_limit, exclude_min=True))
    deductible = draw(amounts(0.0, limit))
    with_aggregate = draw(st.booleans()) if aggregate is None else aggregate
    aggregate_limit = (
        draw(amounts(limit, min(vocabulary.MAX_AMOUNT, max(limit, 10.0 * limit))))
        if with_aggregate
        else None
    )
    aggregate_deductible = draw(amounts(0.0, aggregate_limit if aggregate_limit else max_limit))
    share = draw(st.floats(0.0, 1.0, exclude_min=True) | st.just(1.0))
    return PolicyTerms(
        deductible=deductible,
        limit=limit,
        aggregate_deductible=aggregate_deductible,
        aggregate_limit=aggregate_limit,
        share=share,
    )


@st.composite
def policy_periods(
    draw: st.DrawFn,
    *,
    earliest: date = date(2000, 1, 1),
    latest: date = date(2060, 12, 31),
    max_days: int = 7300,
) -> tuple[date, date]:
    """``(inception, expiry)`` pairs: mostly one-year policies, sometimes any 1..max_days."""
    inception = draw(st.dates(earliest, latest))
    annual = draw(st.booleans())
    if annual:
        try:
            expiry = inception.replace(year=inception.year + 1)
        except ValueError:  # 29 February
            expiry = inception.replace(year=inception.year + 1, day=28)
    else:
        expiry = inception + timedelta(days=draw(st.integers(1, max(1, min(max_days, 7300)))))
    return inception, expiry


@dataclass(frozen=True)
class _ExposureBounds:
    """The bounds :func:`submissions` passes on to every line's exposure strategy."""

    countries: Sequence[str] | None
    max_amount: float
    max_systems: int
    max_contracts: int
    max_countries: int
    latest_test: date


# Each line's exposure strategy, keyed by its exposure model (exposure.EXPOSURE_MODELS).
_EXPOSURE_STRATEGIES: dict[
    type[FrozenModel], Callable[[_ExposureBounds], st.SearchStrategy[Any]]
] = {
    TechFailureExposure: lambda b: tech_failure_exposures(
        max_systems=b.max_systems,
        countries=b.countries,
        max_countries=b.max_countries,
        max_amount=b.max_amount,
    ),
    CyberExposure: lambda b: cyber_exposures(
        countries=b.countries,
        max_countries=b.max_countries,
        max_revenue=b.max_amount,
        latest_test=b.latest_test,
    ),
    OperationalLiabilityExposure: lambda b: operational_liability_exposures(
        countries=b.countries, max_countries=b.max_countries
    ),
    PoliticalRiskExposure: lambda b: political_risk_exposures(
        max_contracts=b.max_contracts, countries=b.countries, max_amount=b.max_amount
    ),
}


def _exposures_of(model: type[FrozenModel], bounds: _ExposureBounds) -> st.SearchStrategy[Any]:
    """The strategy drawing valid instances of a line's exposure ``model`` within ``bounds``.

    Raises
    ------
    ValueError
        If ``model`` is not the exposure model of a line with a strategy here.
    """
    try:
        return _EXPOSURE_STRATEGIES[model](bounds)
    except KeyError:
        raise ValueError(
            f"no exposure strategy for {model.__name__}: a line's exposure model needs one in "
            "xborder_risk/testing/strategies.py (_EXPOSURE_STRATEGIES)"
        ) from None


@st.composite
def submissions(
    draw: st.DrawFn,
    lines: Sequence[str] | None = None,
    *,
    countries: Sequence[str] | None = None,
    currencies: Sequence[str] | None = None,
    max_amount: float = DEFAULT_MAX_AMOUNT,
    max_systems: int = 4,
    max_contracts: int = 3,
    max_countries: int = 3,
) -> Submission:
    """Valid :class:`~xborder_risk.exposure.Submission` objects.

    Parameters
    ----------
    lines : sequence of str, optional
        Exactly these lines get an exposure (and terms); by default a random non-empty subset.
    countries, currencies : sequence of str, optional
        Restrict every country / currency code drawn (e.g. to those your tables cover).
    max_amount : float
        Ceiling of every amount (values, limits, revenue).
    max_systems, max_contracts, max_countries : int
        Ceilings of list lengths, to keep examples small.
    """
    if lines is None:
        chosen = draw(st.sets(st.sampled_from(vocabulary.LINES), min_size=1))
    else:
        chosen = set(_checked_choice(lines, vocabulary.LINES, "lines"))
    inception, expiry = draw(policy_periods())
    bounds = _ExposureBounds(
        countries=countries,
        max_amount=max_amount,
        max_systems=max_systems,
        max_contracts=max_contracts,
        max_countries=max_countries,
        latest_test=expiry,
    )
    exposures: dict[str, Any] = {
        line: draw(_exposures_of(vocabulary.EXPOSURE_MODELS[line], bounds))
        for line in vocabulary.LINES
        if line in chosen
    }
    terms: dict[Line, PolicyTerms] = {
        cast(Line, line): draw(policy_terms(max_limit=max_amount))
        for line in vocabulary.LINES
        if line in chosen
    }
    return Submission(
        submission_id=draw(st.none() | identifiers()),
        insured=draw(insureds(countries=countries, currencies=currencies, max_revenue=max_amount)),
        currency=draw(currency_codes(currencies)),
        inception_date=inception,
        expiry_date=expiry,
        terms=terms,
        notes=draw(st.none() | st.text(alphabet=_NOTE_CHARACTERS, max_size=80)),
        **exposures,
    )


@st.composite
def layers(
    draw: st.DrawFn,
    *,
    max_amount: float = DEFAULT_MAX_AMOUNT,
    allow_unlimited: bool = True,
) -> Layer:
    """Engine :class:`~xborder_risk.engine.Layer` objects.

    Each term is drawn in the engine's own domain (deductibles >= 0, limits > 0 and possibly
    ``inf`` when ``allow_unlimited``, share in (0, 1]); unlike :func:`policy_terms`, no
    cross-field rule is imposed, because the engine accepts any combination.
    """
    from xborder_risk.engine import Layer  # the engine is optional for exposure-only users

    def limits() -> st.SearchStrategy[float]:
        finite = amounts(0.0, max_amount, exclude_min=True)
        return finite | st.just(math.inf) if allow_unlimited else finite

    return Layer(
        deductible=draw(amounts(0.0, max_amount)),
        limit=draw(limits()),
        aggregate_deductible=draw(amounts(0.0, max_amount)),
        aggregate_limit=draw(limits()),
        share=draw(st.floats(0.0, 1.0, exclude_min=True) | st.just(1.0)),
    )
