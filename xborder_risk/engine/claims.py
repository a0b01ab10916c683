"""The claim loop: one line's claims over one block of years, the one routine that draws them.

Everything that simulates claims draws them here -- the engine (:func:`~xborder_risk.engine.
simulate`), the occurrence tables of :mod:`xborder_risk.reinsurance` and the portfolio kernel --
so the same (block, stream) generator gives the same claims, and the same per-year sums, to
the bit, wherever they are drawn.

From the block's generator: the year of every claim first (:func:`claim_years`: a Poisson
line's block total scattered uniformly over the block's years, any other line's count year by
year; increasing either way), then the ground-up severities, year by year, in batches of at
most :data:`CLAIM_BATCH` claims (so memory stays flat however many claims a block has), each
batch through the layer's occurrence terms and reduced to its claims' years with
``np.bincount`` (a year's claims added one after the other in claim order), the batches' sums
added in batch order.  :func:`draw_line_sparse` does the same over the years that have a claim
only, with the same bits.  The aggregate terms
and the share come after, in the caller (they differ: the engine applies them to the year, the
occurrence tables attribute them to occurrences, the portfolio adds shock occurrences first).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from xborder_risk.distributions import Frequency, Poisson
from xborder_risk.engine.model import LossModel

__all__ = [
    "CLAIM_BATCH",
    "SPARSE_YEAR_SHARE",
    "LineBlockDraw",
    "SparseLineDraw",
    "claim_counts",
    "claim_loop_bytes",
    "claim_years",
    "draw_line_block",
    "draw_line_sparse",
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

#: Further working bytes per claim of :func:`draw_line_sparse` (each claim's first-of-year flag
#: and its position among the years with a claim), measured with tracemalloc and rounded up.
SPARSE_BYTES_PER_CLAIM: int = 24

#: Claims of a block beyond its expected number allowed for in the estimate: the count of a
#: block of 65,536 years is within a few standard deviations of its mean, far below this.
_CLAIM_MARGIN: float = 1.1


def claim_loop_bytes(expected_claims_per_year: float, n: int, *, sparse: bool = False) -> float:
    """Bytes the claim loop holds at once for one line over a block of ``n`` years.

    Parameters
    ----------
    expected_claims_per_year : float
        The line's ``E[N]``, claims per year.
    n : int
        Years in the block.
    sparse : bool, default False
        For :func:`draw_line_sparse` (:data:`SPARSE_BYTES_PER_CLAIM` more per claim).

    Returns
    -------
    float
        Estimated peak bytes of :func:`draw_line_block` (or :func:`draw_line_sparse`),
        beyond the arrays it writes into (``inf`` for an infinite or NaN claim count).
    """
    claims = _CLAIM_MARGIN * expected_claims_per_year * n
    if not claims <= CLAIM_BATCH:  # also NaN
        claims = CLAIM_BATCH if np.isfinite(claims) else np.inf
    per_claim = LOOP_BYTES_PER_CLAIM + (SPARSE_BYTES_PER_CLAIM if sparse else 0)
    return float(LOOP_BYTES_PER_YEAR * n + per_claim * claims)


@dataclass(frozen=True, slots=True)
class LineBlockDraw:
    """One line's claims over one block of years (plain arrays, no copies).

    Attributes
    ----------
    counts : ndarray of int64, shape (n,)
        Number of claims of each year of the block.
    payments : ndarray of float64, shape (sum(counts),) or None
        Each claim's payment after the occurrence deductible and limit, before the share and
        the aggregate terms, currency units, year by year in draw order;
        ``None`` unless requested.
    claim_sums : ndarray of float64, shape (n,)
        Per-year sums of the payments (0 for a year without claims), currency units.
    largest : ndarray of float64, shape (n,)
        Largest payment of each year (before the share), 0 without claims.
    """

    counts: NDArray[np.int64]
    payments: NDArray[np.float64] | None
    claim_sums: NDArray[np.float64]
    largest: NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SparseLineDraw:
    """One line's claims over one block, held only for the years that have a claim.

    Attributes
    ----------
    years : ndarray of intp, shape (k,)
        Block-local indices of the years with at least one claim, increasing.
    counts : ndarray of int64, shape (k,)
        Claims of each of those years (>= 1).
    payments : ndarray of float64, shape (sum(counts),) or None
        As :attr:`LineBlockDraw.payments` (year by year), ``None`` unless requested.
    claim_sums, largest : ndarray of float64, shape (k,)
        Sum and largest of each of those years' payments, currency units.
    """

    years: NDArray[np.intp]
    counts: NDArray[np.int64]
    payments: NDArray[np.float64] | None
    claim_sums: NDArray[np.float64]
    largest: NDArray[np.float64]


#: A Poisson line's block total is drawn and scattered only while ``lam * n`` stays well
#: inside numpy's Poisson sampler (and int64); beyond it (never with the default claim
#: bound) the counts are drawn year by year.
_SCATTER_MAX_MEAN: float = 1e15


def claim_counts(
    model: LossModel, rng: np.random.Generator, n: int, *, legacy: bool = False
) -> tuple[NDArray[np.intp], NDArray[np.int64]]:
    """The years of a block of ``n`` that have a claim (increasing) and their claim counts:
    the first draws of the block's stream of one line.

    Poisson lines draw the block's total ``N ~ Poisson(lam n)`` and then each claim's year
    uniformly on the block (``rng.integers(0, n, N)``): given the total, the claims of a
    Poisson process fall independently and uniformly, so each year's count is again
    ``Poisson(lam)``, independent of the others -- exactly the distribution of drawing every
    year's count, at a cost that grows with the claims instead of the years (issue 16; see
    ``docs/engine.md``).  Other frequencies (the negative binomial, a Poisson-gamma mixture
    whose years share no total; the binomial) draw every year's count -- or, when fewer than
    :data:`SPARSE_YEAR_SHARE` of the years have a claim, only the years that have one
    (:func:`_rare_years`), exact in distribution too.

    ``legacy=True`` draws every year's count for every frequency, as every simulation did
    before issue 16: the streams of position-keyed simulations (``stream_keys="position"``,
    the records written before issue 17), which so still reproduce bit for bit.
    """
    frequency = model.frequency
    if legacy:
        every = frequency.sample(rng, n)
        years = np.flatnonzero(every)
        return years, every[years].astype(np.int64, copy=False)
    if not isinstance(frequency, Poisson):
        p0 = float(frequency.pmf(0))
        if 1.0 - p0 < SPARSE_YEAR_SHARE:
            return _rare_years(frequency, rng, n, p0)
    if isinstance(frequency, Poisson) and frequency.lam * n <= _SCATTER_MAX_MEAN:
        total = int(rng.poisson(frequency.lam * n))
        scattered = rng.integers(0, n, total, dtype=np.int64)
        if 0 < total < n // 8:  # few claims: sorting them is cheaper than a pass over the years
            scattered.sort()
            first = np.empty(total, dtype=bool)  # the first claim of each year
            first[0] = True
            np.not_equal(scattered[1:], scattered[:-1], out=first[1:])
            starts = np.flatnonzero(first)
            counts = np.diff(starts, append=total).astype(np.int64, copy=False)
            return scattered[starts].astype(np.intp, copy=False), counts
        every = np.bincount(scattered, minlength=n)  # the same counts, in O(n + N)
    else:
        every = frequency.sample(rng, n)
    years = np.flatnonzero(every)
    return years, every[years].astype(np.int64, copy=False)


#: A negative binomial or binomial line with a claim in fewer than this share of its years
#: (``P(N > 0)``) draws only the years that have a claim (:func:`_rare_years`).
SPARSE_YEAR_SHARE: float = 1.0 / 16.0

#: The zero-truncated counts are read from the cdf tabulated by the (a, b, 0) recursion up to
#: this many claims at most; a uniform beyond the table's last value is inverted exactly.
_TABLE_CLAIMS: int = 4096


def _rare_years(
    frequency: Frequency, rng: np.random.Generator, n: int, p0: float
) -> tuple[NDArray[np.intp], NDArray[np.int64]]:
    """The years of a block with a claim, and their counts, for a frequency with ``P(N > 0)``
    small: the number of such years ``K ~ Binomial(n, 1 - p0)`` (the years are independent),
    which years uniformly without replacement, and each one's count from ``N | N >= 1`` by
    inversion (``U ~ Uniform(p0, 1)``, the smallest ``k`` with ``F(k) >= U``).  The same law,
    year by year and jointly, as a count drawn for every year, at a cost that grows with the
    years that have a claim."""
    k = int(rng.binomial(n, 1.0 - p0))
    years = np.sort(rng.choice(n, size=k, replace=False)).astype(np.intp, copy=False)
    uniforms = rng.uniform(p0, 1.0, k)
    a, b, _ = frequency.panjer_abp0()
    table = [p0]
    probability = p0
    for claims in range(1, _TABLE_CLAIMS):
        probability *= a + b / claims
        if probability <= 0.0:
            break
        table.append(table[-1] + probability)
        if table[-1] >= 1.0 - 1e-15:
            break
    cdf = np.asarray(table)
    counts = np.searchsorted(cdf, uniforms, side="left").astype(np.int64)
    beyond = counts >= cdf.shape[0]
    if beyond.any():  # a uniform above the table's last value: the exact inverse
        counts[beyond] = np.asarray(frequency.ppf(uniforms[beyond]), dtype=np.int64)
    np.maximum(counts, 1, out=counts)  # a uniform exactly at p0 (probability 2**-53)
    return years, counts


def claim_years(model: LossModel, rng: np.random.Generator, n: int) -> NDArray[np.int64]:
    """The block-local year of every claim, increasing (:func:`claim_counts` repeated)."""
    years, counts = claim_counts(model, rng, n)
    return np.repeat(years.astype(np.int64, copy=False), counts)


def _claims_to_years(
    model: LossModel,
    rng: np.random.Generator,
    year_of_claim: NDArray[np.int64],
    n: int,
    sums: NDArray[np.float64],
    peak: NDArray[np.float64],
) -> NDArray[np.float64] | None:
    """Draw every claim's severity (batches of :data:`CLAIM_BATCH`, year by year) and reduce
    them to the ``n`` years of ``year_of_claim`` (increasing); every payment, year by year
    (None without claims).  ``peak`` arrives zeroed."""
    layer = model.layer
    total_claims = year_of_claim.shape[0]
    if total_claims == 0:
        sums.fill(0.0)
        return None
    kept: list[NDArray[np.float64]] = []
    for first in range(0, total_claims, CLAIM_BATCH):
        last = min(first + CLAIM_BATCH, total_claims)
        payments = layer._occurrence_in_place(model.severity.sample(rng, last - first))
        years = year_of_claim[first:last]
        batch_sums = np.bincount(years, weights=payments, minlength=n)
        if first == 0:
            sums[:] = batch_sums
        else:
            sums += batch_sums
        np.maximum.at(peak, years, payments)
        kept.append(payments)
    return kept[0] if len(kept) == 1 else np.concatenate(kept)


def draw_line_block(
    model: LossModel,
    rng: np.random.Generator,
    n: int,
    *,
    keep_payments: bool = False,
    claim_sums: NDArray[np.float64] | None = None,
    largest: NDArray[np.float64] | None = None,
    legacy: bool = False,
) -> LineBlockDraw:
    """Draw one line's claims for a block of ``n`` years from the block's generator ``rng``.

    Parameters
    ----------
    model : LossModel
        The line (clean: validated by the public caller).
    rng : numpy.random.Generator
        The generator of this (block, line) stream; the claims' years are drawn first
        (:func:`claim_years`), then the severities.
    n : int
        Years in the block.
    keep_payments : bool, default False
        Also return every claim's payment (the occurrence tables need them).
    claim_sums, largest : ndarray of float64, shape (n,), optional
        Where to write the per-year sums and maxima (e.g. the block's rows of the engine's
        result arrays, so no block-sized copy is made); every element is written.  New arrays
        otherwise.
    legacy : bool, default False
        Draw a count for every year whatever the frequency (:func:`claim_counts`).

    Returns
    -------
    LineBlockDraw
        The counts, the payments (when kept), the per-year sums and maxima; the same numbers,
        bit for bit, as :func:`draw_line_sparse` from the same generator.
    """
    years, year_counts = claim_counts(model, rng, n, legacy=legacy)
    year_of_claim = np.repeat(years.astype(np.int64, copy=False), year_counts)
    sums = np.empty(n, dtype=np.float64) if claim_sums is None else claim_sums
    peak = np.empty(n, dtype=np.float64) if largest is None else largest
    peak.fill(0.0)
    payments = _claims_to_years(model, rng, year_of_claim, n, sums, peak)
    counts = np.zeros(n, dtype=np.int64)
    counts[years] = year_counts
    return LineBlockDraw(counts, _kept(payments, keep_payments), sums, peak)


def draw_line_sparse(
    model: LossModel, rng: np.random.Generator, n: int, *, keep_payments: bool = False
) -> SparseLineDraw:
    """:func:`draw_line_block` held only for the years with a claim (same draws, same bits).

    The work beyond the claims' years is proportional to the claims, not to ``n``: a line
    with a claim once in a thousand years costs a few microseconds a block.
    """
    years, counts = claim_counts(model, rng, n)
    k = years.shape[0]
    index = np.repeat(np.arange(k, dtype=np.int64), counts)
    sums = np.empty(k, dtype=np.float64)
    peak = np.zeros(k, dtype=np.float64)
    payments = _claims_to_years(model, rng, index, k, sums, peak)
    return SparseLineDraw(years, counts, _kept(payments, keep_payments), sums, peak)


def _kept(payments: NDArray[np.float64] | None, keep: bool) -> NDArray[np.float64] | None:
    if not keep:
        return None
    return np.zeros(0, dtype=np.float64) if payments is None else payments
