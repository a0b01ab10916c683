"""Chain-ladder options of issue 14: averages, excluded link ratios, tails, zero young ages."""

from __future__ import annotations

import numpy as np
import pytest

from xborder_risk.errors import ParameterError
from xborder_risk.reserves import Chainladder, MackChainladder, Triangle, load_sample
from xborder_risk.reserves._chainladder import fit_tail

NAN = np.nan


def test_averages_follow_their_definitions_on_raa() -> None:
    raa = load_sample("raa")
    c = raa.values
    ratios = raa.link_ratios.to_numpy()
    first = ~np.isnan(ratios[:, 0])
    simple = Chainladder(average="simple").fit(raa).ldf_.iloc[0]
    regression = Chainladder(average="regression").fit(raa).ldf_.iloc[0]
    assert simple == pytest.approx(ratios[first, 0].mean())
    x, y = c[first, 0], c[first, 1]
    assert regression == pytest.approx((x * y).sum() / (x * x).sum())
    assert Chainladder().fit(raa).ldf_.iloc[0] == pytest.approx(y.sum() / x.sum())


def test_excluded_link_ratio_leaves_the_average() -> None:
    raa = load_sample("raa")
    fitted = Chainladder(exclude=[(1982, 1)]).fit(raa)
    c = raa.values
    keep = np.array([i for i in range(9) if i != 1])
    assert fitted.ldf_.iloc[0] == pytest.approx(c[keep, 1].sum() / c[keep, 0].sum())
    assert fitted.ldf_.iloc[1] == Chainladder().fit(raa).ldf_.iloc[1]


@pytest.mark.parametrize(
    ("exclude", "match"),
    [
        ([(1970, 1)], "origin 1970"),
        ([(1981, 10)], "younger age"),
        (["x"], "pair"),
        ("ab", "sequence"),
    ],
)
def test_bad_exclusions_are_named(exclude: object, match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        Chainladder(exclude=exclude).fit(load_sample("raa"))  # type: ignore[arg-type]


def test_given_tail_multiplies_ultimates_and_cdfs() -> None:
    genins = load_sample("genins")
    plain = Chainladder().fit(genins)
    tailed = Chainladder(tail=1.05).fit(genins)
    np.testing.assert_allclose(tailed.ultimate_, plain.ultimate_ * 1.05)
    np.testing.assert_allclose(tailed.cdf_, plain.cdf_ * 1.05)
    assert tailed.tail_ == 1.05


@pytest.mark.parametrize("curve", ["exponential", "inverse_power"])
def test_fitted_tail_recovers_an_exact_curve(curve: str) -> None:
    k = np.arange(1.0, 9.0)
    a, b = np.log(0.5), -0.7
    x = k if curve == "exponential" else np.log(k)
    factors = 1.0 + np.exp(a + b * x)
    future = np.arange(9.0, 109.0)
    xf = future if curve == "exponential" else np.log(future)
    expected = np.prod(1.0 + np.exp(a + b * xf))
    assert fit_tail(factors, curve) == pytest.approx(expected, rel=1e-10)
    # inverse power decays slower, so its tail is the larger one
    assert fit_tail(factors, curve) > 1.0


def test_tail_that_does_not_decay_is_refused() -> None:
    with pytest.raises(ParameterError, match="does not decay"):
        fit_tail(np.array([1.1, 1.2, 1.3]), "exponential")
    with pytest.raises(ParameterError, match="tail"):
        Chainladder(tail=0.9)
    with pytest.raises(ParameterError, match="tail"):
        Chainladder(tail="weibull")  # type: ignore[arg-type]


def test_zero_young_ages_develop_with_factor_one() -> None:
    # a line with nothing reported at the first age of any origin
    tri = Triangle([[0.0, 10.0, 12.0], [0.0, 8.0, NAN], [0.0, NAN, NAN]])
    with pytest.raises(ParameterError, match="positive amount"):
        Chainladder().fit(tri)
    # a new line: the older origins have no amounts yet, the youngest has its first
    tri = Triangle([[0.0, 0.0, 0.0], [0.0, 0.0, NAN], [3.0, NAN, NAN]])
    fitted = Chainladder().fit(tri)
    np.testing.assert_array_equal(fitted.ldf_, [1.0, 1.0])
    assert fitted.ultimate_.iloc[2] == 3.0


def test_mack_regression_average_reduces_to_the_general_formula() -> None:
    # alpha = 1 must reproduce the published GenIns total (Mack 1993): 2,447,095
    genins = load_sample("genins")
    assert MackChainladder().fit(genins).total_std_err_ == pytest.approx(2_447_095, abs=1)
    simple = MackChainladder(average="simple").fit(genins)
    assert simple.total_std_err_ > 0.0
    assert not np.allclose(simple.std_err_, MackChainladder().fit(genins).std_err_)
