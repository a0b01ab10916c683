"""The run loop: chunks of whole random blocks, the memory ceiling, the backend and progress.

One loop for everything that simulates years in chunks -- :func:`xborder_risk.engine.simulate`,
:meth:`xborder_risk.portfolio.Portfolio.simulate` and
:func:`xborder_risk.reinsurance.occurrences_from_models` -- so the rules live in one place:

* a compute chunk is a run of whole random blocks (:data:`~xborder_risk.engine.rng.BLOCK_YEARS`
  years each), never a split block, so chunking never changes a number;
* ``backend="local"`` runs the chunks in this process, each writing straight into its rows of
  the result arrays: one after the other with ``workers=1``, or on a pool of ``workers``
  threads (one random block per task unless ``chunk_years`` says otherwise; numpy's
  generators and ufuncs release the GIL while they fill arrays, so the threads share the
  cores), the rows of every block being disjoint and every block a pure function of its
  index, so the numbers are the same bit for bit for any ``workers``;
* ``backend="dask"`` runs each chunk (one block by default) as a task on a
  ``dask.distributed`` cluster (:mod:`xborder_risk.engine.distributed`) and copies its
  rows into place as it completes, in whatever order;
* ``progress(years_done, n_years)`` is called after each chunk;
* requests are refused before anything is allocated when their estimated peak memory would
  exceed what the process may use (:func:`memory_limit`), or when a line expects more claims
  per simulated year than :data:`MAX_CLAIMS_PER_YEAR` (:func:`claims_limit`).

The caller supplies a :class:`ChunkRun`: a kernel that is a pure function of its shared inputs,
the chunk's block indices and the seed, and two callbacks that place a chunk's rows.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from xborder_risk._validation import check_int, check_real
from xborder_risk.engine.distributed import submit_chunks
from xborder_risk.engine.rng import BLOCK_YEARS, block_bounds
from xborder_risk.errors import ParameterError, SimulationSizeError

try:
    import resource
except ImportError:  # pragma: no cover - not POSIX (Windows): no address-space limit to read
    resource = None  # type: ignore[assignment]

__all__ = [
    "BACKENDS",
    "CLAIMS_ENV",
    "DEFAULT_WORKERS",
    "MAX_CLAIMS_PER_YEAR",
    "MEMORY_ENV",
    "MEMORY_SAFETY",
    "WORKERS_ENV",
    "ChunkRun",
    "MemoryLimit",
    "ProgressCallback",
    "RunOptions",
    "available_memory",
    "block_chunks",
    "cgroup_memory_headroom",
    "claims_limit",
    "memory_limit",
    "refuse_frequent",
    "refuse_oversize",
    "run_chunks",
    "run_options",
]

#: The backends a run can use.
BACKENDS: tuple[str, ...] = ("local", "dask")

ProgressCallback = Callable[[int, int], None]

R = TypeVar("R")


#: Environment variable that overrides the memory this process may use (bytes, or with a
#: K/M/G/T suffix in powers of 1024, e.g. ``"6G"``); the ``max_memory_bytes`` argument wins.
MEMORY_ENV: str = "XBORDER_RISK_MAX_MEMORY"

#: Environment variable that overrides :data:`MAX_CLAIMS_PER_YEAR` (a positive number); the
#: ``max_claims_per_year`` argument wins.
CLAIMS_ENV: str = "XBORDER_RISK_MAX_CLAIMS_PER_YEAR"

#: Default bound on one line's expected claims per simulated year. The engine's time is
#: linear in the claims it draws (about 30 ns a claim), so this bounds a simulated year of a
#: line to a few milliseconds; the shipped examples expect 0.01-25. A count at its schema
#: maximum (1e12) or ``Poisson(lam=1e15)`` is refused at once instead of running for days.
MAX_CLAIMS_PER_YEAR: float = 1e5

#: Environment variable that sets the default number of local worker threads (an integer >= 1);
#: the ``workers`` argument wins.
WORKERS_ENV: str = "XBORDER_RISK_WORKERS"


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


#: Local worker threads by default: the cores this process may run on.
DEFAULT_WORKERS: int = max(1, _usable_cpus())

#: Share of the memory this process may use that a request's estimated peak may take: the
#: rest is for what the estimate does not see (allocator fragmentation, the caller's objects).
MEMORY_SAFETY: float = 0.85

_SUFFIXES = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
_UNLIMITED = 1 << 60  # cgroup v1 reports "no limit" as a huge page-rounded number


def _physical_memory_bytes() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 8 << 30


def _status_bytes(field: str) -> int:
    """``VmRSS``/``VmSize`` of this process from /proc/self/status, bytes (0 if unknown)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):  # pragma: no cover - non-Linux
        pass
    return 0


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if text == "max":
        return None
    try:
        value = int(text)
    except ValueError:
        return None
    return None if value >= _UNLIMITED else value


def cgroup_memory_headroom(root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """Bytes this process's cgroup may still allocate (limit - usage), or None without a limit.

    cgroup v2 (``memory.max``, ``memory.current``) or v1 (``memory.limit_in_bytes``,
    ``memory.usage_in_bytes``), in the process's own group from ``/proc/self/cgroup`` or at
    the root of the mount (as a container, e.g. a Kubernetes pod, sees it).
    """
    groups: list[Path] = []
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as cgroups:
            for line in cgroups:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                relative = path.lstrip("/")
                if controllers == "":
                    groups.append(root / relative)
                elif "memory" in controllers.split(","):
                    groups.append(root / "memory" / relative)
    except (OSError, ValueError):
        pass
    groups += [root, root / "memory"]
    for group in groups:
        for limit_name, usage_name in (
            ("memory.max", "memory.current"),
            ("memory.limit_in_bytes", "memory.usage_in_bytes"),
        ):
            if not (group / limit_name).is_file():
                continue
            limit = _read_int(group / limit_name)
            if limit is None:
                return None
            return max(0, limit - (_read_int(group / usage_name) or 0))
    return None


def _address_space_limit() -> int | None:
    """The soft ``RLIMIT_AS`` of this process, bytes, or None when unlimited or unknown."""
    if resource is None or not hasattr(resource, "RLIMIT_AS"):  # pragma: no cover
        return None
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (ValueError, OSError):  # pragma: no cover - platform without RLIMIT_AS
        return None
    return None if soft == resource.RLIM_INFINITY else int(soft)


def available_memory() -> tuple[int, str]:
    """The memory this process may still use, bytes, and what bounds it.

    The smallest of: physical memory less this process's resident set; the address-space
    limit (``RLIMIT_AS``, ``ulimit -v``) less the address space already mapped; the cgroup
    memory limit less the group's usage (a container's or a Kubernetes pod's limit).
    """
    candidates = [(_physical_memory_bytes() - _status_bytes("VmRSS"), "physical memory")]
    soft = _address_space_limit()
    if soft is not None:
        candidates.append((soft - _status_bytes("VmSize"), "the address-space limit (RLIMIT_AS)"))
    cgroup = cgroup_memory_headroom()
    if cgroup is not None:
        candidates.append((cgroup, "the cgroup memory limit"))
    headroom, source = min(candidates)
    return max(0, headroom), source


def _parse_bytes(owner: str, name: str, text: str) -> int:
    cleaned = text.strip().upper().removesuffix("B").removesuffix("I")
    number, suffix = (cleaned[:-1], cleaned[-1]) if cleaned[-1:].isalpha() else (cleaned, "")
    try:
        value = float(number) * _SUFFIXES[suffix]
    except (KeyError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and value >= 1):
        raise ParameterError(
            owner, name, text, "must be a number of bytes >= 1, optionally with K, M, G or T"
        )
    return int(value)


@dataclass(frozen=True, slots=True)
class MemoryLimit:
    """The memory a request may take at its peak, bytes, and where the figure comes from."""

    bytes: int
    source: str


def memory_limit(owner: str, max_memory_bytes: object) -> MemoryLimit:
    """The memory a request may take at its peak.

    ``max_memory_bytes`` when given; else the environment variable :data:`MEMORY_ENV`; else
    :data:`MEMORY_SAFETY` of :func:`available_memory`.
    """
    if max_memory_bytes is not None:
        value = check_int(owner, "max_memory_bytes", max_memory_bytes, lower=1)
        return MemoryLimit(value, "max_memory_bytes")
    override = os.environ.get(MEMORY_ENV)
    if override is not None and override.strip():
        return MemoryLimit(_parse_bytes(owner, MEMORY_ENV, override), MEMORY_ENV)
    headroom, source = available_memory()
    return MemoryLimit(
        int(MEMORY_SAFETY * headroom),
        f"{MEMORY_SAFETY:.0%} of what {source} leaves this process",
    )


def claims_limit(owner: str, max_claims_per_year: object) -> float:
    """The bound on one line's expected claims per simulated year.

    ``max_claims_per_year`` when given; else the environment variable :data:`CLAIMS_ENV`;
    else :data:`MAX_CLAIMS_PER_YEAR`.
    """
    if max_claims_per_year is not None:
        return check_real(
            owner, "max_claims_per_year", max_claims_per_year, lower=0.0, lower_inclusive=False
        )
    override = os.environ.get(CLAIMS_ENV)
    if override is not None and override.strip():
        try:
            value = float(override)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise ParameterError(owner, CLAIMS_ENV, override, "must be a finite number > 0")
        return value
    return MAX_CLAIMS_PER_YEAR


def refuse_oversize(owner: str, request: str, needed: float, limit: MemoryLimit) -> None:
    """Raise :class:`SimulationSizeError` when ``needed`` bytes exceed the limit.

    ``request`` describes what was asked for (e.g. ``"n_years=10 with 2 line(s)"``).
    """
    if needed > limit.bytes:
        raise SimulationSizeError(
            f"{owner}: {request} needs about {needed / 2**30:.2f} GiB at its peak, above the "
            f"limit of {limit.bytes / 2**30:.2f} GiB ({limit.source}); simulate fewer years, or "
            f"set max_memory_bytes or the environment variable {MEMORY_ENV} to override"
        )


def refuse_frequent(owner: str, lines: Iterable[tuple[str, float]], limit: float) -> None:
    """Raise :class:`SimulationSizeError` when a line expects more than ``limit`` claims a year.

    ``lines`` gives each line's name and expected claims per simulated year (``E[N]``).
    Checked before anything is drawn, so an absurd frequency is refused at once.
    """
    for name, expected in lines:
        if not expected <= limit:  # also refuses NaN
            raise SimulationSizeError(
                f"{owner}: line {name} expects {expected:.4g} claims per simulated year, above "
                f"the limit of {limit:.4g} (max_claims_per_year; the environment variable "
                f"{CLAIMS_ENV} overrides it)"
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
    memory_limit: MemoryLimit
    max_claims_per_year: float
    workers: int = 1

    def concurrent_blocks(self, n_years: int) -> int:
        """Random blocks simulated at once in this process (each holds one block's working
        set): ``workers`` threads locally, never more than there are blocks; 1 on Dask."""
        if self.backend != "local":
            return 1
        return max(1, min(self.workers, -(-n_years // BLOCK_YEARS)))

    def refuse_oversize(self, request: str, needed: float) -> None:
        """Raise :class:`SimulationSizeError` when ``needed`` bytes exceed the memory limit.

        ``request`` describes what was asked for (e.g. ``"n_years=10 with 2 line(s)"``).
        """
        refuse_oversize(self.owner, request, needed, self.memory_limit)

    def refuse_frequent(self, lines: Iterable[tuple[str, float]]) -> None:
        """Refuse a line expecting more than the bound's claims per year (see
        :func:`refuse_frequent`)."""
        refuse_frequent(self.owner, lines, self.max_claims_per_year)


def run_options(
    owner: str,
    n_years: object,
    chunk_years: object,
    backend: object,
    client: object,
    progress: object,
    max_memory_bytes: object,
    max_claims_per_year: object = None,
    workers: object = None,
) -> RunOptions:
    """Validate the run options every simulation shares.

    Raises
    ------
    ParameterError
        ``n_years`` not an integer >= 1, ``chunk_years`` neither None nor an integer >= 1,
        ``backend`` not ``"local"`` or ``"dask"``, a ``client`` without ``backend="dask"``, a
        ``progress`` that is not callable, ``max_memory_bytes`` neither None nor an integer
        >= 1, ``max_claims_per_year`` neither None nor a number > 0 (or a bad override in
        the environment), ``workers`` neither None nor an integer >= 1 (or a bad
        :data:`WORKERS_ENV`), or ``workers`` with ``backend="dask"``.
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
    return RunOptions(
        owner=owner,
        n_years=n_years,
        chunk_years=chunk_years,
        backend=backend,
        client=client,
        progress=progress,
        memory_limit=memory_limit(owner, max_memory_bytes),
        max_claims_per_year=claims_limit(owner, max_claims_per_year),
        workers=worker_count(owner, workers, backend),
    )


def worker_count(owner: str, workers: object, backend: str = "local") -> int:
    """Local worker threads: ``workers`` when given, else :data:`WORKERS_ENV`, else
    :data:`DEFAULT_WORKERS` (the cores this process may use); 1 on Dask (its workers are the
    cluster's)."""
    if workers is not None:
        if backend != "local":
            raise ParameterError(
                owner, "workers", workers, "is only used with backend='local' (Dask has its own)"
            )
        return check_int(owner, "workers", workers, lower=1)
    if backend != "local":
        return 1
    override = os.environ.get(WORKERS_ENV)
    if override is not None and override.strip():
        try:
            value = int(override)
        except ValueError:
            value = 0
        if value < 1:
            raise ParameterError(owner, WORKERS_ENV, override, "must be an integer >= 1")
        return value
    return DEFAULT_WORKERS


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
    with ``chunk_years=None``, one chunk of every block locally with one worker, and one
    block per task on Dask or on a pool of several local threads.
    ``options.progress(years_done, n_years)`` is called after each chunk; locally, ``store``
    and ``progress`` are called in block order whatever the number of threads.
    """
    n_years = options.n_years
    bounds = block_bounds(n_years)
    chunk_years = options.chunk_years
    threads = options.concurrent_blocks(n_years) if options.backend == "local" else 1
    if chunk_years is None and (options.backend == "dask" or threads > 1):
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
    elif threads > 1 and len(chunks) > 1:
        _run_threaded(run, chunks, bounds, min(threads, len(chunks)), finished)
    else:
        for blocks in chunks:
            years = slice(bounds[blocks.start][0], bounds[blocks.stop - 1][1])
            finished(blocks, run.kernel(run.shared, blocks, *run.args, out=run.rows(years)), True)
    return chunks


def _run_threaded(
    run: ChunkRun[Any],
    chunks: list[range],
    bounds: list[tuple[int, int]],
    threads: int,
    finished: Callable[[range, object, bool], None],
) -> None:
    """Run the chunks on ``threads`` threads, each writing its own rows; ``finished`` is called
    in block order.  At most ``threads`` chunks are in flight (so at most that many blocks'
    working sets are held), and the first error cancels the chunks not yet started."""
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="xborder-risk") as pool:
        pending: list[tuple[range, Future[object]]] = []
        upcoming = iter(chunks)
        try:
            for blocks in upcoming:
                years = slice(bounds[blocks.start][0], bounds[blocks.stop - 1][1])
                future = pool.submit(run.kernel, run.shared, blocks, *run.args, out=run.rows(years))
                pending.append((blocks, future))
                if len(pending) >= threads:
                    done_blocks, done = pending.pop(0)
                    finished(done_blocks, done.result(), True)
            while pending:
                done_blocks, done = pending.pop(0)
                finished(done_blocks, done.result(), True)
        except BaseException:
            for _, future in pending:
                future.cancel()
            raise
