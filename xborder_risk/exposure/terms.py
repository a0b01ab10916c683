"""Policy terms of one line: the submission-side description of the engine's ``Layer``."""

from __future__ import annotations

import math
from typing import ClassVar, Self

from pydantic import model_validator

from xborder_risk.exposure._base import FrozenModel, field_error
from xborder_risk.exposure._types import Money, PositiveMoney, Share
from xborder_risk.exposure.bi_terms import BusinessInterruptionTerms

__all__ = ["PolicyTerms"]


class PolicyTerms(FrozenModel):
    """Deductibles, limits and share of one line, in ``Submission.currency``.

    Attributes
    ----------
    deductible : float
        Per-occurrence deductible, >= 0 (default 0).
    limit : float
        Per-occurrence limit in excess of the deductible, > 0 and finite (required).
    aggregate_deductible : float
        Annual aggregate deductible applied to the sum of occurrence payments, >= 0 (default 0).
    aggregate_limit : float or None
        Annual aggregate limit in excess of the aggregate deductible, >= ``limit``; ``None``
        (the default) means no aggregate limit.
    share : float
        The insurer's share of the layer, 0 < share <= 1 (default 1).

    Notes
    -----
    An occurrence of ground-up size :math:`X` pays :math:`Y = \\min(\\max(X - d, 0), l)` and a
    year pays :math:`s \\cdot \\min(\\max(\\sum Y - D, 0), L)` — the engine's ``Layer``
    (Klugman, Panjer & Willmot, *Loss Models*, 5th ed., §8.5).  The limit is required and finite
    because the severities of cyber and political risk are heavy tailed: an unlimited layer can
    have an infinite expected loss.

    Cross-field rules (each error names the field it blames):

    * ``deductible <= limit`` — a deductible above the limit is almost always a typo (an excess
      layer written as ``5M xs 5M`` is allowed, equality included);
    * ``aggregate_limit >= limit`` when given — an annual cap below one occurrence's cap makes
      the occurrence limit meaningless;
    * ``aggregate_deductible <= aggregate_limit`` when the aggregate limit is given.
    """

    cross_field_rules: ClassVar[tuple[str, ...]] = (
        "deductible_not_above_limit",
        "aggregate_limit_at_least_limit",
        "aggregate_deductible_not_above_aggregate_limit",
    )

    deductible: Money = 0.0
    """Per-occurrence deductible in the submission currency."""
    limit: PositiveMoney
    """Per-occurrence limit in excess of the deductible, in the submission currency."""
    aggregate_deductible: Money = 0.0
    """Annual aggregate deductible in the submission currency."""
    aggregate_limit: PositiveMoney | None = None
    """Annual aggregate limit in the submission currency; null = no aggregate limit."""
    share: Share = 1.0
    """Insurer's share of the layer, in (0, 1]."""
    business_interruption: BusinessInterruptionTerms | None = None
    """Waiting and indemnity periods of the time-element cover (technology failure, cyber
    business interruption); null = none (see exposure/bi_terms.py)."""

    @model_validator(mode="after")
    def _check_cross_field(self) -> Self:
        if self.deductible > self.limit:
            raise field_error(
                "deductible_not_above_limit",
                f"deductible {self.deductible:g} must not exceed limit {self.limit:g}",
                at=("deductible",),
                value=self.deductible,
            )
        if self.aggregate_limit is not None:
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
        return self

    def layer_kwargs(self) -> dict[str, float]:
        """Keyword arguments for ``xborder_risk.engine.Layer`` (no aggregate limit -> ``inf``).

        Returns
        -------
        dict
            ``deductible``, ``limit``, ``aggregate_deductible``, ``aggregate_limit``, ``share``
            as floats in the submission currency.
        """
        return {
            "deductible": self.deductible,
            "limit": self.limit,
            "aggregate_deductible": self.aggregate_deductible,
            "aggregate_limit": math.inf if self.aggregate_limit is None else self.aggregate_limit,
            "share": self.share,
        }
