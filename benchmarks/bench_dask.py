"""Dask backend benchmark: local vs a LocalCluster of 1 and 2 worker processes.

The same simulation (the engine's standard problem plus a correlated cyber line) runs on
the local backend and on a ``dask.distributed`` LocalCluster with 1 and 2 single-threaded
worker processes; the script prints seconds and checks that every result is bit-identical
to the local one. Cluster start-up is excluded (a cluster is started once per size). Each size
runs with dask's default worker environment and with the library's worker malloc settings
(``worker_malloc_environ``; docs/portfolio.md, "A worker setting worth knowing").

Run: ``python benchmarks/bench_dask.py [--years 2000000]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _clusters import HEADER, local_clusters, row

from xborder_risk.distributions import Lognormal, NegativeBinomial, Poisson
from xborder_risk.engine import GaussianCopula, Layer, LossModel, simulate

MODELS = [
    LossModel(
        "tech_failure",
        Poisson(lam=3.0),
        Lognormal(mu=10.0, sigma=1.5),
        Layer(deductible=10_000, limit=1_000_000, aggregate_limit=5_000_000),
    ),
    LossModel(
        "cyber",
        NegativeBinomial(r=1.2, beta=0.5),
        Lognormal(mu=11.5, sigma=1.6),
        Layer(deductible=250_000, limit=10_000_000),
    ),
]
COPULA = GaussianCopula([[1.0, 0.3], [0.3, 1.0]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=2_000_000)
    args = parser.parse_args()

    start = time.perf_counter()
    local = simulate(MODELS, args.years, seed=1, dependence=COPULA)
    local_seconds = time.perf_counter() - start
    print(HEADER)
    print(f"| local | 1 process | - | {local_seconds:.2f} | 1.00 | - |")
    for n_workers, malloc, client in local_clusters():
        simulate(MODELS, 70_000, seed=0, backend="dask", client=client)  # warm the workers
        start = time.perf_counter()
        result = simulate(
            MODELS, args.years, seed=1, dependence=COPULA, backend="dask", client=client
        )
        seconds = time.perf_counter() - start
        same = np.array_equal(result.annual, local.annual) and np.array_equal(
            result.max_occurrence, local.max_occurrence
        )
        print(row(n_workers, malloc, seconds, local_seconds, same))


if __name__ == "__main__":
    main()
