"""Coverage of the reported Monte Carlo errors over many seeds (issue 16 item 6).

For each case, R independent samples; each gives an estimate and its reported error; about
95 % of the 95 % intervals must contain the exact value. The binomial tolerance on the
observed coverage is 3.5 standard deviations of a proportion over R replications.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from xborder_risk import measures
from xborder_risk.distributions import GeneralizedPareto, Lognormal, NegativeBinomial, Spliced
from xborder_risk.engine import Layer, LossModel, simulate
from xborder_risk.exact import aggregate_distribution

pytestmark = pytest.mark.slow

R = 400
N = 20_000
Z = 1.959963984540054


def _tolerance(r: int) -> float:
    return 3.5 * math.sqrt(0.95 * 0.05 / r)


def _samples(draw, r: int = R, n: int = N) -> list[np.ndarray]:
    return [
        draw(np.random.default_rng(np.random.SeedSequence(2026, spawn_key=(i,))), n)
        for i in range(r)
    ]


def _coverage(samples, estimate, error, exact: float) -> float:
    hits = [abs(estimate(x) - exact) <= Z * error(x) for x in samples]
    return float(np.mean(hits))


def _lognormal(rng, n):
    return rng.lognormal(0.0, 1.0, n)


@pytest.mark.parametrize("level", [0.9, 0.99, 0.995])
def test_var_interval_and_standard_error_cover_a_continuous_quantile(level):
    samples = _samples(_lognormal)
    exact = float(stats.lognorm.ppf(level, 1.0))
    interval = [measures.value_at_risk_interval(x, level) for x in samples]
    covered = np.mean([low <= exact <= high for low, high in interval])
    assert covered >= 0.95 - _tolerance(R), covered
    coverage = _coverage(
        samples,
        lambda x: measures.value_at_risk(x, level),
        lambda x: measures.value_at_risk_standard_error(x, level),
        exact,
    )
    assert abs(coverage - 0.95) <= _tolerance(R), coverage


def test_var_interval_covers_a_quantile_on_an_atom():
    """A loss capped at a limit with P(X >= cap) = 1 %: VaR 99.5 % is the cap itself."""
    cap = float(stats.lognorm.ppf(0.99, 1.0))
    samples = _samples(lambda rng, n: np.minimum(rng.lognormal(0.0, 1.0, n), cap))
    covered = np.mean(
        [
            low <= cap <= high
            for low, high in (measures.value_at_risk_interval(x, 0.995) for x in samples)
        ]
    )
    assert covered >= 0.95 - _tolerance(R), covered


def test_mean_and_tvar_errors_cover_their_exact_values():
    alpha, theta, level = 2.0, 1.0, 0.99
    samples = _samples(lambda rng, n: rng.gamma(alpha, theta, n))
    q = stats.gamma.ppf(level, alpha, scale=theta)
    # E[X | X > q] for a gamma: alpha theta S_{alpha+1}(q) / S_alpha(q)
    tvar = alpha * theta * stats.gamma.sf(q, alpha + 1, scale=theta) / (1.0 - level)
    mean = _coverage(samples, np.mean, measures.mean_standard_error, alpha * theta)
    assert abs(mean - 0.95) <= _tolerance(R), mean
    tail = _coverage(
        samples,
        lambda x: measures.tvar(x, level),
        lambda x: measures.tvar_standard_error(x, level),
        float(tvar),
    )
    assert abs(tail - 0.95) <= _tolerance(R), tail


def test_var_interval_covers_the_exact_var_of_the_example_cyber_line():
    """examples/simulate_line.py's line (an occurrence limit, a heavy tail) against the FFT."""
    cyber = LossModel(
        "cyber",
        NegativeBinomial(r=1.2, beta=0.5),
        Spliced(
            body=Lognormal(mu=11.5, sigma=1.6),
            tail=GeneralizedPareto(xi=0.8, beta=1_500_000.0),
            threshold=2_000_000.0,
        ),
        Layer(deductible=250_000, limit=10_000_000, aggregate_limit=20_000_000),
    )
    exact = aggregate_distribution(cyber)
    step = float(exact.x[1] - exact.x[0])
    target = float(exact.value_at_risk(0.995))
    r = 200
    covered = []
    for seed in range(r):
        x = simulate(cyber, 50_000, seed=seed, workers=1).annual[:, 0]
        low, high = measures.value_at_risk_interval(x, 0.995)
        covered.append(low - step <= target <= high + step)
    assert np.mean(covered) >= 0.95 - _tolerance(r), np.mean(covered)
