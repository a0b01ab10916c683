"""Premium principles against closed forms, their standard errors, and input validation.

Monte Carlo tolerances are 4 standard errors (two-sided, about 1 in 16,000 false alarms at
a fixed seed); the standard errors are closed forms where they exist.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import integrate, stats

from xborder_risk import measures
from xborder_risk.errors import ParameterError, XBorderRiskError, XBorderRiskWarning
from xborder_risk.pricing import (
    CostOfCapital,
    ExpectedValuePrinciple,
    StandardDeviationPrinciple,
    VariancePrinciple,
    WangTransform,
    wang_weights,
)

N = 200_000
MU, SIGMA = 100.0, 20.0  # illustrative normal loss, currency units


@pytest.fixture(scope="module")
def normal_sample() -> np.ndarray:
    return np.random.default_rng(20240601).normal(MU, SIGMA, N)


def wang_reference(sf, lam: float, lower: float = 0.0) -> float:
    """Wang premium by quadrature of the distortion of a true survival function.

    rho = int_0^inf g(S(x)) dx - int_{-inf}^0 (1 - g(S(x))) dx, g(u) = Phi(Phi^-1(u) + lam).
    """

    def g(u: float) -> float:
        return float(stats.norm.cdf(stats.norm.ppf(u) + lam))

    upper_part, _ = integrate.quad(lambda x: g(sf(x)), max(lower, 0.0), np.inf, limit=200)
    lower_part = 0.0
    if lower < 0.0:
        lower_part, _ = integrate.quad(lambda x: 1.0 - g(sf(x)), -np.inf, 0.0, limit=200)
    return upper_part - lower_part


# --- the quadrature reference itself reproduces Wang's closed forms ---------------------


def test_quadrature_reference_matches_wang_closed_form_for_lognormal() -> None:
    mu, sigma, lam = 0.5, 0.6, 0.3
    dist = stats.lognorm(sigma, scale=math.exp(mu))
    expected = math.exp(mu + lam * sigma + sigma**2 / 2)  # Wang (2000), §3
    assert wang_reference(dist.sf, lam) == pytest.approx(expected, rel=1e-7)


def test_quadrature_reference_matches_wang_closed_form_for_normal() -> None:
    dist = stats.norm(1.0, 2.0)
    assert wang_reference(dist.sf, 0.7, lower=-np.inf) == pytest.approx(1.0 + 0.7 * 2.0, rel=1e-7)


# --- Wang transform ----------------------------------------------------------------------


@pytest.mark.parametrize("lam", [0.25, 1.0])
def test_wang_normal_sample_matches_mu_plus_lambda_sigma(normal_sample, lam) -> None:
    principle = WangTransform(lam)
    # Influence function of the Wang premium at a normal: (sigma/lam) exp(lam z - lam^2/2),
    # whose variance is sigma^2 (exp(lam^2) - 1) / lam^2.
    se = SIGMA * math.sqrt(math.expm1(lam**2)) / lam / math.sqrt(N)
    assert principle.premium(normal_sample) == pytest.approx(MU + lam * SIGMA, abs=4 * se)
    assert principle.standard_error(normal_sample) == pytest.approx(se, rel=0.03)


def test_wang_lognormal_sample_matches_closed_form() -> None:
    mu, sigma, lam = 0.5, 0.6, 0.3
    x = np.random.default_rng(7).lognormal(mu, sigma, N)
    principle = WangTransform(lam)
    expected = math.exp(mu + lam * sigma + sigma**2 / 2)
    assert principle.premium(x) == pytest.approx(expected, abs=4 * principle.standard_error(x))


def test_wang_exponential_sample_matches_quadrature() -> None:
    theta, lam = 1000.0, 0.5  # illustrative mean loss
    dist = stats.expon(scale=theta)
    x = np.random.default_rng(11).exponential(theta, N)
    principle = WangTransform(lam)
    expected = wang_reference(dist.sf, lam)
    assert expected > theta  # a positive lambda loads the mean
    assert principle.premium(x) == pytest.approx(expected, abs=4 * principle.standard_error(x))


@pytest.mark.parametrize(
    ("dist", "lam"),
    [(stats.expon(scale=1000.0), 0.5), (stats.lognorm(0.6, scale=math.exp(0.5)), 1.0)],
)
def test_wang_on_a_quantile_grid_converges_to_quadrature(dist, lam) -> None:
    # No sampling error: the midpoints of n equal-probability bins. The remaining error is
    # the discretisation of the distortion, O(log(n)^a / n); at n = 1e6 it is < 1e-4.
    n = 1_000_000
    grid = dist.ppf((np.arange(n) + 0.5) / n)
    assert WangTransform(lam).premium(grid) == pytest.approx(wang_reference(dist.sf, lam), rel=1e-4)


def test_wang_with_zero_lambda_is_the_mean(normal_sample) -> None:
    assert WangTransform(0.0).premium(normal_sample) == pytest.approx(
        normal_sample.mean(), rel=1e-12
    )


def test_wang_weights_match_the_distortion_evaluated_directly() -> None:
    n, lam = 7, 0.8
    g = stats.norm.cdf(stats.norm.ppf(np.arange(n + 1) / n) + lam)
    i = np.arange(1, n + 1)
    np.testing.assert_allclose(wang_weights(n, lam), g[n - i + 1] - g[n - i], rtol=1e-12)


@pytest.mark.parametrize("n", [1, 2, 1000, 1_000_000])
def test_wang_weights_are_a_probability_vector_increasing_to_the_tail(n) -> None:
    weights = wang_weights(n, 0.6)
    assert weights.sum() == pytest.approx(1.0, rel=1e-12)
    assert (weights >= 0).all()
    # g is concave for lam > 0, so larger losses get larger weights.
    assert (np.diff(weights) >= -1e-18).all()


def test_wang_weight_of_the_largest_loss_keeps_precision() -> None:
    n, lam = 1_000_000, 1.5
    top = stats.norm.cdf(stats.norm.ppf(1 / n) + lam)  # g(1/n) - g(0)
    assert wang_weights(n, lam)[-1] == pytest.approx(top, rel=1e-10)


def test_wang_premium_does_not_depend_on_sample_order(normal_sample) -> None:
    shuffled = np.random.default_rng(3).permutation(normal_sample)
    assert WangTransform(0.4).premium(shuffled) == WangTransform(0.4).premium(normal_sample)


# --- moment principles -------------------------------------------------------------------


def test_expected_value_principle_on_normal(normal_sample) -> None:
    loading = 0.25
    se = (1 + loading) * SIGMA / math.sqrt(N)
    principle = ExpectedValuePrinciple(loading)
    assert principle.premium(normal_sample) == pytest.approx((1 + loading) * MU, abs=4 * se)
    assert principle.risk_load(normal_sample) == pytest.approx(
        loading * normal_sample.mean(), rel=1e-12
    )
    assert principle.standard_error(normal_sample) == pytest.approx(se, rel=0.01)


@pytest.mark.parametrize("k", [0.5, 2.0])
def test_standard_deviation_principle_on_normal(normal_sample, k) -> None:
    # IF = x + k (x - mu)^2 / (2 sigma): variance sigma^2 (1 + k^2 / 2) at a normal.
    se = SIGMA * math.sqrt(1 + k**2 / 2) / math.sqrt(N)
    principle = StandardDeviationPrinciple(k)
    assert principle.premium(normal_sample) == pytest.approx(MU + k * SIGMA, abs=4 * se)
    assert principle.standard_error(normal_sample) == pytest.approx(se, rel=0.03)


def test_variance_principle_on_normal(normal_sample) -> None:
    k = 0.01  # per currency unit
    # IF = x + k (x - mu)^2: variance sigma^2 + 2 k^2 sigma^4 at a normal.
    se = math.sqrt(SIGMA**2 + 2 * k**2 * SIGMA**4) / math.sqrt(N)
    principle = VariancePrinciple(k)
    assert principle.premium(normal_sample) == pytest.approx(MU + k * SIGMA**2, abs=4 * se)
    assert principle.standard_error(normal_sample) == pytest.approx(se, rel=0.03)


# --- cost of capital ---------------------------------------------------------------------


@pytest.mark.parametrize("level", [0.99, 0.995])
def test_cost_of_capital_tvar_on_normal(normal_sample, level) -> None:
    rate = 0.10
    z = stats.norm.ppf(level)
    tvar_excess = SIGMA * stats.norm.pdf(z) / (1 - level)  # TVaR - mean of a normal
    principle = CostOfCapital(rate=rate, level=level, measure="tvar")
    expected = MU + rate * tvar_excess
    se = principle.standard_error(normal_sample)
    assert principle.premium(normal_sample) == pytest.approx(expected, abs=4 * se)
    assert principle.capital(normal_sample) == pytest.approx(
        measures.tvar(normal_sample, level) - normal_sample.mean(), rel=1e-12
    )


def test_cost_of_capital_var_on_normal(normal_sample) -> None:
    rate, level = 0.06, 0.995
    principle = CostOfCapital(rate=rate, level=level, measure="value_at_risk")
    expected = MU + rate * SIGMA * stats.norm.ppf(level)
    se = principle.standard_error(normal_sample)
    assert principle.premium(normal_sample) == pytest.approx(expected, abs=4 * se)


def test_cost_of_capital_scales_with_the_period(normal_sample) -> None:
    one_year = CostOfCapital(rate=0.1, period_years=1.0).risk_load(normal_sample)
    eighteen_months = CostOfCapital(rate=0.1, period_years=1.5).risk_load(normal_sample)
    assert eighteen_months == pytest.approx(1.5 * one_year, rel=1e-12)


def test_cost_of_capital_on_var_below_the_mean_is_floored_with_a_warning() -> None:
    # 95% of years loss-free: VaR_0.9 = 0 < mean, so the capital would be negative.
    x = np.where(np.arange(1000) < 950, 0.0, 1000.0)
    principle = CostOfCapital(rate=0.1, level=0.9, measure="value_at_risk")
    with pytest.warns(XBorderRiskWarning, match="floored"):
        assert principle.risk_load(x) == 0.0
    with pytest.warns(XBorderRiskWarning):
        assert principle.capital(x) == 0.0
    with pytest.warns(XBorderRiskWarning):
        np.testing.assert_array_equal(principle.allocate(np.column_stack([x, x])), [0.0, 0.0])
    assert principle.standard_error(x) == pytest.approx(x.std(ddof=1) / math.sqrt(x.size))


def test_cost_of_capital_defaults() -> None:
    principle = CostOfCapital()
    assert (principle.rate, principle.level, principle.measure, principle.period_years) == (
        0.10,
        0.99,
        "tvar",
        1.0,
    )


# --- standard errors are calibrated ------------------------------------------------------

PRINCIPLES_FOR_SE = [
    ExpectedValuePrinciple(0.2),
    StandardDeviationPrinciple(1.0),
    VariancePrinciple(0.02),
    WangTransform(0.5),
    CostOfCapital(rate=0.5, level=0.95, measure="tvar"),
    CostOfCapital(rate=0.5, level=0.9, measure="value_at_risk"),
]


@pytest.mark.parametrize("principle", PRINCIPLES_FOR_SE, ids=repr)
def test_standard_error_matches_the_spread_over_replications(principle) -> None:
    reps, n = 400, 4000
    rng = np.random.default_rng(99)
    samples = rng.gamma(2.0, 50.0, size=(reps, n))  # skewed, illustrative
    premiums = np.array([principle.premium(row) for row in samples])
    reported = np.array([principle.standard_error(row) for row in samples])
    # The spread of 400 estimates is known to about 1/sqrt(2 * 399) = 3.5%; allow 5 of those.
    assert premiums.std(ddof=1) == pytest.approx(reported.mean(), rel=0.18)


def test_standard_error_of_a_single_loss_is_infinite() -> None:
    assert WangTransform(0.5).standard_error([3.0]) == math.inf


# --- validation --------------------------------------------------------------------------

BAD_PARAMETERS = [
    (ExpectedValuePrinciple, {"loading": -0.1}, "loading"),
    (ExpectedValuePrinciple, {"loading": math.nan}, "loading"),
    (ExpectedValuePrinciple, {"loading": math.inf}, "loading"),
    (ExpectedValuePrinciple, {"loading": True}, "loading"),
    (ExpectedValuePrinciple, {"loading": "0.2"}, "loading"),
    (StandardDeviationPrinciple, {"k": -1.0}, "k"),
    (StandardDeviationPrinciple, {"k": math.nan}, "k"),
    (VariancePrinciple, {"k": -1e-6}, "k"),
    (VariancePrinciple, {"k": math.inf}, "k"),
    (WangTransform, {"lam": math.nan}, "lam"),
    (WangTransform, {"lam": -0.5}, "lam"),
    (WangTransform, {"lam": math.inf}, "lam"),
    (CostOfCapital, {"rate": -0.01}, "rate"),
    (CostOfCapital, {"rate": 1.5}, "rate"),
    (CostOfCapital, {"level": 0.0}, "level"),
    (CostOfCapital, {"level": 1.0}, "level"),
    (CostOfCapital, {"level": 99.0}, "level"),
    (CostOfCapital, {"level": math.nan}, "level"),
    (CostOfCapital, {"measure": "expected_shortfall"}, "measure"),
    (CostOfCapital, {"period_years": 0.0}, "period_years"),
    (CostOfCapital, {"period_years": -1.0}, "period_years"),
]


@pytest.mark.parametrize(("cls", "kwargs", "name"), BAD_PARAMETERS)
def test_bad_parameter_is_rejected_naming_it(cls, kwargs, name) -> None:
    with pytest.raises(ParameterError) as info:
        cls(**kwargs)
    assert info.value.name == name
    assert f"'{name}'" in str(info.value)
    assert isinstance(info.value, ValueError)


BAD_LOSSES = [
    ([], "empty"),
    ([1.0, math.nan], "NaN"),
    ([1.0, math.inf], "inf"),
    ([[1.0, 2.0]], "one-dimensional"),
    (["1", "2"], "real numbers"),
    ([True, False], "real numbers"),
]


@pytest.mark.parametrize("principle", PRINCIPLES_FOR_SE, ids=repr)
@pytest.mark.parametrize(("losses", "fragment"), BAD_LOSSES)
def test_bad_losses_are_rejected(principle, losses, fragment) -> None:
    for method in (principle.premium, principle.risk_load, principle.standard_error):
        with pytest.raises(XBorderRiskError, match=fragment) as info:
            method(losses)
        assert info.value.name == "losses"


@pytest.mark.parametrize("principle", PRINCIPLES_FOR_SE, ids=repr)
def test_principles_are_frozen_and_return_floats(principle) -> None:
    field = dataclasses.fields(principle)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(principle, field, 0.5)
    value = principle.premium(np.arange(10.0))
    assert type(value) is float
    assert type(principle.risk_load(np.arange(10.0))) is float


def test_integer_losses_are_accepted() -> None:
    assert ExpectedValuePrinciple(0.5).premium(np.array([1, 2, 3])) == pytest.approx(3.0)


def test_cost_of_capital_measure_var_is_the_deprecated_spelling_of_value_at_risk():
    from xborder_risk.errors import XBorderRiskDeprecationWarning
    from xborder_risk.pricing import PricingBasis

    with pytest.warns(XBorderRiskDeprecationWarning, match="value_at_risk"):
        old = CostOfCapital(level=0.9, measure="var")  # type: ignore[arg-type]
    assert old == CostOfCapital(level=0.9, measure="value_at_risk")
    # a record of release 0.1.0 is read as written, without a warning to its reader
    record = {"type": "CostOfCapital", "parameters": {"rate": 0.1, "level": 0.9,
              "measure": "var", "period_years": 1.0}}  # fmt: skip
    assert PricingBasis.model_validate({"principle": record}).principle == old
