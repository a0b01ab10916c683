"""The vectorised, chunked, seeded Monte Carlo loss engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from xborder_risk.engine.claims import CLAIM_BATCH, draw_line_block
from xborder_risk.engine.dependence import Copula
from xborder_risk.engine.model import LossModel
from xborder_risk.engine.results import TOTAL, SimulationResult
from xborder_risk.engine.rng import (
    BLOCK_YEARS,
    SHARED_STREAM_BASE,
    block_bounds,
    block_generator,
    root_seed_sequence,
)
from xborder_risk.engine.runner import (
    ChunkRun,
    ProgressCallback,
    run_chunks,
    run_options,
)
from xborder_risk.errors import ParameterError, SimulationError

__all__ = ["CLAIM_BATCH", "check_models", "simulate", "simulate_blocks"]


def check_models(
    owner: str, models: LossModel | Sequence[LossModel], *, total_reserved: bool = True
) -> tuple[LossModel, ...]:
    """The lines of a request as a tuple: LossModels with unique names (not ``"total"``)."""
    if isinstance(models, LossModel):
        return (models,)
    if isinstance(models, str) or not isinstance(models, Sequence):
        raise ParameterError(
            owner, "models", models, "must be a LossModel or a sequence of LossModels"
        )
    checked = tuple(models)
    if not checked:
        raise ParameterError(owner, "models", models, "must hold at least one LossModel")
    for model in checked:
        if not isinstance(model, LossModel):
            raise ParameterError(owner, "models", model, "must hold LossModel objects only")
    names = [m.name for m in checked]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ParameterError(owner, "models", duplicates, "line names must be unique")
    if total_reserved and TOTAL in names:
        raise ParameterError(owner, "models", TOTAL, "is reserved for the sum of the lines")
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
    assumed (validated by :func:`simulate`). The claims come from the one claim loop
    (:func:`~xborder_risk.engine.claims.draw_line_block`), then the layer's aggregate terms and
    share apply to each year.
    """
    layer = model.layer
    draw_line_block(model, rng, annual.shape[0], claim_sums=annual, largest=largest)
    layer._aggregate_in_place(annual)
    if layer.share != 1.0:
        largest *= layer.share
    if not np.isfinite(annual).all():
        raise SimulationError(
            f"line {model.name!r}: a simulated annual loss overflowed to inf; "
            "give the layer a finite limit or use a lighter-tailed severity"
        )


def simulate_blocks(
    models: tuple[LossModel, ...],
    blocks: range,
    root: np.random.SeedSequence,
    n_years: int,
    dependence: Copula | None = None,
    out: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Simulate a run of whole blocks: (annual, max_occurrence) rows of their years.

    The kernel of the run loop (:func:`~xborder_risk.engine.runner.run_chunks`), the unit of
    work of every backend: it depends only on the models, the root seed and the block
    indices, so any split of the blocks into chunks gives the same numbers. ``out`` (two
    arrays of shape (years in these blocks, n_lines)) receives the rows in place; otherwise
    new arrays are returned. With a ``dependence`` copula, each block's
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
    owner = "simulate"
    checked_models = check_models(owner, models)
    options = run_options(owner, n_years, chunk_years, backend, client, progress, max_memory_bytes)
    n_years = options.n_years
    if dependence is not None:
        if not isinstance(dependence, Copula):
            raise ParameterError(
                owner, "dependence", dependence, "must be a GaussianCopula or StudentTCopula"
            )
        if dependence.dimension != len(checked_models):
            raise ParameterError(
                owner,
                "dependence",
                f"{dependence.dimension}x{dependence.dimension} correlation",
                f"must match the number of lines ({len(checked_models)})",
            )
    root = root_seed_sequence(seed)
    options.refuse_oversize(
        f"n_years={n_years} with {len(checked_models)} line(s)",
        8 * n_years * (2 * len(checked_models) + 1),
    )

    # Column-major: each line's years are contiguous, so block writes and the total are
    # streaming copies; the shape and indexing are the documented (n_years, n_lines).
    annual = np.empty((n_years, len(checked_models)), dtype=np.float64, order="F")
    largest = np.empty_like(annual)

    def store(
        blocks: range,
        years: slice,
        result: tuple[NDArray[np.float64], NDArray[np.float64]],
        in_place: bool,
    ) -> None:
        if not in_place:
            annual[years], largest[years] = result

    run = ChunkRun(
        kernel=simulate_blocks,
        shared=checked_models,
        args=(root, n_years, dependence),
        rows=lambda years: (annual[years], largest[years]),
        store=store,
    )
    run_chunks(options, run)

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
