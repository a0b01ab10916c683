"""Towers of excess-of-loss layers (with drop-down) and the surplus treaty.

Formulas and references in ``docs/reinsurance.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from xborder_risk._validation import as_float_array, check_int, check_real
from xborder_risk.errors import ParameterError
from xborder_risk.reinsurance.occurrences import OccurrenceTable
from xborder_risk.reinsurance.treaties import ExcessOfLoss

__all__ = ["Surplus", "SurplusResult", "Tower", "TowerResult"]


@dataclass(frozen=True, eq=False)
class TowerResult:
    """Per layer of a tower: the annual ceded loss and reinstatement premium.

    Attributes
    ----------
    tower : Tower
    gross : ndarray, shape (n_years,)
    ceded : ndarray, shape (n_years, n_layers)
        Each layer's annual payment (after its aggregate deductible and capacity).
    reinstatement_premium : ndarray, shape (n_years, n_layers)
    upfront_premium : ndarray, shape (n_layers,)
        Each layer's upfront premium (pure premium solved from the years, as
        :meth:`ExcessOfLoss.apply`).
    """

    tower: Tower
    gross: NDArray[np.float64]
    ceded: NDArray[np.float64]
    reinstatement_premium: NDArray[np.float64]
    upfront_premium: NDArray[np.float64]

    @property
    def net(self) -> NDArray[np.float64]:
        """Gross minus every layer's payment, per year."""
        return self.gross - self.ceded.sum(axis=1)

    def summary(self) -> pd.DataFrame:
        """Per layer: expected ceded loss, expected reinstatement premium, upfront premium."""
        names = [f"{x.limit:g} xs {x.retention:g}" for x in self.tower.layers]
        return pd.DataFrame(
            {
                "expected_ceded": self.ceded.mean(axis=0),
                "expected_reinstatement_premium": self.reinstatement_premium.mean(axis=0),
                "upfront_premium": self.upfront_premium,
            },
            index=pd.Index(names, name="layer"),
        )


@dataclass(frozen=True)
class Tower:
    """A tower of per-occurrence excess-of-loss layers, optionally with drop-down.

    Parameters
    ----------
    layers : sequence of ExcessOfLoss
        Layers from the lowest up, each attaching where the one below ends
        (``retention_{k+1} = retention_k + limit_k``). Each keeps its own reinstatements,
        reinstatement premium rates and aggregate deductible.
    drop_down : bool, default False
        When a layer's annual capacity ((K + 1) times its limit) is exhausted, the layers
        above it drop down by its limit for the occurrences that follow in the year (the
        drop-down clause of excess towers): the exhausted layer no longer stands between the
        cedant's retention and the layers above.

    Notes
    -----
    Without drop-down each layer is an independent :class:`ExcessOfLoss`. With drop-down,
    occurrences are taken in time order within a year (times drawn uniform on (0, 1) from
    ``time_seed``, or given); the attachment of layer k for an occurrence is
    r_k - sum of the limits l_j of the layers j < k whose capacity was used up by the earlier
    occurrences of the year, and its payment min(max(X - attachment, 0), l_k), then its
    aggregate deductible and capacity as for a single layer. The exhausting occurrence
    itself is paid on the tower as it stood before it. This reading of the clause is the
    library's (judgement), not taken from a published source.
    """

    layers: tuple[ExcessOfLoss, ...]
    drop_down: bool = False
    time_seed: int = 0

    def __post_init__(self) -> None:
        owner = "Tower"
        if not isinstance(self.layers, Sequence) or not self.layers:
            raise ParameterError(owner, "layers", self.layers, "must be a non-empty sequence")
        layers = tuple(self.layers)
        for k, layer in enumerate(layers):
            if not isinstance(layer, ExcessOfLoss):
                raise ParameterError(
                    owner, f"layers[{k}]", type(layer).__name__, "must be an ExcessOfLoss"
                )
            if k and not np.isclose(layer.retention, layers[k - 1].retention + layers[k - 1].limit):
                raise ParameterError(
                    owner,
                    f"layers[{k}].retention",
                    layer.retention,
                    f"must equal the layer below's retention + limit "
                    f"({layers[k - 1].retention + layers[k - 1].limit:g})",
                )
        if not isinstance(self.drop_down, bool):
            raise ParameterError(owner, "drop_down", self.drop_down, "must be True or False")
        object.__setattr__(self, "layers", layers)
        object.__setattr__(self, "time_seed", check_int(owner, "time_seed", self.time_seed))

    def apply(self, occurrences: OccurrenceTable, times: ArrayLike | None = None) -> TowerResult:
        """Apply the tower to every simulated occurrence (``times`` in [0, 1], optional)."""
        owner = "Tower.apply"
        if not isinstance(occurrences, OccurrenceTable):
            raise ParameterError(
                owner, "occurrences", type(occurrences).__name__, "must be an OccurrenceTable"
            )
        n_years = occurrences.n_years
        gross = occurrences.annual()
        n = occurrences.n_occurrences
        if times is None:
            t = np.random.default_rng(np.random.SeedSequence(self.time_seed)).random(n)
        else:
            t = as_float_array(owner, "times", times, non_empty=False)
            if t.shape != (n,) or np.any((t < 0.0) | (t > 1.0)):
                raise ParameterError(
                    owner, "times", f"shape {t.shape}", f"must be {n} values in [0, 1]"
                )
        order = np.lexsort((t, occurrences.year_index))
        years = occurrences.year_index[order]
        loss = occurrences.loss[order]
        first = np.searchsorted(years, years, side="left")
        dropped = np.zeros(n)  # sum of limits of exhausted layers below, per occurrence
        ceded = np.zeros((n_years, len(self.layers)))
        premium = np.zeros((n_years, len(self.layers)))
        upfront = np.zeros(len(self.layers))
        for k, layer in enumerate(self.layers):
            attachment = layer.retention - (dropped if self.drop_down else 0.0)
            pay = np.clip(loss - attachment, 0.0, layer.limit)
            running = np.cumsum(pay)
            start = np.where(first > 0, running[first - 1], 0.0)
            after = running - start
            before = after - pay
            capacity = layer.annual_capacity
            deductible = layer.annual_aggregate_deductible
            if self.drop_down:
                exhausted_before = np.clip(before - deductible, 0.0, np.inf) >= capacity
                dropped = dropped + np.where(exhausted_before, layer.limit, 0.0)
            annual = np.bincount(years, weights=pay, minlength=n_years).astype(np.float64)
            annual = np.clip(annual - deductible, 0.0, capacity)
            if layer.pro_rata_time:
                paid_after = np.clip(after - deductible, 0.0, capacity)
                paid_before = np.clip(before - deductible, 0.0, capacity)
                units_each = layer.reinstatement_band_units(paid_before, paid_after) * (
                    1.0 - t[order]
                )
                units: NDArray[np.float64] = np.bincount(
                    years, weights=units_each, minlength=n_years
                ).astype(np.float64)
            else:
                units = layer.reinstatement_units(annual)
            upfront[k] = float(annual.mean()) / (1.0 + float(units.mean()))
            ceded[:, k] = annual
            premium[:, k] = units * upfront[k]
        return TowerResult(self, gross, ceded, premium, upfront)


@dataclass(frozen=True, eq=False)
class SurplusResult:
    """Annual gross, ceded and net losses of a surplus treaty, and each risk's cession."""

    treaty: Surplus
    cession: NDArray[np.float64]
    gross: NDArray[np.float64]
    ceded: NDArray[np.float64]

    @property
    def net(self) -> NDArray[np.float64]:
        """Gross minus ceded, per year."""
        return self.gross - self.ceded


@dataclass(frozen=True)
class Surplus:
    """Surplus treaty: each risk ceded in proportion to its sum insured above the retention.

    Parameters
    ----------
    retention : float > 0
        The cedant's line: the sum insured it keeps on each risk (currency).
    lines : float > 0
        Treaty capacity in multiples of the retention (a "9-line surplus" cedes up to 9
        retentions of each risk).

    Notes
    -----
    A risk with sum insured S is ceded the share
    c = min(max(S - R, 0), n R) / S, and every loss on it is shared in that proportion
    (Albrecher, Beirlant and Teugels 2017, *Reinsurance: Actuarial and Statistical Aspects*,
    Wiley, §2.2; Carter 1979, *Reinsurance*). Risks above (n + 1) R keep the excess.
    """

    retention: float
    lines: float

    def __post_init__(self) -> None:
        owner = "Surplus"
        object.__setattr__(
            self,
            "retention",
            check_real(owner, "retention", self.retention, lower=0.0, lower_inclusive=False),
        )
        object.__setattr__(
            self, "lines", check_real(owner, "lines", self.lines, lower=0.0, lower_inclusive=False)
        )

    def cession(self, sum_insured: ArrayLike) -> NDArray[np.float64]:
        """The ceded share of each risk, in [0, n / (n + 1)]."""
        s = as_float_array("Surplus", "sum_insured", sum_insured, ndim=1, lower=0.0)
        ceded = np.clip(s - self.retention, 0.0, self.lines * self.retention)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(s > 0.0, ceded / s, 0.0)

    def apply(self, losses: ArrayLike, sum_insured: ArrayLike) -> SurplusResult:
        """Cede the annual losses of each risk.

        Parameters
        ----------
        losses : array_like, shape (n_years, n_risks)
            Annual loss of each risk (e.g. a portfolio's per-policy annual losses), >= 0.
        sum_insured : array_like, shape (n_risks,)
            Sum insured of each risk, in the same currency.
        """
        x = as_float_array("Surplus.apply", "losses", losses, ndim=2, non_negative=True)
        share = self.cession(sum_insured)
        if share.size != x.shape[1]:
            raise ParameterError(
                "Surplus.apply",
                "sum_insured",
                f"{share.size} values",
                f"must have one per risk (column of losses: {x.shape[1]})",
            )
        return SurplusResult(self, share, x.sum(axis=1), x @ share)
