"""Dask plumbing: a client for the call, worker malloc settings, and a map over chunks.

Plain plumbing that knows nothing of losses: it imports nothing from the engine (the run loop
in :mod:`xborder_risk.engine.runner` calls it, never the other way round), and dask only inside
its functions, so the core never imports dask (an optional extra: ``pip install
"xborder-risk[distributed]"``). The runner hands :func:`submit_chunks` a pure function of the
shared inputs, the chunk's block indices and the seed, so the numbers do not depend on which
worker runs a task or in what order tasks finish; each chunk's rows are written to their own
place.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from xborder_risk.errors import ParameterError, XBorderRiskError

__all__ = [
    "WORKER_MALLOC_ENVIRON",
    "dask_client",
    "submit_chunks",
    "worker_malloc_environ",
]

#: glibc malloc settings for worker processes. dask's nanny starts workers with
#: ``MALLOC_TRIM_THRESHOLD_=65536``, which also freezes glibc's mmap threshold at 128 KiB, so
#: every per-block temporary of the kernels (65,536 years x 8 bytes = 512 KiB and up) is
#: mapped and unmapped afresh: a portfolio block ran about 1.6x slower in a dask worker than
#: in a plain process (docs/portfolio.md). Serving such temporaries from the heap (mmap
#: threshold 16 MiB) and trimming the heap only above 128 MiB free brings it back to the
#: plain-process speed. Speed and idle memory only: never a result.
WORKER_MALLOC_ENVIRON: dict[str, str] = {
    "MALLOC_MMAP_THRESHOLD_": str(16 << 20),
    "MALLOC_TRIM_THRESHOLD_": str(128 << 20),
}


def _import_distributed() -> Any:
    try:
        import dask.distributed as distributed
    except ImportError:
        raise XBorderRiskError(
            "backend='dask' needs dask.distributed: pip install 'xborder-risk[distributed]'"
        ) from None
    return distributed


@contextmanager
def dask_client(owner: str, client: Any) -> Iterator[tuple[Any, Any]]:
    """``(dask.distributed, client)``: the user's client, or a LocalCluster for the call.

    Raises
    ------
    XBorderRiskError
        When dask.distributed is not installed.
    ParameterError
        When ``client`` is neither None nor a ``dask.distributed.Client``.
    """
    distributed = _import_distributed()
    if client is not None:
        if not isinstance(client, distributed.Client):
            raise ParameterError(
                owner,
                "client",
                client,
                "must be a dask.distributed.Client (None starts a LocalCluster for the call)",
            )
        yield distributed, client
        return
    with worker_malloc_environ():
        cluster = distributed.LocalCluster(
            processes=True, threads_per_worker=1, dashboard_address=None
        )
    local_client = distributed.Client(cluster)
    try:
        yield distributed, local_client
    finally:
        local_client.close()
        cluster.close()


@contextmanager
def worker_malloc_environ(environ: dict[str, str] | None = None) -> Iterator[None]:
    """Start dask worker processes inside this block with :data:`WORKER_MALLOC_ENVIRON`.

    glibc reads its ``MALLOC_*`` variables once, when a process starts, so they must be in
    the environment the nanny spawns the worker from (dask's
    ``distributed.nanny.pre-spawn-environ``, where a value already in ``os.environ`` wins).
    Inside the block both are set in ``os.environ`` and in that configuration; on leaving,
    ``os.environ`` is restored. Use it around ``LocalCluster(...)``::

        with worker_malloc_environ():
            cluster = LocalCluster(n_workers=2, threads_per_worker=1)

    Parameters
    ----------
    environ : dict of str to str, optional
        The variables to set (default :data:`WORKER_MALLOC_ENVIRON`).
    """
    import dask

    settings = dict(WORKER_MALLOC_ENVIRON if environ is None else environ)
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        with dask.config.set(
            {f"distributed.nanny.pre-spawn-environ.{name}": v for name, v in settings.items()}
        ):
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def submit_chunks(
    owner: str,
    client: Any,
    function: Callable[..., Any],
    shared: object,
    chunks: Sequence[range],
    args: tuple[object, ...],
    on_result: Callable[[range, Any], None],
) -> None:
    """Run ``function(shared, chunk, *args)`` for every chunk on the cluster.

    ``shared`` (e.g. the models, or a portfolio's book) is scattered once to every worker with a
    fresh key (``hash=False``: a previous call releasing the same object cannot delete it under
    this one, dask "lost dependencies"). ``on_result(chunk, result)`` is called on the client
    as each task completes; it must write the result to the chunk's own place, so completion
    order never matters.
    """
    with dask_client(owner, client) as (distributed, active):
        [shared_future] = active.scatter([shared], broadcast=True, hash=False)
        futures = {
            active.submit(function, shared_future, chunk, *args, pure=False): chunk
            for chunk in chunks
        }
        for future in distributed.as_completed(futures):
            on_result(futures[future], future.result())
