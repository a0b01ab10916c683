"""The claim loop: one line's claims over one block of years, the one routine that draws them.

Everything that simulates claims draws them here -- the engine (:func:`~xborder_risk.engine.
simulate`), the occurrence tables of :mod:`xborder_risk.reinsurance` and the portfolio kernel --
so the same (block, stream) generator gives the same claims, and the same per-year sums, to
the bit, wherever they are drawn.

From the block's generator: the claim counts of every year first, then the ground-up
severities in batches of at most :data:`CLAIM_BATCH` whole claims (so memory stays flat however
many claims a block has), each batch through the layer's occurrence terms and reduced to years
by :func:`segmented_sum_and_max`, the batches' sums added in batch order.  The aggregate terms
and the share come after, in the caller (they differ: the engine applies them to the year, the
occurrence tables attribute them to occurrences, the portfolio adds shock occurrences first).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from xborder_risk.engine.model import LossModel

__all__ = [
    "CLAIM_BATCH",
    "LineBlockDraw",
    "claim_loop_bytes",
    "draw_line_block",
    "segmented_sum_and_max",
]

#: Severities are drawn in batches of at most this many claims, so memory stays flat
#: however large the expected claim count of a block. Fixed, like BLOCK_YEARS: the batches
#: decide the order in which a year's sum is added up.
CLAIM_BATCH: int = 1 << 20


#: Working bytes of the claim loop per year of a block (counts, their running sum, the
#: per-year sums of a batch and the year indices of the reduction) and per claim of a batch
#: (the severities, each claim's year index, the severity sampler's temporaries), measured
#: with tracemalloc (``tests/engine/test_memory_guard.py``) and rounded up.
LOOP_BYTES_PER_YEAR: int = 32
LOOP_BYTES_PER_CLAIM: int = 24

#: Claims of a block beyond its expected number allowed for in the estimate: the count of a
#: block of 65,536 years is within a few standard deviations of its mean, far below this.
_CLAIM_MARGIN: float = 1.1


def claim_loop_bytes(expected_claims_per_year: float, n: int) -> float:
    """Bytes the claim loop holds at once for one line over a block of ``n`` years.

    Parameters
    ----------
    expected_claims_per_year : float
        The line's ``E[N]``, claims per year.
    n : int
        Years in the block.

    Returns
    -------
    float
        Estimated peak bytes of :func:`draw_line_block`, beyond the arrays it writes into
        (``inf`` for an infinite or NaN claim count).
    """
    claims = _CLAIM_MARGIN * expected_claims_per_year * n
    if not claims <= CLAIM_BATCH:  # also NaN
        claims = CLAIM_BATCH if np.isfinite(claims) else np.inf
    return float(LOOP_BYTES_PER_YEAR * n + LOOP_BYTES_PER_CLAIM * claims)


@dataclass(frozen=True, slots=True)
class LineBlockDraw:
    """One line's claims over one block of years (plain arrays, no copies).

    Attributes
    ----------
    counts : ndarray of int64, shape (n,)
        Number of claims of each year of the block.
    payments : ndarray of float64, shape (sum(counts),) or None
        Each claim's payment after the occurrence deductible and limit, before the share and
        the aggregate terms, currency units, year by year in draw order; ``None`` unless
        requested.
    claim_sums : ndarray of float64, shape (n,)
        Per-year sums of the payments (0 for a year without claims), currency units.
    largest : ndarray of float64, shape (n,)
        Largest payment of each year (before the share), 0 without claims.
    """

    counts: NDArray[np.int64]
    payments: NDArray[np.float64] | None
    claim_sums: NDArray[np.float64]
    largest: NDArray[np.float64]


def draw_line_block(
    model: LossModel,
    rng: np.random.Generator,
    n: int,
    *,
    keep_payments: bool = False,
    claim_sums: NDArray[np.float64] | None = None,
    largest: NDArray[np.float64] | None = None,
) -> LineBlockDraw:
    """Draw one line's claims for a block of ``n`` years from the block's generator ``rng``.

    Parameters
    ----------
    model : LossModel
        The line (clean: validated by the public caller).
    rng : numpy.random.Generator
        The generator of this (block, line) stream; counts are drawn first, then severities.
    n : int
        Years in the block.
    keep_payments : bool, default False
        Also return every claim's payment (the occurrence tables need them).
    claim_sums, largest : ndarray of float64, shape (n,), optional
        Where to write the per-year sums and maxima (e.g. the block's rows of the engine's
        result arrays, so no block-sized copy is made); every element is written.  New arrays
        otherwise.

    Returns
    -------
    LineBlockDraw
        The counts, the payments (when kept), the per-year sums and maxima.
    """
    layer = model.layer
    counts = model.frequency.sample(rng, n)
    sums = np.empty(n, dtype=np.float64) if claim_sums is None else claim_sums
    peak = np.empty(n, dtype=np.float64) if largest is None else largest
    peak.fill(0.0)
    ends = np.cumsum(counts)
    total_claims = int(ends[-1]) if n else 0
    if total_claims == 0:
        sums.fill(0.0)
        empty = np.zeros(0, dtype=np.float64) if keep_payments else None
        return LineBlockDraw(counts, empty, sums, peak)
    if total_claims <= CLAIM_BATCH:
        # The common case: one severity draw for the whole block, summed straight into place.
        payments = layer._occurrence_in_place(model.severity.sample(rng, total_claims))
        segmented_sum_and_max(payments, counts, sums, peak)
        return LineBlockDraw(counts, payments if keep_payments else None, sums, peak)
    starts = ends - counts
    batch_sums = np.empty(n, dtype=np.float64)
    sums.fill(0.0)
    kept: list[NDArray[np.float64]] = []
    for first in range(0, total_claims, CLAIM_BATCH):
        last = min(first + CLAIM_BATCH, total_claims)
        payments = layer._occurrence_in_place(model.severity.sample(rng, last - first))
        batch_counts = np.clip(ends, first, last) - np.clip(starts, first, last)
        # the running maximum is raised in place; the batch's sums are added after
        segmented_sum_and_max(payments, batch_counts, batch_sums, peak)
        sums += batch_sums
        if keep_payments:
            kept.append(payments)
    return LineBlockDraw(counts, np.concatenate(kept) if keep_payments else None, sums, peak)


def segmented_sum_and_max(
    payments: NDArray[np.float64],
    counts: NDArray[np.int64],
    sums: NDArray[np.float64],
    largest: NDArray[np.float64],
) -> None:
    """Reduce claims to years: ``sums[y]`` and ``largest[y]`` over year ``y``'s claims.

    ``payments`` (>= 0) holds ``counts[y]`` claims of year ``y``, year after year. Every
    element of ``sums`` is written (0 for a year without claims); ``largest`` must arrive
    zeroed (or holding a running maximum to raise). Each year's claims are added in claim
    order, one after the other from 0 (``np.bincount`` accumulates sequentially): a fixed
    order that does not depend on chunking, since a year never spans two blocks (a block
    with several claim batches adds the batches' sums in batch order). ``bincount`` and
    ``np.maximum.at`` also have no trouble with empty years, which ``np.add.reduceat`` would
    fill with the next year's first claim, and are about twice as fast as ``reduceat``.
    """
    year_of_claim = np.repeat(np.arange(counts.shape[0]), counts)
    sums[:] = np.bincount(year_of_claim, weights=payments, minlength=counts.shape[0])
    np.maximum.at(largest, year_of_claim, payments)
