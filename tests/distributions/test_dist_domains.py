"""Parameter domains that cannot overflow (issue 18).

Any parameter set a distribution accepts must sample finite, non-negative values and give
means and variances that are finite or raise :class:`MomentDoesNotExistError` -- never a raw
numpy ``ValueError`` or Python ``OverflowError`` at simulation time.  Parameters are drawn
across the whole float64 range (1e-300 to 1e300, both signs where the domain allows), where
the overflow and degeneracy cases live.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from xborder_risk.distributions import (
    MIN_NB_BETA,
    Binomial,
    Gamma,
    GeneralizedPareto,
    Lognormal,
    NegativeBinomial,
    Pareto,
    Poisson,
    Spliced,
    Weibull,
)
from xborder_risk.errors import MomentDoesNotExistError, ParameterError


def _magnitudes(signed: bool = False) -> st.SearchStrategy[float]:
    """Floats spread over the float64 exponent range: 10**e for e in [-320, 308]."""
    positive = st.builds(
        lambda e, m: m * 10.0**e,
        st.integers(min_value=-320, max_value=307),
        st.floats(min_value=1.0, max_value=9.99),
    ) | st.floats(min_value=1e-6, max_value=1e3)
    if not signed:
        return positive
    return st.builds(lambda x, negative: -x if negative else x, positive, st.booleans()) | st.just(
        0.0
    )


SEVERITIES = {
    "Lognormal": (Lognormal, {"mu": _magnitudes(True), "sigma": _magnitudes()}),
    "Gamma": (Gamma, {"alpha": _magnitudes(), "theta": _magnitudes()}),
    "Weibull": (Weibull, {"tau": _magnitudes(), "theta": _magnitudes()}),
    "Pareto": (Pareto, {"alpha": _magnitudes(), "theta": _magnitudes()}),
    "GeneralizedPareto": (GeneralizedPareto, {"xi": _magnitudes(True), "beta": _magnitudes()}),
}
FREQUENCIES = {
    "Poisson": (Poisson, {"lam": _magnitudes()}),
    "NegativeBinomial": (NegativeBinomial, {"r": _magnitudes(), "beta": _magnitudes()}),
    "Binomial": (
        Binomial,
        {"m": st.integers(min_value=0, max_value=10**16), "q": st.floats(0.0, 1.0)},
    ),
}


def _moments_are_clean(dist: object) -> None:
    for moment in ("mean", "var"):
        try:
            value = getattr(dist, moment)()
        except MomentDoesNotExistError:
            continue
        assert math.isfinite(value) and value >= 0.0, (dist, moment, value)


def _accepted(cls: type, params: dict[str, object]) -> object | None:
    try:
        return cls(**params)
    except ParameterError:
        return None


@pytest.mark.parametrize("name", sorted(SEVERITIES))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_an_accepted_severity_samples_finite_non_negative_claims(name: str, data: st.DataObject):
    cls, strategies = SEVERITIES[name]
    params = {key: data.draw(strategy, label=key) for key, strategy in strategies.items()}
    dist = _accepted(cls, params)
    if dist is None:
        return
    draws = dist.sample(np.random.default_rng(0), 500)
    assert np.isfinite(draws).all() and (draws >= 0).all()
    _moments_are_clean(dist)
    assert math.isfinite(float(dist.ppf(0.5)))


@pytest.mark.parametrize("name", sorted(FREQUENCIES))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_an_accepted_frequency_samples_finite_non_negative_counts(name: str, data: st.DataObject):
    cls, strategies = FREQUENCIES[name]
    params = {key: data.draw(strategy, label=key) for key, strategy in strategies.items()}
    dist = _accepted(cls, params)
    if dist is None:
        return
    counts = dist.sample(np.random.default_rng(0), 50)
    assert counts.dtype == np.int64 and (counts >= 0).all()
    mean, var = dist.mean(), dist.var()
    assert math.isfinite(mean) and mean >= 0 and math.isfinite(var) and var >= 0


@settings(max_examples=300, deadline=None)
@given(
    body_mu=st.floats(-50, 50),
    body_sigma=st.floats(0.05, 20),
    xi=_magnitudes(True),
    beta=_magnitudes(),
    threshold=_magnitudes(),
)
@example(body_mu=0.0, body_sigma=1.0, xi=5.0, beta=1e290, threshold=1.0)
def test_an_accepted_spliced_severity_samples_finite_claims(
    body_mu, body_sigma, xi, beta, threshold
):
    try:
        tail = GeneralizedPareto(xi=xi, beta=beta)
        dist = Spliced(body=Lognormal(mu=body_mu, sigma=body_sigma), tail=tail, threshold=threshold)
    except ParameterError:
        return
    draws = dist.sample(np.random.default_rng(1), 500)
    assert np.isfinite(draws).all() and (draws >= 0).all()


# -- the refusals themselves, one per rule, each naming the parameter and the rule ----------


@pytest.mark.parametrize(
    ("build", "parameter", "rule"),
    [
        # numpy's own check (1-p)/p * (n + 10 sqrt(n)) > its Poisson limit: issue 18's case.
        (lambda: NegativeBinomial(r=8.3e-302, beta=1e300), "r, beta", "numpy's limit"),
        (lambda: NegativeBinomial(r=1e-10, beta=1e25), "r, beta", "numpy's limit"),
        (lambda: NegativeBinomial(r=1e10, beta=1e6), "r, beta", "largest gamma mixing rate"),
        # p = 1/(1 + beta) rounds to 1: numpy would sample no claim whatever r*beta is.
        (lambda: NegativeBinomial(r=1e20, beta=1e-17), "beta", f">= {MIN_NB_BETA:g}"),
        (lambda: Poisson(lam=1e16), "lam", "<= 1e+15"),
        (lambda: Lognormal(mu=700.0, sigma=1.0), "mu, sigma", "largest sampled quantile"),
        (lambda: Lognormal(mu=-1000.0, sigma=100.0), "mu, sigma", "mean E[X] < 1e+300"),
        (lambda: Lognormal(mu=-800.0, sigma=0.1), "mu, sigma", "every sampled claim would be 0"),
        (lambda: Gamma(alpha=1.0, theta=1e299), "alpha, theta", "largest sampled quantile"),
        (lambda: Pareto(alpha=0.01, theta=1.0), "alpha, theta", "largest sampled quantile"),
        (lambda: Weibull(tau=0.005, theta=1.0), "tau, theta", "largest sampled quantile"),
        (lambda: GeneralizedPareto(xi=1e300, beta=1.0), "xi, beta", "largest sampled quantile"),
    ],
)
def test_overflowing_parameters_are_refused_naming_parameter_and_rule(build, parameter, rule):
    with pytest.raises(ParameterError) as info:
        build()
    assert f"parameter '{parameter}'" in str(info.value)
    assert rule in str(info.value)


def test_a_representable_mean_with_an_unrepresentable_variance_raises_a_library_error() -> None:
    # Accepted (its claims and mean are in range); the variance is finite but beyond float64:
    # a MomentDoesNotExistError, not Python's OverflowError from theta ** 2.
    dist = Gamma(alpha=1.0, theta=1e200)
    assert dist.mean() == 1e200
    with pytest.raises(MomentDoesNotExistError, match="exceeds the float64 range"):
        dist.var()
    with pytest.raises(MomentDoesNotExistError, match="exceeds the float64 range"):
        dist.moment(2)


def test_the_negative_binomial_bound_is_numpys_own() -> None:
    # Just inside the bound numpy samples; the former check (r*beta + 10 r sqrt(r) beta)
    # accepted parameters numpy refuses.
    r = 1e-20
    ok = NegativeBinomial(r=r, beta=1e27)
    assert ok.sample(np.random.default_rng(0), 10).dtype == np.int64
    with pytest.raises(ParameterError, match="numpy's limit"):
        NegativeBinomial(r=r, beta=1e28)
