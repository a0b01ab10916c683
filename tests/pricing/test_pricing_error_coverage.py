"""Coverage of every premium principle's reported Monte Carlo error (issue 16 item 6).

``PremiumPrinciple.standard_error`` is the delta method (docs/pricing.md, "Monte Carlo
standard error"). Here each principle prices R independent samples of a Gamma(2, 1) loss
(illustrative: skewed, with every moment finite, so the delta method's asymptotics apply), and
about 95 % of the intervals premium ± 1.96 × error must hold the exact premium, computed
from the gamma's closed forms (mean, variance, quantile, TVaR) or by quadrature of the
distorted survival function (Wang). Tolerance: 3.5 standard deviations of a proportion over
R seeds. The standard deviation principle on heavier tails has its own file
(``test_pricing_sd_error.py``); the measures' errors are in ``tests/measures/test_coverage.py``.

It runs in the default suite (about 4 s): 400 x 20,000 draws and a sort for each of the
order-statistic principles. A check that the test can fail: the same intervals with the
error halved must cover far less than 95 % (``test_a_halved_error_is_caught``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from xborder_risk.pricing import (
    CostOfCapital,
    ExpectedValuePrinciple,
    PremiumPrinciple,
    StandardDeviationPrinciple,
    TargetLossRatio,
    VariancePrinciple,
    WangTransform,
)

R = 400
N = 20_000
Z = 1.959963984540054
ALPHA = 2.0  # Gamma(shape 2, scale 1): mean 2, variance 2
LOSS = stats.gamma(ALPHA)
MEAN = ALPHA
SD = math.sqrt(ALPHA)


def _tolerance(r: int) -> float:
    return 3.5 * math.sqrt(0.95 * 0.05 / r)


def _tvar(level: float) -> float:
    """E[X | X > q_p] of a gamma: alpha S_{alpha+1}(q) / S_alpha(q) (scale 1)."""
    q = LOSS.ppf(level)
    return float(ALPHA * stats.gamma.sf(q, ALPHA + 1) / (1.0 - level))


def _wang(lam: float) -> float:
    """∫_0^∞ Φ(Φ⁻¹(S(x)) + λ) dx for the gamma, by quadrature."""
    value, _ = integrate.quad(
        lambda x: stats.norm.cdf(stats.norm.ppf(LOSS.sf(x)) + lam), 0.0, np.inf, limit=200
    )
    return float(value)


CASES: list[tuple[str, PremiumPrinciple, float]] = [
    ("expected value 0.25", ExpectedValuePrinciple(0.25), 1.25 * MEAN),
    ("standard deviation k=1", StandardDeviationPrinciple(1.0), MEAN + SD),
    ("variance k=0.2", VariancePrinciple(0.2), MEAN + 0.2 * SD**2),
    ("Wang lam=0.3", WangTransform(0.3), _wang(0.3)),
    (
        "cost of capital, TVaR 99 %",
        CostOfCapital(rate=0.10, level=0.99, measure="tvar"),
        MEAN + 0.10 * (_tvar(0.99) - MEAN),
    ),
    (
        "cost of capital, VaR 99.5 %, 3 years",
        CostOfCapital(rate=0.06, level=0.995, measure="value_at_risk", period_years=3.0),
        MEAN + 0.18 * (float(LOSS.ppf(0.995)) - MEAN),
    ),
    ("target loss ratio 0.6", TargetLossRatio({}, default=0.6), MEAN / 0.6),
]


@pytest.fixture(scope="module")
def samples() -> list[np.ndarray]:
    return [
        np.random.default_rng(np.random.SeedSequence(1606, spawn_key=(i,))).gamma(ALPHA, 1.0, N)
        for i in range(R)
    ]


def _coverage(principle: PremiumPrinciple, exact: float, samples, scale: float = 1.0) -> float:
    hits = [
        abs(principle.premium(x) - exact) <= Z * scale * principle.standard_error(x)
        for x in samples
    ]
    return float(np.mean(hits))


@pytest.mark.parametrize(("label", "principle", "exact"), CASES, ids=[c[0] for c in CASES])
def test_reported_error_covers_the_exact_premium(label, principle, exact, samples) -> None:
    coverage = _coverage(principle, exact, samples)
    assert abs(coverage - 0.95) <= _tolerance(R), (label, coverage)


def test_a_halved_error_is_caught(samples) -> None:
    """An error half the right size gives intervals covering about 68 %, not 95 %."""
    coverage = _coverage(WangTransform(0.3), _wang(0.3), samples, scale=0.5)
    assert coverage < 0.95 - _tolerance(R), coverage
