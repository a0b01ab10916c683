"""Registry of distribution cases for the conformance battery (like scipy's distcont).

Each severity case pairs an ``xborder_risk`` distribution with an independent reference:
a frozen ``scipy.stats`` distribution with the Loss Models parameters mapped to scipy's
(lognorm(s=sigma, scale=exp(mu)), gamma(a, scale), lomax(c=alpha, scale=theta),
weibull_min(c=tau, scale=theta), genpareto(c=xi, scale=beta)), or, for ``Spliced``, a
piecewise reference built from scipy pieces here.  Parameters cover the regimes that
need different code paths: heavy and light tails, moments that do not exist, bounded
support, the GPD special cases xi = 0, 1/2, 1 and shapes below 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb
from typing import Any

import numpy as np
from scipy import integrate, stats

from xborder_risk.distributions import (
    Binomial,
    Frequency,
    Gamma,
    GeneralizedPareto,
    Lognormal,
    NegativeBinomial,
    Pareto,
    Poisson,
    Severity,
    Spliced,
    Weibull,
)


class SplicedReference:
    """Body up to ``t``, ``t`` + GPD above: an independent scipy implementation."""

    def __init__(self, body: Any, tail: Any, t: float) -> None:
        self.body, self.tail, self.t = body, tail, t
        self.p = float(body.cdf(t))
        self.s = float(body.sf(t))

    def cdf(self, x):
        x = np.asarray(x, dtype=float)
        above = self.p + self.s * self.tail.cdf(np.maximum(x - self.t, 0.0))
        return np.where(x <= self.t, self.body.cdf(x), above)

    def sf(self, x):
        x = np.asarray(x, dtype=float)
        above = self.s * self.tail.sf(np.maximum(x - self.t, 0.0))
        return np.where(x <= self.t, self.body.sf(x), above)

    def pdf(self, x):
        x = np.asarray(x, dtype=float)
        above = self.s * self.tail.pdf(np.maximum(x - self.t, 0.0))
        return np.where(x <= self.t, self.body.pdf(x), above)

    def ppf(self, q):
        q = np.asarray(q, dtype=float)
        in_body = q <= self.p
        body_q = np.where(in_body, q, 0.5)
        # The tail through its survival probability keeps precision as q -> 1.
        tail_sf = np.where(in_body, 0.5, (1.0 - q) / self.s)
        return np.where(in_body, self.body.ppf(body_q), self.t + self.tail.isf(tail_sf))

    def moment(self, k: int) -> float:
        body_part = integrate.quad(lambda x: x**k * self.body.pdf(x), 0.0, self.t, limit=200)[0]
        tail_moment = self.tail.moment(k)
        if not np.isfinite(tail_moment):
            return np.inf
        # E[(t + Y)^k] by the binomial expansion with scipy's tail moments.
        expansion = sum(
            comb(k, j) * self.t ** (k - j) * float(self.tail.moment(j)) for j in range(k + 1)
        )
        return body_part + self.s * expansion

    def mean(self) -> float:
        return self.moment(1)

    def var(self) -> float:
        m1, m2 = self.moment(1), self.moment(2)
        return m2 - m1 * m1 if np.isfinite(m2) else np.inf


@dataclass(frozen=True)
class SeverityCase:
    id: str
    dist: Severity
    ref: Any


@dataclass(frozen=True)
class FrequencyCase:
    id: str
    dist: Frequency
    ref: Any


def _lognorm(mu: float, sigma: float) -> SeverityCase:
    return SeverityCase(
        f"Lognormal({mu},{sigma})",
        Lognormal(mu=mu, sigma=sigma),
        stats.lognorm(s=sigma, scale=np.exp(mu)),
    )


def _gamma(alpha: float, theta: float) -> SeverityCase:
    return SeverityCase(
        f"Gamma({alpha},{theta})", Gamma(alpha=alpha, theta=theta), stats.gamma(alpha, scale=theta)
    )


def _pareto(alpha: float, theta: float) -> SeverityCase:
    return SeverityCase(
        f"Pareto({alpha},{theta})",
        Pareto(alpha=alpha, theta=theta),
        stats.lomax(c=alpha, scale=theta),
    )


def _weibull(tau: float, theta: float) -> SeverityCase:
    return SeverityCase(
        f"Weibull({tau},{theta})",
        Weibull(tau=tau, theta=theta),
        stats.weibull_min(c=tau, scale=theta),
    )


def _gpd(xi: float, beta: float) -> SeverityCase:
    return SeverityCase(
        f"GPD({xi},{beta})",
        GeneralizedPareto(xi=xi, beta=beta),
        stats.genpareto(c=xi, scale=beta),
    )


def _spliced(
    name: str, body: Severity, body_ref: Any, xi: float, beta: float, t: float
) -> SeverityCase:
    return SeverityCase(
        name,
        Spliced(body=body, tail=GeneralizedPareto(xi=xi, beta=beta), threshold=t),
        SplicedReference(body_ref, stats.genpareto(c=xi, scale=beta), t),
    )


SEVERITY_CASES: list[SeverityCase] = [
    _lognorm(1.0, 0.8),
    _lognorm(10.0, 2.0),  # insurance scale, heavy
    _gamma(2.5, 3.0),
    _gamma(0.4, 1000.0),  # shape < 1: infinite density at 0
    _pareto(3.5, 2.0),
    _pareto(1.5, 1e5),  # mean exists, variance does not
    _pareto(0.8, 10.0),  # no mean
    _pareto(1.0, 10.0),  # the log special case of the LEV
    _pareto(2.0, 10.0),  # the log special case of the second limited moment
    _weibull(0.7, 2.0),
    _weibull(3.0, 100.0),
    _gpd(0.3, 2.0),
    _gpd(0.0, 2.0),  # exponential
    _gpd(-0.3, 2.0),  # bounded support [0, 6.67]
    _gpd(-1.5, 1.0),  # bounded, density infinite at the end point
    _gpd(0.5, 1.0),  # xi = 1/2: second moment just fails to exist
    _gpd(1.0, 1.0),  # xi = 1: the log special case of the LEV
    _gpd(1.5, 1.0),  # no mean
    _gpd(1e-9, 1.0),  # continuity to the exponential
    _spliced(
        "Spliced(Lognormal,GPD+)",
        Lognormal(mu=1.0, sigma=1.0),
        stats.lognorm(s=1.0, scale=np.e),
        0.3,
        5.0,
        10.0,
    ),
    _spliced(
        "Spliced(Gamma,GPD-)",
        Gamma(alpha=2.0, theta=50.0),
        stats.gamma(2.0, scale=50.0),
        -0.2,
        100.0,
        300.0,
    ),
    _spliced(
        "Spliced(Weibull,GPD0.6)",
        Weibull(tau=0.8, theta=1e4),
        stats.weibull_min(c=0.8, scale=1e4),
        0.6,
        2e4,
        5e4,
    ),
]

FREQUENCY_CASES: list[FrequencyCase] = [
    FrequencyCase("Poisson(3.5)", Poisson(lam=3.5), stats.poisson(3.5)),
    FrequencyCase("Poisson(0)", Poisson(lam=0.0), stats.poisson(0.0)),
    FrequencyCase("Poisson(2500)", Poisson(lam=2500.0), stats.poisson(2500.0)),
    FrequencyCase(
        "NegBin(2.5,1.5)", NegativeBinomial(r=2.5, beta=1.5), stats.nbinom(2.5, 1.0 / 2.5)
    ),
    FrequencyCase(
        "NegBin(0.3,20)", NegativeBinomial(r=0.3, beta=20.0), stats.nbinom(0.3, 1.0 / 21.0)
    ),
    FrequencyCase("Binomial(10,0.3)", Binomial(m=10, q=0.3), stats.binom(10, 0.3)),
    FrequencyCase("Binomial(0,0.5)", Binomial(m=0, q=0.5), stats.binom(0, 0.5)),
    FrequencyCase("Binomial(5,1)", Binomial(m=5, q=1.0), stats.binom(5, 1.0)),
    FrequencyCase("Binomial(7,0)", Binomial(m=7, q=0.0), stats.binom(7, 0.0)),
]

#: One valid keyword set per class, for the generated parameter-violation battery.
VALID_KWARGS: dict[type, dict[str, Any]] = {
    Poisson: {"lam": 2.0},
    NegativeBinomial: {"r": 2.0, "beta": 0.5},
    Binomial: {"m": 10, "q": 0.3},
    Lognormal: {"mu": 1.0, "sigma": 0.5},
    Gamma: {"alpha": 2.0, "theta": 3.0},
    Pareto: {"alpha": 3.0, "theta": 10.0},
    Weibull: {"tau": 1.5, "theta": 10.0},
    GeneralizedPareto: {"xi": 0.2, "beta": 10.0},
    Spliced: {
        "body": Lognormal(mu=1.0, sigma=0.5),
        "tail": GeneralizedPareto(xi=0.2, beta=10.0),
        "threshold": 5.0,
    },
}


def finite_moment(ref: Any, k: int) -> float:
    """The reference's k-th raw moment, or inf when it does not exist."""
    with np.errstate(all="ignore"):
        value = float(ref.moment(k))
    return value if np.isfinite(value) else np.inf


def quantile_grid(ref: Any) -> np.ndarray:
    """Points spread over the reference's body and tail (scale free)."""
    q = np.array([1e-8, 1e-4, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.99999, 1 - 1e-9])
    return np.asarray(ref.ppf(q), dtype=float)


def reference_limited_moment(ref: Any, u: float, k: int) -> float:
    """E[min(X, u)^k] = integral_0^u k x^(k-1) S(x) dx by adaptive quadrature (scipy)."""
    splice = [ref.t] if isinstance(ref, SplicedReference) else []
    breaks = sorted(x for x in [*quantile_grid(ref), *splice] if 0.0 < x < u)
    value, _ = integrate.quad(
        lambda x: k * x ** (k - 1) * ref.sf(x),
        0.0,
        u,
        points=breaks or None,
        limit=500,
        epsabs=0.0,
        epsrel=1e-11,
    )
    return value
