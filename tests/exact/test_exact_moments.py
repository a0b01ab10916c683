"""Moments of the discretised aggregate against closed forms.

E[S] = E[N] E[Y] and Var[S] = E[N] Var[Y] + Var[N] E[Y]^2 (Loss Models §9.3), with the
layered occurrence moments from limited moments (Loss Models §8.5).  The discretised
distribution must agree within the error of the method of rounding, which is O(h^2):
on a cell of width h the midpoint rule leaves -f'(y) h^3 / 12 in the mean, so summed over
the cells and the two half cells at 0 and the limit,

    E[Y_h] - E[Y]     ~ (h^2 / 24) (f(l-) - f(0+)),
    E[Y_h^2] - E[Y^2] ~ (h^2 / 12) (P_c + l f(l-))      (Sheppard's correction),

with f the density of Y on (0, l) and P_c its continuous probability.  The tolerances
below are twice these bounds with |f| <= D, plus the moments of the tail that the finite
grid cuts off; an O(h) error (a misplaced cell) would exceed them by orders of magnitude.
"""

import math

import numpy as np
import pytest
from scipy import integrate

from xborder_risk.distributions import (
    Binomial,
    Gamma,
    Lognormal,
    NegativeBinomial,
    Pareto,
    Poisson,
)
from xborder_risk.engine import Layer, LossModel
from xborder_risk.exact import (
    aggregate_distribution,
    discretise_layered_severity,
    layered_occurrence_moments,
)

FREQUENCIES = {
    "poisson": Poisson(lam=4.0),
    "negbin": NegativeBinomial(r=2.0, beta=1.5),
    "binomial": Binomial(m=12, q=0.35),
}
SEVERITIES = {
    "lognormal": Lognormal(mu=0.0, sigma=0.8),
    "gamma": Gamma(alpha=2.0, theta=1.5),
    "pareto": Pareto(alpha=5.0, theta=4.0),
}
LAYERS = {
    "ground_up": Layer(),
    "xs_layer": Layer(deductible=0.5, limit=4.0),
}


def _density_bound(severity, layer, h):
    """Largest density of Y on (0, l), from the cell averages of a fine discretisation."""
    fine = h / 4
    last = 4000 if math.isinf(layer.limit) else round(layer.limit / fine)
    pmf = discretise_layered_severity(severity, layer, fine, last + 1)
    return 1.25 * float(pmf[1:last].max()) / fine


def _cut_off_moments(severity, layer, y_max):
    """E[Y - Y ^ y_max] and E[Y^2 - (Y ^ y_max)^2]: the tail a grid ending at y_max drops."""
    if layer.limit <= y_max:
        return 0.0, 0.0
    full = layered_occurrence_moments(severity, layer)
    capped = layered_occurrence_moments(severity, Layer(deductible=layer.deductible, limit=y_max))
    return full[0] - capped[0], full[1] - capped[1]


@pytest.mark.parametrize("layer_name", LAYERS)
@pytest.mark.parametrize("severity_name", SEVERITIES)
@pytest.mark.parametrize("frequency_name", FREQUENCIES)
def test_mean_and_variance_match_closed_form(frequency_name, severity_name, layer_name):
    frequency = FREQUENCIES[frequency_name]
    severity = SEVERITIES[severity_name]
    layer = LAYERS[layer_name]
    dist = aggregate_distribution(LossModel("line", frequency, severity, layer))
    h = dist.step

    mean_y, second_y = layered_occurrence_moments(severity, layer)
    var_y = second_y - mean_y**2
    e_n, v_n = frequency.mean(), frequency.var()
    mean_s = e_n * mean_y
    var_s = e_n * var_y + v_n * mean_y**2

    d = _density_bound(severity, layer, h)
    limit_term = 0.0 if math.isinf(layer.limit) else layer.limit * d
    tail_mean, tail_second = _cut_off_moments(severity, layer, dist.x[-1])
    mean_y_tol = 2 * (h**2 / 24) * 2 * d + tail_mean
    second_y_tol = 2 * (h**2 / 12) * (1.0 + limit_term) + tail_second
    var_y_tol = second_y_tol + 2 * mean_y * mean_y_tol + mean_y_tol**2

    assert abs(dist.mean() - mean_s) <= e_n * mean_y_tol + 1e-12 * mean_s
    var_tol = e_n * var_y_tol + v_n * (2 * mean_y + mean_y_tol) * mean_y_tol
    assert abs(dist.var() - var_s) <= var_tol + 1e-12 * var_s
    assert dist.probabilities.sum() == pytest.approx(1.0, abs=1e-10)


@pytest.mark.parametrize("layer_name", LAYERS)
@pytest.mark.parametrize("severity_name", SEVERITIES)
def test_layered_occurrence_moments_match_numerical_integration(severity_name, layer_name):
    severity, layer = SEVERITIES[severity_name], LAYERS[layer_name]
    d, limit = layer.deductible, layer.limit
    # E[Y] = int_0^l S(d + y) dy and E[Y^2] = 2 int_0^l y S(d + y) dy (integration by parts).
    upper = limit if math.isfinite(limit) else np.inf
    first, _ = integrate.quad(lambda y: severity.sf(d + y), 0.0, upper, epsabs=1e-12)
    second, _ = integrate.quad(lambda y: 2 * y * severity.sf(d + y), 0.0, upper, epsabs=1e-12)
    mean, second_moment = layered_occurrence_moments(severity, layer)
    assert mean == pytest.approx(first, rel=1e-8)
    assert second_moment == pytest.approx(second, rel=1e-8)


def test_rounding_error_of_the_mean_is_second_order():
    # Halving the step quarters the error of E[S] (against the closed form).
    model = LossModel("line", Poisson(lam=3.0), Lognormal(mu=0.0, sigma=0.8), Layer(0.5, 4.0))
    mean_y, _ = layered_occurrence_moments(model.severity, model.layer)
    errors = [
        abs(aggregate_distribution(model, step=h).mean() - 3.0 * mean_y) for h in (0.08, 0.04)
    ]
    assert 3.0 < errors[0] / errors[1] < 5.0
