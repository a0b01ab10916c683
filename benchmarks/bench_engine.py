"""Engine benchmark: the standard problem against the numpy sampling floor.

Standard problem (issue 2): Poisson(lam=3) x Lognormal(mu=10, sigma=1.5), deductible
10,000, limit 1,000,000, aggregate limit 5,000,000, at 1,000,000 and 10,000,000 years.

For each size it prints, from one run of this script:

* ``simulate`` wall-clock seconds (best of ``--repeat``) and peak traced memory beyond the
  result arrays (tracemalloc, which numpy reports its buffers to);
* the floor: seconds numpy alone needs to draw the same Poisson counts and lognormal
  severities, block by block (so the floor, too, stays in memory);
* the ratio simulate / floor (goal: <= 1.5) and whether the memory is within
  result arrays + 256 MiB;
* the memory guard's estimate of the peak (``simulation_peak_bytes``) over the traced peak
  (goal: within 1.5x either way).

Run: ``python benchmarks/bench_engine.py [--years 1000000 10000000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from xborder_risk.distributions import Lognormal, Poisson
from xborder_risk.engine import BLOCK_YEARS, Layer, LossModel, simulate
from xborder_risk.engine.kernel import simulation_peak_bytes

MODEL = LossModel(
    "standard",
    Poisson(lam=3.0),
    Lognormal(mu=10.0, sigma=1.5),
    Layer(deductible=10_000, limit=1_000_000, aggregate_limit=5_000_000),
)
MIB = 1 << 20


def numpy_floor(n_years: int, seed: int) -> float:
    """Seconds to draw the counts and severities alone, block by block."""
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    for first in range(0, n_years, BLOCK_YEARS):
        n = min(BLOCK_YEARS, n_years - first)
        counts = rng.poisson(3.0, n)
        rng.lognormal(10.0, 1.5, int(counts.sum()))
    return time.perf_counter() - start


def timed_simulate(n_years: int, seed: int) -> float:
    start = time.perf_counter()
    simulate(MODEL, n_years, seed=seed)
    return time.perf_counter() - start


def peak_memory_beyond_results(n_years: int, seed: int) -> tuple[float, float]:
    """(peak traced MiB, result-array MiB) of one simulate call."""
    tracemalloc.start()
    result = simulate(MODEL, n_years, seed=seed)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result_bytes = result.annual.nbytes + result.max_occurrence.nbytes
    # with one line the total is a view of the annual column, not a second buffer
    if not np.shares_memory(result.total, result.annual):
        result_bytes += result.total.nbytes
    return peak / MIB, result_bytes / MIB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    header = (
        "| years | simulate s | numpy floor s | ratio | peak MiB | results MiB "
        "| peak - results MiB | within bound | guard estimate / peak |"
    )
    print(header)
    print("|" + "---|" * 9)
    for n_years in args.years:
        sim = min(timed_simulate(n_years, seed=r) for r in range(args.repeat))
        floor = min(numpy_floor(n_years, seed=r) for r in range(args.repeat))
        peak, results = peak_memory_beyond_results(n_years, seed=0)
        extra = peak - results
        estimate = simulation_peak_bytes([MODEL], n_years) / MIB
        print(
            f"| {n_years:,} | {sim:.2f} | {floor:.2f} | {sim / floor:.2f} | {peak:.0f} "
            f"| {results:.0f} | {extra:.0f} | {'yes' if extra <= 256 else 'NO'} "
            f"| {estimate / peak:.2f} |"
        )


if __name__ == "__main__":
    main()
