"""Occurrence-level losses: the table a per-occurrence treaty needs, drawn as the engine draws.

The engine (:func:`xborder_risk.engine.simulate`) keeps only annual sums and the largest
occurrence of each year.  A per-occurrence excess of loss treaty needs every occurrence, so this
module redraws them from the *same* random streams: for each block of
:data:`~xborder_risk.engine.BLOCK_YEARS` years and each line, the generator
``block_generator(root, block, line_index)`` gives the claim counts and then the severities, in
batches of ``CLAIM_BATCH`` claims, exactly as the engine draws them.  Summing the occurrences of
a year therefore gives the engine's annual loss (see :func:`occurrences_from_models`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from xborder_risk._validation import as_float_array, as_int_array, check_int
from xborder_risk.engine import Layer, LossModel
from xborder_risk.engine.kernel import CLAIM_BATCH, segmented_sum_and_max
from xborder_risk.engine.rng import block_bounds, block_generator, root_seed_sequence
from xborder_risk.errors import ParameterError, SimulationError, SimulationSizeError

__all__ = ["OccurrenceTable", "occurrences_from_models"]

# Bytes per stored occurrence: year index (int64), loss (float64), source (int64).
_BYTES_PER_OCCURRENCE = 24


def _physical_memory_bytes() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 8 << 30


def memory_limit(owner: str, max_memory_bytes: object) -> int:
    """The memory ceiling of a request: ``max_memory_bytes`` or half the physical memory."""
    if max_memory_bytes is None:
        return _physical_memory_bytes() // 2
    return check_int(owner, "max_memory_bytes", max_memory_bytes, lower=1)


@dataclass(frozen=True, slots=True, eq=False)
class OccurrenceTable:
    """Every simulated occurrence: the year it fell in and the insurer's payment for it.

    Parameters
    ----------
    year_index : array_like of int, shape (n_occurrences,)
        Simulated year of each occurrence, ``0 <= year_index < n_years``.
    loss : array_like of float, shape (n_occurrences,)
        Payment for each occurrence, currency units, finite and ``>= 0``.
    n_years : int
        Number of simulated years (years without an occurrence have none in the table).
    source : array_like of int, shape (n_occurrences,), optional
        Where each occurrence came from: the line index for :func:`occurrences_from_models`;
        ``policy * n_lines + line`` for a portfolio's own claims and ``-1 - k`` for an event of
        the portfolio's common shock ``k``, summed over the policies and lines it hit
        (:mod:`xborder_risk.portfolio`).

    Notes
    -----
    Arrays are copied and made read-only.  Rows are in simulation order (block by block, then
    line by line, claims of a year in draw order); no reduction depends on that order except
    through float rounding, and the order itself does not depend on how the simulation was
    chunked.
    """

    year_index: NDArray[np.int64]
    loss: NDArray[np.float64]
    n_years: int
    source: NDArray[np.int64] | None = None

    def __post_init__(self) -> None:
        owner = "OccurrenceTable"
        n_years = check_int(owner, "n_years", self.n_years, lower=1)
        years = as_int_array(owner, "year_index", self.year_index)
        loss = as_float_array(
            owner, "loss", self.loss, non_empty=False, non_negative=True, copy=True
        )
        if loss.shape != years.shape:
            raise ParameterError(
                owner, "loss", f"array of shape {loss.shape}", f"must have shape {years.shape}"
            )
        if years.size and (years.min() < 0 or years.max() >= n_years):
            raise ParameterError(
                owner,
                "year_index",
                f"range [{years.min()}, {years.max()}]",
                f"must lie in [0, n_years) = [0, {n_years})",
            )
        source = None
        if self.source is not None:
            source = as_int_array(owner, "source", self.source)
            if source.shape != years.shape:
                raise ParameterError(
                    owner,
                    "source",
                    f"array of shape {source.shape}",
                    f"must have shape {years.shape}",
                )
            source.flags.writeable = False
        years.flags.writeable = False
        loss.flags.writeable = False
        object.__setattr__(self, "n_years", n_years)
        object.__setattr__(self, "year_index", years)
        object.__setattr__(self, "loss", loss)
        object.__setattr__(self, "source", source)

    @property
    def n_occurrences(self) -> int:
        """Number of occurrences in the table."""
        return int(self.loss.size)

    def annual(self) -> NDArray[np.float64]:
        """Sum of the occurrences of each year, shape ``(n_years,)``, currency units per year.

        Notes
        -----
        A segmented sum by ``np.bincount(year_index, weights=loss, minlength=n_years)``; years
        without an occurrence sum to exactly 0.
        """
        return np.bincount(self.year_index, weights=self.loss, minlength=self.n_years).astype(
            np.float64, copy=False
        )

    def max_occurrence(self) -> NDArray[np.float64]:
        """Largest occurrence of each year (0 for a year without one), shape ``(n_years,)``."""
        largest = np.zeros(self.n_years, dtype=np.float64)
        np.maximum.at(largest, self.year_index, self.loss)
        return largest

    def count(self) -> NDArray[np.int64]:
        """Number of occurrences in each year, shape ``(n_years,)``."""
        return np.bincount(self.year_index, minlength=self.n_years).astype(np.int64, copy=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per occurrence: ``year``, ``loss`` (and ``source`` when known)."""
        columns: dict[str, NDArray[np.generic]] = {
            "year": np.asarray(self.year_index),
            "loss": np.asarray(self.loss),
        }
        if self.source is not None:
            columns["source"] = np.asarray(self.source)
        return pd.DataFrame(columns)


# --------------------------------------------------------------------------------------------
# drawing a line's claims for one block, as the engine does


@dataclass(frozen=True, slots=True)
class LineBlockDraw:
    """One line's claims over one block of years (internal; plain arrays, no copies).

    Attributes
    ----------
    counts : ndarray of int64, shape (n,)
        Number of claims of each year of the block.
    payments : ndarray of float64, shape (sum(counts),) or None
        Each claim's payment after the occurrence deductible and limit, before the share and
        the aggregate terms, year by year in draw order; ``None`` unless requested.
    claim_sums : ndarray of float64, shape (n,)
        Per-year sums of ``payments``, added in the engine's order (bit for bit its sums).
    largest : ndarray of float64, shape (n,)
        Largest payment of each year (before the share), 0 without claims.
    """

    counts: NDArray[np.int64]
    payments: NDArray[np.float64] | None
    claim_sums: NDArray[np.float64]
    largest: NDArray[np.float64]


def draw_line_block(
    model: LossModel, rng: np.random.Generator, n: int, *, keep_payments: bool
) -> LineBlockDraw:
    """Draw one line's claims for a block of ``n`` years exactly as the engine does.

    Counts first, then the severities in batches of at most ``CLAIM_BATCH`` whole claims, the
    occurrence terms, and the engine's own per-year reduction
    (:func:`~xborder_risk.engine.kernel.segmented_sum_and_max`) over each batch, added batch by
    batch -- the arithmetic of ``xborder_risk.engine.kernel._line_block``, so the per-year sums
    are the engine's to the bit (the aggregate terms and the share come after, in the caller).
    """
    layer = model.layer
    counts = model.frequency.sample(rng, n)
    claim_sums = np.zeros(n, dtype=np.float64)
    largest = np.zeros(n, dtype=np.float64)
    ends = np.cumsum(counts)
    total_claims = int(ends[-1]) if n else 0
    if total_claims == 0:
        empty = np.zeros(0, dtype=np.float64) if keep_payments else None
        return LineBlockDraw(counts, empty, claim_sums, largest)
    starts = ends - counts
    kept: list[NDArray[np.float64]] = []
    for first in range(0, total_claims, CLAIM_BATCH):
        last = min(first + CLAIM_BATCH, total_claims)
        # A fresh sample: the kernel's in-place terms, without the public method's checks.
        payments = layer._occurrence_in_place(model.severity.sample(rng, last - first))
        if total_claims <= CLAIM_BATCH:
            batch_counts = counts
        else:
            batch_counts = np.clip(ends, first, last) - np.clip(starts, first, last)
        batch_sums = np.empty(n, dtype=np.float64)
        segmented_sum_and_max(payments, batch_counts, batch_sums, largest)
        claim_sums += batch_sums
        if keep_payments:
            kept.append(payments)
    all_payments = None
    if keep_payments:
        all_payments = kept[0] if len(kept) == 1 else np.concatenate(kept)
    return LineBlockDraw(counts, all_payments, claim_sums, largest)


def has_aggregate_terms(layer: Layer) -> bool:
    """True when the layer has an aggregate deductible or a finite aggregate limit."""
    return layer.aggregate_deductible > 0.0 or not math.isinf(layer.aggregate_limit)


def aggregate_cumulative(layer: Layer, cumulative: NDArray[np.float64]) -> NDArray[np.float64]:
    """:math:`\\min(\\max(c - D, 0), L)` of running annual sums ``c`` (before the share)."""
    out = np.subtract(cumulative, layer.aggregate_deductible)
    np.maximum(out, 0.0, out=out)
    if not math.isinf(layer.aggregate_limit):
        np.minimum(out, layer.aggregate_limit, out=out)
    return out


def attribute_aggregate_terms(
    layer: Layer, counts: NDArray[np.int64], payments: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Each occurrence's share of its year's layer loss, the aggregate terms eroded in order.

    Parameters
    ----------
    layer : Layer
        The line's terms.
    counts : ndarray of int64, shape (n,)
        Claims per year; ``payments`` holds them year by year.
    payments : ndarray of float64, shape (sum(counts),)
        Payments after the occurrence terms, before the share.

    Returns
    -------
    ndarray of float64, shape (sum(counts),)
        :math:`s\\,[A(c_i) - A(c_i - y_i)]` with :math:`c_i` the running sum of the year's
        payments up to and including occurrence :math:`i` and
        :math:`A(c) = \\min(\\max(c - D, 0), L)`: the first occurrences of a year erode the
        aggregate deductible, the last ones are cut by the aggregate limit.

    Notes
    -----
    The attributions of a year telescope to :math:`s\\,A(\\sum_i y_i)`, the engine's annual
    loss, up to float rounding of the running sums (absolute error of order
    :math:`\\epsilon` times the block's total).  Without aggregate terms each occurrence pays
    exactly :math:`s\\,y_i`.
    """
    if not has_aggregate_terms(layer):
        return payments * layer.share if layer.share != 1.0 else payments.copy()
    running = np.cumsum(payments)
    with_claims = counts > 0
    first_of_year = (np.cumsum(counts) - counts)[with_claims]
    before_year = np.repeat((running - payments)[first_of_year], counts[with_claims])
    after = running - before_year
    attributed = aggregate_cumulative(layer, after)
    attributed -= aggregate_cumulative(layer, after - payments)
    if layer.share != 1.0:
        attributed *= layer.share
    return attributed


def _checked_models(owner: str, models: object) -> tuple[LossModel, ...]:
    if isinstance(models, LossModel):
        return (models,)
    if isinstance(models, str) or not isinstance(models, Sequence):
        raise ParameterError(owner, "models", models, "must be a LossModel or a sequence of them")
    checked = tuple(models)
    if not checked:
        raise ParameterError(owner, "models", models, "must hold at least one LossModel")
    for model in checked:
        if not isinstance(model, LossModel):
            raise ParameterError(owner, "models", model, "must hold LossModel objects only")
    names = [model.name for model in checked]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ParameterError(owner, "models", duplicates, "line names must be unique")
    return checked


def occurrences_from_models(
    models: LossModel | Sequence[LossModel],
    n_years: int,
    seed: int | np.random.SeedSequence,
    *,
    max_memory_bytes: int | None = None,
) -> OccurrenceTable:
    """Every occurrence of a simulation, drawn from the engine's own random streams.

    Parameters
    ----------
    models : LossModel or sequence of LossModel
        The lines, as given to :func:`xborder_risk.engine.simulate` (same order: a line's
        random stream is its position).
    n_years : int
        Number of simulated years, ``>= 1``.
    seed : int or numpy.random.SeedSequence
        Root seed, as given to ``simulate``.
    max_memory_bytes : int, optional
        Refuse (before drawing) a table whose expected size, 24 bytes per expected occurrence,
        exceeds this; half the physical memory by default.

    Returns
    -------
    OccurrenceTable
        One row per occurrence with a positive payment: ``year_index``, ``loss`` (the
        insurer's payment after every term of the line's layer, share included, currency
        units) and ``source`` (the line index).

    Notes
    -----
    Block by block, line by line, the counts and then the severities are drawn from
    ``block_generator(root, block, line_index)`` exactly as ``simulate`` draws them (see
    :func:`draw_line_block`), so ``table.annual()`` equals ``simulate(models, n_years,
    seed).total`` up to float rounding, and the per-line sums without aggregate terms are the
    engine's bit for bit.  The aggregate deductible and limit are attributed to occurrences in
    the order they fall within the year (:func:`attribute_aggregate_terms`).  Only the
    independent-lines engine is reproduced: a ``dependence`` reordering of annual losses has
    no occurrence-level meaning.
    """
    owner = "occurrences_from_models"
    checked = _checked_models(owner, models)
    n_years = check_int(owner, "n_years", n_years, lower=1)
    root = root_seed_sequence(seed)
    limit = memory_limit(owner, max_memory_bytes)
    expected_claims = n_years * math.fsum(model.frequency.mean() for model in checked)
    needed = _BYTES_PER_OCCURRENCE * expected_claims
    if needed > limit:
        raise SimulationSizeError(
            f"{owner}: n_years={n_years} with {expected_claims:.3g} expected occurrences needs "
            f"about {needed / 2**30:.1f} GiB, above the limit of {limit / 2**30:.1f} GiB "
            "(max_memory_bytes)"
        )
    years: list[NDArray[np.int64]] = []
    losses: list[NDArray[np.float64]] = []
    sources: list[NDArray[np.int64]] = []
    for block, (start, stop) in enumerate(block_bounds(n_years)):
        n = stop - start
        for line_index, model in enumerate(checked):
            draw = draw_line_block(
                model, block_generator(root, block, line_index), n, keep_payments=True
            )
            assert draw.payments is not None
            paid = attribute_aggregate_terms(model.layer, draw.counts, draw.payments)
            if not np.isfinite(paid).all():
                raise SimulationError(
                    f"line {model.name!r}: a simulated occurrence overflowed to inf; give the "
                    "layer a finite limit or use a lighter-tailed severity"
                )
            year = np.repeat(np.arange(start, stop, dtype=np.int64), draw.counts)
            keep = paid > 0.0
            years.append(year[keep])
            losses.append(paid[keep])
            sources.append(np.full(int(keep.sum()), line_index, dtype=np.int64))
    return OccurrenceTable(
        year_index=np.concatenate(years),
        loss=np.concatenate(losses),
        n_years=n_years,
        source=np.concatenate(sources),
    )
