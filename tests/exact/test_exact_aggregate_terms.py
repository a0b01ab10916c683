"""Aggregate deductible, aggregate limit and share applied to the lattice exactly."""

import numpy as np
import pytest

from xborder_risk.distributions import Gamma, Lognormal, Pareto, Poisson
from xborder_risk.engine import Layer, LossModel
from xborder_risk.exact import aggregate_distribution

STEP = 0.05
FREQUENCY, SEVERITY = Poisson(lam=6.0), Lognormal(mu=0.5, sigma=0.9)
OCCURRENCE = {"deductible": 0.5, "limit": 10.0}


def _ground():
    """The same line with occurrence terms only: the distribution of S."""
    return aggregate_distribution(
        LossModel("ground", FREQUENCY, SEVERITY, Layer(**OCCURRENCE)), step=STEP
    )


def _with(**aggregate_terms):
    layer = Layer(**OCCURRENCE, **aggregate_terms)
    return aggregate_distribution(LossModel("layer", FREQUENCY, SEVERITY, layer), step=STEP)


@pytest.mark.parametrize("cap", [12.0, 12.03])  # on and off the lattice
def test_aggregate_limit_puts_the_excess_probability_at_the_cap(cap):
    ground, capped = _ground(), _with(aggregate_limit=cap)
    assert capped.x[-1] == cap
    assert capped.probabilities[-1] == pytest.approx(
        ground.probabilities[ground.x >= cap].sum(), abs=1e-14
    )
    below = ground.x < cap
    np.testing.assert_array_equal(capped.x[:-1], ground.x[below])
    np.testing.assert_allclose(capped.probabilities[:-1], ground.probabilities[below], atol=0)
    assert capped.value_at_risk(0.999) <= cap


@pytest.mark.parametrize("retention", [5.0, 5.02])
def test_aggregate_deductible_puts_the_retained_probability_at_zero(retention):
    ground, excess = _ground(), _with(aggregate_deductible=retention)
    assert excess.x[0] == 0.0
    assert excess.probabilities[0] == pytest.approx(ground.cdf(retention), abs=1e-14)
    above = ground.x > retention
    np.testing.assert_allclose(excess.x[1:], ground.x[above] - retention, rtol=1e-15)
    np.testing.assert_allclose(excess.probabilities[1:], ground.probabilities[above], atol=0)


def test_share_scales_the_grid_and_keeps_the_probabilities():
    ground, shared = _ground(), _with(share=0.35)
    np.testing.assert_allclose(shared.x, 0.35 * ground.x, rtol=1e-15)
    np.testing.assert_array_equal(shared.probabilities, ground.probabilities)
    assert shared.value_at_risk(0.99) == pytest.approx(0.35 * ground.value_at_risk(0.99))
    assert shared.tvar(0.99) == pytest.approx(0.35 * ground.tvar(0.99), rel=1e-12)
    assert shared.std() == pytest.approx(0.35 * ground.std(), rel=1e-12)


def test_all_terms_together_match_the_layer_formula_on_the_ground_distribution():
    terms = {"aggregate_deductible": 3.0, "aggregate_limit": 15.0, "share": 0.6}
    ground, layered = _ground(), _with(**terms)
    # E[A] = s E[min(max(S - D, 0), L)] from the distribution of S (Loss Models §9.7).
    paid = 0.6 * np.minimum(np.maximum(ground.x - 3.0, 0.0), 15.0)
    assert layered.mean() == pytest.approx(np.dot(paid, ground.probabilities), rel=1e-12)
    assert layered.x[0] == 0.0 and layered.x[-1] == pytest.approx(0.6 * 15.0)
    assert layered.probabilities.sum() == pytest.approx(1.0, abs=1e-12)
    for amount in (0.0, 1.0, 4.5, 8.99, 9.0):
        assert layered.cdf(amount) == pytest.approx(
            ground.probabilities[paid <= amount].sum(), abs=1e-13
        )


def test_aggregate_terms_do_not_depend_on_the_method():
    layer = Layer(limit=4.0, aggregate_deductible=2.0, aggregate_limit=9.0, share=0.5)
    model = LossModel("m", Poisson(lam=2.0), Gamma(alpha=2.0, theta=1.0), layer)
    fft = aggregate_distribution(model, step=0.1, method="fft")
    panjer = aggregate_distribution(model, step=0.1, method="panjer")
    np.testing.assert_array_equal(fft.x, panjer.x)
    assert np.max(np.abs(fft.probabilities - panjer.probabilities)) <= 1e-10


def test_occurrences_are_capped_where_the_aggregate_terms_saturate():
    # No occurrence limit: capping each payment at D + L changes no annual payment, so the
    # result is that of the uncapped ground-up lattice mapped through the aggregate terms.
    unlimited = Layer(deductible=0.5)
    ground = aggregate_distribution(LossModel("g", FREQUENCY, SEVERITY, unlimited), step=STEP)
    terms = {"aggregate_deductible": 2.0, "aggregate_limit": 7.5, "share": 0.5}
    layered = aggregate_distribution(
        LossModel("l", FREQUENCY, SEVERITY, Layer(deductible=0.5, **terms)), step=STEP
    )
    paid = 0.5 * np.minimum(np.maximum(ground.x - 2.0, 0.0), 7.5)
    assert layered.mean() == pytest.approx(float(np.dot(paid, ground.probabilities)), abs=1e-12)
    for level in (0.5, 0.9):
        below = ground.probabilities[paid < layered.value_at_risk(level)].sum()
        assert below < level <= layered.cdf(layered.value_at_risk(level)) + 1e-12


def test_heavy_tail_with_only_an_aggregate_limit_fits_on_a_grid():
    # Pareto alpha = 0.9 has no mean: without the cap at D + L the grid would have to hold
    # its tail to 1e-12 (about 1e13 points, refused).
    heavy = Pareto(alpha=0.9, theta=1.0)
    aggregate_only = Layer(aggregate_deductible=5.0, aggregate_limit=50.0)
    dist = aggregate_distribution(LossModel("a", Poisson(lam=2.0), heavy, aggregate_only), step=0.1)
    same = aggregate_distribution(
        LossModel("b", Poisson(lam=2.0), heavy, Layer(limit=55.0, **_terms(aggregate_only))),
        step=0.1,
    )
    np.testing.assert_array_equal(dist.x, same.x)
    np.testing.assert_allclose(dist.probabilities, same.probabilities, rtol=0, atol=1e-15)
    assert dist.truncation_bound <= 1e-12
    assert dist.x[-1] == 50.0


def _terms(layer):
    return {
        "aggregate_deductible": layer.aggregate_deductible,
        "aggregate_limit": layer.aggregate_limit,
    }
