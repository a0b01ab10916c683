"""FFT and Panjer recursion: agreement, the aliasing bound, numerical corner cases."""

import numpy as np
import pytest

from xborder_risk.distributions import (
    Binomial,
    Gamma,
    Lognormal,
    NegativeBinomial,
    Pareto,
    Poisson,
)
from xborder_risk.engine import Layer, LossModel
from xborder_risk.exact import aggregate_distribution, compound_pmf, discretise_layered_severity

MODELS = {
    "poisson-gamma": LossModel("a", Poisson(lam=10.0), Gamma(alpha=2.0, theta=1.0)),
    "negbin-lognormal-layer": LossModel(
        "b",
        NegativeBinomial(r=1.5, beta=2.0),
        Lognormal(mu=1.0, sigma=1.0),
        Layer(deductible=1.0, limit=20.0),
    ),
    "binomial-pareto-aggregate": LossModel(
        "c",
        Binomial(m=8, q=0.3),
        Pareto(alpha=3.0, theta=10.0),
        Layer(limit=50.0, aggregate_deductible=5.0, aggregate_limit=120.0, share=0.4),
    ),
}


@pytest.mark.parametrize("name", MODELS)
def test_fft_and_panjer_agree_on_the_same_grid(name):
    model = MODELS[name]
    # A coarse explicit step keeps the O(n m) recursion quick; both methods use one grid.
    fft = aggregate_distribution(model, step=0.25, method="fft")
    panjer = aggregate_distribution(model, step=0.25, method="panjer")
    np.testing.assert_array_equal(fft.x, panjer.x)
    assert np.max(np.abs(fft.probabilities - panjer.probabilities)) <= 1e-10
    assert fft.tvar(0.99) == pytest.approx(panjer.tvar(0.99), rel=1e-9)


def test_panjer_survives_underflow_of_the_starting_value():
    # With lam = 1000, g_0 = exp(-1000 (1 - f_0)) underflows to 0 in float64, which stops a
    # naive recursion (Embrechts & Frei 2009); the rescaled recursion must still agree
    # with the FFT.
    frequency = Poisson(lam=1000.0)
    pmf = discretise_layered_severity(Gamma(alpha=2.0, theta=1.0), Layer(), 0.5, 64)
    assert np.exp(-1000.0 * (1.0 - pmf[0])) == 0.0
    n = 8192
    by_fft = compound_pmf(frequency, pmf, n, method="fft")
    by_panjer = compound_pmf(frequency, pmf, n, method="panjer")
    assert by_panjer.sum() == pytest.approx(1.0, abs=1e-10)
    assert np.max(np.abs(by_fft - by_panjer)) <= 1e-12


def test_raw_compound_pmf_wraps_or_drops_the_tail():
    # Grid too short on purpose: the FFT folds P(S >= n) onto the low points (still sums to
    # 1), Panjer leaves it out; the two differ by exactly that probability.
    frequency, pmf, n = Poisson(lam=5.0), [0.0, 0.5, 0.5], 8
    by_fft = compound_pmf(frequency, pmf, n, method="fft")
    by_panjer = compound_pmf(frequency, pmf, n, method="panjer")
    long_grid = compound_pmf(frequency, pmf, 256, method="panjer")
    beyond = long_grid[n:].sum()
    assert beyond > 0.1
    assert by_fft.sum() == pytest.approx(1.0, abs=1e-14)
    assert by_panjer.sum() == pytest.approx(1.0 - beyond, abs=1e-14)
    np.testing.assert_allclose(by_panjer, long_grid[:n], atol=1e-15)
    np.testing.assert_allclose((by_fft - by_panjer).sum(), beyond, atol=1e-14)


@pytest.mark.parametrize(
    ("model", "tight"),
    [
        (LossModel("light", Poisson(lam=4.0), Gamma(alpha=2.0, theta=1.0)), True),
        (LossModel("heavy", NegativeBinomial(r=2.0, beta=1.0), Pareto(alpha=2.5, theta=1.0)), True),
        (
            LossModel("limited", Binomial(m=10, q=0.5), Lognormal(0.0, 1.5), Layer(0.0, 30.0)),
            False,
        ),
    ],
    ids=["light", "heavy", "limited"],
)
def test_the_grid_misplaces_no_more_than_its_bound(model, tight):
    # Same step, a grid 8 times longer: its own wrap-around is far smaller, so it stands in
    # for the truth on the short grid's points.  A loose tolerance makes the misplaced
    # probability large enough to measure above round-off.
    tol, h = 1e-6, 0.05
    short = aggregate_distribution(model, step=h, tail_tolerance=tol)
    n = short.n_points
    long = aggregate_distribution(model, step=h, n_points=8 * n, tail_tolerance=tol)
    misplaced = np.abs(short.probabilities - long.probabilities[:n]).sum()
    misplaced += long.probabilities[n:].sum()
    assert short.truncation_bound <= tol
    assert misplaced <= short.truncation_bound
    if tight:
        # The Chernoff bound is not vacuous: within a factor 100 of what it bounds (for
        # the limited layer the smallest grid already leaves far less than the tolerance).
        assert misplaced >= short.truncation_bound / 100
        with pytest.raises(ValueError, match="n_points"):
            aggregate_distribution(model, step=h, n_points=n // 2, tail_tolerance=tol)
