"""One results vocabulary: ``var`` is the variance, ``value_at_risk`` / ``tvar`` the risk
measures, ``level`` / ``levels`` the confidence levels, and one summary / EP frame builder."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xborder_risk import measures
from xborder_risk.distributions import Gamma, Poisson
from xborder_risk.engine import LossModel, simulate
from xborder_risk.errors import ParameterError, XBorderRiskDeprecationWarning
from xborder_risk.reinsurance import QuotaShare

RNG = np.random.default_rng(5)
X = RNG.gamma(2.0, 3.0, size=2_000)


@pytest.fixture(scope="module")
def result():
    models = [LossModel(name, Poisson(lam=2.0), Gamma(alpha=2.0, theta=1.0)) for name in "ab"]
    return simulate(models, 3_000, seed=4)


def test_var_without_a_level_is_the_sample_variance():
    assert measures.var(X) == pytest.approx(np.var(X, ddof=1), rel=1e-14)
    assert measures.var([7.0]) == 0.0


def test_var_with_a_level_is_the_deprecated_value_at_risk():
    with pytest.warns(XBorderRiskDeprecationWarning, match=r"measures\.value_at_risk"):
        assert measures.var(X, 0.99) == measures.value_at_risk(X, 0.99)
    with pytest.warns(XBorderRiskDeprecationWarning, match="value_at_risk_standard_error"):
        assert measures.var_standard_error(X, 0.9) == measures.value_at_risk_standard_error(X, 0.9)


def test_the_deprecation_warning_is_a_future_warning_shown_to_users():
    assert issubclass(XBorderRiskDeprecationWarning, FutureWarning)
    assert not issubclass(XBorderRiskDeprecationWarning, RuntimeWarning)


def test_bad_levels_are_named_level():
    for function in (measures.value_at_risk, measures.tvar, measures.tvar_standard_error):
        with pytest.raises(ParameterError) as info:
            function(X, 1.0)
        assert info.value.name == "level"


def test_simulation_result_var_is_the_variance_and_var_p_the_deprecated_value_at_risk(result):
    a = result.annual[:, 0]
    assert result.var() == pytest.approx(np.var(result.total, ddof=1), rel=1e-14)
    assert result.var(line="a") == pytest.approx(np.var(a, ddof=1), rel=1e-14)
    assert result.std(line="a") == pytest.approx(np.std(a, ddof=1), rel=1e-14)
    assert result.value_at_risk(0.99, "a") == measures.value_at_risk(a, 0.99)
    with pytest.warns(XBorderRiskDeprecationWarning, match="value_at_risk"):
        assert result.var(0.99, "a") == result.value_at_risk(0.99, "a")
    assert result.summary(0.99).loc["total", "std"] ** 2 == pytest.approx(result.var())


def test_treaty_result_var_is_the_variance_and_var_p_the_deprecated_value_at_risk(result):
    treaty = QuotaShare(cession=0.4).apply(result.total)
    assert treaty.var(quantity="ceded") == pytest.approx(np.var(treaty.ceded, ddof=1))
    assert treaty.value_at_risk(0.99) == measures.value_at_risk(treaty.net, 0.99)
    with pytest.warns(XBorderRiskDeprecationWarning):
        assert treaty.var(0.99, "net") == treaty.value_at_risk(0.99, "net")


def test_one_summary_builder_makes_every_results_summary(result):
    samples = {line: result.annual[:, i] for i, line in enumerate(result.lines)}
    samples["total"] = result.total
    expected = measures.summary(samples, (0.99, 0.995))
    pd.testing.assert_frame_equal(result.summary((0.99, 0.995)), expected)
    assert list(expected.columns) == [
        "mean", "mean_se", "std",
        "var_99", "var_99_se", "tvar_99", "tvar_99_se",
        "var_99_5", "var_99_5_se", "tvar_99_5", "tvar_99_5_se",
    ]  # fmt: skip
    assert expected.loc["a", "var_99"] == measures.value_at_risk(samples["a"], 0.99)
    treaty = QuotaShare(cession=0.4).apply(result.total)
    rows = {name: treaty._column(name) for name in ("gross", "ceded", "net")}
    built = measures.summary(rows, 0.99, index_name="quantity")
    pd.testing.assert_frame_equal(treaty.summary(0.99).loc[["gross", "ceded", "net"]], built)
    short = measures.summary(rows, [0.9], tail_standard_errors=False)
    assert list(short.columns) == ["mean", "mean_se", "std", "var_90", "tvar_90"]


@pytest.mark.parametrize("levels", [1.0, "0.99", [0.5, 0.0], None, True])
def test_summary_refuses_bad_levels_naming_levels(levels):
    with pytest.raises(ParameterError) as info:
        measures.summary({"x": X}, levels)
    assert info.value.name == "levels"


def test_one_ep_curve_builder_labels_kind_and_line(result):
    curve = measures.ep_curve(result.total, (10, 100), kind="aep", line="total")
    assert list(curve.columns) == [
        "kind", "line", "return_period", "exceedance_probability", "loss",
    ]  # fmt: skip
    pd.testing.assert_frame_equal(result.ep_curve("aep", None, (10, 100)), curve)
    assert list(measures.ep_curve(X).columns) == ["return_period", "exceedance_probability", "loss"]
    with pytest.raises(ParameterError) as info:
        measures.ep_curve(X, kind="pml")
    assert info.value.name == "kind"
    with pytest.raises(ParameterError):
        result.ep_curve("pml")
