"""Policy layer terms applied to simulated losses."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from xborder_risk._validation import as_float_array, check_real

if TYPE_CHECKING:
    from xborder_risk.distributions import Severity

__all__ = ["Layer"]


def _amounts(owner: str, name: str, value: object) -> NDArray[np.float64]:
    """A new float64 array of amounts, any shape (inf allowed: the terms cap it, NaN not)."""
    return as_float_array(owner, name, value, ndim=None, non_empty=False, finite=False, copy=True)


@dataclass(frozen=True, slots=True)
class Layer:
    """Occurrence and aggregate terms of one line of cover.

    Parameters
    ----------
    deductible : float, default 0
        Per-occurrence deductible (retention), currency units, ``>= 0`` and finite.
    limit : float, default inf
        Per-occurrence limit in excess of the deductible, currency units, ``> 0``.
    aggregate_deductible : float, default 0
        Annual aggregate deductible applied to the sum of occurrence payments, ``>= 0``.
    aggregate_limit : float, default inf
        Annual aggregate limit, currency units, ``> 0``.
    share : float, default 1
        The insurer's share of the layer, in ``(0, 1]``.

    Notes
    -----
    Each occurrence of ground-up size :math:`X` pays

    .. math:: Y = \\min(\\max(X - d, 0), l),

    and a year with occurrences :math:`Y_1, \\dots, Y_N` pays

    .. math:: A = s \\cdot \\min(\\max(\\textstyle\\sum_i Y_i - D, 0), L),

    with :math:`d, l, D, L, s` the deductible, limit, aggregate deductible, aggregate limit
    and share (Klugman, Panjer & Willmot, *Loss Models*, 5th ed., §8.5 and §9.7).
    """

    deductible: float = 0.0
    limit: float = math.inf
    aggregate_deductible: float = 0.0
    aggregate_limit: float = math.inf
    share: float = 1.0

    def __post_init__(self) -> None:
        checked = {
            "deductible": check_real("Layer", "deductible", self.deductible, lower=0.0),
            "limit": check_real(
                "Layer", "limit", self.limit, lower=0.0, lower_inclusive=False, allow_inf=True
            ),
            "aggregate_deductible": check_real(
                "Layer", "aggregate_deductible", self.aggregate_deductible, lower=0.0
            ),
            "aggregate_limit": check_real(
                "Layer",
                "aggregate_limit",
                self.aggregate_limit,
                lower=0.0,
                lower_inclusive=False,
                allow_inf=True,
            ),
            "share": check_real(
                "Layer", "share", self.share, lower=0.0, upper=1.0, lower_inclusive=False
            ),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    @property
    def max_annual_loss(self) -> float:
        """Largest amount the layer can pay in one year: ``share * aggregate_limit``."""
        return self.share * self.aggregate_limit

    def occurrence(self, ground_up: NDArray[np.float64]) -> NDArray[np.float64]:
        """Per-occurrence payment ``min(max(x - deductible, 0), limit)`` (new array)."""
        return self._occurrence_in_place(_amounts("Layer.occurrence", "ground_up", ground_up))

    def _occurrence_in_place(self, losses: NDArray[np.float64]) -> NDArray[np.float64]:
        # The engine overwrites its scratch buffer of ground-up severities.
        if self.deductible:
            np.subtract(losses, self.deductible, out=losses)
        np.maximum(losses, 0.0, out=losses)
        if not math.isinf(self.limit):
            np.minimum(losses, self.limit, out=losses)
        return losses

    def aggregate(self, annual_sum: NDArray[np.float64]) -> NDArray[np.float64]:
        """Annual payment ``share * min(max(s - aggregate_deductible, 0), aggregate_limit)``."""
        return self._aggregate_in_place(_amounts("Layer.aggregate", "annual_sum", annual_sum))

    def _aggregate_in_place(
        self, sums: NDArray[np.float64], *, share: bool = True
    ) -> NDArray[np.float64]:
        # Subtracting a zero deductible is skipped: x - 0.0 == x for every float, so the
        # skip saves a pass without changing a bit.
        if self.aggregate_deductible:
            np.subtract(sums, self.aggregate_deductible, out=sums)
        np.maximum(sums, 0.0, out=sums)
        if not math.isinf(self.aggregate_limit):
            np.minimum(sums, self.aggregate_limit, out=sums)
        return self._share_in_place(sums) if share else sums

    def _share_in_place(self, amounts: NDArray[np.float64]) -> NDArray[np.float64]:
        # The insurer's share of amounts already through the other terms (e.g. each year's
        # largest occurrence payment).
        if self.share != 1.0:
            np.multiply(amounts, self.share, out=amounts)
        return amounts

    @property
    def has_aggregate_terms(self) -> bool:
        """True when the layer has an aggregate deductible or a finite aggregate limit."""
        return self.aggregate_deductible > 0.0 or not math.isinf(self.aggregate_limit)

    def aggregate_terms(self, cumulative: NDArray[np.float64]) -> NDArray[np.float64]:
        """:math:`\\min(\\max(c - D, 0), L)` of running annual sums ``c``, before the share.

        Parameters
        ----------
        cumulative : ndarray of float64
            Running (or whole-year) sums of occurrence payments, currency units.

        Returns
        -------
        ndarray of float64
            A new array of the same shape, currency units.
        """
        return self._aggregate_in_place(np.array(cumulative, dtype=np.float64), share=False)

    def aggregate_increment(
        self, before: NDArray[np.float64], paid: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """What adding ``paid`` to a year's running sum ``before`` adds to the layer's payment.

        :math:`A(b + p) - A(b)` with :math:`A(c) = \\min(\\max(c - D, 0), L)`, before the
        share (exactly ``paid`` when the layer has no aggregate terms). New array, currency
        units; ``before`` and ``paid`` have one shape.
        """
        if not self.has_aggregate_terms:
            return np.array(paid, dtype=np.float64)
        return self.aggregate_terms(before + paid) - self.aggregate_terms(before)

    def attribute_aggregate(
        self, counts: NDArray[np.int64], payments: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Each occurrence's share of its year's layer loss, the aggregate terms eroded in order.

        Parameters
        ----------
        counts : ndarray of int64, shape (n,)
            Claims per year; ``payments`` holds them year by year.
        payments : ndarray of float64, shape (sum(counts),)
            Payments after the occurrence terms, before the share, currency units.

        Returns
        -------
        ndarray of float64, shape (sum(counts),)
            :math:`s\\,[A(c_i) - A(c_i - y_i)]` (new array, currency units) with :math:`c_i`
            the running sum of the year's payments up to and including occurrence :math:`i`
            and :math:`A(c) = \\min(\\max(c - D, 0), L)`: the first occurrences of a year
            erode the aggregate deductible, the last ones are cut by the aggregate limit.

        Notes
        -----
        The attributions of a year telescope to :math:`s\\,A(\\sum_i y_i)`, the engine's
        annual loss, up to float rounding of the running sums (absolute error of order
        :math:`\\epsilon` times the block's total).  Without aggregate terms each occurrence
        pays exactly :math:`s\\,y_i`.
        """
        if not self.has_aggregate_terms:
            return payments * self.share if self.share != 1.0 else payments.copy()
        running = np.cumsum(payments)
        with_claims = counts > 0
        first_of_year = (np.cumsum(counts) - counts)[with_claims]
        before_year = np.repeat((running - payments)[first_of_year], counts[with_claims])
        after = running - before_year
        attributed = self.aggregate_terms(after)
        attributed -= self.aggregate_terms(after - payments)
        if self.share != 1.0:
            attributed *= self.share
        return attributed

    @property
    def is_ground_up(self) -> bool:
        """True when the layer passes every loss through unchanged."""
        return (
            self.deductible == 0.0
            and math.isinf(self.limit)
            and self.aggregate_deductible == 0.0
            and math.isinf(self.aggregate_limit)
            and self.share == 1.0
        )

    def occurrence_moments(self, severity: Severity) -> tuple[float, float]:
        """First and second moments of one occurrence's payment under these terms.

        Parameters
        ----------
        severity : Severity
            Ground-up size :math:`X` of one occurrence, currency units.

        Returns
        -------
        (mean, second_moment) : tuple of float
            :math:`E[Y]` (currency units) and :math:`E[Y^2]` (currency units squared) of
            :math:`Y = \\min(\\max(X - d, 0), l)`; share and aggregate terms not applied.

        Raises
        ------
        MomentDoesNotExistError
            When the limit is infinite and the severity's moment does not exist.

        Notes
        -----
        With :math:`u = d + l` and the limited moments :math:`E[(X \\wedge x)^k]`,

        .. math::
            E[Y] &= E[X \\wedge u] - E[X \\wedge d], \\\\
            E[Y^2] &= E[(X \\wedge u)^2] - E[(X \\wedge d)^2] - 2d\\,E[Y],

        because :math:`Y = X \\wedge u - X \\wedge d` and
        :math:`(X \\wedge u)(X \\wedge d) = (X \\wedge d)^2 + d\\,Y`
        (Klugman, Panjer & Willmot, *Loss Models*, §8.5).
        """
        d = self.deductible
        u = d + self.limit
        mean = self.occurrence_mean(severity)
        return mean, _limited(severity, u, 2) - _limited(severity, d, 2) - 2.0 * d * mean

    def occurrence_mean(self, severity: Severity) -> float:
        """:math:`E[Y] = E[X \\wedge (d + l)] - E[X \\wedge d]`, currency units."""
        d = self.deductible
        return _limited(severity, d + self.limit, 1) - _limited(severity, d, 1)


def _limited(severity: Severity, x: float, k: int) -> float:
    # E[min(X, 0)^k] = 0 for a non-negative loss; no need to ask the severity.
    return 0.0 if x == 0.0 else float(severity.limited_moment(x, k))
