"""Bootstrap ODP and the Merz-Wüthrich one-year view (issue 14 item 3) against published figures."""

from __future__ import annotations

import numpy as np
import pytest

from xborder_risk.errors import ParameterError
from xborder_risk.reserves import BootstrapODP, MerzWuthrich, Triangle, load_sample

# Merz & Wüthrich (2008), CAS E-Forum Fall 2008, Table 4 (as reproduced by R ChainLadder's
# CDR(MackChainLadder(MW2008, est.sigma="Mack"))): msep^(1/2) of the one-year CDR per
# accident year 2..9 and in total, and Mack's ultimate-view total.
MW2008_CDR = [
    566.1744,
    1486.5603,
    3923.0986,
    9722.8598,
    28442.6216,
    20954.2870,
    28119.3180,
    53320.8210,
]
MW2008_CDR_TOTAL = 81080.5468
MW2008_MACK_TOTAL = 108401.3875


def test_merz_wuthrich_reproduces_the_published_example() -> None:
    mw = MerzWuthrich().fit(load_sample("mw2008"))
    assert mw.cdr_std_err_.iloc[0] == 0.0
    np.testing.assert_allclose(mw.cdr_std_err_.to_numpy()[1:], MW2008_CDR, atol=1e-3)
    assert mw.total_cdr_std_err_ == pytest.approx(MW2008_CDR_TOTAL, abs=1e-3)
    assert mw.total_mack_std_err_ == pytest.approx(MW2008_MACK_TOTAL, abs=1e-3)
    # the one-year view is below the ultimate view, origin by origin
    assert (mw.cdr_std_err_ <= mw.mack_std_err_ + 1e-9).all()
    assert list(mw.summary_.index)[-1] == "Total"


def test_merz_wuthrich_needs_a_square_triangle() -> None:
    with pytest.raises(ParameterError, match="square"):
        MerzWuthrich().fit(Triangle([[1.0, 2.0, 3.0], [1.0, 2.0, np.nan]]))


def test_bootstrap_odp_on_taylor_ashe() -> None:
    genins = load_sample("genins")
    boot = BootstrapODP(n_sims=4_000, seed=7).fit(genins)
    # England & Verrall (2002), section 8: the ODP scale parameter of this triangle is 52,601
    assert boot.scale_ == pytest.approx(52_601, abs=1)
    total = boot.summary_.loc["Total"]
    assert total["ibnr"] == pytest.approx(18_680_856, abs=1)  # Mack (1993)
    # the bootstrap mean is close to the chain-ladder reserve (the refitted ratio-of-sums
    # factors make it slightly higher, about 1 % here, as the chainladder package's 0.6 %)
    # and its spread close to the analytic ODP prediction error of England and Verrall
    # (2002, Table 2): 2,946,484
    assert total["mean"] == pytest.approx(total["ibnr"], rel=0.02)
    assert total["std_err"] == pytest.approx(2_946_484, rel=0.05)
    assert total["p75"] < total["p95"] < total["p99.5"]
    assert boot.unpaid_.shape == (4_000, 10)
    np.testing.assert_array_equal(boot.unpaid_[:, 0], 0.0)


def test_bootstrap_is_reproducible_and_blockwise_stable() -> None:
    genins = load_sample("genins")
    a = BootstrapODP(n_sims=1_500, seed=3).fit(genins)
    b = BootstrapODP(n_sims=1_500, seed=3).fit(genins)
    np.testing.assert_array_equal(a.unpaid_, b.unpaid_)
    first = BootstrapODP(n_sims=1_000, seed=3).fit(genins)
    np.testing.assert_array_equal(a.unpaid_[:1_000], first.unpaid_)
    other = BootstrapODP(n_sims=1_000, seed=4).fit(genins)
    assert not np.array_equal(other.unpaid_, first.unpaid_)


def test_bootstrap_options() -> None:
    raa = load_sample("raa")  # has a negative incremental
    none = BootstrapODP(n_sims=2_000, process_distribution="none").fit(raa)
    gamma = BootstrapODP(n_sims=2_000).fit(raa)
    odp = BootstrapODP(n_sims=2_000, process_distribution="odp").fit(raa)
    assert none.summary_.loc["Total", "std_err"] < gamma.summary_.loc["Total", "std_err"]
    assert odp.summary_.loc["Total", "std_err"] == pytest.approx(
        gamma.summary_.loc["Total", "std_err"], rel=0.1
    )
    raw = BootstrapODP(n_sims=2_000, residual_adjustment="none", process_distribution="none")
    assert raw.fit(raa).summary_.loc["Total", "std_err"] < none.summary_.loc["Total", "std_err"]
    q = gamma.quantile(0.9)
    assert q.index[-1] == "Total" and q.iloc[-1] > 0.0
    for kwargs, match in [
        ({"n_sims": 0}, "n_sims"),
        ({"seed": -1}, "seed"),
        ({"process_distribution": "normal"}, "process_distribution"),
        ({"residual_adjustment": "hat"}, "residual_adjustment"),
    ]:
        with pytest.raises(ParameterError, match=match):
            BootstrapODP(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="parameters"):
        BootstrapODP().fit(Triangle([[1.0, 2.0], [1.0, np.nan]]))
