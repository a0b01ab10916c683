"""The method of rounding (Loss Models §9.6.1) against scipy's distribution functions."""

import numpy as np
import pytest
from scipy import stats

from xborder_risk.distributions import Gamma, Lognormal
from xborder_risk.engine import Layer
from xborder_risk.exact import discretise_layered_severity


def test_layer_masses_equal_rounded_cdf_differences():
    d, limit, h = 1.0, 5.0, 0.25
    pmf = discretise_layered_severity(Gamma(alpha=2.0, theta=1.5), Layer(d, limit), h, 1024)
    reference = stats.gamma(a=2.0, scale=1.5)
    m = round(limit / h)
    assert pmf.size == m + 1
    j = np.arange(1, m)
    expected = np.concatenate(
        (
            [reference.cdf(d + h / 2)],  # P(X <= d + h/2): no payment, or one rounded to 0
            reference.cdf(d + (j + 0.5) * h) - reference.cdf(d + (j - 0.5) * h),
            [reference.sf(d + limit - h / 2)],  # [l - h/2, l) and the atom at the limit
        )
    )
    np.testing.assert_allclose(pmf, expected, rtol=1e-12, atol=1e-16)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-15)
    assert pmf[-1] > reference.sf(d + limit)  # the limit's atom is inside the last mass


def test_unlimited_tail_beyond_the_grid_is_lumped_into_the_last_point():
    h, n = 0.5, 16
    pmf = discretise_layered_severity(Lognormal(mu=1.0, sigma=1.0), Layer(), h, n)
    reference = stats.lognorm(s=1.0, scale=np.exp(1.0))
    assert pmf.size == n
    assert pmf[-1] == pytest.approx(reference.sf((n - 1.5) * h), rel=1e-12)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-15)


def test_limit_beyond_the_grid_is_truncated_too():
    h, n = 1.0, 8
    pmf = discretise_layered_severity(Gamma(alpha=2.0, theta=3.0), Layer(limit=100.0), h, n)
    assert pmf.size == n
    assert pmf[-1] == pytest.approx(stats.gamma(a=2.0, scale=3.0).sf((n - 1.5) * h), rel=1e-12)


def test_rounding_preserves_the_mean_to_second_order():
    # The rounded variable is within h/2 of the true one, and for a smooth density its mean
    # error is O(h^2) (midpoint rule); compare with the closed-form limited expected value.
    severity, layer = Gamma(alpha=3.0, theta=1.0), Layer(deductible=0.5, limit=6.0)
    exact = severity.limited_expected_value(6.5) - severity.limited_expected_value(0.5)
    errors = []
    for h in (0.1, 0.05):
        pmf = discretise_layered_severity(severity, layer, h, 4096)
        errors.append(abs(np.dot(h * np.arange(pmf.size), pmf) - exact))
    assert errors[0] < 0.1**2
    assert 3.0 < errors[0] / errors[1] < 5.0
