"""The insured's own loss history of one line: what experience rating is built from.

A :class:`LossHistory` lists, per past policy year, the line's exposure measure, the number of
claims, the incurred and paid amounts at the valuation, the development age of the year at the
valuation and the large losses individually, all recorded under the history's own
per-occurrence deductible and limit (``deductible``, ``limit``): a claim is counted when its
ground-up amount exceeds the deductible, and the amounts are what that layer paid or reserved.
The rater (:mod:`xborder_risk.rating.experience`) compares it with the rated model's expected
losses in the *same* layer, developed, trended and put on the current exposure.  Method:
``docs/experience.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, ClassVar, Final, Self

from pydantic import Field, model_validator

from xborder_risk.exposure._base import FrozenModel, field_error
from xborder_risk.exposure._types import (
    MAX_AMOUNT,
    Count,
    Identifier,
    Money,
    Notes,
    PositiveMoney,
    unique_items,
)
from xborder_risk.exposure.cyber import CyberExposure
from xborder_risk.exposure.operational_liability import OperationalLiabilityExposure
from xborder_risk.exposure.political_risk import PoliticalRiskExposure
from xborder_risk.exposure.tech_failure import TechFailureExposure

__all__ = [
    "EXPOSURE_MEASURES",
    "MAX_HISTORY_YEARS",
    "HistoryYear",
    "LargeLoss",
    "LossHistory",
    "exposure_measure",
]

#: Most past years a history may list (a longer run is almost certainly a pasted table).
MAX_HISTORY_YEARS: Final[int] = 30
#: Oldest and latest policy year accepted.
_FIRST_YEAR: Final[int] = 1950
_LAST_YEAR: Final[int] = 2200
#: Longest development age accepted, months (100 years).
_MAX_AGE_MONTHS: Final[float] = 1200.0

PolicyYear = Annotated[int, Field(ge=_FIRST_YEAR, le=_LAST_YEAR, strict=True)]
"""A policy year, by the calendar year in which it incepted."""
AgeMonths = Annotated[float, Field(gt=0, le=_MAX_AGE_MONTHS, strict=True, allow_inf_nan=False)]
"""Months from the start of the policy year to the valuation, 0 < age <= 1200."""
ExposureMeasure = Annotated[float, Field(gt=0, le=MAX_AMOUNT, strict=True, allow_inf_nan=False)]
"""The line's exposure measure earned in the year, > 0 (unit: :data:`EXPOSURE_MEASURES`)."""

#: The exposure measure of each line: (unit, how it is read off the current exposure).  A
#: history year's ``exposure`` is in this unit, earned over that year.
EXPOSURE_MEASURES: Final[dict[str, tuple[str, Callable[[object], float]]]] = {
    "tech_failure": (
        "replacement value of the systems (submission currency)",
        lambda e: float(e.total_replacement_value),  # type: ignore[attr-defined]
    ),
    "cyber": (
        "records held (PII + biometric)",
        lambda e: float(e.total_records),  # type: ignore[attr-defined]
    ),
    "operational_liability": (
        "personnel-hours per year",
        lambda e: float(e.personnel_hours),  # type: ignore[attr-defined]
    ),
    "political_risk": (
        "insured contract value (submission currency)",
        lambda e: float(sum(c.contract_value for c in e.contracts)),  # type: ignore[attr-defined]
    ),
}

_EXPOSURE_TYPES: Final[dict[str, type[FrozenModel]]] = {
    "tech_failure": TechFailureExposure,
    "cyber": CyberExposure,
    "operational_liability": OperationalLiabilityExposure,
    "political_risk": PoliticalRiskExposure,
}


def exposure_measure(line: str, exposure: FrozenModel) -> float:
    """The current value of ``line``'s exposure measure (unit: :data:`EXPOSURE_MEASURES`).

    Raises
    ------
    KeyError
        If ``line`` is not a line of :data:`EXPOSURE_MEASURES`.
    TypeError
        If ``exposure`` is not the line's exposure model.
    """
    _, measure = EXPOSURE_MEASURES[line]
    if not isinstance(exposure, _EXPOSURE_TYPES[line]):
        raise TypeError(
            f"exposure_measure: {line!r} needs a {_EXPOSURE_TYPES[line].__name__} "
            f"(got {type(exposure).__name__})"
        )
    return measure(exposure)


class LargeLoss(FrozenModel):
    """One large loss of a history year, listed individually.

    Attributes
    ----------
    claim_id : str or None
        The insurer's reference, optional.
    incurred : float
        Paid plus case reserve at the valuation, in the history's layer, > 0.
    paid : float
        Paid to date, ``0 <= paid <= incurred``.
    description : str or None
        What happened (free text).
    """

    cross_field_rules: ClassVar[tuple[str, ...]] = ("large_loss_paid_not_above_incurred",)

    claim_id: Identifier | None = None
    """The insurer's claim reference."""
    incurred: PositiveMoney
    """Paid plus case reserve at the valuation, in the history's layer."""
    paid: Money = 0.0
    """Paid to date, at most ``incurred``."""
    description: Notes | None = None
    """What happened."""

    @model_validator(mode="after")
    def _check_paid(self) -> Self:
        if self.paid > self.incurred:
            raise field_error(
                "large_loss_paid_not_above_incurred",
                f"paid {self.paid:g} must not exceed incurred {self.incurred:g}",
                at=("paid",),
                value=self.paid,
            )
        return self


class HistoryYear(FrozenModel):
    """One past policy year of a line's loss history.

    Attributes
    ----------
    year : int
        The calendar year in which the policy year incepted (1950-2200).
    exposure : float
        The line's exposure measure earned in the year, > 0, in the unit of
        :data:`EXPOSURE_MEASURES` (personnel-hours for operational liability, ...).
    claim_count : int
        Claims reported above the history's deductible, >= 0.
    incurred : float
        Paid plus case reserves at the valuation, in the history's layer, >= 0.
    paid : float
        Paid to date, ``0 <= paid <= incurred``.
    age_months : float
        Months from the start of the year to the valuation date, 0 < age <= 1200 (a year
        valued 3 months after it ended is 15).
    large_losses : tuple of LargeLoss
        The year's losses above the history's ``large_loss_threshold``, each listed (they are
        part of ``claim_count``, ``incurred`` and ``paid``).
    """

    cross_field_rules: ClassVar[tuple[str, ...]] = (
        "paid_not_above_incurred",
        "claims_when_incurred",
        "large_losses_within_claim_count",
        "large_losses_within_incurred",
        "large_losses_within_paid",
    )

    year: PolicyYear
    """Calendar year in which the policy year incepted."""
    exposure: ExposureMeasure
    """The line's exposure measure earned in the year."""
    claim_count: Count
    """Claims reported above the history's deductible."""
    incurred: Money
    """Paid plus case reserves at the valuation, in the history's layer."""
    paid: Money
    """Paid to date, at most ``incurred``."""
    age_months: AgeMonths
    """Months from the start of the year to the valuation."""
    large_losses: Annotated[tuple[LargeLoss, ...], Field(strict=False, max_length=10_000)] = ()
    """Losses above the history's large-loss threshold, one entry each."""

    @model_validator(mode="after")
    def _check_amounts(self) -> Self:
        if self.paid > self.incurred:
            raise field_error(
                "paid_not_above_incurred",
                f"paid {self.paid:g} must not exceed incurred {self.incurred:g}",
                at=("paid",),
                value=self.paid,
            )
        if self.incurred > 0.0 and self.claim_count == 0:
            raise field_error(
                "claims_when_incurred",
                f"claim_count is 0 but incurred is {self.incurred:g}: a year with losses has "
                "at least one claim",
                at=("claim_count",),
                value=self.claim_count,
            )
        if len(self.large_losses) > self.claim_count:
            raise field_error(
                "large_losses_within_claim_count",
                f"{len(self.large_losses)} large losses listed but claim_count is "
                f"{self.claim_count}: the large losses are part of the count",
                at=("large_losses",),
                value=len(self.large_losses),
            )
        large_incurred = math.fsum(loss.incurred for loss in self.large_losses)
        if large_incurred > self.incurred * (1.0 + 1e-12):
            raise field_error(
                "large_losses_within_incurred",
                f"the large losses' incurred sum to {large_incurred:g}, more than the year's "
                f"incurred {self.incurred:g} (they are part of it)",
                at=("incurred",),
                value=self.incurred,
            )
        large_paid = math.fsum(loss.paid for loss in self.large_losses)
        if large_paid > self.paid * (1.0 + 1e-12):
            raise field_error(
                "large_losses_within_paid",
                f"the large losses' paid sum to {large_paid:g}, more than the year's paid "
                f"{self.paid:g} (they are part of it)",
                at=("paid",),
                value=self.paid,
            )
        return self


class LossHistory(FrozenModel):
    """A line's loss history: past policy years under the history's own deductible and limit.

    Attributes
    ----------
    deductible : float
        Per-occurrence deductible (claim threshold) the history was recorded under, >= 0: only
        claims whose ground-up amount exceeded it are counted, and amounts are net of it.
    limit : float or None
        Per-occurrence limit in excess of ``deductible`` the amounts are capped at; ``None``
        (default) for uncapped amounts.
    large_loss_threshold : float
        Losses whose incurred amount is at or above it are listed in ``large_losses``, > 0.
    years : tuple of HistoryYear
        One entry per past policy year, 1 to 30, each year once, oldest first.
    source : str or None
        Where the history comes from (loss runs of which insurer, valued when).

    Notes
    -----
    Amounts are in ``Submission.currency`` at the cost level of their own year (the rater
    trends them).  Cross-field rules: years strictly increasing with ages strictly falling
    (an older year is more developed); every listed large loss at or above
    ``large_loss_threshold`` and, when ``limit`` is given, at most ``limit``.
    """

    cross_field_rules: ClassVar[tuple[str, ...]] = (
        "years_increasing",
        "older_years_more_developed",
        "large_loss_at_least_threshold",
        "large_loss_within_limit",
    )

    deductible: Money = 0.0
    """Per-occurrence deductible (claim threshold) the history was recorded under."""
    limit: PositiveMoney | None = None
    """Per-occurrence limit above the deductible the amounts are capped at (None: uncapped)."""
    large_loss_threshold: PositiveMoney
    """Incurred amount from which a loss is listed individually."""
    years: Annotated[
        tuple[HistoryYear, ...],
        Field(strict=False, min_length=1, max_length=MAX_HISTORY_YEARS),
        unique_items("year", key=lambda y: y.year, key_name="year"),
    ]
    """The past policy years, oldest first, each once."""
    source: Notes | None = None
    """Where the history comes from."""

    @model_validator(mode="after")
    def _check_years(self) -> Self:
        for index in range(1, len(self.years)):
            before, year = self.years[index - 1], self.years[index]
            if year.year <= before.year:
                raise field_error(
                    "years_increasing",
                    f"year {year.year} follows {before.year}: list the years oldest first",
                    at=("years", index, "year"),
                    value=year.year,
                )
            if year.age_months >= before.age_months:
                raise field_error(
                    "older_years_more_developed",
                    f"year {year.year} is {year.age_months:g} months old at valuation, not "
                    f"younger than year {before.year} ({before.age_months:g} months)",
                    at=("years", index, "age_months"),
                    value=year.age_months,
                )
        for index, year in enumerate(self.years):
            for number, loss in enumerate(year.large_losses):
                at = ("years", index, "large_losses", number, "incurred")
                if loss.incurred < self.large_loss_threshold:
                    raise field_error(
                        "large_loss_at_least_threshold",
                        f"large loss of {loss.incurred:g} is below large_loss_threshold "
                        f"{self.large_loss_threshold:g}",
                        at=at,
                        value=loss.incurred,
                    )
                if self.limit is not None and loss.incurred > self.limit:
                    raise field_error(
                        "large_loss_within_limit",
                        f"large loss of {loss.incurred:g} exceeds the history's limit "
                        f"{self.limit:g} (amounts are capped at the limit)",
                        at=at,
                        value=loss.incurred,
                    )
        return self

    @property
    def layer_top(self) -> float:
        """``deductible + limit`` (``inf`` without a limit): the ground-up exhaustion point."""
        return math.inf if self.limit is None else self.deductible + self.limit
