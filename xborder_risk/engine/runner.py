"""The run loop: chunks of whole random blocks, the memory ceiling, the backend and progress.

One loop for everything that simulates years in chunks -- :func:`xborder_risk.engine.simulate`
and :meth:`xborder_risk.portfolio.Portfolio.simulate` -- so the rules live in one place:

* a compute chunk is a run of whole random blocks (:data:`~xborder_risk.engine.rng.BLOCK_YEARS`
  years each), never a split block, so chunking never changes a number;
* ``backend="local"`` runs the chunks in order in this process, each writing straight into its
  rows of the result arrays; ``backend="dask"`` runs each chunk (one block by default) as a task
  on a ``dask.distributed`` cluster (:mod:`xborder_risk.engine.distributed`) and copies its
  rows into place as it completes, in whatever order;
* ``progress(years_done, n_years)`` is called after each chunk;
* requests are refused before anything is allocated when they would exceed the memory limit.

The caller supplies a :class:`ChunkRun`: a kernel that is a pure function of its shared inputs,
the chunk's block indices and the seed, and two callbacks that place a chunk's rows.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from xborder_risk._validation import check_int
from xborder_risk.engine.distributed import submit_chunks
from xborder_risk.engine.rng import BLOCK_YEARS, block_bounds
from xborder_risk.errors import ParameterError, SimulationSizeError

__all__ = [
    "BACKENDS",
    "ChunkRun",
    "ProgressCallback",
    "RunOptions",
    "block_chunks",
    "memory_limit",
    "refuse_oversize",
    "run_chunks",
    "run_options",
]

#: The backends a run can use.
BACKENDS: tuple[str, ...] = ("local", "dask")

ProgressCallback = Callable[[int, int], None]

R = TypeVar("R")


def _physical_memory_bytes() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 8 << 30


def memory_limit(owner: str, max_memory_bytes: object) -> int:
    """The memory ceiling of a request, bytes: ``max_memory_bytes``, or half the physical memory."""
    if max_memory_bytes is None:
        return _physical_memory_bytes() // 2
    return check_int(owner, "max_memory_bytes", max_memory_bytes, lower=1)


def refuse_oversize(owner: str, request: str, needed: float, limit: int) -> None:
    """Raise :class:`SimulationSizeError` when ``needed`` bytes exceed ``limit``.

    ``request`` describes what was asked for (e.g. ``"n_years=10 with 2 line(s)"``).
    """
    if needed > limit:
        raise SimulationSizeError(
            f"{owner}: {request} needs about {needed / 2**30:.1f} GiB, above the limit of "
            f"{limit / 2**30:.1f} GiB (max_memory_bytes)"
        )


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How a simulation runs (validated by :func:`run_options`); never what it computes."""

    owner: str
    n_years: int
    chunk_years: int | None
    backend: str
    client: Any
    progress: ProgressCallback | None
    memory_limit: int

    def refuse_oversize(self, request: str, needed: float) -> None:
        """Raise :class:`SimulationSizeError` when ``needed`` bytes exceed the memory limit.

        ``request`` describes what was asked for (e.g. ``"n_years=10 with 2 line(s)"``).
        """
        refuse_oversize(self.owner, request, needed, self.memory_limit)


def run_options(
    owner: str,
    n_years: object,
    chunk_years: object,
    backend: object,
    client: object,
    progress: object,
    max_memory_bytes: object,
) -> RunOptions:
    """Validate the run options every simulation shares.

    Raises
    ------
    ParameterError
        ``n_years`` not an integer >= 1, ``chunk_years`` neither None nor an integer >= 1,
        ``backend`` not ``"local"`` or ``"dask"``, a ``client`` without ``backend="dask"``, a
        ``progress`` that is not callable, ``max_memory_bytes`` neither None nor an integer
        >= 1.
    """
    n_years = check_int(owner, "n_years", n_years, lower=1)
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise ParameterError(owner, "backend", backend, "must be 'local' or 'dask'")
    if client is not None and backend != "dask":
        raise ParameterError(owner, "client", client, "is only used with backend='dask'")
    if progress is not None and not callable(progress):
        raise ParameterError(owner, "progress", progress, "must be callable or None")
    if chunk_years is not None:
        chunk_years = check_int(owner, "chunk_years", chunk_years, lower=1)
    limit = memory_limit(owner, max_memory_bytes)
    return RunOptions(owner, n_years, chunk_years, backend, client, progress, limit)


def block_chunks(n_blocks: int, chunk_years: int | None) -> list[range]:
    """Runs of whole blocks of ``chunk_years // BLOCK_YEARS`` (at least one; all if None)."""
    blocks_per_chunk = n_blocks if chunk_years is None else max(1, chunk_years // BLOCK_YEARS)
    return [
        range(i, min(i + blocks_per_chunk, n_blocks)) for i in range(0, n_blocks, blocks_per_chunk)
    ]


@dataclass(frozen=True, slots=True)
class ChunkRun(Generic[R]):
    """What :func:`run_chunks` runs.

    Attributes
    ----------
    kernel : callable
        ``kernel(shared, blocks, *args, out=None) -> R``: simulates the run of blocks
        ``blocks`` (a ``range``); a pure function of its arguments.  With ``out`` it writes the
        chunk's rows there; without, into new arrays (in a Dask worker).
    shared : object
        The inputs every chunk shares (models, a book); scattered once to the workers.
    args : tuple
        The rest of the kernel's arguments (root seed, number of years, ...).
    rows : callable
        ``rows(years)``: the views of the result arrays for the slice of years ``years``, given
        to the kernel as ``out`` by the local backend.
    store : callable
        ``store(blocks, years, result, in_place)``: called on the client once per chunk, in
        block order locally, in completion order on Dask.  ``in_place`` is True when the kernel
        wrote into ``rows(years)`` itself; otherwise ``result`` holds new arrays that ``store``
        must copy into place.
    """

    kernel: Callable[..., R]
    shared: object
    args: tuple[object, ...]
    rows: Callable[[slice], object]
    store: Callable[[range, slice, R, bool], None]


def run_chunks(options: RunOptions, run: ChunkRun[Any]) -> list[range]:
    """Run ``run.kernel`` over every chunk of the simulation; the chunks, in block order.

    Chunks are runs of whole blocks of ``options.chunk_years // BLOCK_YEARS`` (at least one):
    with ``chunk_years=None``, one chunk of every block locally and one block per task on
    Dask.  ``options.progress(years_done, n_years)`` is called after each chunk.
    """
    n_years = options.n_years
    bounds = block_bounds(n_years)
    chunk_years = options.chunk_years
    if options.backend == "dask" and chunk_years is None:
        chunk_years = BLOCK_YEARS
    chunks = block_chunks(len(bounds), chunk_years)
    done_years = 0

    def finished(blocks: range, result: object, in_place: bool) -> None:
        nonlocal done_years
        years = slice(bounds[blocks.start][0], bounds[blocks.stop - 1][1])
        run.store(blocks, years, result, in_place)
        done_years += years.stop - years.start
        if options.progress is not None:
            options.progress(done_years, n_years)

    if options.backend == "dask":
        submit_chunks(
            options.owner,
            options.client,
            run.kernel,
            run.shared,
            chunks,
            run.args,
            lambda blocks, result: finished(blocks, result, False),
        )
    else:
        for blocks in chunks:
            years = slice(bounds[blocks.start][0], bounds[blocks.stop - 1][1])
            finished(blocks, run.kernel(run.shared, blocks, *run.args, out=run.rows(years)), True)
    return chunks
