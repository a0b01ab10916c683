"""Engine benchmark: the standard problem against the numpy sampling floor.

Standard problem (issue 2): Poisson(lam=3) x Lognormal(mu=10, sigma=1.5), deductible
10,000, limit 1,000,000, aggregate limit 5,000,000, at 1,000,000 and 10,000,000 years.

For each size it prints, from one run of this script:

* ``simulate`` wall-clock seconds (best of ``--repeat``) with one worker thread and with
  ``--workers`` threads (default 2), and peak traced memory beyond the result arrays with those
  threads (tracemalloc, which numpy reports its buffers to);
* the floor: seconds numpy alone needs, on one thread, to draw the same Poisson counts (one a
  year) and lognormal severities, block by block (so the floor, too, stays in memory);
* the ratios simulate / floor (goals, issue 16: 1 worker no worse than before; 2 workers
  <= 0.8) and whether the memory is within result arrays + 256 MiB;
* the memory guard's estimate of the peak (``simulation_peak_bytes``) over the traced peak
  (goal: within 1.5x either way).

The machine may be shared: compare ratios measured within one run, not seconds across runs.

Run: ``python benchmarks/bench_engine.py [--years 1000000 10000000] [--repeat 3] [--workers 2]``.
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


def timed_simulate(n_years: int, seed: int, workers: int) -> float:
    start = time.perf_counter()
    simulate(MODEL, n_years, seed=seed, workers=workers)
    return time.perf_counter() - start


def peak_memory_beyond_results(n_years: int, seed: int, workers: int) -> tuple[float, float]:
    """(peak traced MiB, result-array MiB) of one simulate call."""
    tracemalloc.start()
    result = simulate(MODEL, n_years, seed=seed, workers=workers)
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
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    w = args.workers

    header = (
        f"| years | numpy floor s (1 thread) | simulate s, 1 worker | ratio | simulate s, {w} "
        f"workers | ratio | peak MiB ({w} workers) | results MiB | peak - results MiB "
        "| within bound | guard estimate / peak |"
    )
    print(header)
    print("|" + "---|" * 11)
    for n_years in args.years:
        # interleaved, so that a busy machine slows all three alike
        floors, ones, manys = [], [], []
        for r in range(args.repeat):
            floors.append(numpy_floor(n_years, seed=r))
            ones.append(timed_simulate(n_years, seed=r, workers=1))
            manys.append(timed_simulate(n_years, seed=r, workers=w))
        floor, one, many = min(floors), min(ones), min(manys)
        peak, results = peak_memory_beyond_results(n_years, seed=0, workers=w)
        extra = peak - results
        estimate = simulation_peak_bytes([MODEL], n_years, workers=w) / MIB
        print(
            f"| {n_years:,} | {floor:.2f} | {one:.2f} | {one / floor:.2f} | {many:.2f} "
            f"| {many / floor:.2f} | {peak:.0f} | {results:.0f} | {extra:.0f} "
            f"| {'yes' if extra <= 256 else 'NO'} | {estimate / peak:.2f} |"
        )


if __name__ == "__main__":
    main()
