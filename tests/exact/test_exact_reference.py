"""Aggregate distributions against results known from outside the module.

* Compound Poisson(10) x Gamma(2, 1): VaR and TVaR at 99% given in shared/DESIGN.md.
* Compound geometric x exponential: closed form (atom 1/(1+beta) at 0, exponential tail of
  mean theta(1+beta)); derived in docs/exact.md from the Laplace transform
  P_N(L_X(s)) = 1/(1 + beta - beta/(1 + theta s)) (Loss Models §9.3).
* Lattice severities, where the compound pmf is known exactly: a claim of exactly one
  unit makes S the claim count itself; Poisson thinning splits a compound Poisson with
  claims of 1 and 2 units into independent Poisson counts (a standard property of the
  Poisson process).
"""

import math

import numpy as np
import pytest
from scipy import stats

from xborder_risk.distributions import Binomial, Gamma, NegativeBinomial, Poisson
from xborder_risk.engine import LossModel
from xborder_risk.errors import ParameterError
from xborder_risk.exact import aggregate_distribution, compound_pmf

DESIGN_VAR_99 = 40.811793  # shared/DESIGN.md, exact compound Poisson(10) x Gamma(2, 1)
DESIGN_TVAR_99 = 44.580948

POISSON_GAMMA = LossModel("reference", Poisson(lam=10.0), Gamma(alpha=2.0, theta=1.0))


def test_default_grid_reproduces_design_var_and_tvar():
    dist = aggregate_distribution(POISSON_GAMMA)
    h = dist.step
    # The VaR of a lattice distribution is a lattice point: rounding moves each claim by at
    # most h/2 with mean zero, so the quantile is off by about a step.  TVaR is an
    # integral of the tail and inherits the O(h^2) error of the midpoint rule.
    assert abs(dist.value_at_risk(0.99) - DESIGN_VAR_99) <= h
    assert abs(dist.tvar(0.99) - DESIGN_TVAR_99) <= h**2
    assert dist.truncation_bound <= 1e-12


@pytest.mark.parametrize("coarse_step", [0.1, 0.05])
def test_error_shrinks_with_the_step(coarse_step):
    fine_step = coarse_step / 5
    coarse = aggregate_distribution(POISSON_GAMMA, step=coarse_step)
    fine = aggregate_distribution(POISSON_GAMMA, step=fine_step)
    for dist, h in ((coarse, coarse_step), (fine, fine_step)):
        assert abs(dist.value_at_risk(0.99) - DESIGN_VAR_99) <= h
        assert abs(dist.tvar(0.99) - DESIGN_TVAR_99) <= h**2
    # Second-order convergence of TVaR: a fifth of the step cuts the error ~25-fold.
    coarse_error = abs(coarse.tvar(0.99) - DESIGN_TVAR_99)
    fine_error = abs(fine.tvar(0.99) - DESIGN_TVAR_99)
    assert fine_error < coarse_error / 10


@pytest.mark.parametrize("method", ["fft", "panjer"])
def test_compound_geometric_exponential_closed_form(method):
    beta, theta = 4.0, 2.0
    model = LossModel(
        "geometric", NegativeBinomial(r=1.0, beta=beta), Gamma(alpha=1.0, theta=theta)
    )
    h = 0.02
    dist = aggregate_distribution(model, step=h, method=method)
    tail_mean = theta * (1.0 + beta)
    p0 = 1.0 / (1.0 + beta)

    def true_cdf(x):
        return 1.0 - (1.0 - p0) * np.exp(-np.asarray(x) / tail_mean)

    # Rounding maps the interval (kh - h/2, kh + h/2] to kh, so the lattice cdf at kh
    # tracks the true cdf at kh + h/2; the compound adds O(h) times the density bound.
    grid = np.arange(0.0, 120.0, h)
    density_bound = (1.0 - p0) / tail_mean
    assert np.max(np.abs(dist.cdf(grid) - true_cdf(grid + h / 2))) <= density_bound * h
    assert dist.probabilities[0] == pytest.approx(p0, abs=density_bound * h)

    for p in (0.9, 0.99, 0.999):
        var_true = tail_mean * math.log((1.0 - p0) / (1.0 - p))
        assert abs(dist.value_at_risk(p) - var_true) <= h
        # Memoryless tail: TVaR = VaR + theta(1 + beta).
        assert abs(dist.tvar(p) - (var_true + tail_mean)) <= 10 * h**2
    # Rounding biases E[Y] by -f(0+) h^2 / 24 where the density jumps at 0 (midpoint rule
    # with a half cell at the origin); allow twice that.
    assert abs(dist.mean() - beta * theta) <= 2 * beta * (1.0 / theta) * h**2 / 24


@pytest.mark.parametrize("method", ["fft", "panjer"])
@pytest.mark.parametrize(
    "frequency",
    [Poisson(lam=7.5), NegativeBinomial(r=2.5, beta=3.0), Binomial(m=30, q=0.4)],
    ids=["poisson", "negbin", "binomial"],
)
def test_unit_claims_give_the_claim_count_distribution(frequency, method):
    n = 256
    pmf = compound_pmf(frequency, [0.0, 1.0], n, method=method)
    k = np.arange(n)
    np.testing.assert_allclose(pmf, frequency.pmf(k), rtol=0, atol=1e-14)


@pytest.mark.parametrize("method", ["fft", "panjer"])
def test_poisson_thinning_exact_pmf(method):
    lam, p_one, p_two = 6.0, 0.7, 0.3
    n = 128
    pmf = compound_pmf(Poisson(lam=lam), [0.0, p_one, p_two], n, method=method)
    # S = N1 + 2 N2 with N1 ~ Poisson(lam p1), N2 ~ Poisson(lam p2) independent.
    ones = stats.poisson(lam * p_one).pmf(np.arange(n))
    twos = np.zeros(n)
    twos[::2] = stats.poisson(lam * p_two).pmf(np.arange(0, n // 2))
    exact = np.convolve(ones, twos)[:n]
    np.testing.assert_allclose(pmf, exact, rtol=0, atol=1e-14)


def test_severity_with_mass_at_zero_in_panjer_denominator():
    # f_0 > 0 enters g_0 = P_N(f_0) and the 1/(1 - a f_0) factor; compare with thinning:
    # a claim of size 0 w.p. 0.5 is a NB claim count with beta halved (pgf: P_N(1/2 + z/2)).
    r, beta = 3.0, 2.0
    n = 128
    pmf = compound_pmf(NegativeBinomial(r=r, beta=beta), [0.5, 0.5], n, method="panjer")
    expected = NegativeBinomial(r=r, beta=beta / 2).pmf(np.arange(n))
    np.testing.assert_allclose(pmf, expected, rtol=0, atol=1e-14)


def test_point_mass_claim_count_is_a_convolution_power():
    # Binomial(m, q=1) is exactly m claims (valid, but with no (a, b, 0) form): five
    # Gamma(2, 1) claims sum to a Gamma(10, 1).
    model = LossModel("five", Binomial(m=5, q=1.0), Gamma(alpha=2.0, theta=1.0))
    dist = aggregate_distribution(model)
    h = dist.step
    assert dist.truncation_bound <= 1e-12
    assert dist.mean() == pytest.approx(10.0, abs=h**2)
    for p in (0.5, 0.99):
        assert abs(dist.value_at_risk(p) - stats.gamma(10.0).ppf(p)) <= h
    np.testing.assert_allclose(
        compound_pmf(Binomial(m=3, q=1.0), [0.5, 0.5], 8),
        stats.binom(3, 0.5).pmf(range(8)),
        atol=1e-15,
    )
    with pytest.raises(ParameterError) as info:
        aggregate_distribution(model, method="panjer")
    assert info.value.name == "method"
