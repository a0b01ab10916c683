"""Risk measures against their definitions and closed forms."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from xborder_risk import measures
from xborder_risk.errors import ParameterError


def test_var_is_the_ceil_np_order_statistic():
    x = np.arange(1.0, 101.0)[::-1].copy()  # 100..1, unsorted order
    # ceil(100*0.99) = 99 despite 100*0.99 > 99 in floats
    assert measures.value_at_risk(x, 0.99) == 99.0
    assert measures.value_at_risk(x, 0.995) == 100.0
    assert measures.value_at_risk(x, 0.5) == 50.0
    assert measures.value_at_risk(x, 0.501) == 51.0
    assert measures.value_at_risk(np.array([7.0]), 0.3) == 7.0


@given(st.integers(1, 400), st.floats(0.001, 0.999))
def test_var_matches_numpy_inverted_cdf(n, p):
    rng = np.random.default_rng(n)
    x = rng.normal(size=n)
    k = math.ceil(round(n * p, 9))
    assert measures.value_at_risk(x, p) == np.sort(x)[max(k, 1) - 1]


def test_tvar_acerbi_tasche_with_an_atom():
    # Loss 0 w.p. 0.9 and 10 w.p. 0.1 (n = 10): TVaR_0.95 is 10, not the mean of the top 5%.
    x = np.array([0.0] * 9 + [10.0])
    assert measures.value_at_risk(x, 0.95) == 10.0
    assert measures.tvar(x, 0.95) == 10.0
    # At p = 0.85 VaR = 0 and TVaR = 0 + E[X]/(0.15) = 1/0.15.
    assert measures.tvar(x, 0.85) == pytest.approx(1.0 / 0.15, rel=1e-14)


def test_tvar_of_normal_sample_within_monte_carlo_error():
    rng = np.random.default_rng(2026)
    x = rng.normal(100.0, 15.0, size=400_000)
    p = 0.99
    z = stats.norm.ppf(p)
    exact = 100.0 + 15.0 * stats.norm.pdf(z) / (1 - p)
    se = measures.tvar_standard_error(x, p)
    assert abs(measures.tvar(x, p) - exact) < 4 * se
    exact_var = 100.0 + 15.0 * z
    var_se = measures.value_at_risk_standard_error(x, p)
    assert abs(measures.value_at_risk(x, p) - exact_var) < 4 * var_se


def test_standard_errors_match_replication_spread():
    # The reported standard errors should match the spread of the estimators over
    # independent replications (within the sampling error of a 200-replicate sd, ~±25%).
    rng = np.random.default_rng(7)
    samples = rng.lognormal(0.0, 1.0, size=(200, 20_000))
    p = 0.99
    var_est = np.array([measures.value_at_risk(s, p) for s in samples])
    tvar_est = np.array([measures.tvar(s, p) for s in samples])
    var_se = np.median([measures.value_at_risk_standard_error(s, p) for s in samples])
    tvar_se = np.median([measures.tvar_standard_error(s, p) for s in samples])
    assert var_est.std(ddof=1) == pytest.approx(var_se, rel=0.25)
    assert tvar_est.std(ddof=1) == pytest.approx(tvar_se, rel=0.3)


def test_ep_curve_reads_var_at_return_periods():
    x = np.arange(1.0, 1001.0)
    curve = measures.ep_curve(x, [10, 100, 1000])
    assert list(curve["loss"]) == [900.0, 990.0, 999.0]  # VaR_{1-1/T}, lower quantile
    assert list(curve["exceedance_probability"]) == [0.1, 0.01, 0.001]
    default = measures.ep_curve(x)
    assert default["return_period"].max() == 1000


@pytest.mark.parametrize(
    ("func", "args"),
    [
        (measures.value_at_risk, ([1.0, 2.0], 1.0)),
        (measures.value_at_risk, ([1.0, 2.0], 0.0)),
        (measures.value_at_risk, ([1.0, 2.0], float("nan"))),
        (measures.tvar, ([1.0, 2.0], 1.5)),
        (measures.value_at_risk, ([], 0.5)),
        (measures.value_at_risk, ([1.0, float("nan")], 0.5)),
        (measures.tvar, ([1.0, float("inf")], 0.5)),
        (measures.value_at_risk, ([[1.0, 2.0]], 0.5)),
        (measures.value_at_risk, (["1.0", "2.0"], 0.5)),
        (measures.tvar, ([True, False], 0.5)),
        (measures.ep_curve, (np.array(["1", "2"], dtype=object),)),
        (measures.ep_curve, ([1.0, 2.0], [0.5])),
        (measures.ep_curve, ([1.0, 2.0], [1.0])),
        (measures.level_label, (True,)),
    ],
)
def test_bad_input_raises_parameter_error(func, args):
    with pytest.raises(ParameterError):
        func(*args)


def test_level_labels():
    assert measures.level_label(0.995) == "99_5"
    assert measures.level_label(0.99) == "99"
    assert measures.level_label(0.75) == "75"
    assert measures.level_label(0.9999) == "99_99"
