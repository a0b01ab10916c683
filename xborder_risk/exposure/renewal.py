"""A renewal: what the expiring policy cost and how it differed from this submission.

The quote of a renewal reports, per line and in total, the *rate change* (premium per year
against the expiring premium per year) and the *risk-adjusted rate change*: the change in
premium per unit of expected loss, the expected loss of the expiring policy being computed
by the same model, tables and random numbers as this quote on the expiring exposure and terms
(this submission with :attr:`Renewal.expiring_changes` applied).  So a higher deductible or a
smaller exposure, which lowers the expected loss, is not mistaken for a price cut:

``risk_adjusted_rate_change = (P / EL) / (P0 / EL0) - 1``

with ``P``, ``EL`` this quote's gross premium and expected loss per year and ``P0``, ``EL0``
the expiring ones.  This is the library's definition of price adequacy (judgement: no claims
inflation or trend term is applied between the two periods).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from xborder_risk.exposure._base import FrozenModel, field_error
from xborder_risk.exposure._types import Line, PositiveMoney

__all__ = ["Renewal"]


class Renewal(FrozenModel):
    """The expiring policy of a renewal (the optional ``Submission.renewal``).

    Attributes
    ----------
    expiring_premium : mapping of line to float
        Gross premium the expiring policy charged per line, in the submission's currency,
        for the expiring policy period (per year is derived from that period).
    expiring_changes : mapping of str to value
        The fields in which the expiring policy differed from this submission, by path as
        :meth:`Submission.with_changes` takes them (``{"terms.cyber.deductible": 500000,
        "inception_date": "2025-04-01", "expiry_date": "2026-04-01"}``); empty when the
        exposure and terms did not change.
    expiring_quote_id : int or None
        The expiring quote in the quote register instead: ``xborder-risk quote
        --register`` fills in its premium and its submission's differences.
    """

    expiring_premium: Annotated[Mapping[Line, PositiveMoney], Field(strict=False)] = Field(
        default_factory=dict
    )
    """Gross premium of the expiring policy per line (submission currency, its period)."""
    expiring_changes: Annotated[Mapping[str, Any], Field(strict=False)] = Field(
        default_factory=dict
    )
    """Fields of the expiring policy that differ from this submission, by path."""
    expiring_quote_id: Annotated[int, Field(ge=1)] | None = None
    """The expiring quote's id in the quote register, instead of the premium."""

    @model_validator(mode="after")
    def _premium_or_quote(self) -> Self:
        if not self.expiring_premium and self.expiring_quote_id is None:
            raise field_error(
                "expiring_premium_or_quote",
                "a renewal needs the expiring premium or the expiring quote's id",
                at=("expiring_premium",),
            )
        return self

    def __hash__(self) -> int:
        return hash((tuple(self.expiring_premium.items()), self.expiring_quote_id))
