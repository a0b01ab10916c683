"""Reinsurance treaties applied to simulated losses: quota share, excess of loss, stop loss.

Numpy arrays in (annual losses, or an :class:`~xborder_risk.reinsurance.OccurrenceTable` for a
per-occurrence cover), a :class:`TreatyResult` of gross, ceded and net losses per simulated year
out, with pandas tables and the figures needed to price the treaty.  Formulas and references
are in ``docs/reinsurance.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from xborder_risk import measures
from xborder_risk._deprecation import warn_deprecated
from xborder_risk._validation import (
    as_float_array,
    check_choice,
    check_int,
    check_real,
)
from xborder_risk.errors import ParameterError
from xborder_risk.reinsurance.occurrences import OccurrenceTable

__all__ = ["ExcessOfLoss", "QuotaShare", "StopLoss", "Treaty", "TreatyResult"]

#: Rows of :meth:`TreatyResult.summary`, in order.
SUMMARY_ROWS = ("gross", "ceded", "net", "reinstatement_premium", "net_and_reinstatement_premium")


def _annual_losses(owner: str, name: str, value: object) -> NDArray[np.float64]:
    """``value`` as a finite, non-negative, one-dimensional float64 array of annual losses."""
    if isinstance(value, OccurrenceTable):
        return value.annual()
    # A copy: the result makes its arrays read-only, which must not freeze the caller's.
    return as_float_array(owner, name, value, non_negative=True, copy=True)


@dataclass(frozen=True, eq=False)
class TreatyResult:
    """Gross, ceded and net annual losses of one treaty over the simulated years.

    Attributes
    ----------
    treaty : QuotaShare, ExcessOfLoss or StopLoss
        The treaty applied.
    gross : ndarray, shape (n_years,)
        The cedant's losses before the treaty, currency units per year.
    ceded : ndarray, shape (n_years,)
        Losses the reinsurer pays.
    net : ndarray, shape (n_years,)
        ``gross - ceded``, the cedant's retained losses.
    reinstatement_premium : ndarray, shape (n_years,)
        Reinstatement premium the cedant pays in each year (zero except for an excess of loss
        with paid reinstatements).
    upfront_premium : float
        The excess of loss premium the reinstatement premiums are pro rata to (given, or the
        pure premium solved from the simulation); 0 for a quota share or stop loss.

    Notes
    -----
    Arrays are read-only.  The cedant's net cost in a year is ``net + reinstatement_premium``
    (plus the fixed upfront premium).
    """

    treaty: Treaty
    gross: NDArray[np.float64]
    ceded: NDArray[np.float64]
    reinstatement_premium: NDArray[np.float64]
    upfront_premium: float = 0.0
    net: NDArray[np.float64] = field(init=False)

    def __post_init__(self) -> None:
        # ceded <= gross holds in floating point too for every treaty here (c * S <= S for
        # c <= 1; a sum of smaller non-negative terms in the same order is no larger), so
        # the retained loss is never negative.
        net = self.gross - self.ceded
        object.__setattr__(self, "net", net)
        for array in (self.gross, self.ceded, self.net, self.reinstatement_premium):
            array.flags.writeable = False

    @property
    def n_years(self) -> int:
        """Number of simulated years."""
        return int(self.gross.size)

    @property
    def expected_ceded_loss(self) -> float:
        """Mean ceded loss per year, currency units: the treaty's pure loss cost."""
        return float(self.ceded.mean())

    @property
    def expected_reinstatement_premium(self) -> float:
        """Mean reinstatement premium per year, currency units."""
        return float(self.reinstatement_premium.mean())

    def _column(self, name: str) -> NDArray[np.float64]:
        quantity = check_choice("TreatyResult", "quantity", name, SUMMARY_ROWS)
        if quantity == "net_and_reinstatement_premium":
            return self.net + self.reinstatement_premium
        return np.asarray(getattr(self, name))

    def to_frame(self) -> pd.DataFrame:
        """The year-loss table: one row per simulated year, columns ``gross``, ``ceded``,
        ``net``, ``reinstatement_premium``."""
        frame = pd.DataFrame(
            {
                "gross": np.asarray(self.gross),
                "ceded": np.asarray(self.ceded),
                "net": np.asarray(self.net),
                "reinstatement_premium": np.asarray(self.reinstatement_premium),
            }
        )
        frame.index.name = "year"
        return frame

    def value_at_risk(self, level: float, quantity: str = "net") -> float:
        """Value at risk of ``quantity`` (a row of :meth:`summary`) at a confidence level in
        (0, 1); see :func:`measures.value_at_risk`."""
        return measures.value_at_risk(self._column(quantity), level)

    def tvar(self, level: float, quantity: str = "net") -> float:
        """TVaR of ``quantity`` (a row of :meth:`summary`) at a confidence level in (0, 1);
        see :func:`measures.tvar`."""
        return measures.tvar(self._column(quantity), level)

    def var(self, level: float | None = None, quantity: str = "net") -> float:
        """Variance of ``quantity`` (``ddof=1``), currency units squared.

        ``var(level, quantity)`` with a confidence level is the deprecated spelling of
        :meth:`value_at_risk` (warns; kept for one release).
        """
        if level is not None:
            warn_deprecated("TreatyResult.var(p) for the value at risk", "value_at_risk(level)")
            return self.value_at_risk(level, quantity)
        return measures.var(self._column(quantity))

    def summary(self, levels: Sequence[float] | float = (0.99, 0.995)) -> pd.DataFrame:
        """Mean, standard deviation, VaR and TVaR of gross, ceded and net, with MC errors.

        Parameters
        ----------
        levels : sequence of float
            Confidence levels in (0, 1).

        Returns
        -------
        pandas.DataFrame
            Index ``SUMMARY_ROWS``: ``gross``, ``ceded``, ``net``, ``reinstatement_premium``
            and ``net_and_reinstatement_premium`` (the cedant's retained cost).  Columns
            ``mean``, ``mean_se``, ``std`` and per level (0.995 -> ``99_5``) ``var_99_5`` (value
            at risk), ``var_99_5_se``, ``tvar_99_5``, ``tvar_99_5_se``; currency units per
            year (:func:`xborder_risk.measures.summary`).  The ``ceded`` mean is the expected
            ceded loss, the ``reinstatement_premium`` mean the expected reinstatement premium.
            ``attrs`` carries ``n_years`` and ``upfront_premium``.
        """
        frame = measures.summary(
            {name: self._column(name) for name in SUMMARY_ROWS}, levels, index_name="quantity"
        )
        frame.attrs["n_years"] = self.n_years
        frame.attrs["upfront_premium"] = self.upfront_premium
        return frame

    def pricing(self) -> pd.Series:
        """The figures that price the treaty, per year in currency units.

        Returns
        -------
        pandas.Series
            ``expected_ceded_loss`` (with ``expected_ceded_loss_se``),
            ``expected_reinstatement_premium``, ``upfront_premium``,
            ``attachment_probability`` (share of years with a ceded loss) and
            ``exhaustion_probability`` (share of years in which the treaty's annual capacity is
            used up; 0 for an unlimited cover).
        """
        capacity = self.treaty.annual_capacity
        exhausted = 0.0 if math.isinf(capacity) else float(np.mean(self.ceded >= capacity))
        return pd.Series(
            {
                "expected_ceded_loss": self.expected_ceded_loss,
                "expected_ceded_loss_se": measures.mean_standard_error(self.ceded),
                "expected_reinstatement_premium": self.expected_reinstatement_premium,
                "upfront_premium": self.upfront_premium,
                "attachment_probability": float(np.mean(self.ceded > 0.0)),
                "exhaustion_probability": exhausted,
            },
            name=type(self.treaty).__name__,
        )


@dataclass(frozen=True, slots=True)
class QuotaShare:
    """Quota share: the reinsurer takes a fixed share of every loss.

    Parameters
    ----------
    cession : float
        Share ceded, in (0, 1].

    Notes
    -----
    Ceded :math:`= c\\,S` and net :math:`= (1 - c)\\,S` for annual gross loss :math:`S`
    (Albrecher, Beirlant & Teugels, *Reinsurance: Actuarial and Statistical Aspects*, Wiley
    2017, §2.2).
    """

    cession: float

    def __post_init__(self) -> None:
        cession = check_real(
            "QuotaShare", "cession", self.cession, lower=0.0, upper=1.0, lower_inclusive=False
        )
        object.__setattr__(self, "cession", cession)

    @property
    def annual_capacity(self) -> float:
        """Largest annual ceded loss: unlimited."""
        return math.inf

    def apply(self, gross: ArrayLike | OccurrenceTable) -> TreatyResult:
        """Cede ``cession`` of each year's loss.

        Parameters
        ----------
        gross : array_like, shape (n_years,), or OccurrenceTable
            Annual gross losses, currency units (an occurrence table is summed per year).
        """
        annual = _annual_losses("QuotaShare.apply", "gross", gross)
        return TreatyResult(self, annual, annual * self.cession, np.zeros_like(annual))


@dataclass(frozen=True, slots=True)
class StopLoss:
    """Aggregate stop loss: the reinsurer pays the annual loss above an attachment.

    Parameters
    ----------
    attachment : float
        Annual aggregate attachment (retention), currency units, ``>= 0`` and finite.
    limit : float, default inf
        Largest annual payment above the attachment, ``> 0``.

    Notes
    -----
    Ceded :math:`= \\min(\\max(S - a, 0), m)` for annual gross loss :math:`S` (Albrecher et
    al. 2017, §2.4; *Loss Models*, 5th ed., §9.4 for the stop-loss premium
    :math:`E[(S-a)_+]`).
    """

    attachment: float
    limit: float = math.inf

    def __post_init__(self) -> None:
        attachment = check_real("StopLoss", "attachment", self.attachment, lower=0.0)
        limit = check_real(
            "StopLoss", "limit", self.limit, lower=0.0, lower_inclusive=False, allow_inf=True
        )
        object.__setattr__(self, "attachment", attachment)
        object.__setattr__(self, "limit", limit)

    @property
    def annual_capacity(self) -> float:
        """Largest annual ceded loss: the limit."""
        return self.limit

    def apply(self, gross: ArrayLike | OccurrenceTable) -> TreatyResult:
        """Cede each year's loss above ``attachment``, up to ``limit``.

        Parameters
        ----------
        gross : array_like, shape (n_years,), or OccurrenceTable
            Annual gross losses, currency units (an occurrence table is summed per year).
        """
        annual = _annual_losses("StopLoss.apply", "gross", gross)
        ceded = np.subtract(annual, self.attachment)
        np.maximum(ceded, 0.0, out=ceded)
        np.minimum(ceded, self.limit, out=ceded)
        return TreatyResult(self, annual, ceded, np.zeros_like(annual))


@dataclass(frozen=True, slots=True)
class ExcessOfLoss:
    """Per-occurrence excess of loss with reinstatements.

    Parameters
    ----------
    retention : float
        Per-occurrence retention (the layer's attachment point), currency units, ``>= 0``.
    limit : float
        Per-occurrence limit :math:`l` above the retention, ``> 0`` and finite.
    reinstatements : int or None, default None
        Number :math:`K` of reinstatements of the limit; ``None`` for unlimited.  The annual
        aggregate limit is :math:`(K + 1)\\,l`.
    reinstatement_premium_rates : sequence of float, default ()
        Premium rates :math:`c_1, \\dots, c_K` of the reinstatements, as fractions of the
        upfront premium (1.0 = 100 %), each ``>= 0``: empty for free reinstatements, one rate
        for all reinstatements, or exactly :math:`K` rates.
    annual_aggregate_deductible : float, default 0
        Annual aggregate deductible :math:`D` the cedant retains of the layer's losses before
        the reinsurer pays, ``>= 0``.
    pro_rata_time : bool, default False
        Reinstatement premium pro rata to the amount reinstated AND to the time left in the
        year when the loss that uses the limit happens ("pro rata as to amount and time");
        False is pro rata to amount only ("100 % as to time").
    time_seed : int, default 0
        With ``pro_rata_time``: seed of the occurrence times within the year, drawn uniform
        on (0, 1) (a Poisson process given its count) through a SeedSequence, unless
        :meth:`apply` is given them.

    Notes
    -----
    Each occurrence :math:`X_i` of a year loads the layer with
    :math:`Y_i = \\min(\\max(X_i - r, 0), l)`; the reinsurer pays

    .. math:: L = \\min\\big(\\max(\\textstyle\\sum_i Y_i - D, 0),\\ (K+1)\\,l\\big)

    and the cedant pays, pro rata to the amount reinstated (not to time), the reinstatement
    premium

    .. math:: R = \\frac{P}{l} \\sum_{j=1}^{K} c_j \\min\\big(\\max(L - (j-1)\\,l, 0),\\ l\\big)

    for upfront premium :math:`P`: the :math:`j`-th reinstatement restores the :math:`j`-th
    band :math:`((j-1)l, jl]` of the reinsurer's annual payments (Sundt 1991, "On excess of loss
    reinsurance with reinstatements", *Bull. Swiss Assoc. Actuaries* 1991(1), 51-65; Mata 2000,
    "Pricing excess of loss reinsurance with reinstatements", *ASTIN Bulletin* 30(2), 349-368).
    With unlimited reinstatements the sum runs over every band.  The pure premium solves
    :math:`P + E[R] = E[L]`:

    .. math:: P = \\frac{E[L]}{1 + \\frac{1}{l}\\sum_{j=1}^{K} c_j
              E\\big[\\min(\\max(L - (j-1)l, 0), l)\\big]}

    (Sundt 1991; Mata 2000, §4).

    Pro rata to time, each occurrence at time :math:`t \\in (0, 1)` of the year that moves the
    reinsurer's cumulative payment from :math:`a` to :math:`b` adds

    .. math:: \\frac{P}{l} (1 - t) \\sum_{j=1}^{K} c_j\\,
              \\big|(a, b] \\cap ((j-1)l, jl]\\big|

    with the occurrences of a year taken in time order: the "pro rata as to amount and time"
    reinstatement clause of market wordings, written out here (the formula is this library's
    reading of the clause, not taken from a published source).
    """

    retention: float
    limit: float
    reinstatements: int | None = None
    reinstatement_premium_rates: tuple[float, ...] = ()
    annual_aggregate_deductible: float = 0.0
    pro_rata_time: bool = False
    time_seed: int = 0

    def __post_init__(self) -> None:
        owner = "ExcessOfLoss"
        retention = check_real(owner, "retention", self.retention, lower=0.0)
        limit = check_real(owner, "limit", self.limit, lower=0.0, lower_inclusive=False)
        reinstatements = (
            None
            if self.reinstatements is None
            else check_int(owner, "reinstatements", self.reinstatements, lower=0)
        )
        raw_rates = self.reinstatement_premium_rates
        rates = tuple(
            as_float_array(
                owner, "reinstatement_premium_rates", raw_rates, non_empty=False, non_negative=True
            ).tolist()
        )
        allowed = "0 (free) or 1 (one rate for all)"
        if reinstatements is not None and reinstatements > 1:
            allowed += f" or {reinstatements} (one rate per reinstatement)"
        if len(rates) > 1 and (reinstatements is None or len(rates) != reinstatements):
            raise ParameterError(
                owner, "reinstatement_premium_rates", raw_rates, f"must hold {allowed} rates"
            )
        if reinstatements == 0 and rates:
            raise ParameterError(
                owner,
                "reinstatement_premium_rates",
                raw_rates,
                "must be empty when there are no reinstatements",
            )
        aggregate_deductible = check_real(
            owner, "annual_aggregate_deductible", self.annual_aggregate_deductible, lower=0.0
        )
        object.__setattr__(self, "retention", retention)
        object.__setattr__(self, "limit", limit)
        object.__setattr__(self, "reinstatements", reinstatements)
        object.__setattr__(self, "reinstatement_premium_rates", rates)
        object.__setattr__(self, "annual_aggregate_deductible", aggregate_deductible)
        if not isinstance(self.pro_rata_time, bool):
            raise ParameterError(
                owner, "pro_rata_time", self.pro_rata_time, "must be True or False"
            )
        object.__setattr__(self, "time_seed", check_int(owner, "time_seed", self.time_seed))

    @property
    def annual_capacity(self) -> float:
        """Annual aggregate limit :math:`(K + 1)\\,l` (inf with unlimited reinstatements)."""
        if self.reinstatements is None:
            return math.inf
        return (self.reinstatements + 1) * self.limit

    @property
    def paid_reinstatements(self) -> bool:
        """True when some reinstatement carries a premium."""
        return any(rate > 0.0 for rate in self.reinstatement_premium_rates)

    def layer_occurrences(self, occurrences: OccurrenceTable) -> NDArray[np.float64]:
        """Each occurrence's loss to the layer, :math:`\\min(\\max(X - r, 0), l)`."""
        if not isinstance(occurrences, OccurrenceTable):
            raise ParameterError(
                "ExcessOfLoss",
                "occurrences",
                type(occurrences).__name__,
                "must be an OccurrenceTable (see occurrences_from_models)",
            )
        layered = np.subtract(occurrences.loss, self.retention)
        np.maximum(layered, 0.0, out=layered)
        np.minimum(layered, self.limit, out=layered)
        return layered

    def ceded_annual(self, occurrences: OccurrenceTable) -> NDArray[np.float64]:
        """The reinsurer's annual payment :math:`L`, shape ``(n_years,)``."""
        layered = self.layer_occurrences(occurrences)
        annual = np.bincount(
            occurrences.year_index, weights=layered, minlength=occurrences.n_years
        ).astype(np.float64, copy=False)
        if self.annual_aggregate_deductible:
            annual -= self.annual_aggregate_deductible
        np.maximum(annual, 0.0, out=annual)
        np.minimum(annual, self.annual_capacity, out=annual)
        return annual

    def reinstatement_units(self, ceded: NDArray[np.float64]) -> NDArray[np.float64]:
        """:math:`\\sum_j c_j \\min(\\max(L - (j-1)l, 0), l) / l` per year: the reinstatement
        premium in units of the upfront premium."""
        rates = self.reinstatement_premium_rates
        units = np.zeros_like(ceded)
        if not rates:
            return units
        if len(rates) == 1:
            # One rate for every reinstatement: the reinstated amount is min(L, K l).
            reinstated = (
                ceded
                if self.reinstatements is None
                else np.minimum(ceded, self.reinstatements * self.limit)
            )
            return reinstated * (rates[0] / self.limit)
        for band, rate in enumerate(rates):
            band_amount = np.subtract(ceded, band * self.limit)
            np.clip(band_amount, 0.0, self.limit, out=band_amount)
            units += rate * band_amount
        units /= self.limit
        return units

    def reinstatement_band_units(
        self, before: NDArray[np.float64], after: NDArray[np.float64]
    ) -> NDArray:
        """sum_j c_j |(before, after] ∩ band j| / l: reinstatement units of each movement."""
        rates = self.reinstatement_premium_rates
        if len(rates) == 1:
            top = math.inf if self.reinstatements is None else self.reinstatements * self.limit
            return (np.minimum(after, top) - np.minimum(before, top)) * (rates[0] / self.limit)
        units = np.zeros_like(after)
        for band, rate in enumerate(rates):
            low, high = band * self.limit, (band + 1) * self.limit
            overlap = np.clip(after, low, high) - np.clip(before, low, high)
            units += rate * overlap
        return units / self.limit

    def reinstatement_units_in_time(
        self, occurrences: OccurrenceTable, times: ArrayLike | None = None
    ) -> NDArray[np.float64]:
        """Per year, the reinstatement premium pro rata to amount and time, in units of the
        upfront premium (see the class Notes); ``times`` in (0, 1), one per occurrence."""
        owner = "ExcessOfLoss.apply"
        layered = self.layer_occurrences(occurrences)
        n = layered.size
        if times is None:
            rng = np.random.default_rng(np.random.SeedSequence(self.time_seed))
            t = rng.random(n)
        else:
            t = as_float_array(owner, "times", times, non_empty=False)
            if t.shape != layered.shape or np.any((t < 0.0) | (t > 1.0)):
                raise ParameterError(
                    owner, "times", f"shape {t.shape}", f"must be {layered.shape} values in [0, 1]"
                )
        if not self.reinstatement_premium_rates or n == 0:
            return np.zeros(occurrences.n_years)
        years = occurrences.year_index
        order = np.lexsort((t, years))  # by year, then by time within the year
        y, x, u = years[order], layered[order], t[order]
        running = np.cumsum(x)
        first = np.searchsorted(y, y, side="left")  # first row of each row's year
        start = np.where(first > 0, running[first - 1], 0.0)
        after = running - start  # layer losses of the year up to and including this one
        before = after - x
        capacity = self.annual_capacity
        deductible = self.annual_aggregate_deductible
        paid_after = np.clip(after - deductible, 0.0, capacity)
        paid_before = np.clip(before - deductible, 0.0, capacity)
        units = self.reinstatement_band_units(paid_before, paid_after) * (1.0 - u)
        return np.bincount(y, weights=units, minlength=occurrences.n_years).astype(np.float64)

    def apply(
        self,
        occurrences: OccurrenceTable,
        premium: float | None = None,
        times: ArrayLike | None = None,
    ) -> TreatyResult:
        """Apply the treaty to every simulated occurrence.

        Parameters
        ----------
        occurrences : OccurrenceTable
            The cedant's occurrences (see :func:`occurrences_from_models` and
            :meth:`xborder_risk.portfolio.Portfolio.simulate` with ``keep_occurrences``).
        premium : float, optional
            Upfront premium :math:`P` the reinstatement premiums are pro rata to, currency
            units, ``>= 0``.  By default the pure premium solved from these simulated years,
            :math:`P = \\bar L / (1 + \\overline{U})` with :math:`U` the reinstatement premium
            per unit of upfront premium (see the class Notes).
        times : array_like, shape (n_occurrences,), optional
            With ``pro_rata_time``: each occurrence's time as a fraction of the year; drawn
            from ``time_seed`` by default.

        Returns
        -------
        TreatyResult
            ``gross`` the annual sum of occurrences, ``ceded`` :math:`L`,
            ``reinstatement_premium`` :math:`R = P\\,U`, ``upfront_premium`` :math:`P`.
        """
        ceded = self.ceded_annual(occurrences)
        gross = occurrences.annual()
        if self.pro_rata_time:
            units = self.reinstatement_units_in_time(occurrences, times)
        else:
            units = self.reinstatement_units(ceded)
        if premium is None:
            upfront = float(ceded.mean()) / (1.0 + float(units.mean()))
        else:
            upfront = check_real("ExcessOfLoss.apply", "premium", premium, lower=0.0)
        return TreatyResult(self, gross, ceded, units * upfront, upfront_premium=upfront)

    def pure_premium(self, occurrences: OccurrenceTable) -> float:
        """Pure upfront premium :math:`P` with :math:`P + E[R] = E[L]` on these years."""
        return self.apply(occurrences).upfront_premium


#: Any treaty of this module.
Treaty = QuotaShare | ExcessOfLoss | StopLoss
