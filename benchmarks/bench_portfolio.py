"""Portfolio benchmark: 500 policies x 4 lines at 100,000 simulated years.

The book is :func:`xborder_risk.portfolio.synthetic_book` (deterministic, illustrative USD
policies in 30 countries, three quarters with all four lines), with the shipped illustrative
common shocks.  From one run it prints:

* seconds to rate the book (500 calls of ``rate``);
* seconds for ``Portfolio.simulate`` (single process, local backend);
* peak traced memory of the simulation (tracemalloc, which numpy reports its buffers to) next
  to the size of the result arrays it must hold;
* seconds for the measures an underwriter reads next: the summary, accumulation by country and
  every policy's marginal TVaR and co-TVaR at 99 %;
* seconds for the same ``Portfolio.simulate`` with ``backend="dask"`` on a ``dask.distributed``
  LocalCluster of 1 and of 2 single-threaded worker processes (cluster start-up excluded, the
  workers warmed by a small call), each checked bit for bit against the local result; once
  with dask's default worker environment and once with the library's worker malloc settings
  (``worker_malloc_environ``; docs/portfolio.md, "A worker setting worth knowing").  A task is
  one random block of 65,536 years, so 100,000 years are two tasks of unequal size.

With ``--totals-only`` -- and by default when the cube would exceed ``--cube-gib`` (4 GiB: a
million years of the 500-policy book) -- the book is simulated with ``keep_policies=False`` (no
years x policies x lines cube: the lines' and the book's totals only; issue 16) and the
per-policy measures come from ``Portfolio.marginal_tvar(result)``, which simulates the blocks
again one at a time and keeps only what the measures need (their seconds are in "measures s",
their memory in the peak RSS); ``--workers`` sets the local threads (default: the usable
cores).  Besides wall-clock seconds it prints the simulation's CPU seconds (all threads) and
CPU nanoseconds per simulated line-year, which a machine shared with other work disturbs less
than wall-clock, and the process's peak resident memory.

Run: ``python benchmarks/bench_portfolio.py [--policies 500] [--years 100000] [--seed 0]
[--no-dask] [--totals-only] [--cube-gib 4] [--no-policy-measures] [--workers N] [--no-trace]
[--dask-workers N]``.
A few minutes on a laptop; peak memory about 2 GB at the default size with the cube (about
three times that while the Dask results are compared with the local one).
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
import warnings
from typing import Any

import numpy as np

from xborder_risk.errors import XBorderRiskWarning
from xborder_risk.exposure import LINES
from xborder_risk.portfolio import Portfolio, synthetic_book

MIB = 1 << 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=500)
    parser.add_argument("--years", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask runs")
    parser.add_argument(
        "--totals-only",
        action="store_true",
        help="keep_policies=False (default: only when the cube would exceed --cube-gib)",
    )
    parser.add_argument(
        "--cube-gib",
        type=float,
        default=4.0,
        help="largest years x policies x lines cube kept by default, GiB (default 4)",
    )
    parser.add_argument(
        "--no-policy-measures",
        action="store_true",
        help="skip the per-policy measures (a totals-only book's replay holds one block's cube)",
    )
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--no-trace", action="store_true", help="no tracemalloc (faster)")
    parser.add_argument(
        "--dask-workers",
        type=int,
        choices=(1, 2),
        default=None,
        help="only the tuned LocalCluster of this many workers (default: all four clusters)",
    )
    args = parser.parse_args()

    submissions = synthetic_book(args.policies, seed=args.seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # Zero-exposure lines of synthetic policies are rated as Poisson(0) with a warning.
        warnings.simplefilter("ignore", XBorderRiskWarning)
        book = Portfolio(submissions)
    rate_seconds = time.perf_counter() - start
    n_lines = sum(len(rated.models) for rated in book.rated)
    cube_gib = args.years * args.policies * len(LINES) * 8 / (1 << 30)
    if not args.totals_only and cube_gib > args.cube_gib:
        print(
            f"the cube would need {cube_gib:.1f} GiB (> --cube-gib {args.cube_gib:g}): "
            "simulating the totals only (keep_policies=False); per-policy measures from "
            "Portfolio.marginal_tvar, which simulates the blocks again one at a time\n"
        )
        args.totals_only = True

    if not args.no_trace:
        tracemalloc.start()
    cpu = time.process_time()
    start = time.perf_counter()
    result = book.simulate(
        args.years, seed=args.seed, workers=args.workers, keep_policies=not args.totals_only
    )
    simulate_seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1] if not args.no_trace else float("nan")
    tracemalloc.stop()
    arrays = [
        result.max_occurrence,
        result.max_event,
        result.by_country,
        result.events,
        result.total,
    ]
    if args.totals_only:
        assert result.totals is not None
        arrays.append(result.totals[0])
    else:
        assert result.annual is not None
        arrays += [result.annual, result.policy_annual()]
    result_bytes = sum(array.nbytes for array in arrays)

    start = time.perf_counter()
    result.summary(levels=(0.99, 0.995))
    accumulation = result.accumulation(levels=(0.99,))
    contributions = None
    if not args.no_policy_measures:
        contributions = (
            book.marginal_tvar(result, 0.99) if args.totals_only else result.marginal_tvar(0.99)
        )
    measures_seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB

    print(
        "| policies | rated lines | countries | years | workers | cube | rate s | simulate s "
        "| simulate CPU s | CPU ns per line-year | peak traced MiB | peak RSS MiB | result MiB "
        "| measures s |"
    )
    print("|" + "---|" * 14)
    print(
        f"| {args.policies} | {n_lines} | {len(result.countries)} | {args.years:,} "
        f"| {args.workers or 'default'} | {'no' if args.totals_only else 'yes'} "
        f"| {rate_seconds:.1f} | {simulate_seconds:.1f} | {cpu_seconds:.1f} "
        f"| {1e9 * cpu_seconds / (n_lines * args.years):.0f} | {peak / MIB:.0f} "
        f"| {rss / MIB:.0f} | {result_bytes / MIB:.0f} | {measures_seconds:.1f} |"
    )
    print()
    print(f"mean annual loss {result.total.mean():,.0f} {result.currency}", end="")
    if contributions is not None:
        print(
            f"; TVaR 99% {contributions.attrs['tvar_total']:,.0f}; "
            f"sum of marginal TVaRs {contributions['marginal_tvar'].sum():,.0f}; "
            f"sum of co-TVaRs {contributions['co_tvar'].sum():,.0f}",
            end="",
        )
    print()
    top = accumulation.sort_values("tvar_99", ascending=False).head(3)
    print(
        "largest country accumulations (TVaR 99%):",
        ", ".join(f"{code} {row.tvar_99:,.0f}" for code, row in top.iterrows()),
    )
    if not args.no_dask:
        print()
        _bench_dask(book, result, args, simulate_seconds)


def _same_arrays(result: Any, local: Any) -> bool:
    names = ("annual", "max_occurrence", "max_event", "by_country", "events", "total")
    same = all(np.array_equal(getattr(result, name), getattr(local, name)) for name in names)
    if local.totals is not None:
        same = same and all(
            np.array_equal(mine, theirs)
            for mine, theirs in zip(result.totals, local.totals, strict=True)
        )
    return bool(same)


def _bench_dask(book: Portfolio, local: Any, args: argparse.Namespace, local_s: float) -> None:
    """Portfolio.simulate on LocalClusters of 1 and 2 worker processes vs the local run."""
    from _clusters import HEADER, local_clusters, row

    keep = not args.totals_only
    print(HEADER)
    print(f"| local | {args.workers or 'default'} threads | - | {local_s:.2f} | 1.00 | - |")
    only = None if args.dask_workers is None else ((args.dask_workers, "tuned"),)
    for n_workers, malloc, client in local_clusters(only):
        # warm the workers
        book.simulate(1_000, seed=args.seed, backend="dask", client=client, keep_policies=keep)
        start = time.perf_counter()
        result = book.simulate(
            args.years, seed=args.seed, backend="dask", client=client, keep_policies=keep
        )
        seconds = time.perf_counter() - start
        same = _same_arrays(result, local)
        del result
        print(row(n_workers, malloc, seconds, local_s, same))


if __name__ == "__main__":
    main()
