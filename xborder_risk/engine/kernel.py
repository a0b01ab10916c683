"""The vectorised, chunked, seeded Monte Carlo loss engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from xborder_risk._validation import check_int
from xborder_risk.engine.claims import CLAIM_BATCH, claim_loop_bytes, draw_line_block
from xborder_risk.engine.dependence import Copula
from xborder_risk.engine.model import LossModel
from xborder_risk.engine.results import TOTAL, SimulationResult
from xborder_risk.engine.rng import (
    BLOCK_YEARS,
    DEFAULT_STREAM_KEYS,
    SHARED_STREAM_BASE,
    StreamKeys,
    block_bounds,
    block_generator,
    line_stream_keys,
    root_seed_sequence,
)
from xborder_risk.engine.runner import (
    ChunkRun,
    ProgressCallback,
    run_chunks,
    run_options,
)
from xborder_risk.errors import ParameterError, SimulationError

__all__ = [
    "CLAIM_BATCH",
    "check_models",
    "simulate",
    "simulate_blocks",
    "simulation_peak_bytes",
]

#: Bytes per (year, line) cell of a block that the copula's reordering holds at once (its
#: scores, their ranks and the sorted losses), measured with tracemalloc and rounded up.
_COPULA_BYTES_PER_CELL: int = 32


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
    legacy: bool = False,
) -> None:
    """Annual layer loss and largest occurrence of one line over one block of years.

    Writes every element of ``annual`` and ``largest`` (the block's rows of one line,
    contiguous views of the result arrays, so no block-sized copy is made). Clean inputs
    assumed (validated by :func:`simulate`). The claims come from the one claim loop
    (:func:`~xborder_risk.engine.claims.draw_line_block`), then the layer's aggregate terms and
    share apply to each year.
    """
    layer = model.layer
    draw_line_block(model, rng, annual.shape[0], claim_sums=annual, largest=largest, legacy=legacy)
    layer._aggregate_in_place(annual)
    layer._share_in_place(largest)
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
    keys: tuple[int, ...] | None = None,
    legacy: bool = False,
    out: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Simulate a run of whole blocks: (annual, max_occurrence) rows of their years.

    The kernel of the run loop (:func:`~xborder_risk.engine.runner.run_chunks`), the unit of
    work of every backend: it depends only on the models, the root seed, the lines' stream
    keys (``keys``, from :func:`~xborder_risk.engine.rng.line_stream_keys`; by name when
    None) and the block indices, so any split of the blocks into chunks gives the same
    numbers. ``out`` (two
    arrays of shape (years in these blocks, n_lines)) receives the rows in place; otherwise
    new arrays are returned. With a ``dependence`` copula, each block's
    lines are reordered with scores drawn from the block's shared stream
    (``SHARED_STREAM_BASE``), after the lines' own draws, so independent results are untouched.
    """
    if keys is None:
        keys = line_stream_keys("simulate", [m.name for m in models], DEFAULT_STREAM_KEYS)
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
            rng = block_generator(root, block, keys[line_index])
            _line_block(model, rng, annual[rows, line_index], largest[rows, line_index], legacy)
        if dependence is not None:
            shared = block_generator(root, block, SHARED_STREAM_BASE)
            dependence.reorder(shared, annual[rows], largest[rows])
    return annual, largest


def simulation_peak_bytes(
    models: Sequence[LossModel],
    n_years: int,
    *,
    dependence: Copula | None = None,
    analysis_copies: int = 0,
    workers: int = 1,
) -> float:
    """Estimated peak memory of :func:`simulate`, bytes: what the memory guard compares.

    The result arrays (``annual`` and ``max_occurrence``: ``n_years x n_lines`` float64 each;
    the ``total``, a further ``n_years`` float64 with two lines or more), plus the larger of
    the claim loop's working set for one line and one block
    (:func:`~xborder_risk.engine.claims.claim_loop_bytes`, with the copula's scores and ranks
    for a block when there is dependence), the total's finiteness check and
    ``analysis_copies`` float64 copies of every column (lines and total) for the caller:
    these come one after the other, never at once.  With ``workers`` threads, that many
    blocks' claim loops run at once (never more than there are blocks).
    Within 1.5x of the peak that tracemalloc and the resident set show for the standard
    problem and a 4-line quote (``tests/engine/test_memory_guard.py``).
    """
    n_lines = len(models)
    n_block = min(BLOCK_YEARS, n_years)
    results = 8.0 * n_years * (2 * n_lines + (1 if n_lines > 1 else 0))
    loop = max(claim_loop_bytes(m.frequency.mean(), n_block) for m in models)
    if dependence is not None:
        loop += _COPULA_BYTES_PER_CELL * n_block * n_lines
    loop *= max(1, min(workers, -(-n_years // BLOCK_YEARS)))
    finite_check = float(n_years) if n_lines > 1 else 0.0
    # the claim loop's arrays are freed before the total is formed and the caller reads it
    analysis = 8.0 * n_years * (n_lines + 1) * analysis_copies
    return results + max(loop, finite_check, analysis)


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
    max_claims_per_year: float | None = None,
    analysis_copies: int = 0,
    stream_keys: StreamKeys = DEFAULT_STREAM_KEYS,
    workers: int | None = None,
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
        Refuse, before allocating, a simulation whose estimated peak memory
        (:func:`simulation_peak_bytes`) exceeds this many bytes. By default the environment
        variable ``XBORDER_RISK_MAX_MEMORY``, else 85 % of what the process may still use:
        the least of physical memory, the address-space limit (``RLIMIT_AS``) and the cgroup
        memory limit, less what is already in use (``docs/engine.md``).
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
    max_claims_per_year : float, optional
        Refuse, before drawing, a line whose expected claims per simulated year ``E[N]``
        exceed this; by default the environment variable
        ``XBORDER_RISK_MAX_CLAIMS_PER_YEAR``, else
        :data:`~xborder_risk.engine.runner.MAX_CLAIMS_PER_YEAR` (1e5).
    analysis_copies : int, default 0
        Float64 copies of every column of the result (each line and the total) that the
        caller will hold at once while reading it (sorts for quantiles, pricing), counted in
        the memory estimate so that a request whose analysis would not fit is refused before
        simulating. :func:`xborder_risk.quote.quote` passes its own figure.
    stream_keys : {"name", "position"}, default "name"
        How each line's random stream is keyed: by the line's name (a line's losses are then
        the same whatever other lines are simulated beside it, in any order), or by its
        position in ``models`` (how every result before issue 17 was drawn, with a claim
        count drawn for every year as before issue 16; a quote record without the field
        reproduces with it).
    workers : int, optional
        Threads of the local backend, each simulating whole random blocks into their own rows;
        by default the environment variable ``XBORDER_RISK_WORKERS``, else the cores this
        process may use. Never changes a result.

    Returns
    -------
    SimulationResult
        Year-loss table, in the currency units of the severities.

    Raises
    ------
    SimulationSizeError
        Before anything is drawn: a line expects more claims per year than allowed, or the
        estimated peak memory exceeds the limit (the message gives both figures).

    Notes
    -----
    Memory beyond the result arrays is bounded by one block of one line: the counts of
    :data:`BLOCK_YEARS` years and at most :data:`CLAIM_BATCH` severities at a time.
    See ``docs/engine.md`` for the seeding scheme, the memory guard and the claim bound.
    """
    owner = "simulate"
    checked_models = check_models(owner, models)
    options = run_options(
        owner,
        n_years,
        chunk_years,
        backend,
        client,
        progress,
        max_memory_bytes,
        max_claims_per_year,
        workers,
    )
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
    keys = line_stream_keys(owner, [m.name for m in checked_models], stream_keys)
    analysis_copies = check_int(owner, "analysis_copies", analysis_copies, lower=0)
    options.refuse_frequent((repr(m.name), m.frequency.mean()) for m in checked_models)
    options.refuse_oversize(
        f"n_years={n_years} with {len(checked_models)} line(s)",
        simulation_peak_bytes(
            checked_models,
            n_years,
            dependence=dependence,
            analysis_copies=analysis_copies,
            workers=options.concurrent_blocks(n_years),
        ),
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
        # position keys are the streams of before issue 17: their counts are drawn as then
        args=(root, n_years, dependence, keys, stream_keys == "position"),
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
