"""Conformance battery: every distribution against an independent scipy reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
from dist_cases import (
    FREQUENCY_CASES,
    SEVERITY_CASES,
    finite_moment,
    quantile_grid,
    reference_limited_moment,
)
from scipy import stats

from xborder_risk.errors import MomentDoesNotExistError

SEV = [pytest.param(case, id=case.id) for case in SEVERITY_CASES]
FREQ = [pytest.param(case, id=case.id) for case in FREQUENCY_CASES]


def _relative_error(got, want):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    scale = np.maximum(np.abs(want), 1e-300)
    return np.where(got == want, 0.0, np.abs(got - want) / scale)


# --------------------------------------------------------------------------------------
# Severities
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", SEV)
def test_cdf_sf_pdf_match_reference(case):
    x = np.concatenate([[0.0], quantile_grid(case.ref)])
    np.testing.assert_allclose(case.dist.cdf(x), case.ref.cdf(x), rtol=1e-10, atol=1e-15)
    # The survival function is compared relatively: deep-tail accuracy matters for pricing.
    assert _relative_error(case.dist.sf(x), case.ref.sf(x)).max() < 1e-9
    interior = x[x > 0]
    assert _relative_error(case.dist.pdf(interior), case.ref.pdf(interior)).max() < 1e-9


@pytest.mark.parametrize("case", SEV)
def test_outside_support_values(case):
    upper = case.dist.support_upper
    assert case.dist.cdf(-1.0) == 0.0
    assert case.dist.sf(-1.0) == 1.0
    assert case.dist.pdf(-1.0) == 0.0
    assert case.dist.cdf(np.inf) == 1.0
    assert case.dist.sf(np.inf) == 0.0
    assert case.dist.pdf(np.inf) == 0.0
    if math.isfinite(upper):
        assert case.dist.cdf(upper * 1.5) == 1.0
        assert case.dist.sf(upper * 1.5) == 0.0
        assert case.dist.pdf(upper * 1.5) == 0.0


@pytest.mark.parametrize("case", SEV)
def test_ppf_matches_reference(case):
    q = np.array([1e-9, 1e-4, 0.01, 0.2, 0.5, 0.8, 0.99, 0.9999, 1 - 1e-10])
    assert _relative_error(case.dist.ppf(q), case.ref.ppf(q)).max() < 1e-9
    assert case.dist.ppf(0.0) == 0.0
    assert case.dist.ppf(1.0) == case.dist.support_upper


@pytest.mark.parametrize("case", SEV)
def test_ppf_cdf_round_trip(case):
    x = quantile_grid(case.ref)
    np.testing.assert_allclose(case.dist.ppf(case.dist.cdf(x)), x, rtol=1e-7)
    q = np.linspace(0.001, 0.999, 37)
    np.testing.assert_allclose(case.dist.cdf(case.dist.ppf(q)), q, rtol=1e-12)


@pytest.mark.parametrize("case", SEV)
def test_mean_and_variance_match_reference_or_raise(case):
    for k, method in ((1, case.dist.mean), (2, case.dist.var)):
        if np.isfinite(finite_moment(case.ref, k)):
            mean, var = float(case.ref.mean()), float(case.ref.var())
            assert method() == pytest.approx(mean if k == 1 else var, rel=1e-9)
            # E[X^2] from scipy's mean and variance: scipy's genpareto.moment(2) itself
            # loses accuracy for small c (it returns 0.0 at c = 1e-9; scipy 1.17).
            raw = mean if k == 1 else var + mean * mean
            assert case.dist.moment(k) == pytest.approx(raw, rel=1e-9)
        else:
            with pytest.raises(MomentDoesNotExistError, match="does not exist"):
                method()
            with pytest.raises(MomentDoesNotExistError):
                case.dist.moment(k)


def _check_limited_moments(case, limits):
    for k in (1, 2):
        got = case.dist.limited_moment(limits, k)
        want = np.array([reference_limited_moment(case.ref, u, k) for u in limits])
        assert _relative_error(got, want).max() < 1e-8, (k, got, want)


@pytest.mark.parametrize("case", SEV)
def test_limited_moments_match_numerical_integration(case):
    # A tiny limit (the Gauss-Legendre branch of the GPD), the body, the far tail.
    grid = quantile_grid(case.ref)
    _check_limited_moments(case, np.array([grid[5] * 1e-6, grid[2], grid[5], grid[8], grid[-1]]))


@pytest.mark.slow
@pytest.mark.parametrize("case", SEV)
def test_limited_moments_match_numerical_integration_full_grid(case):
    grid = quantile_grid(case.ref)
    _check_limited_moments(
        case, np.unique(np.concatenate([grid, grid[5] * np.logspace(-9, -1, 5)]))
    )


@pytest.mark.parametrize("case", SEV)
def test_limited_moment_at_infinity_is_the_moment(case):
    for k in (1, 2):
        if np.isfinite(finite_moment(case.ref, k)):
            assert case.dist.limited_moment(np.inf, k) == pytest.approx(
                case.dist.moment(k), rel=1e-14
            )
        else:
            with pytest.raises(MomentDoesNotExistError):
                case.dist.limited_moment(np.inf, k)
            # ... while every finite limit still has a finite limited moment.
            assert np.isfinite(case.dist.limited_moment(1e12, k))
    assert case.dist.limited_expected_value(0.0) == 0.0


@pytest.mark.parametrize("case", SEV)
def test_scalar_in_float_out_and_shapes_kept(case):
    x = float(quantile_grid(case.ref)[5])
    for method in (case.dist.cdf, case.dist.sf, case.dist.pdf, case.dist.limited_expected_value):
        assert type(method(x)) is float
        assert method(np.full((2, 3), x)).shape == (2, 3)
    assert type(case.dist.ppf(0.5)) is float
    assert case.dist.ppf([[0.1, 0.5]]).shape == (1, 2)
    assert type(case.dist.limited_moment(x, 2)) is float


@pytest.mark.parametrize("case", SEV)
def test_no_nan_on_a_wide_grid(case):
    x = np.concatenate([[0.0, 5e-324, 1e-300, 1e-12], np.logspace(-6, 300, 60), [np.inf]])
    for values in (case.dist.cdf(x), case.dist.sf(x), case.dist.pdf(x)):
        assert not np.isnan(values).any()
    assert np.isfinite(case.dist.limited_moment(x[:-1], 1)).all()
    assert not np.isnan(case.dist.ppf(np.linspace(0, 1, 101))).any()


# --------------------------------------------------------------------------------------
# Frequencies
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", FREQ)
def test_frequency_pmf_cdf_match_reference(case):
    k = np.arange(0.0, case.ref.ppf(1 - 1e-12) + 5.0)
    np.testing.assert_allclose(case.dist.pmf(k), case.ref.pmf(k), rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(case.dist.cdf(k), case.ref.cdf(k), rtol=1e-10, atol=1e-15)
    # Non-integer and negative counts: the pmf is 0 and the cdf steps at integers.
    assert case.dist.pmf(1.5) == 0.0
    assert case.dist.pmf(-1.0) == 0.0
    assert case.dist.cdf(-0.5) == 0.0
    assert case.dist.cdf(2.7) == pytest.approx(float(case.ref.cdf(2)), rel=1e-12)
    assert case.dist.cdf(np.inf) == 1.0


@pytest.mark.parametrize("case", FREQ)
def test_frequency_ppf_is_the_generalised_inverse(case):
    k = np.arange(0.0, case.ref.ppf(1 - 1e-9) + 1.0)
    cdf = case.ref.cdf(k)
    # Midpoints between consecutive distinct cdf values have an unambiguous quantile.
    lower = np.concatenate([[0.0], cdf[:-1]])
    distinct = cdf - lower > 1e-9
    q = 0.5 * (lower + cdf)[distinct]
    np.testing.assert_array_equal(case.dist.ppf(q), k[distinct])
    np.testing.assert_array_equal(case.dist.ppf(q), case.ref.ppf(q))
    # And the round trip on the distribution's own cdf values is exact (where the cdf
    # neither underflows to 0 nor rounds to 1, which ppf maps to the support's end).
    own_cdf = case.dist.cdf(k)
    kept = k[(own_cdf > 1e-300) & (own_cdf < 1.0)]
    np.testing.assert_array_equal(case.dist.ppf(case.dist.cdf(kept)), kept)
    assert case.dist.ppf(1.0) == case.dist.support_upper


@pytest.mark.parametrize("case", FREQ)
def test_frequency_mean_var(case):
    assert case.dist.mean() == pytest.approx(case.ref.mean(), rel=1e-12, abs=1e-300)
    assert case.dist.var() == pytest.approx(case.ref.var(), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("case", FREQ)
def test_frequency_pgf_is_the_power_series(case):
    z = np.array([0.0, 0.5, -0.9, 1.0, np.exp(0.7j), 0.8 * np.exp(2.5j)])
    k = np.arange(0.0, case.ref.ppf(1 - 1e-16) + 50.0)
    series = (case.ref.pmf(k)[None, :] * z[:, None] ** k[None, :]).sum(axis=1)
    got = case.dist.pgf(z)
    assert got.dtype == np.complex128
    np.testing.assert_allclose(got, series, rtol=1e-9, atol=1e-12)
    assert type(case.dist.pgf(0.3)) is complex


@pytest.mark.parametrize("case", FREQ)
def test_frequency_panjer_class_matches_pmf(case):
    if case.dist.var() == 0.0:
        pytest.skip("point mass: no (a, b, 0) recursion needed")
    a, b, p0 = case.dist.panjer_abp0()
    assert p0 == pytest.approx(float(case.ref.pmf(0)), rel=1e-12, abs=1e-300)
    # p_k / p_{k-1} = a + b/k wherever scipy's pmf is representable.
    k = np.arange(1.0, case.ref.ppf(1 - 1e-12) + 1.0)
    prev, cur = case.ref.pmf(k - 1.0), case.ref.pmf(k)
    ok = (prev > 1e-280) & (cur > 1e-280)
    np.testing.assert_allclose(cur[ok] / prev[ok], a + b / k[ok], rtol=1e-9)
    if p0 > 1e-280:
        # The recursion itself, run from p0 (it underflows for Poisson(2500): p0 = e^-2500).
        probs = [p0]
        for kk in k[:200]:
            probs.append((a + b / kk) * probs[-1])
        want = case.ref.pmf(np.arange(len(probs)))
        np.testing.assert_allclose(probs, want, rtol=1e-9, atol=1e-300)


def test_binomial_point_mass_has_no_panjer_form():
    from xborder_risk.distributions import Binomial
    from xborder_risk.errors import ParameterError

    with pytest.raises(ParameterError, match="'q'"):
        Binomial(m=5, q=1.0).panjer_abp0()


def test_negative_binomial_matches_loss_models_moments():
    # Loss Models, Appendix B.2.1.4: mean r beta, variance r beta (1 + beta).
    from xborder_risk.distributions import NegativeBinomial

    nb = NegativeBinomial(r=3.0, beta=2.0)
    assert nb.mean() == 6.0
    assert nb.var() == 18.0
    # and numpy's parameterisation n = r, p = 1/(1 + beta) is the same distribution
    np.testing.assert_allclose(nb.pmf(np.arange(20)), stats.nbinom.pmf(np.arange(20), 3, 1 / 3))
