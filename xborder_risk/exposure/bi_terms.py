"""Business-interruption terms of a line: waiting period and indemnity period.

Technology-failure outages and the business-interruption part of a cyber incident are paid
for the hours of interruption after the waiting period and up to the end of the indemnity
period, both counted from the start of the interruption.  A money deductible of the line's
:class:`~xborder_risk.exposure.terms.PolicyTerms` still applies on top, to each occurrence.
"""

from __future__ import annotations

import math
from typing import Annotated, ClassVar, Self

from pydantic import Field, model_validator

from xborder_risk.exposure._base import FrozenModel, field_error
from xborder_risk.exposure._types import Hours

__all__ = ["BusinessInterruptionTerms"]

#: Longest indemnity period accepted, in days (ten years).
MAX_INDEMNITY_DAYS = 3650.0

IndemnityDays = Annotated[
    float, Field(gt=0, le=MAX_INDEMNITY_DAYS, strict=True, allow_inf_nan=False)
]


class BusinessInterruptionTerms(FrozenModel):
    """Waiting period and indemnity period of the time-element cover.

    Attributes
    ----------
    waiting_period_hours : float
        Hours of each interruption not paid, >= 0 (default 0).
    indemnity_period_days : float or None
        Days from the start of the interruption after which nothing more is paid, > 0;
        ``None`` (the default) means no indemnity period (only the money limit applies).

    Notes
    -----
    An interruption of ``D`` hours pays for :math:`\\min(\\max(D - w, 0), 24 I - w)` hours
    (``w`` the waiting period, ``I`` the indemnity period in days).  Cross-field rule
    ``waiting_period_within_indemnity_period``: ``waiting_period_hours < 24 x
    indemnity_period_days`` (a waiting period as long as the indemnity period pays nothing).
    """

    cross_field_rules: ClassVar[tuple[str, ...]] = ("waiting_period_within_indemnity_period",)

    waiting_period_hours: Hours = 0.0
    """Hours of each interruption not paid (counted from its start)."""
    indemnity_period_days: IndemnityDays | None = None
    """Days from the start of the interruption after which nothing is paid; null = none."""

    @model_validator(mode="after")
    def _check_cross_field(self) -> Self:
        if (
            self.indemnity_period_days is not None
            and self.waiting_period_hours >= 24.0 * self.indemnity_period_days
        ):
            raise field_error(
                "waiting_period_within_indemnity_period",
                f"waiting_period_hours {self.waiting_period_hours:g} must be shorter than the "
                f"indemnity period ({self.indemnity_period_days:g} days = "
                f"{24.0 * self.indemnity_period_days:g} hours)",
                at=("waiting_period_hours",),
                value=self.waiting_period_hours,
            )
        return self

    @property
    def indemnity_hours(self) -> float:
        """The indemnity period in hours (``inf`` without one)."""
        return math.inf if self.indemnity_period_days is None else 24.0 * self.indemnity_period_days

    @property
    def paid_span_hours(self) -> float:
        """Longest paid duration after the waiting period, in hours (``inf`` without limit)."""
        return self.indemnity_hours - self.waiting_period_hours
