"""The LocalClusters the Dask benchmarks compare: 1 and 2 single-threaded worker processes,
each with dask's default worker environment and with the library's malloc settings.

dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which also freezes glibc's
mmap threshold at 128 KiB; "tuned" starts them inside
:func:`xborder_risk.engine.distributed.worker_malloc_environ` (what ``simulate(...,
backend="dask")`` does for the LocalCluster it starts itself; docs/portfolio.md, "A worker
setting worth knowing").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, nullcontext
from typing import Any

from xborder_risk.engine.distributed import worker_malloc_environ

CONFIGURATIONS = ((1, "dask default"), (2, "dask default"), (1, "tuned"), (2, "tuned"))
HEADER = (
    "| backend | workers | worker malloc | seconds | vs local | bit-identical |\n"
    "|---|---|---|---|---|---|"
)


def local_clusters(
    configurations: tuple[tuple[int, str], ...] | None = None,
) -> Iterator[tuple[int, str, Any]]:
    """``(n_workers, malloc, client)`` for each configuration (default :data:`CONFIGURATIONS`);
    the cluster closes after use."""
    from dask.distributed import Client, LocalCluster

    for n_workers, malloc in configurations or CONFIGURATIONS:
        with ExitStack() as stack:
            with worker_malloc_environ() if malloc == "tuned" else nullcontext():
                cluster = stack.enter_context(
                    LocalCluster(
                        n_workers=n_workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                    )
                )
            yield n_workers, malloc, stack.enter_context(Client(cluster))


def row(n_workers: int, malloc: str, seconds: float, local_seconds: float, same: bool) -> str:
    """One line of the table printed under :data:`HEADER`."""
    return (
        f"| dask | {n_workers} | {malloc} | {seconds:.2f} | {seconds / local_seconds:.2f} "
        f"| {'yes' if same else 'NO'} |"
    )
