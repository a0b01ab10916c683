"""An international programme: a master policy and local (admitted) policies per line.

The market covers an insured that operates across borders with a *master policy* issued in its
home country and *local policies* in the countries where the law or the client requires locally
admitted cover.  The local policy carries its own (lower) limit and deductible where they differ;
the master pays the difference in conditions and the difference in limits (DIC/DIL).  Countries
of a line's exposure without a local policy are covered from the master (freedom of services
inside the EEA, non-admitted elsewhere).  See ``docs/programme.md``.

This module holds the submission-side description (:class:`LocalPolicy`, :class:`LinePlacement`,
the ``Submission.programme`` mapping), the countries each line's exposure sits in
(:func:`line_countries`) and each line's premium-allocation key (:func:`allocation_key`): the
exposure that drives the line's rating, by country.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, Field, WrapSerializer

from xborder_risk.exposure._base import FrozenModel, field_error
from xborder_risk.exposure._types import (
    LINES,
    MAX_AMOUNT,
    CountryCode,
    Line,
    Money,
    PositiveMoney,
    unique_items,
)
from xborder_risk.exposure.cyber import CyberExposure
from xborder_risk.exposure.operational_liability import OperationalLiabilityExposure
from xborder_risk.exposure.political_risk import PoliticalRiskExposure
from xborder_risk.exposure.tech_failure import TechFailureExposure

# Functions below take the Submission (typed Any: exposure.submission imports this module).

__all__ = [
    "PROGRAMME_RULES",
    "AllocationKey",
    "LinePlacement",
    "LocalPolicy",
    "Programme",
    "allocation_key",
    "check_programme",
    "line_countries",
]

#: The submission's cross-field rules on its programme (each error names the field).
PROGRAMME_RULES: tuple[str, ...] = (
    "programme_line_has_exposure",
    "local_policy_country_in_line_exposure",
    "local_limit_not_above_master_limit",
    "local_deductible_not_above_local_limit",
    "allocation_countries_are_line_countries",
)

Weight = Annotated[float, Field(ge=0, le=MAX_AMOUNT, strict=True, allow_inf_nan=False)]
"""A non-negative allocation weight (any unit: headcount, records, amounts)."""


class LocalPolicy(FrozenModel):
    """A local policy issued in one country under the master (admitted cover there).

    Attributes
    ----------
    country : str
        ISO 3166-1 alpha-2 code of the country where the local policy is issued; the line
        must have exposure there.
    limit : float or None
        Local per-occurrence limit in ``Submission.currency``, at most the master's limit;
        None: the master's limit.  The master pays the difference in limits (DIL).
    deductible : float or None
        Local per-occurrence deductible in ``Submission.currency``; None: the master's.  The
        master pays the difference in conditions (DIC) above the master's own deductible.
    """

    country: CountryCode
    """Country of the local policy (ISO 3166-1 alpha-2)."""
    limit: PositiveMoney | None = None
    """Local per-occurrence limit (submission currency), <= the master's limit."""
    deductible: Money | None = None
    """Local per-occurrence deductible (submission currency)."""


def _read_only_weights(value: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(value))


class LinePlacement(FrozenModel):
    """How one line is placed: its local policies and, optionally, its allocation weights.

    Attributes
    ----------
    local_policies : tuple of LocalPolicy
        The countries with a local (admitted) policy, each at most once.  Every other country
        of the line's exposure is covered from the master policy.
    allocation : mapping of str to float or None
        Optional weights by country for the premium allocation (e.g. headcount or records by
        country) replacing the line's default key (:func:`allocation_key`); the countries must
        be exactly those of the line's exposure and the weights must not all be zero.
    """

    local_policies: Annotated[
        tuple[LocalPolicy, ...],
        Field(strict=False),
        unique_items("local policy country", key=lambda p: p.country, key_name="country"),
    ] = ()
    """Local (admitted) policies, one per country."""
    allocation: (
        Annotated[
            Mapping[CountryCode, Weight],
            Field(strict=False),
            AfterValidator(_read_only_weights),
            WrapSerializer(lambda value, handler: handler(dict(value))),
        ]
        | None
    ) = None
    """Allocation weights by country replacing the default key (optional)."""

    def __hash__(self) -> int:
        weights = None if self.allocation is None else tuple(self.allocation.items())
        return hash((self.local_policies, weights))

    @property
    def local_countries(self) -> tuple[str, ...]:
        """The countries with a local policy, in the order given."""
        return tuple(policy.country for policy in self.local_policies)

    def local_policy(self, country: str) -> LocalPolicy | None:
        """The local policy in ``country``, or None (covered from the master)."""
        for policy in self.local_policies:
            if policy.country == country:
                return policy
        return None


def _read_only(value: Mapping[str, LinePlacement]) -> Mapping[str, LinePlacement]:
    return MappingProxyType({line: value[line] for line in LINES if line in value})


Programme = Annotated[
    Mapping[Line, LinePlacement],
    Field(strict=False),
    AfterValidator(_read_only),
    WrapSerializer(lambda value, handler: handler(dict(value))),
]
"""The programme: per line its placement (lines not given are covered from the master alone)."""


# --- countries and allocation keys of each line ----------------------------------------------


def line_countries(submission: Any, line: str) -> tuple[str, ...]:
    """The countries the line's exposure sits in, in order of first mention.

    Technology failure: the systems' countries; cyber and operational liability: the line's
    ``countries``; political risk: the contracts' host countries.
    """
    exposure = getattr(submission, line)
    found: list[str] = []
    if isinstance(exposure, TechFailureExposure):
        for system in exposure.systems:
            found.extend(system.countries)
    elif isinstance(exposure, CyberExposure | OperationalLiabilityExposure):
        found.extend(exposure.countries)
    elif isinstance(exposure, PoliticalRiskExposure):
        found.extend(contract.host_country for contract in exposure.contracts)
    return tuple(dict.fromkeys(found))


class AllocationKey(FrozenModel):
    """A line's premium-allocation key: weights by country and what they are.

    Attributes
    ----------
    basis : str
        The exposure measure, in words.
    weights : mapping of str to float
        Weight per country (>= 0), countries in :func:`line_countries` order.
    """

    basis: str
    weights: Annotated[Mapping[str, float], Field(strict=False)]

    KEYS: ClassVar[dict[str, str]] = {
        "tech_failure": (
            "each system's daily outage cost split equally over its countries (the rater "
            "counts outages per system-country-year and scales their cost by the daily "
            "outage cost)"
        ),
        "cyber": (
            "equal shares of the line's countries (the exposure gives records in total, not "
            "by country; give allocation weights, e.g. records by country, to replace it)"
        ),
        "operational_liability": (
            "equal shares of the line's countries (the exposure gives personnel, vehicles "
            "and hours in total, not by country; give allocation weights, e.g. staff hours "
            "by country, to replace it)"
        ),
        "political_risk": (
            "each contract's value plus its assets in the host country, by host country (the "
            "amounts at risk the rater prices)"
        ),
    }


def allocation_key(submission: Any, line: str) -> AllocationKey:
    """The weights by country that split the line's premium (``docs/programme.md``).

    The programme's ``allocation`` for the line, if given; otherwise the line's default key
    (:attr:`AllocationKey.KEYS`): the exposure that drives the line's rating, by country.
    A key whose weights are all zero falls back to equal shares, and says so.
    """
    countries = line_countries(submission, line)
    programme = {str(k): v for k, v in (submission.programme or {}).items()}
    placement = programme.get(line)
    if placement is not None and placement.allocation is not None:
        given = placement.allocation
        weights = {code: float(given[code]) for code in countries}
        basis = "allocation weights given in the submission's programme"
    else:
        weights = dict.fromkeys(countries, 0.0)
        exposure = getattr(submission, line)
        if isinstance(exposure, TechFailureExposure):
            for system in exposure.systems:
                for code in system.countries:
                    weights[code] += system.daily_outage_cost / len(system.countries)
        elif isinstance(exposure, PoliticalRiskExposure):
            for contract in exposure.contracts:
                weights[contract.host_country] += (
                    contract.contract_value + contract.assets_in_country
                )
        else:
            weights = dict.fromkeys(countries, 1.0)
        basis = AllocationKey.KEYS[line]
    if countries and sum(weights.values()) <= 0.0:
        weights = dict.fromkeys(countries, 1.0)
        basis += "; every weight is zero, so equal shares"
    return AllocationKey(basis=basis, weights=weights)


def check_programme(submission: Any) -> None:
    """Check the programme against the submission's exposures and terms.

    Raises the first broken rule of :data:`PROGRAMME_RULES` as a field error at the
    offending field (``programme.<line>.local_policies[i].limit`` and so on).
    """
    programme = submission.programme
    if programme is None:
        return
    for line, placement in programme.items():
        at: tuple[str | int, ...] = ("programme", line)
        if getattr(submission, line) is None:
            raise field_error(
                "programme_line_has_exposure",
                f"a programme is given for line '{line}' but the submission has no {line} exposure",
                at=at,
            )
        countries = line_countries(submission, line)
        terms = submission.terms[line]
        for index, policy in enumerate(placement.local_policies):
            where = (*at, "local_policies", index)
            if policy.country not in countries:
                raise field_error(
                    "local_policy_country_in_line_exposure",
                    f"a local {line} policy in {policy.country}, where the line has no "
                    f"exposure (its countries: {', '.join(countries)})",
                    at=(*where, "country"),
                    value=policy.country,
                )
            if policy.limit is not None and policy.limit > terms.limit:
                raise field_error(
                    "local_limit_not_above_master_limit",
                    f"local limit {policy.limit:,.0f} in {policy.country} is above the "
                    f"master's {line} limit {terms.limit:,.0f} (terms.{line}.limit); a local "
                    "policy cannot give more than the master (the master pays the difference "
                    "in limits)",
                    at=(*where, "limit"),
                    value=policy.limit,
                )
            limit = terms.limit if policy.limit is None else policy.limit
            if policy.deductible is not None and policy.deductible > limit:
                raise field_error(
                    "local_deductible_not_above_local_limit",
                    f"local deductible {policy.deductible:,.0f} in {policy.country} is above "
                    f"the local limit {limit:,.0f}",
                    at=(*where, "deductible"),
                    value=policy.deductible,
                )
        if placement.allocation is not None:
            given = tuple(placement.allocation)
            for code in given:
                if code not in countries:
                    raise field_error(
                        "allocation_countries_are_line_countries",
                        f"allocation weight for {code}, where the {line} line has no "
                        f"exposure (its countries: {', '.join(countries)})",
                        at=(*at, "allocation", code),
                        value=placement.allocation[code],
                    )
            missing = [code for code in countries if code not in given]
            if missing:
                raise field_error(
                    "allocation_countries_are_line_countries",
                    f"allocation weights missing for {', '.join(missing)}: give a weight for "
                    f"every country of the {line} exposure ({', '.join(countries)})",
                    at=(*at, "allocation"),
                    value=dict(placement.allocation),
                )
