"""Chain ladder and Mack's standard error against published tables.

Sources of the expected figures (none is computed by this library):

- GenIns (Taylor-Ashe): Mack (1993), ASTIN Bulletin 23(2), 213-225, the worked example;
  the same per-origin table is printed by R ChainLadder's ``MackChainLadder(GenIns,
  est.sigma = "Mack")`` (package documentation, demo "compare to table 2 and 3 in Mack's 1993
  paper"): IBNR 94,634 ... 4,625,811, Mack S.E. 75,535 ... 1,363,155; totals IBNR 18,680,856,
  S.E. 2,447,095.
- RAA: Mack (1994); R ChainLadder documentation of ``summary.MackChainLadder`` prints
  ``MackChainLadder(RAA)`` with its default log-linear sigma: S.E. 143 ... 24,566, total
  26,880.74; with Mack's extrapolation the total is 26,909 (xborder_risk DESIGN reference
  results, R ChainLadder ``est.sigma = "Mack"``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xborder_risk.errors import ParameterError
from xborder_risk.reserves import Chainladder, MackChainladder, Triangle, load_sample

GENINS_IBNR = [0, 94_634, 469_511, 709_638, 984_889, 1_419_459, 2_177_641, 3_920_301,
               4_278_972, 4_625_811]  # fmt: skip
GENINS_ULTIMATE = [3_901_463, 5_433_719, 5_378_826, 5_297_906, 4_858_200, 5_111_171,
                   5_660_771, 6_784_799, 5_642_266, 4_969_825]  # fmt: skip
GENINS_MACK_SE = [0, 75_535, 121_699, 133_549, 261_406, 411_010, 558_317, 875_328, 971_258,
                  1_363_155]  # fmt: skip
RAA_ULTIMATE = [18_834, 16_858, 24_083, 28_703, 28_927, 19_501, 17_749, 24_019, 16_045,
                18_402]  # fmt: skip
RAA_LOGLINEAR_SE = [0, 143, 592, 713, 1_452, 1_995, 2_204, 5_354, 6_332, 24_566]
# R ChainLadder MackChainLadder(RAA, est.sigma = "Mack"), total 26,909
RAA_MACK_SE = [0, 206, 623, 747, 1_469, 2_002, 2_209, 5_358, 6_333, 24_566]


def within_rounding(actual: pd.Series | np.ndarray, published: list[int]) -> None:
    """Published figures are rounded to units: agree to half a unit."""
    np.testing.assert_allclose(np.asarray(actual, dtype=float), published, rtol=0, atol=0.5)


class TestGenIns:
    def test_chain_ladder_reserve(self) -> None:
        cl = Chainladder().fit(load_sample("genins"))
        within_rounding(cl.ibnr_, GENINS_IBNR)
        within_rounding(cl.ultimate_, GENINS_ULTIMATE)
        assert cl.ibnr_.sum() == pytest.approx(18_680_856, abs=0.5)

    def test_mack_standard_errors(self) -> None:
        mack = MackChainladder(sigma_extrapolation="mack").fit(load_sample("genins"))
        within_rounding(mack.std_err_, GENINS_MACK_SE)
        assert mack.total_std_err_ == pytest.approx(2_447_095, abs=0.5)
        # R ChainLadder prints the total to the cent: 2,447,094.86
        assert mack.total_std_err_ == pytest.approx(2_447_094.86, abs=0.01)

    def test_summary_frame(self) -> None:
        summary = MackChainladder().fit(load_sample("genins")).summary_
        assert list(summary.columns) == [
            "latest", "ultimate", "ibnr", "process_std_err", "parameter_std_err", "mack_std_err",
        ]  # fmt: skip
        assert summary.index[-1] == "Total"
        assert summary.loc["Total", "latest"] == 34_358_090
        assert summary.loc["Total", "mack_std_err"] == pytest.approx(2_447_095, abs=0.5)
        per_origin = summary.iloc[:-1]
        np.testing.assert_allclose(
            per_origin["process_std_err"] ** 2 + per_origin["parameter_std_err"] ** 2,
            per_origin["mack_std_err"] ** 2,
            rtol=1e-12,
        )


class TestRAA:
    def test_chain_ladder(self) -> None:
        cl = Chainladder().fit(load_sample("raa"))
        within_rounding(cl.ultimate_, RAA_ULTIMATE)
        assert cl.ibnr_.sum() == pytest.approx(52_135.23, abs=0.01)

    def test_mack_extrapolation_total(self) -> None:
        mack = MackChainladder("mack").fit(load_sample("raa"))
        assert mack.total_std_err_ == pytest.approx(26_909, abs=0.5)
        within_rounding(mack.std_err_, RAA_MACK_SE)
        assert mack.sigma_extrapolated_.tolist() == [False] * 8 + [True]

    def test_loglinear_per_origin_and_total(self) -> None:
        mack = MackChainladder("loglinear").fit(load_sample("raa"))
        within_rounding(mack.std_err_, RAA_LOGLINEAR_SE)
        assert mack.total_std_err_ == pytest.approx(26_880.74, abs=0.01)

    def test_mack_rule_for_the_last_sigma(self) -> None:
        sigma = MackChainladder("mack").fit(load_sample("raa")).sigma_.to_numpy()
        s3, s2 = sigma[-3] ** 2, sigma[-2] ** 2
        assert sigma[-1] ** 2 == pytest.approx(min(s2**2 / s3, s3, s2), rel=1e-14)


def mack_total_mse_by_the_book(tri: Triangle, mack: MackChainladder) -> float:
    """Mack (1993) Corollary to Theorem 3, written out as the double sum over origins."""
    c = tri.values
    n = c.shape[1]
    f = mack.ldf_.to_numpy()
    sigma2 = mack.sigma_.to_numpy() ** 2
    full = mack.full_triangle_.to_numpy()
    ultimate = full[:, -1]
    latest = tri.latest_index
    column_sums = [np.nansum(np.where(~np.isnan(c[:, k + 1]), c[:, k], 0.0)) for k in range(n - 1)]
    total = 0.0
    for i in range(c.shape[0]):
        se_i = 0.0
        cross = 0.0
        for k in range(latest[i], n - 1):
            se_i += sigma2[k] / f[k] ** 2 * (1.0 / full[i, k] + 1.0 / column_sums[k])
            cross += 2.0 * sigma2[k] / f[k] ** 2 / column_sums[k]
        total += ultimate[i] ** 2 * se_i + ultimate[i] * ultimate[i + 1 :].sum() * cross
    return total


class TestFormulas:
    @pytest.mark.parametrize("name", ["genins", "raa"])
    def test_total_mse_equals_mack_double_sum(self, name: str) -> None:
        tri = load_sample(name)
        mack = MackChainladder().fit(tri)
        assert mack.total_mse_ == pytest.approx(mack_total_mse_by_the_book(tri, mack), rel=1e-12)

    def test_loglinear_fits_a_line_through_log_sigma(self) -> None:
        mack = MackChainladder("loglinear").fit(load_sample("genins"))
        log_sigma = np.log(mack.sigma_.to_numpy())
        steps = np.arange(log_sigma.size)
        slope, intercept = np.polyfit(steps[:-1], log_sigma[:-1], 1)
        assert log_sigma[-1] == pytest.approx(intercept + slope * steps[-1], rel=1e-12)

    def test_cdf_is_the_product_of_later_ldfs(self) -> None:
        cl = Chainladder().fit(load_sample("genins"))
        ldf = cl.ldf_.to_numpy()
        np.testing.assert_allclose(cl.cdf_.to_numpy()[:-1], np.cumprod(ldf[::-1])[::-1])
        assert cl.cdf_.iloc[-1] == 1.0
        assert cl.cdf_.index[0] == "1-Ult"
        assert cl.ldf_.index[0] == "1-2"
        latest = cl.latest_.to_numpy()
        np.testing.assert_allclose(
            cl.ultimate_.to_numpy(), latest * cl.cdf_.to_numpy()[load_sample("genins").latest_index]
        )

    def test_incremental_input_and_scaling(self) -> None:
        tri = load_sample("genins")
        incremental = Triangle(
            tri.to_incremental().values, tri.origin, tri.development, cumulative=False
        )
        base = MackChainladder().fit(tri)
        again = MackChainladder().fit(incremental)
        np.testing.assert_allclose(again.std_err_, base.std_err_, rtol=1e-12)
        scaled = MackChainladder().fit(Triangle(tri.values * 1000.0, tri.origin, tri.development))
        np.testing.assert_allclose(scaled.ibnr_, base.ibnr_ * 1000.0, rtol=1e-12)
        np.testing.assert_allclose(scaled.std_err_, base.std_err_ * 1000.0, rtol=1e-12)

    def test_fit_returns_self(self) -> None:
        model = MackChainladder()
        assert model.fit(load_sample("raa")) is model

    def test_chainladder_package_names(self) -> None:
        tri = load_sample("raa")
        mack = MackChainladder().fit(tri)
        assert mack.total_mack_std_err_ == mack.total_std_err_
        pd.testing.assert_series_equal(mack.mack_std_err_, mack.std_err_)
        pd.testing.assert_frame_equal(tri.link_ratio, tri.link_ratios)


class TestValidation:
    def test_unknown_extrapolation(self) -> None:
        with pytest.raises(ParameterError, match="sigma_extrapolation"):
            MackChainladder("linear")  # type: ignore[arg-type]

    def test_not_a_triangle(self) -> None:
        with pytest.raises(ParameterError, match=r"triangle.*Triangle"):
            Chainladder().fit(np.ones((3, 3)))  # type: ignore[arg-type]

    def test_too_few_development_ages_for_mack_rule(self) -> None:
        tri = Triangle([[1.0, 2.0, 3.0], [1.0, 2.0, np.nan], [1.0, np.nan, np.nan]])
        with pytest.raises(ParameterError, match="at least 4 development ages"):
            MackChainladder("mack").fit(tri)

    def test_small_triangle_with_every_sigma_estimated_needs_no_extrapolation(self) -> None:
        # Two origins observed at every age: both sigmas are estimated, so Mack's rule (and
        # its four development ages) is not needed. Mack (1993) eq. (3) and (7) by hand.
        tri = Triangle([[100.0, 150.0, 165.0], [120.0, 170.0, 190.0], [110.0, np.nan, np.nan]])
        mack = MackChainladder("mack").fit(tri)
        assert not mack.sigma_extrapolated_.any()
        f0, f1 = 320.0 / 220.0, 355.0 / 320.0
        s0 = 100.0 * (1.5 - f0) ** 2 + 120.0 * (170.0 / 120.0 - f0) ** 2
        s1 = 150.0 * (1.1 - f1) ** 2 + 170.0 * (190.0 / 170.0 - f1) ** 2
        ultimate = 110.0 * f0 * f1
        mse = ultimate**2 * (
            s0 / f0**2 * (1.0 / 110.0 + 1.0 / 220.0)
            + s1 / f1**2 * (1.0 / (110.0 * f0) + 1.0 / 320.0)
        )
        assert mack.std_err_.iloc[-1] == pytest.approx(np.sqrt(mse), rel=1e-12)
        assert mack.std_err_.iloc[:2].tolist() == [0.0, 0.0]

    def test_column_without_positive_amounts(self) -> None:
        tri = Triangle([[0.0, 2.0], [0.0, np.nan]])
        with pytest.raises(ParameterError, match="development 1 -> 2"):
            Chainladder().fit(tri)
