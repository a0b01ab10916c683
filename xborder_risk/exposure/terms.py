"""Policy terms of one line: the submission-side description of the engine's ``Layer``.

Besides the occurrence and aggregate terms of the line's layer, the terms carry what the market
writes on top of them: the excess point (``attachment``) apart from the insured's retention
(``deductible``), the insurer's placement ``share`` apart from the insured's ``coinsurance``,
further layers of the same line (a ``tower``), ``sublimits`` of named components, the
claims-made ``basis`` with its retroactive date and extended reporting period, and
``exclusions``.  How each reaches the loss model: ``docs/exposure.md`` ("Policy terms").
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Final, Literal, Self, get_args

from pydantic import (
    AfterValidator,
    Field,
    SerializerFunctionWrapHandler,
    WrapSerializer,
    model_serializer,
    model_validator,
)

from xborder_risk.exposure._base import FrozenModel, field_error
from xborder_risk.exposure._types import IsoDate, Money, PositiveMoney, Share, unique_items
from xborder_risk.exposure.bi_terms import BusinessInterruptionTerms

__all__ = [
    "BASES",
    "CLAIMS_MADE_LINES",
    "EXCLUSIONS",
    "EXCLUSION_LINES",
    "SUBLIMIT_COMPONENTS",
    "Basis",
    "Exclusion",
    "PolicyTerms",
    "SublimitComponent",
    "TowerLayer",
    "check_line_terms",
]

Basis = Literal["occurrence", "claims_made"]
BASES: Final[tuple[str, ...]] = get_args(Basis)

#: Lines that may be written on a claims-made basis (cyber, technology errors and omissions).
CLAIMS_MADE_LINES: Final[tuple[str, ...]] = ("tech_failure", "cyber")

SublimitComponent = Literal[
    "ransomware_extortion",
    "regulatory_fines",
    "biometric_collection",
    "contingent_bi",
    "currency_inconvertibility",
]

#: The components that may carry a sub-limit, per line.
SUBLIMIT_COMPONENTS: Final[dict[str, tuple[str, ...]]] = {
    "cyber": ("ransomware_extortion", "regulatory_fines", "biometric_collection", "contingent_bi"),
    "political_risk": ("currency_inconvertibility",),
}

Exclusion = Literal["cyber_war", "infrastructure_outage", "motor", "aviation", "terrorism"]
EXCLUSIONS: Final[tuple[str, ...]] = get_args(Exclusion)

#: The lines each exclusion can be written on (its effect per line: rating_tables/exclusions.csv).
EXCLUSION_LINES: Final[dict[str, tuple[str, ...]]] = {
    "cyber_war": ("cyber",),
    "infrastructure_outage": ("tech_failure", "cyber"),
    "motor": ("operational_liability",),
    "aviation": ("operational_liability",),
    "terrorism": ("operational_liability", "political_risk"),
}

#: Longest extended reporting period accepted, years (the market writes 1 to 6; 10 is generous).
MAX_EXTENDED_REPORTING_YEARS: Final[float] = 10.0

Coinsurance = Annotated[float, Field(ge=0, lt=1, strict=True, allow_inf_nan=False)]


def _read_only(sublimits: Mapping[str, float]) -> Mapping[str, float]:
    # Read-only so a frozen PolicyTerms cannot be changed through it; vocabulary order.
    order = get_args(SublimitComponent)
    return MappingProxyType({name: sublimits[name] for name in order if name in sublimits})


Sublimits = Annotated[
    Mapping[SublimitComponent, PositiveMoney],
    Field(strict=False),
    AfterValidator(_read_only),
    WrapSerializer(lambda value, handler: handler(dict(value))),
]


class TowerLayer(FrozenModel):
    """A further layer of the same line, quoted on the same simulated ground-up losses.

    Attributes
    ----------
    attachment : float
        Ground-up excess point of the layer, >= the line's ``deductible`` (submission currency).
    limit : float
        Per-occurrence limit of the layer in excess of ``attachment``, > 0 (submission currency).
    share : float
        The insurer's line on the layer, in (0, 1] (default 1).
    """

    attachment: Money
    """Ground-up excess point of the layer, in the submission currency."""
    limit: PositiveMoney
    """Per-occurrence limit in excess of the attachment, in the submission currency."""
    share: Share = 1.0
    """Insurer's line on the layer, in (0, 1]."""


#: PolicyTerms fields added by issue 11, omitted from the serialised terms at their defaults.
_ISSUE_11_FIELDS: Final[tuple[str, ...]] = (
    "attachment",
    "coinsurance",
    "tower",
    "sublimits",
    "basis",
    "retroactive_date",
    "extended_reporting_years",
    "exclusions",
    "business_interruption",
)
_DEFAULTS: Final[dict[str, Any]] = {
    "attachment": None,
    "coinsurance": 0.0,
    "tower": (),
    "basis": "occurrence",
    "retroactive_date": None,
    "extended_reporting_years": 0.0,
    "exclusions": (),
    "business_interruption": None,
}


def _is_default(value: Any, name: str) -> bool:
    if name == "sublimits":
        return not value
    return bool(value == _DEFAULTS[name])


class PolicyTerms(FrozenModel):
    """Deductible, layer, share, sub-limits, basis and exclusions of one line.

    Amounts are in ``Submission.currency``.

    Attributes
    ----------
    deductible : float
        The insured's per-occurrence retention, >= 0 (default 0).
    attachment : float or None
        Ground-up excess point of the layer, >= ``deductible``; ``None`` (the default) is a
        primary layer attaching at the deductible.  ``25M xs 25.5M`` is ``limit: 25e6,
        attachment: 25.5e6``.
    limit : float
        Per-occurrence limit in excess of the attachment, > 0 and finite (required).
    aggregate_deductible : float
        Annual aggregate deductible applied to the sum of occurrence payments, >= 0 (default 0).
    aggregate_limit : float or None
        Annual aggregate limit in excess of the aggregate deductible, >= ``limit``; ``None``
        (the default) means no aggregate limit.
    share : float
        The insurer's line on the layer (its placement share), 0 < share <= 1 (default 1).
    coinsurance : float
        The part of each loss in the layer the insured keeps, 0 <= coinsurance < 1 (default 0).
    tower : tuple of TowerLayer
        Further layers of the line, quoted on the same simulated ground-up losses; no two
        layers (this one included) overlap (default none).
    sublimits : mapping of str to float
        Sub-limit per named component, each <= ``limit`` (default none).  Cyber:
        ``ransomware_extortion``, ``regulatory_fines``, ``biometric_collection``,
        ``contingent_bi``; political risk: ``currency_inconvertibility``.
    basis : {"occurrence", "claims_made"}
        ``claims_made`` only for cyber and technology failure (default ``occurrence``).
    retroactive_date : date or None
        Claims-made only: acts before it are not covered; on or before inception; ``None``
        (the default) is the inception date (no prior acts).
    extended_reporting_years : float
        Claims-made only: extended reporting period after expiry, years, 0 to 10 (default 0).
    exclusions : tuple of str
        Distinct exclusions applied: ``cyber_war`` (cyber), ``infrastructure_outage`` (cyber,
        technology failure), ``motor`` and ``aviation`` (operational liability),
        ``terrorism`` (operational liability, political risk).

    Notes
    -----
    An occurrence of ground-up size :math:`X` pays :math:`Y = \\min(\\max(X - a, 0), l)` with
    :math:`a` the attachment (the deductible for a primary layer), and a year pays
    :math:`s (1 - c) \\min(\\max(\\sum Y - D, 0), L)` — the engine's ``Layer`` with share
    :math:`s(1 - c)` (Klugman, Panjer & Willmot, *Loss Models*, 5th ed., §8.5).  The
    aggregate terms apply to the layer's losses at 100 %, before share and coinsurance.  The
    limit is required and finite because the severities of cyber and political risk are heavy
    tailed: an unlimited layer can have an infinite expected loss.

    Cross-field rules (each error names the field it blames):

    * ``deductible <= limit`` for a primary layer — a deductible above the limit is almost
      always a typo; write an excess layer with ``attachment``;
    * ``attachment >= deductible`` — the excess point is ground-up and includes the retention;
    * ``aggregate_limit >= limit`` when given, and ``aggregate_deductible <= aggregate_limit``;
    * every sub-limit ``<= limit``;
    * ``retroactive_date`` and ``extended_reporting_years`` only with ``basis: claims_made``;
    * tower layers attach at or above the deductible and no two layers overlap.

    The rules that need the line or the dates (claims-made lines, sub-limit components and
    exclusions of the line, retroactive date on or before inception) are the submission's.
    """

    cross_field_rules: ClassVar[tuple[str, ...]] = (
        "deductible_not_above_limit",
        "attachment_not_below_deductible",
        "aggregate_limit_at_least_limit",
        "aggregate_deductible_not_above_aggregate_limit",
        "sublimit_not_above_limit",
        "claims_made_terms_need_claims_made_basis",
        "tower_layers_above_deductible",
        "tower_layers_do_not_overlap",
    )

    deductible: Money = 0.0
    """The insured's per-occurrence retention in the submission currency."""
    attachment: Money | None = None
    """Ground-up excess point of the layer; null = primary (attaches at the deductible)."""
    limit: PositiveMoney
    """Per-occurrence limit in excess of the attachment, in the submission currency."""
    aggregate_deductible: Money = 0.0
    """Annual aggregate deductible in the submission currency."""
    aggregate_limit: PositiveMoney | None = None
    """Annual aggregate limit in the submission currency; null = no aggregate limit."""
    share: Share = 1.0
    """Insurer's placement share of the layer, in (0, 1]."""
    coinsurance: Coinsurance = 0.0
    """Part of each loss in the layer the insured keeps, in [0, 1)."""
    tower: Annotated[tuple[TowerLayer, ...], Field(strict=False, max_length=20)] = ()
    """Further layers of the line, quoted on the same ground-up losses."""
    sublimits: Sublimits = Field(default_factory=lambda: MappingProxyType({}))
    """Sub-limit per named component, in the submission currency."""
    basis: Basis = "occurrence"
    """``occurrence`` or ``claims_made`` (cyber and technology failure only)."""
    retroactive_date: IsoDate | None = None
    """Claims-made retroactive date; null = inception (no prior acts)."""
    extended_reporting_years: Annotated[
        float, Field(ge=0, le=MAX_EXTENDED_REPORTING_YEARS, strict=True, allow_inf_nan=False)
    ] = 0.0
    """Claims-made extended reporting period after expiry, years."""
    exclusions: Annotated[
        tuple[Exclusion, ...],
        Field(strict=False, max_length=len(EXCLUSIONS)),
        unique_items("exclusion"),
    ] = ()
    """Exclusions applied (distinct)."""
    business_interruption: BusinessInterruptionTerms | None = None
    """Waiting and indemnity periods of the time-element cover (technology failure, cyber
    business interruption); null = none (see exposure/bi_terms.py)."""

    @model_serializer(mode="wrap")
    def _serialize(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # The terms of issue 11 are left out at their defaults, so a submission written before
        # them serialises (and hashes, quote provenance) exactly as it did.
        data: dict[str, Any] = handler(self)
        for name in _ISSUE_11_FIELDS:
            if name in data and _is_default(getattr(self, name), name):
                del data[name]
        return data

    def __hash__(self) -> int:
        # The read-only sub-limits mapping is unhashable: hash its items instead.
        return hash(
            tuple(
                (name, tuple(value.items()) if isinstance(value, Mapping) else value)
                for name, value in self.__dict__.items()
            )
        )

    @property
    def excess_point(self) -> float:
        """Ground-up point the layer attaches at: ``attachment``, or ``deductible`` if none."""
        return self.deductible if self.attachment is None else self.attachment

    @model_validator(mode="after")
    def _check_cross_field(self) -> Self:
        if self.attachment is None and self.deductible > self.limit:
            raise field_error(
                "deductible_not_above_limit",
                f"deductible {self.deductible:g} must not exceed limit {self.limit:g} "
                "(write an excess layer with 'attachment')",
                at=("deductible",),
                value=self.deductible,
            )
        if self.attachment is not None and self.deductible > self.attachment:
            raise field_error(
                "attachment_not_below_deductible",
                f"deductible {self.deductible:g} must not exceed attachment "
                f"{self.attachment:g} (the attachment is the ground-up excess point)",
                at=("deductible",),
                value=self.deductible,
            )
        self._check_aggregate()
        for component, sublimit in self.sublimits.items():
            if sublimit > self.limit:
                raise field_error(
                    "sublimit_not_above_limit",
                    f"sub-limit of {component} {sublimit:g} must not exceed limit {self.limit:g}",
                    at=("sublimits", component),
                    value=sublimit,
                )
        if self.basis != "claims_made":
            for name, given in (
                ("retroactive_date", self.retroactive_date is not None),
                ("extended_reporting_years", self.extended_reporting_years != 0.0),
            ):
                if given:
                    raise field_error(
                        "claims_made_terms_need_claims_made_basis",
                        f"{name} applies only to basis 'claims_made' (basis is {self.basis!r})",
                        at=(name,),
                        value=getattr(self, name),
                    )
        self._check_tower()
        return self

    def _check_aggregate(self) -> None:
        if self.aggregate_limit is None:
            return
        if self.aggregate_limit < self.limit:
            raise field_error(
                "aggregate_limit_at_least_limit",
                f"aggregate_limit {self.aggregate_limit:g} must be >= limit {self.limit:g}",
                at=("aggregate_limit",),
                value=self.aggregate_limit,
            )
        if self.aggregate_deductible > self.aggregate_limit:
            raise field_error(
                "aggregate_deductible_not_above_aggregate_limit",
                f"aggregate_deductible {self.aggregate_deductible:g} must not exceed "
                f"aggregate_limit {self.aggregate_limit:g}",
                at=("aggregate_deductible",),
                value=self.aggregate_deductible,
            )

    def _check_tower(self) -> None:
        for index, layer in enumerate(self.tower):
            if layer.attachment < self.deductible:
                raise field_error(
                    "tower_layers_above_deductible",
                    f"tower[{index}].attachment {layer.attachment:g} is below the deductible "
                    f"{self.deductible:g}",
                    at=("tower", index, "attachment"),
                    value=layer.attachment,
                )
        spans = sorted(
            [(self.excess_point, self.excess_point + self.limit, -1)]
            + [(t.attachment, t.attachment + t.limit, i) for i, t in enumerate(self.tower)]
        )
        for (_, upper, below), (lower, _, above) in itertools.pairwise(spans):
            if lower < upper:
                at = ("tower", max(below, above), "attachment")
                other = (
                    "the policy's layer" if min(below, above) < 0 else f"tower[{min(below, above)}]"
                )
                raise field_error(
                    "tower_layers_do_not_overlap",
                    f"tower[{max(below, above)}] overlaps {other}: a layer attaching at "
                    f"{lower:g} starts below the top {upper:g} of the layer under it",
                    at=at,
                    value=lower,
                )

    def layer_kwargs(self) -> dict[str, float]:
        """Keyword arguments for ``xborder_risk.engine.Layer`` (no aggregate limit -> ``inf``).

        Returns
        -------
        dict
            ``deductible`` (the excess point: ``attachment``, or the deductible of a primary
            layer), ``limit``, ``aggregate_deductible``, ``aggregate_limit`` and ``share``
            (placement share times ``1 - coinsurance``) as floats in the submission currency.
        """
        return {
            "deductible": self.excess_point,
            "limit": self.limit,
            "aggregate_deductible": self.aggregate_deductible,
            "aggregate_limit": math.inf if self.aggregate_limit is None else self.aggregate_limit,
            "share": self.share * (1.0 - self.coinsurance),
        }

    def tower_layer_kwargs(self) -> tuple[dict[str, float], ...]:
        """``Layer`` keyword arguments of each tower layer (occurrence terms only).

        Each layer pays ``share x (1 - coinsurance)`` of ``min(max(X - attachment, 0), limit)``
        per occurrence, with no aggregate terms.
        """
        return tuple(
            {
                "deductible": layer.attachment,
                "limit": layer.limit,
                "share": layer.share * (1.0 - self.coinsurance),
            }
            for layer in self.tower
        )

    def is_default_market(self) -> bool:
        """True when none of the terms beyond deductible, limit, aggregates and share is set."""
        return (
            self.attachment is None
            and self.coinsurance == 0.0
            and not self.tower
            and not self.sublimits
            and self.basis == "occurrence"
            and not self.exclusions
        )


def check_line_terms(line: str, terms: PolicyTerms, inception: date) -> None:
    """The submission's rules on the terms of ``line`` (raised at ``terms.<line>.<field>``).

    Rules: ``claims_made_only_for_cyber_and_tech_failure``,
    ``retroactive_date_not_after_inception``, ``sublimit_component_of_the_line``,
    ``exclusion_of_the_line``.
    """
    if terms.basis == "claims_made" and line not in CLAIMS_MADE_LINES:
        raise field_error(
            "claims_made_only_for_cyber_and_tech_failure",
            f"basis 'claims_made' is written only for {' and '.join(CLAIMS_MADE_LINES)}, "
            f"not {line}",
            at=("terms", line, "basis"),
            value=terms.basis,
        )
    retro = terms.retroactive_date
    if retro is not None and retro > inception:
        raise field_error(
            "retroactive_date_not_after_inception",
            f"retroactive_date {retro} must be on or before inception_date {inception}",
            at=("terms", line, "retroactive_date"),
            value=retro,
        )
    allowed = SUBLIMIT_COMPONENTS.get(line, ())
    for component in terms.sublimits:
        if component not in allowed:
            raise field_error(
                "sublimit_component_of_the_line",
                f"{line} has no sub-limited component {component!r} "
                f"(components of {line}: {', '.join(allowed) or 'none'})",
                at=("terms", line, "sublimits", component),
                value=component,
            )
    for index, exclusion in enumerate(terms.exclusions):
        if line not in EXCLUSION_LINES[exclusion]:
            raise field_error(
                "exclusion_of_the_line",
                f"exclusion {exclusion!r} is not written on {line} "
                f"(only on {', '.join(EXCLUSION_LINES[exclusion])})",
                at=("terms", line, "exclusions", index),
                value=exclusion,
            )
