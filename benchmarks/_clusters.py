"""The LocalClusters the Dask benchmarks compare: 1 and 2 single-threaded worker processes,
each with dask's default worker environment and with ``MALLOC_TRIM_THRESHOLD_`` unset.

dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which makes glibc map and
unmap every temporary above 128 KiB; "glibc" unsets it (docs/portfolio.md, "Running on a
cluster").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

TRIM_KEY = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
CONFIGURATIONS = ((1, "dask default"), (2, "dask default"), (1, "glibc"), (2, "glibc"))
HEADER = (
    "| backend | workers | worker malloc | seconds | vs local | bit-identical |\n"
    "|---|---|---|---|---|---|"
)


def local_clusters() -> Iterator[tuple[int, str, Any]]:
    """``(n_workers, malloc, client)`` for each configuration; the cluster closes after use."""
    import dask
    from dask.distributed import Client, LocalCluster

    for n_workers, malloc in CONFIGURATIONS:
        environ = {} if malloc == "dask default" else {TRIM_KEY: None}
        with ExitStack() as stack:
            stack.enter_context(dask.config.set(environ))
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
