"""The vectorised, chunked, seeded Monte Carlo loss engine."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from xborder_risk._validation import check_callable, check_choice, check_int
from xborder_risk.engine.dependence import Copula
from xborder_risk.engine.layers import Layer
from xborder_risk.engine.model import LossModel
from xborder_risk.engine.results import TOTAL, SimulationResult
from xborder_risk.engine.rng import (
    BLOCK_YEARS,
    SHARED_STREAM_BASE,
    block_bounds,
    block_generator,
    root_seed_sequence,
)
from xborder_risk.errors import ParameterError, SimulationError, SimulationSizeError

__all__ = ["CLAIM_BATCH", "block_chunks", "segmented_sum_and_max", "simulate"]

#: Severities are drawn in batches of at most this many claims, so memory stays flat
#: however large the expected claim count of a block. Fixed, like BLOCK_YEARS.
CLAIM_BATCH: int = 1 << 20

ProgressCallback = Callable[[int, int], None]


def _physical_memory_bytes() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 8 << 30


def _as_models(models: LossModel | Sequence[LossModel]) -> tuple[LossModel, ...]:
    if isinstance(models, LossModel):
        return (models,)
    if isinstance(models, str) or not isinstance(models, Sequence):
        raise ParameterError(
            "simulate", "models", models, "must be a LossModel or a sequence of LossModels"
        )
    checked = tuple(models)
    if not checked:
        raise ParameterError("simulate", "models", models, "must hold at least one LossModel")
    for model in checked:
        if not isinstance(model, LossModel):
            raise ParameterError("simulate", "models", model, "must hold LossModel objects only")
    names = [m.name for m in checked]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ParameterError("simulate", "models", duplicates, "line names must be unique")
    if TOTAL in names:
        raise ParameterError("simulate", "models", TOTAL, "is reserved for the sum of the lines")
    return checked


def _line_block(
    model: LossModel,
    rng: np.random.Generator,
    annual: NDArray[np.float64],
    largest: NDArray[np.float64],
) -> None:
    """Annual layer loss and largest occurrence of one line over one block of years.

    Writes every element of ``annual`` and ``largest`` (the block's rows of one line,
    contiguous views of the result arrays, so no block-sized copy is made). Clean inputs
    assumed (validated by :func:`simulate`). Counts first, then all severities in batches of
    whole claims, then occurrence terms, a segmented sum per year, and the aggregate terms.
    """
    layer = model.layer
    n = annual.shape[0]
    counts = model.frequency.sample(rng, n)
    ends = np.cumsum(counts)
    total_claims = int(ends[-1])
    largest.fill(0.0)
    if total_claims == 0:
        annual.fill(0.0)
        return
    if total_claims <= CLAIM_BATCH:
        # The common case: one severity draw for the whole block.
        payments = model.severity.sample(rng, total_claims)
        _add_batch(layer, payments, counts, annual, largest)
    else:
        starts = ends - counts
        batch_annual = np.empty(n, dtype=np.float64)
        annual.fill(0.0)
        for first in range(0, total_claims, CLAIM_BATCH):
            last = min(first + CLAIM_BATCH, total_claims)
            payments = model.severity.sample(rng, last - first)
            batch_counts = np.clip(ends, first, last) - np.clip(starts, first, last)
            # the running maximum is raised in place; the batch's sums are added after
            _add_batch(layer, payments, batch_counts, batch_annual, largest)
            annual += batch_annual
    layer._aggregate_in_place(annual)
    if layer.share != 1.0:
        largest *= layer.share
    if not np.isfinite(annual).all():
        raise SimulationError(
            f"line {model.name!r}: a simulated annual loss overflowed to inf; "
            "give the layer a finite limit or use a lighter-tailed severity"
        )


def _add_batch(
    layer: Layer,
    payments: NDArray[np.float64],
    counts: NDArray[np.int64],
    annual: NDArray[np.float64],
    largest: NDArray[np.float64],
) -> None:
    """Per-year sums and maxima of one batch of claims after the occurrence terms.

    ``payments`` (ground-up, overwritten in place) holds the batch's claims year after year,
    ``counts[y]`` of them for year ``y``. Writes each year's sum into ``annual`` and its
    largest payment into ``largest`` (the caller has zeroed it).
    """
    layer._occurrence_in_place(payments)
    segmented_sum_and_max(payments, counts, annual, largest)


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


def block_chunks(n_blocks: int, chunk_years: int | None) -> list[range]:
    """Runs of whole blocks; a chunk never splits a random block."""
    blocks_per_chunk = n_blocks if chunk_years is None else max(1, chunk_years // BLOCK_YEARS)
    return [
        range(i, min(i + blocks_per_chunk, n_blocks)) for i in range(0, n_blocks, blocks_per_chunk)
    ]


def simulate_blocks(
    models: tuple[LossModel, ...],
    root: np.random.SeedSequence,
    n_years: int,
    blocks: range,
    out: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
    dependence: Copula | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Simulate a run of whole blocks: (annual, max_occurrence) rows of their years.

    The unit of work of every backend: it depends only on the models, the root seed and
    the block indices, so any split of the blocks into chunks gives the same numbers.
    ``out`` (two arrays of shape (years in these blocks, n_lines)) receives the rows in
    place; otherwise new arrays are returned. With a ``dependence`` copula, each block's
    lines are reordered with scores drawn from the block's shared stream
    (``SHARED_STREAM_BASE``), after the lines' own draws, so independent results are untouched.
    """
    bounds = block_bounds(n_years)
    first_year = bounds[blocks.start][0]
    last_year = bounds[blocks.stop - 1][1]
    if out is None:
        annual = np.empty((last_year - first_year, len(models)), dtype=np.float64, order="F")
        largest = np.empty_like(annual)
    else:
        annual, largest = out
    for block in blocks:
        start, stop = bounds[block]
        rows = slice(start - first_year, stop - first_year)
        for line_index, model in enumerate(models):
            rng = block_generator(root, block, line_index)
            _line_block(model, rng, annual[rows, line_index], largest[rows, line_index])
        if dependence is not None:
            shared = block_generator(root, block, SHARED_STREAM_BASE)
            dependence.reorder(shared, annual[rows], largest[rows])
    return annual, largest


def simulate(
    models: LossModel | Sequence[LossModel],
    n_years: int,
    seed: int | np.random.SeedSequence,
    chunk_years: int | None = None,
    *,
    progress: ProgressCallback | None = None,
    max_memory_bytes: int | None = None,
    dependence: Copula | None = None,
    backend: str = "local",
    client: Any = None,
) -> SimulationResult:
    """Simulate annual layer losses of one or more lines.

    Parameters
    ----------
    models : LossModel or sequence of LossModel
        The lines to simulate (names unique). Lines are independent of each other.
    n_years : int
        Number of simulated policy years, ``>= 1``.
    seed : int or numpy.random.SeedSequence
        Root seed. The same seed gives bit-identical results whatever ``chunk_years``.
    chunk_years : int, optional
        Years per compute chunk (rounded down to whole random blocks of
        :data:`~xborder_risk.engine.rng.BLOCK_YEARS`, at least one block). It changes how
        the work is grouped, never the result.
    progress : callable, optional
        Called as ``progress(years_done, n_years)`` after each chunk.
    max_memory_bytes : int, optional
        Refuse (before allocating) a simulation whose result arrays would exceed this;
        half the machine's physical memory by default.
    dependence : GaussianCopula or StudentTCopula, optional
        Copula over the lines (dimension = number of models), applied by reordering each
        line's annual losses within a block (Iman-Conover); marginals are unchanged. Lines
        are independent without it, and their results are then exactly those of a run
        without this argument.
    backend : {"local", "dask"}
        ``"dask"`` runs every chunk as a task on a ``dask.distributed`` cluster (install
        the ``distributed`` extra). Results are bit-identical to ``"local"``.
    client : dask.distributed.Client, optional
        The cluster to use with ``backend="dask"``; a ``LocalCluster`` is started (and
        closed) for the call when omitted.

    Returns
    -------
    SimulationResult
        Year-loss table, in the currency units of the severities.

    Notes
    -----
    Memory beyond the result arrays is bounded by one block of one line: the counts of
    :data:`BLOCK_YEARS` years and at most :data:`CLAIM_BATCH` severities at a time.
    See ``docs/engine.md`` for the seeding scheme.
    """
    checked_models = _as_models(models)
    n_years = check_int("simulate", "n_years", n_years, lower=1)
    if dependence is not None:
        if not isinstance(dependence, Copula):
            raise ParameterError(
                "simulate", "dependence", dependence, "must be a GaussianCopula or StudentTCopula"
            )
        if dependence.dimension != len(checked_models):
            raise ParameterError(
                "simulate",
                "dependence",
                f"{dependence.dimension}x{dependence.dimension} correlation",
                f"must match the number of lines ({len(checked_models)})",
            )
    check_choice("simulate", "backend", backend, ("local", "dask"))
    check_callable("simulate", "progress", progress)
    if client is not None and backend != "dask":
        raise ParameterError("simulate", "client", client, "is only used with backend='dask'")
    root = root_seed_sequence(seed)
    if chunk_years is not None:
        chunk_years = check_int("simulate", "chunk_years", chunk_years, lower=1)
    limit = (
        _physical_memory_bytes() // 2
        if max_memory_bytes is None
        else check_int("simulate", "max_memory_bytes", max_memory_bytes, lower=1)
    )
    result_bytes = 8 * n_years * (2 * len(checked_models) + 1)
    if result_bytes > limit:
        raise SimulationSizeError(
            f"simulate: n_years={n_years} with {len(checked_models)} line(s) needs "
            f"{result_bytes / 2**30:.1f} GiB of result arrays, above the limit of "
            f"{limit / 2**30:.1f} GiB (max_memory_bytes)"
        )

    # Column-major: each line's years are contiguous, so block writes and the total are
    # streaming copies; the shape and indexing are the documented (n_years, n_lines).
    annual = np.empty((n_years, len(checked_models)), dtype=np.float64, order="F")
    largest = np.empty_like(annual)
    bounds = block_bounds(n_years)
    if backend == "dask":
        from xborder_risk.engine.distributed import simulate_on_dask

        simulate_on_dask(
            checked_models,
            root,
            n_years,
            block_chunks(len(bounds), BLOCK_YEARS if chunk_years is None else chunk_years),
            (annual, largest),
            dependence=dependence,
            client=client,
            progress=progress,
        )
    else:
        for chunk in block_chunks(len(bounds), chunk_years):
            first_year, last_year = bounds[chunk.start][0], bounds[chunk.stop - 1][1]
            rows = slice(first_year, last_year)
            simulate_blocks(
                checked_models,
                root,
                n_years,
                chunk,
                out=(annual[rows], largest[rows]),
                dependence=dependence,
            )
            if progress is not None:
                progress(last_year, n_years)

    if annual.shape[1] == 1:
        total = annual[:, 0]  # a read-only view: one line is its own total
    else:
        total = annual[:, 0].copy()
        with np.errstate(over="ignore"):
            for column in range(1, annual.shape[1]):
                total += annual[:, column]
        # Each line is finite (checked per block), but their sum can still overflow.
        if not np.isfinite(total).all():
            raise SimulationError(
                "simulate: the total of the lines' annual losses overflowed to inf; "
                "give the layers finite limits or use lighter-tailed severities"
            )
    return SimulationResult(
        lines=tuple(m.name for m in checked_models),
        annual=annual,
        max_occurrence=largest,
        total=total,
        seed_sequence=root,
        block_years=BLOCK_YEARS,
    )
