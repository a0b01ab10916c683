"""Mixture and Capped severities against scipy and numerical integration."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from xborder_risk.distributions import GeneralizedPareto, Lognormal, Spliced
from xborder_risk.errors import ParameterError
from xborder_risk.rating import Capped, Mixture

BODY = Lognormal(mu=0.0, sigma=1.0)
OTHER = Lognormal(mu=3.0, sigma=0.5)
MIX = Mixture(components=(BODY, OTHER), weights=(0.3, 0.7))
CAPPED = Capped(base=Lognormal(mu=math.log(8.0), sigma=0.6), cap=10.0)


def _scipy_mixture_cdf(x: np.ndarray) -> np.ndarray:
    return 0.3 * stats.lognorm.cdf(x, 1.0, scale=1.0) + 0.7 * stats.lognorm.cdf(
        x, 0.5, scale=math.exp(3.0)
    )


def test_mixture_cdf_sf_and_moments_match_scipy() -> None:
    x = np.array([0.1, 1.0, 5.0, 20.0, 60.0])
    assert np.allclose(MIX.cdf(x), _scipy_mixture_cdf(x), rtol=1e-12, atol=0)
    assert np.allclose(MIX.sf(x), 1.0 - _scipy_mixture_cdf(x), rtol=1e-10)
    mean = 0.3 * math.exp(0.5) + 0.7 * math.exp(3.0 + 0.125)
    second = 0.3 * math.exp(2.0) + 0.7 * math.exp(6.0 + 0.5)
    assert MIX.mean() == pytest.approx(mean, rel=1e-12)
    assert MIX.var() == pytest.approx(second - mean**2, rel=1e-12)


def test_mixture_limited_moments_match_numerical_integration() -> None:
    for u in (0.5, 7.0, 30.0):
        # E[X ^ u] = int_0^u S(x) dx and E[(X ^ u)^2] = int_0^u 2 x S(x) dx.
        first, _ = integrate.quad(lambda x: 1.0 - _scipy_mixture_cdf(np.array(x)), 0.0, u)
        second, _ = integrate.quad(
            lambda x: 2.0 * x * (1.0 - _scipy_mixture_cdf(np.array(x))), 0.0, u
        )
        assert MIX.limited_moment(u, 1) == pytest.approx(first, rel=1e-8)
        assert MIX.limited_moment(u, 2) == pytest.approx(second, rel=1e-8)


def test_mixture_ppf_inverts_the_cdf() -> None:
    q = np.array([1e-12, 1e-3, 0.25, 0.3, 0.5, 0.9, 0.999, 1.0 - 1e-12])
    x = np.asarray(MIX.ppf(q))
    assert np.allclose(MIX.cdf(x), q, rtol=1e-9, atol=1e-15)


def test_mixture_of_a_heavy_tailed_component_keeps_sampling_finite() -> None:
    spliced = Spliced(body=BODY, tail=GeneralizedPareto(xi=0.8, beta=4.0), threshold=5.0)
    mix = Mixture(components=(spliced, OTHER), weights=(0.5, 0.5))
    assert math.isfinite(float(mix.ppf(1.0 - 2.0**-53)))
    assert mix.limited_moment(1e6, 1) == pytest.approx(
        0.5 * float(spliced.limited_moment(1e6, 1)) + 0.5 * float(OTHER.limited_moment(1e6, 1)),
        rel=1e-12,
    )


def test_mixture_sample_mean_within_monte_carlo_error() -> None:
    draws = MIX.sample(np.random.default_rng(7), 200_000)
    assert draws.dtype == np.float64
    standard_error = math.sqrt(MIX.var() / draws.size)
    assert abs(draws.mean() - MIX.mean()) < 5 * standard_error
    # The share of draws from the first component's range matches the mixture cdf.
    assert abs((draws <= 3.0).mean() - float(MIX.cdf(3.0))) < 5 * math.sqrt(0.25 / draws.size)


@pytest.mark.parametrize(
    ("weights", "message"),
    [((0.5, 0.6), "must sum to 1"), ((1.0, 0.0), "must be > 0"), ((1.0,), "one weight")],
)
def test_mixture_rejects_bad_weights(weights: tuple[float, ...], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        Mixture(components=(BODY, OTHER), weights=weights)


def test_capped_has_an_atom_at_the_cap_and_limited_moments_of_the_base() -> None:
    base = CAPPED.base
    assert CAPPED.support_upper == 10.0
    assert CAPPED.total_loss_probability == pytest.approx(float(base.sf(10.0)), rel=1e-15)
    assert CAPPED.cdf(10.0) == 1.0
    assert CAPPED.cdf(9.999) == pytest.approx(float(base.cdf(9.999)), rel=1e-15)
    assert CAPPED.mean() == pytest.approx(float(base.limited_moment(10.0, 1)), rel=1e-15)
    assert CAPPED.limited_moment(4.0, 2) == pytest.approx(float(base.limited_moment(4.0, 2)))
    assert CAPPED.limited_moment(50.0, 1) == pytest.approx(CAPPED.mean(), rel=1e-15)
    assert CAPPED.ppf(0.999) == 10.0
    draws = CAPPED.sample(np.random.default_rng(3), 100_000)
    assert draws.max() == 10.0
    p = CAPPED.total_loss_probability
    assert abs((draws == 10.0).mean() - p) < 5 * math.sqrt(p * (1 - p) / draws.size)


def test_capped_rejects_a_non_positive_cap() -> None:
    with pytest.raises(ParameterError, match="cap"):
        Capped(base=BODY, cap=0.0)
