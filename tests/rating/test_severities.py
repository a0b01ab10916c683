"""Mixture and Capped severities against scipy and numerical integration."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from xborder_risk.distributions import Gamma, GeneralizedPareto, Lognormal, Pareto, Spliced, Weibull
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


# --------------------------------------------------------------------------------------------
# Linear-time mixture (issue 18): the grouped sampler and the block evaluation give, bit for
# bit, what a loop over the components gives.


def _loop_sample(mix: Mixture, rng: np.random.Generator, n: int) -> np.ndarray:
    """The former sampler: one pass over the claims per component."""
    which = np.searchsorted(np.cumsum(np.asarray(mix.weights))[:-1], rng.random(n), side="right")
    out = np.empty(n)
    for index, component in enumerate(mix.components):
        chosen = which == index
        if chosen.any():
            out[chosen] = component.sample(rng, int(chosen.sum()))
    return out


def _loop_weighted(mix: Mixture, method: str, x: np.ndarray, k: int = 0) -> np.ndarray:
    total = np.zeros_like(x)
    for weight, component in zip(mix.weights, mix.components, strict=True):
        value = component.limited_moment(x, k) if k else getattr(component, method)(x)
        total += weight * np.asarray(value)
    return total


def _varied_mixture(n: int) -> Mixture:
    """Lognormal runs broken by Gamma, Weibull, Pareto, Spliced and Capped components."""
    rng = np.random.default_rng(n)
    components: list[object] = []
    for i in range(n):
        kind = i % 11
        if kind == 3:
            components.append(Gamma(alpha=0.5 + i % 4, theta=1e3 * (1 + i % 5)))
        elif kind == 5:
            components.append(Weibull(tau=0.7 + 0.1 * (i % 3), theta=2e3))
        elif kind == 7:
            components.append(Pareto(alpha=2.5, theta=5e3))
        elif kind == 9:
            components.append(
                Spliced(body=BODY, tail=GeneralizedPareto(xi=0.3, beta=4.0), threshold=5.0)
            )
        elif kind == 10:
            components.append(Capped(base=Lognormal(mu=8.0, sigma=1.0), cap=2e4))
        else:
            mu, sigma = float(rng.uniform(5, 12)), float(rng.uniform(0.3, 2))
            components.append(Lognormal(mu=mu, sigma=sigma))
    raw = rng.uniform(0.1, 1.0, n)
    weights = raw / raw.sum()
    return Mixture(components=tuple(components), weights=tuple(float(w) for w in weights))  # type: ignore[arg-type]


@pytest.mark.parametrize("n_components", [1, 2, 40, 300])
def test_grouped_mixture_sampling_is_bit_identical_to_a_loop_over_components(
    n_components: int,
) -> None:
    mix = _varied_mixture(n_components)
    for seed, n in ((1, 0), (2, 1), (3, 5_000), (4, 40_000)):
        expected = _loop_sample(mix, np.random.default_rng(seed), n)
        got = mix.sample(np.random.default_rng(seed), n)
        assert np.array_equal(got, expected)
    # The generator is left in the same state too (the next draws agree).
    a, b = np.random.default_rng(9), np.random.default_rng(9)
    _loop_sample(mix, a, 1_000)
    mix.sample(b, 1_000)
    assert a.random() == b.random()


def test_grouped_mixture_sampling_keeps_the_requested_shape() -> None:
    mix = _varied_mixture(12)
    got = mix.sample(np.random.default_rng(5), (30, 7))
    assert got.shape == (30, 7)
    assert np.array_equal(got.ravel(), _loop_sample(mix, np.random.default_rng(5), 210))


@pytest.mark.parametrize("n_components", [2, 40, 300])
def test_block_evaluation_is_bit_identical_to_a_loop_over_components(n_components: int) -> None:
    mix = _varied_mixture(n_components)
    x = np.array([1e-3, 0.5, 3.0, 50.0, 1e3, 1e4, 2e4, 1e5, 1e6, 1e8])
    assert np.array_equal(mix.cdf(x), np.minimum(_loop_weighted(mix, "cdf", x), 1.0))
    assert np.array_equal(mix.sf(x), np.minimum(_loop_weighted(mix, "sf", x), 1.0))
    assert np.array_equal(mix.pdf(x), _loop_weighted(mix, "pdf", x))
    for k in (1, 2):
        assert np.array_equal(mix.limited_moment(x, k), _loop_weighted(mix, "", x, k))


def test_block_evaluation_splits_large_problems_without_changing_the_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from xborder_risk.rating import _severities

    mix = _varied_mixture(60)
    x = np.geomspace(1e-2, 1e7, 25)
    whole = np.asarray(mix.limited_moment(x, 1))
    monkeypatch.setattr(_severities, "_BLOCK_ELEMENTS", 30)  # one component per block
    assert np.array_equal(np.asarray(mix.limited_moment(x, 1)), whole)
    assert np.array_equal(np.asarray(mix.cdf(x)), np.minimum(_loop_weighted(mix, "cdf", x), 1.0))


def test_lognormal_mixture_quantile_matches_component_quantiles() -> None:
    mix = Mixture(
        components=tuple(Lognormal(mu=float(m), sigma=0.8) for m in range(5, 15)),
        weights=(0.1,) * 10,
    )
    q = np.array([1e-6, 0.2, 0.5, 0.99, 1.0 - 1e-12])
    x = np.asarray(mix.ppf(q))
    assert np.allclose(mix.cdf(x), q, rtol=1e-9, atol=1e-15)


def test_mixture_sampling_time_is_linear_in_the_number_of_components() -> None:
    import time

    def seconds(n: int) -> float:
        mix = Mixture(
            components=tuple(Lognormal(mu=5.0 + i * 1e-4, sigma=1.0) for i in range(n)),
            weights=(1.0 / n,) * n,
        )
        rng = np.random.default_rng(0)
        start = time.perf_counter()
        mix.sample(rng, 200_000)
        return time.perf_counter() - start

    small, large = seconds(1_000), seconds(50_000)
    # A loop over components costs 50x more at 50x the components (about 4 s here); the
    # grouped sampler costs a few ms more.  4x leaves room for a loaded machine.
    assert large < 4.0 * small + 0.5


@pytest.mark.parametrize("n_keys", [1, 7, 1 << 16, (1 << 16) + 1, 3_000_000])
def test_stable_order_is_numpys_stable_argsort(n_keys: int) -> None:
    from xborder_risk.rating._severities import _stable_order

    keys = np.random.default_rng(n_keys).integers(0, n_keys, 100_000)
    assert np.array_equal(_stable_order(keys, n_keys), np.argsort(keys, kind="stable"))


def test_mixture_with_cached_parameters_compares_hashes_and_pickles_by_value() -> None:
    import dataclasses
    import pickle

    mix = _varied_mixture(12)
    same = _varied_mixture(12)  # built again from the same inputs
    assert mix == same and hash(mix) == hash(same)
    assert "_kinds" not in repr(mix)
    copy = pickle.loads(pickle.dumps(mix))
    assert copy == mix
    assert np.array_equal(
        copy.sample(np.random.default_rng(3), 500), mix.sample(np.random.default_rng(3), 500)
    )
    swapped = dataclasses.replace(mix, components=(OTHER, *mix.components[1:]))
    assert swapped._first[0] == OTHER.mu
