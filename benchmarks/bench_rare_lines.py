"""Rare-claim lines: CPU time per line-year, a count drawn for every year against the sparse draw.

Issue 16 item 2: a book's cost should grow with its claims, not with its policies x years.
For each claim frequency (Poisson lam, and a negative binomial of the same mean, the
Poisson-gamma mixture every rated line with a contagion parameter uses) this script draws
``--lines`` lines of that frequency over ``--years`` years, all in one run, three ways:

* **dense**: ``draw_line_block(..., legacy=True)``, a count drawn for every year (every
  simulation before issue 16; position-keyed simulations still draw so);
* **block**: ``draw_line_block`` as ``simulate`` and a portfolio with its cube call it: the
  Poisson total scattered over the years (a rare negative binomial: only the years with a
  claim), the per-year sums written for every year;
* **sparse**: ``draw_line_sparse`` as a totals-only portfolio (``keep_policies=False``)
  calls it: only the years with a claim are held.

Severities are Lognormal(11, 1.5), layer 100k xs 10k (illustrative).  It prints CPU nanoseconds
per line-year (``time.process_time``, one thread, so a shared machine disturbs it less than
wall-clock) and the ratios to the dense draw.  Every block's generator is derived from one
``SeedSequence`` by the engine's own ``engine.rng.block_generator``, so each way draws from
the same streams.

Run: ``python benchmarks/bench_rare_lines.py [--lines 200] [--years 100000]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from xborder_risk.distributions import Lognormal, NegativeBinomial, Poisson
from xborder_risk.engine import BLOCK_YEARS, Layer, LossModel
from xborder_risk.engine.claims import draw_line_block, draw_line_sparse
from xborder_risk.engine.rng import block_generator

FREQUENCIES = (3.0, 0.3, 0.03, 0.003, 0.0003)
SEVERITY = Lognormal(mu=11.0, sigma=1.5)
LAYER = Layer(deductible=10_000, limit=100_000)


def _models(mean: float) -> dict[str, LossModel]:
    # a negative binomial of mean r * beta and variance 1.5 x the mean
    return {
        "Poisson": LossModel("poisson", Poisson(lam=mean), SEVERITY, LAYER),
        "negative binomial": LossModel(
            "nb", NegativeBinomial(r=mean / 0.5, beta=0.5), SEVERITY, LAYER
        ),
    }


def _cpu_ns_per_line_year(
    draw: Callable[[LossModel, np.random.Generator, int], object],
    model: LossModel,
    n_lines: int,
    n_years: int,
    seed: int,
) -> float:
    root = np.random.SeedSequence(seed)
    blocks = [
        (first, min(BLOCK_YEARS, n_years - first)) for first in range(0, n_years, BLOCK_YEARS)
    ]
    start = time.process_time()
    for line in range(n_lines):
        for block, (_, n) in enumerate(blocks):
            rng = block_generator(root, block, line)
            draw(model, rng, n)
    return (time.process_time() - start) * 1e9 / (n_lines * n_years)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--years", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    ways: dict[str, Callable[[LossModel, np.random.Generator, int], object]] = {
        "dense": lambda m, rng, n: draw_line_block(m, rng, n, legacy=True),
        "block": lambda m, rng, n: draw_line_block(m, rng, n),
        "sparse": lambda m, rng, n: draw_line_sparse(m, rng, n),
    }
    print(f"{args.lines} lines x {args.years:,} years per row; CPU ns per line-year, one thread\n")
    print(
        "| frequency | mean claims a year | dense | block | sparse | block / dense "
        "| sparse / dense |"
    )
    print("|---|---|---|---|---|---|---|")
    for mean in FREQUENCIES:
        for label, model in _models(mean).items():
            ns = {
                way: _cpu_ns_per_line_year(draw, model, args.lines, args.years, args.seed)
                for way, draw in ways.items()
            }
            print(
                f"| {label} | {mean:g} | {ns['dense']:.1f} | {ns['block']:.1f} "
                f"| {ns['sparse']:.1f} | {ns['block'] / ns['dense']:.2f} "
                f"| {ns['sparse'] / ns['dense']:.3f} |"
            )


if __name__ == "__main__":
    main()
