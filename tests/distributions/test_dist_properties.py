"""Hypothesis properties and the numerically delicate special cases.

Properties of limited moments that hold for every claim-size distribution:
``E[X ^ u]`` is non-decreasing in ``u``, at most ``u`` and at most ``E[X]``;
``E[(X ^ u)^2]`` lies between ``E[X ^ u]^2`` (Jensen) and ``u E[X ^ u]``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from dist_cases import SEVERITY_CASES, finite_moment
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import integrate, special, stats

from xborder_risk.distributions import (
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
from xborder_risk.errors import MomentDoesNotExistError

REL = 1e-12  # rounding allowance on the inequalities

cases = st.sampled_from(SEVERITY_CASES)
fractions = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def _limit(case, fraction: float) -> float:
    # Spread limits from 0 far into the tail: u = ppf(fraction) (fraction < 1).
    return float(case.dist.ppf(min(fraction, 1.0 - 1e-12)))


@settings(max_examples=300, deadline=None)
@given(case=cases, f1=fractions, f2=fractions)
def test_limited_moment_inequalities(case, f1, f2):
    u1, u2 = sorted((_limit(case, f1), _limit(case, f2)))
    lev1, lev2 = case.dist.limited_expected_value([u1, u2])
    lm1, lm2 = case.dist.limited_moment([u1, u2], 2)
    assert lev1 <= lev2 * (1 + REL)
    assert lm1 <= lm2 * (1 + REL)
    assert 0.0 <= lev2 <= u2 * (1 + REL)
    assert lev2 * lev2 <= lm2 * (1 + 1e-9) + 1e-300
    assert lm2 <= u2 * lev2 * (1 + 1e-9)
    if np.isfinite(finite_moment(case.ref, 1)):
        assert lev2 <= case.dist.mean() * (1 + REL)


@settings(max_examples=200, deadline=None)
@given(case=cases, f1=fractions, f2=fractions)
def test_cdf_is_monotone_and_complements_sf(case, f1, f2):
    x1, x2 = sorted((_limit(case, f1), _limit(case, f2)))
    c1, c2 = case.dist.cdf([x1, x2])
    assert c1 <= c2
    s = case.dist.sf(x2)
    assert abs(c2 + s - 1.0) <= 1e-14


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@settings(max_examples=60, deadline=None)
@given(
    xi=st.floats(min_value=-3.0, max_value=3.0),
    beta=st.floats(min_value=1e-3, max_value=1e4),
    fraction=st.floats(min_value=1e-6, max_value=0.999999),
)
@example(xi=5e-324, beta=1.0, fraction=0.5)  # a subnormal shape: the exponential limit
def test_gpd_limited_moments_for_random_parameters(xi, beta, fraction):
    gpd = GeneralizedPareto(xi=xi, beta=beta)
    u = float(stats.genpareto(c=xi, scale=beta).ppf(fraction))
    for k in (1, 2):
        want = _quad_limited_moment(_gpd_sf(xi, beta), u, k)
        assert gpd.limited_moment(u, k) == pytest.approx(want, rel=1e-8)


@settings(max_examples=100, deadline=None)
@given(
    alpha=st.floats(min_value=0.1, max_value=30.0).filter(lambda a: abs(a - 1) > 1e-3),
    theta=st.floats(min_value=1e-2, max_value=1e7),
    ratio=st.floats(min_value=1e-6, max_value=1e6),
)
def test_pareto_lev_matches_loss_models_formula(alpha, theta, ratio):
    # Loss Models, Appendix A.2.3.1: E[X ^ u] = theta/(alpha-1) [1 - (theta/(u+theta))^(alpha-1)]
    u = ratio * theta
    want = theta / (alpha - 1) * -math.expm1((alpha - 1) * -math.log1p(u / theta))
    assert Pareto(alpha=alpha, theta=theta).limited_expected_value(u) == pytest.approx(
        want, rel=1e-11
    )


@settings(max_examples=100, deadline=None)
@given(
    mu=st.floats(min_value=-5.0, max_value=15.0),
    sigma=st.floats(min_value=0.05, max_value=4.0),
    z=st.floats(min_value=-4.0, max_value=6.0),
)
def test_lognormal_limited_moments_match_loss_models_formula(mu, sigma, z):
    # Loss Models, Appendix A.4.1.1, evaluated directly with Phi = scipy.special.ndtr.
    u = math.exp(mu + sigma * z)
    dist = Lognormal(mu=mu, sigma=sigma)
    for k in (1, 2):
        want = math.exp(k * mu + k * k * sigma * sigma / 2) * special.ndtr(
            (math.log(u) - mu - k * sigma * sigma) / sigma
        ) + u**k * special.ndtr(-(math.log(u) - mu) / sigma)  # 1 - Phi(z) = Phi(-z)
        assert dist.limited_moment(u, k) == pytest.approx(want, rel=1e-10)


@settings(max_examples=100, deadline=None)
@given(
    which=st.sampled_from(["poisson", "nbinom", "binom"]),
    a=st.floats(min_value=0.01, max_value=200.0),
    b=st.floats(min_value=0.01, max_value=0.99),
    q=st.floats(min_value=1e-6, max_value=1 - 1e-6),
)
def test_frequency_ppf_inverts_cdf(which, a, b, q):
    dist = {
        "poisson": Poisson(lam=a),
        "nbinom": NegativeBinomial(r=a, beta=b / (1 - b)),
        "binom": Binomial(m=int(a) + 1, q=b),
    }[which]
    k = dist.ppf(q)
    assert dist.cdf(k) >= q
    assert k == 0 or dist.cdf(k - 1) < q


# --------------------------------------------------------------------------------------
# Numerically delicate special cases
# --------------------------------------------------------------------------------------


def _gpd_sf(xi, beta):
    # Loss Models / Embrechts et al. S(x) = (1 + xi x/beta)^(-1/xi), as a fast scalar
    # function for quad (scipy's frozen sf costs ~40 us a call); checked against scipy below.
    if xi == 0.0:
        return lambda x: math.exp(-x / beta)

    def sf(x):
        z = xi * x / beta
        if z <= -1.0:
            return 0.0
        # log1p(z) / xi = (x / beta) * log1p(z) / z; for tiny z (a subnormal xi, say) the
        # division log1p(z) / xi loses every digit, its series 1 - z/2 + z^2/3 does not
        log_ratio = 1.0 - z / 2.0 + z * z / 3.0 if abs(z) < 1e-8 else math.log1p(z) / z
        return math.exp(-(x / beta) * log_ratio)

    return sf


def test_fast_reference_gpd_sf_agrees_with_scipy():
    for xi in (-2.0, -1e-12, 0.0, 1e-12, 0.4, 3.0):
        ref = stats.genpareto(c=xi, scale=2.0)
        x = ref.ppf(np.linspace(0.0, 0.999999, 50))
        np.testing.assert_allclose([_gpd_sf(xi, 2.0)(v) for v in x], ref.sf(x), rtol=1e-12)


def _quad_limited_moment(sf, u, k):
    # Geometric break points: heavy tails spread the integrand over many decades.
    points = u * np.logspace(-12, -1, 12)
    return integrate.quad(
        lambda x: k * x ** (k - 1) * sf(x), 0, u, epsabs=0, epsrel=1e-11, limit=500, points=points
    )[0]


@pytest.mark.parametrize(
    "xi",
    [
        -1e-12,
        1e-12,
        -1e-7,
        1e-7,
        1e-4,
        0.375 - 1e-12,
        0.375 + 1e-12,
        0.5 - 1e-10,
        0.5 + 1e-10,
        0.5 - 1e-5,
        0.625 + 1e-12,
        1.0 - 1e-10,
        1.0 + 1e-10,
        -1.0,
        -5.0,
        8.0,
    ],
)
def test_gpd_limited_moments_near_the_special_shapes(xi):
    # Formula switches sit at xi = 0, 3/8, 1/2, 5/8 and 1; values must be continuous
    # through them and agree with numerical integration of k x^(k-1) S(x).
    gpd = GeneralizedPareto(xi=xi, beta=2.0)
    ref = stats.genpareto(c=xi, scale=2.0)
    for q in (1e-9, 0.3, 0.63, 0.9, 0.999999):
        u = float(ref.ppf(q))
        for k in (1, 2):
            want = _quad_limited_moment(_gpd_sf(xi, 2.0), u, k)
            assert gpd.limited_moment(u, k) == pytest.approx(want, rel=1e-9), (q, k)


def test_gpd_is_continuous_in_xi_through_zero():
    u = np.array([1e-8, 0.3, 2.0, 20.0, 200.0])
    exp_ = GeneralizedPareto(xi=0.0, beta=2.0)
    for xi in (1e-15, -1e-15, 1e-300, -1e-300):
        near = GeneralizedPareto(xi=xi, beta=2.0)
        for k in (1, 2):
            np.testing.assert_allclose(
                near.limited_moment(u, k), exp_.limited_moment(u, k), rtol=1e-13
            )
        np.testing.assert_allclose(near.cdf(u), exp_.cdf(u), rtol=1e-13)
    # and the exponential is also Gamma(1, beta) and Weibull(1, beta)
    for other in (Gamma(alpha=1.0, theta=2.0), Weibull(tau=1.0, theta=2.0)):
        for k in (1, 2):
            np.testing.assert_allclose(
                other.limited_moment(u, k), exp_.limited_moment(u, k), rtol=1e-12
            )
    # scipy 1.17 genpareto.moment(2) returns 0.0 at c = 1e-9; the closed form is 2 beta^2.
    assert GeneralizedPareto(xi=1e-9, beta=1.0).moment(2) == pytest.approx(2.0, rel=1e-8)


def test_pareto_equals_gpd_with_mapped_parameters():
    # Lomax(alpha, theta) = GPD(xi = 1/alpha, beta = theta/alpha).
    u = np.array([0.0, 1e-6, 0.5, 10.0, 1e4, np.inf])
    for alpha in (0.5, 1.0, 2.0, 3.7):
        lomax = Pareto(alpha=alpha, theta=10.0)
        gpd = GeneralizedPareto(xi=1.0 / alpha, beta=10.0 / alpha)
        np.testing.assert_allclose(lomax.sf(u), gpd.sf(u), rtol=1e-13)
        np.testing.assert_allclose(lomax.pdf(u[:-1]), gpd.pdf(u[:-1]), rtol=1e-13)
        np.testing.assert_allclose(
            lomax.limited_moment(u[:-1], 2), gpd.limited_moment(u[:-1], 2), rtol=1e-12
        )


def test_bounded_gpd_end_point():
    gpd = GeneralizedPareto(xi=-0.5, beta=3.0)  # support [0, 6]
    assert gpd.support_upper == 6.0
    assert gpd.ppf(1.0) == 6.0
    assert gpd.mean() == pytest.approx(3.0 / 1.5)
    assert gpd.limited_expected_value(6.0) == gpd.mean()
    assert gpd.limited_expected_value(1e9) == gpd.mean()
    # density at the end point: 0 for xi > -1, 1/beta at xi = -1 (uniform), inf below
    assert gpd.pdf(6.0) == 0.0
    assert GeneralizedPareto(xi=-1.0, beta=3.0).pdf(3.0) == pytest.approx(1 / 3)
    assert GeneralizedPareto(xi=-2.0, beta=3.0).pdf(1.5) == math.inf


def _log_space_limited_moment(sf, u, k):
    # integral_0^u k x^(k-1) S(x) dx with x = e^t: integral k e^(k t) S(e^t) dt.
    value, _ = integrate.quad(
        lambda t: k * math.exp(k * t) * sf(math.exp(t)),
        -745.0,
        math.log(u),
        epsabs=0,
        epsrel=1e-11,
        limit=1000,
    )
    return value


@pytest.mark.parametrize(
    ("dist", "sf", "limits"),
    [
        # tau = 0.01: Gamma(1 + 2/tau) overflows and the incomplete gamma underflows; the
        # series branch of the Weibull limited moment is used.
        (
            Weibull(tau=0.01, theta=1.0),
            lambda x: math.exp(-(x**0.01)),
            [1e-30, 1.0, 1e10, 1e100],
        ),
        # sigma = 26: exp(2 sigma^2) overflows while Phi underflows; evaluated in logs.
        # (sigma = 60 is refused since issue 18: its mean exp(1800) is beyond float64.)
        (
            Lognormal(mu=0.0, sigma=26.0),
            lambda x: special.ndtr(-math.log(x) / 26.0),
            # (at u = 1e200, E[min(X, u)^2] ~ u^2 S(u) = 9e385 really overflows)
            [1e-50, 1.0, 1e50, 1e120],
        ),
    ],
    ids=["weibull-tau-0.01", "lognormal-sigma-26"],
)
def test_extreme_shapes_keep_finite_accurate_limited_moments(dist, sf, limits):
    if isinstance(dist, Lognormal):
        with pytest.raises(MomentDoesNotExistError, match="float64 range"):
            dist.limited_moment(1e200, 2)
    for u in limits:
        for k in (1, 2):
            got = dist.limited_moment(u, k)
            assert np.isfinite(got)
            assert got == pytest.approx(_log_space_limited_moment(sf, u, k), rel=1e-8)


def test_weibull_variance_for_a_nearly_degenerate_shape():
    # Var = theta^2 [Gamma(1+2/tau) - Gamma(1+1/tau)^2] ~ theta^2 (pi^2/6)/tau^2 for large tau.
    for tau in (1e3, 1e6, 1e9):
        var = Weibull(tau=tau, theta=1.0).var()
        assert var == pytest.approx(math.pi**2 / 6 / tau**2, rel=5.0 / tau)
    assert Weibull(tau=3.0, theta=2.0).var() == pytest.approx(
        stats.weibull_min(c=3.0, scale=2.0).var(), rel=1e-13
    )


def test_spliced_joins_body_and_tail():
    body = Lognormal(mu=1.0, sigma=1.0)
    tail = GeneralizedPareto(xi=0.3, beta=5.0)
    t = 10.0
    s = Spliced(body=body, tail=tail, threshold=t)
    p = body.cdf(t)
    assert s.body_probability == p
    assert s.cdf(t) == p
    assert s.cdf(np.nextafter(t, 20.0)) == pytest.approx(p, rel=1e-14)  # continuous
    assert s.ppf(p) == pytest.approx(t, rel=1e-12)
    # E[X] = E[X_b ^ t] + S_b(t) (t... ) reduces to E[X_b ^ t] + S_b(t) E[Y]
    assert s.mean() == pytest.approx(body.limited_expected_value(t) + (1 - p) * tail.mean())
    # A body with no mass above the threshold makes the tail irrelevant.
    bounded = Spliced(body=GeneralizedPareto(xi=-1.0, beta=5.0), tail=tail, threshold=6.0)
    assert bounded.tail_probability == 0.0
    assert bounded.var() == pytest.approx(25.0 / 12.0)  # uniform on [0, 5]
