"""Samplers agree with the distributions within Monte Carlo error (fixed seeds).

Tolerances are ``Z`` standard errors: for an empirical cdf at the q-quantile,
``sqrt(q (1 - q) / n)``; for a sample mean, ``sigma / sqrt(n)``; for a sample variance,
``sqrt((mu4 - sigma**4) / n)`` with the central fourth moment estimated from the sample
(used only where the fourth moment exists).  ``Z = 5`` makes a false alarm rarer than
one in a million per check, and a wrong sampler (a mean off by 1%) fails.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
import pytest
from dist_cases import FREQUENCY_CASES, SEVERITY_CASES, finite_moment

from xborder_risk.distributions import Frequency

Z = 5.0
N = 200_000
SEV = [pytest.param(case, id=case.id) for case in SEVERITY_CASES]
FREQ = [pytest.param(case, id=case.id) for case in FREQUENCY_CASES]
QUANTILE_LEVELS = np.array([0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999])


def _rng(case_id: str, salt: int = 0) -> np.random.Generator:
    return np.random.default_rng([zlib.crc32(case_id.encode()), salt])


def _check_empirical_cdf(sample, ref, levels):
    n = sample.size
    x = np.asarray(ref.ppf(levels), dtype=float)
    empirical = (sample[:, None] <= x[None, :]).mean(axis=0)
    bound = Z * np.sqrt(levels * (1.0 - levels) / n)
    assert np.all(np.abs(empirical - levels) <= bound), (empirical, levels)


def _check_mean_var(sample, mean, var, fourth_moment_exists: bool):
    n = sample.size
    assert abs(sample.mean() - mean) <= Z * math.sqrt(var / n) + 1e-12
    if fourth_moment_exists:
        centred = sample - sample.mean()
        mu4 = float(np.mean(centred**4))
        se_var = math.sqrt(max(mu4 - var * var, 0.0) / n)
        assert abs(sample.var(ddof=1) - var) <= Z * se_var + 1e-12


@pytest.mark.parametrize("case", SEV)
def test_severity_samples_follow_the_distribution(case):
    sample = case.dist.sample(_rng(case.id), N)
    assert sample.dtype == np.float64 and sample.shape == (N,)
    assert np.isfinite(sample).all()
    assert sample.min() >= 0.0 and sample.max() <= case.dist.support_upper
    _check_empirical_cdf(sample, case.ref, QUANTILE_LEVELS)
    if np.isfinite(finite_moment(case.ref, 2)):
        _check_mean_var(
            sample,
            case.dist.mean(),
            case.dist.var(),
            np.isfinite(finite_moment(case.ref, 4)),
        )


@pytest.mark.parametrize("case", FREQ)
def test_frequency_samples_follow_the_distribution(case):
    sample = case.dist.sample(_rng(case.id), N)
    assert sample.dtype == np.int64 and sample.shape == (N,)
    assert sample.min() >= 0 and sample.max() <= case.dist.support_upper
    _check_mean_var(sample.astype(float), case.dist.mean(), case.dist.var(), True)
    # Point probabilities at the most likely counts.
    k = np.unique(case.dist.ppf(np.array([0.1, 0.5, 0.9])))
    p = case.ref.pmf(k)
    freq = (sample[:, None] == k[None, :]).mean(axis=0)
    assert np.all(np.abs(freq - p) <= Z * np.sqrt(p * (1 - p) / N) + 1e-12)


@pytest.mark.parametrize("case", [*SEV, *FREQ])
def test_sampling_is_reproducible_and_shaped(case):
    a = case.dist.sample(np.random.default_rng(7), (3, 4))
    b = case.dist.sample(np.random.default_rng(7), (3, 4))
    assert a.shape == (3, 4)
    np.testing.assert_array_equal(a, b)
    c = case.dist.sample(np.random.default_rng(8), (3, 4))
    degenerate = isinstance(case.dist, Frequency) and case.dist.var() == 0.0
    assert np.array_equal(a, c) == degenerate


def test_native_samplers_are_used():
    # The Loss Models parameterisations map onto numpy's samplers draw for draw.
    from xborder_risk.distributions import (
        Gamma,
        GeneralizedPareto,
        Lognormal,
        NegativeBinomial,
        Pareto,
        Poisson,
        Weibull,
    )

    def same(dist, native):
        got = dist.sample(np.random.default_rng(3), 1000)
        want = native(np.random.default_rng(3))
        np.testing.assert_allclose(got, want, rtol=1e-15)

    same(Lognormal(mu=2.0, sigma=0.5), lambda g: g.lognormal(2.0, 0.5, 1000))
    same(Gamma(alpha=2.0, theta=3.0), lambda g: g.gamma(2.0, 3.0, 1000))
    same(Pareto(alpha=2.5, theta=4.0), lambda g: 4.0 * g.pareto(2.5, 1000))
    same(Weibull(tau=0.7, theta=5.0), lambda g: 5.0 * g.weibull(0.7, 1000))
    same(
        GeneralizedPareto(xi=0.4, beta=2.0),
        lambda g: 2.0 * np.expm1(0.4 * g.standard_exponential(1000)) / 0.4,
    )
    same(Poisson(lam=3.0), lambda g: g.poisson(3.0, 1000))
    same(NegativeBinomial(r=2.0, beta=3.0), lambda g: g.negative_binomial(2.0, 0.25, 1000))


@pytest.mark.slow
@pytest.mark.parametrize("case", SEV)
def test_severity_tail_quantiles_large_sample(case):
    sample = case.dist.sample(_rng(case.id, salt=1), 4_000_000)
    _check_empirical_cdf(sample, case.ref, np.array([0.9, 0.99, 0.999, 0.9999, 0.99999]))
