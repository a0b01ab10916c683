"""The Dask backend: chunks of whole random blocks as tasks on a dask.distributed cluster.

Dask is an optional extra (``pip install "xborder-risk[distributed]"``); this module is
imported only when ``simulate(..., backend="dask")`` is asked for. Each task runs
:func:`~xborder_risk.engine.kernel.simulate_blocks` — a pure function of the models, the
root seed and the block indices — so the numbers do not depend on which worker runs a
task or in what order tasks finish; each chunk's rows are written to their own place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from xborder_risk.engine.dependence import Copula
from xborder_risk.engine.model import LossModel
from xborder_risk.engine.rng import block_bounds
from xborder_risk.errors import XBorderRiskError

__all__ = ["simulate_on_dask"]


def _import_distributed() -> Any:
    try:
        import dask.distributed as distributed
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise XBorderRiskError(
            "backend='dask' needs dask.distributed: pip install 'xborder-risk[distributed]'"
        ) from None
    return distributed


def simulate_on_dask(
    models: tuple[LossModel, ...],
    root: np.random.SeedSequence,
    n_years: int,
    chunks: Sequence[range],
    out: tuple[NDArray[np.float64], NDArray[np.float64]],
    *,
    dependence: Copula | None,
    client: Any,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Run every chunk as a task and write its rows into ``out`` as it completes."""
    from xborder_risk.engine.kernel import simulate_blocks

    distributed = _import_distributed()
    cluster = None
    if client is None:
        cluster = distributed.LocalCluster(
            processes=True, threads_per_worker=1, dashboard_address=None
        )
        client = distributed.Client(cluster)
    annual, largest = out
    bounds = block_bounds(n_years)
    try:
        # Scatter the (small) models once rather than pickling them into every task.
        # hash=False: a fresh key per call, so a previous call releasing the same models
        # cannot delete them under this one (dask "lost dependencies").
        [models_future] = client.scatter([models], broadcast=True, hash=False)
        futures = {
            client.submit(
                simulate_blocks,
                models_future,
                root,
                n_years,
                chunk,
                None,
                dependence,
                pure=False,
            ): chunk
            for chunk in chunks
        }
        done_years = 0
        for future in distributed.as_completed(futures):
            chunk = futures[future]
            chunk_annual, chunk_largest = future.result()
            rows = slice(bounds[chunk.start][0], bounds[chunk.stop - 1][1])
            annual[rows] = chunk_annual
            largest[rows] = chunk_largest
            done_years += rows.stop - rows.start
            if progress is not None:
                progress(done_years, n_years)
    finally:
        if cluster is not None:
            client.close()
            cluster.close()
