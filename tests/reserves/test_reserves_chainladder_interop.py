"""chainladder interop (issue 14 item 4): conversion both ways and the methods compared.

Runs only with the optional extra (``pip install ".[chainladder]"``); skipped otherwise.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

cl = pytest.importorskip(
    "chainladder", reason="optional extra not installed: pip install '.[chainladder]'"
)

from xborder_risk.reserves import (  # noqa: E402
    BootstrapODP,
    BornhuetterFerguson,
    CapeCod,
    Chainladder,
    MackChainladder,
    Triangle,
    from_chainladder,
    load_sample,
    to_chainladder,
)

# chainladder's single annual sample triangles with enough development for Mack's sigma rule
SAMPLES = ["genins", "raa", "abc", "ukmotor", "mw2008", "mw2014", "m3ir5"]


@pytest.fixture(autouse=True)
def _quiet() -> None:
    warnings.filterwarnings("ignore", module="chainladder")


def load(name: str) -> tuple[object, Triangle]:
    theirs = cl.load_sample(name)
    ours = from_chainladder(theirs)
    assert isinstance(ours, Triangle)
    return theirs, ours


def flat(x: object) -> np.ndarray:
    return np.asarray(x.values, dtype=float).ravel()  # type: ignore[attr-defined]


def test_round_trip_single_and_multi_index() -> None:
    genins = load_sample("genins")
    back = from_chainladder(to_chainladder(genins))
    assert isinstance(back, Triangle)
    np.testing.assert_array_equal(back.values, genins.values)
    assert back.origin == tuple(range(2001, 2011))
    clrd = cl.load_sample("clrd").iloc[:3]
    ours = from_chainladder(clrd)
    assert isinstance(ours, dict) and len(ours) == 18
    again = from_chainladder(to_chainladder(ours, index=tuple(clrd.index.columns)))
    assert isinstance(again, dict)
    for key, tri in ours.items():
        np.testing.assert_array_equal(np.nan_to_num(again[key].values), np.nan_to_num(tri.values))


@pytest.mark.parametrize("name", SAMPLES)
def test_chain_ladder_and_mack_agree(name: str) -> None:
    theirs, ours = load(name)
    dev = cl.Development(sigma_interpolation="mack").fit_transform(theirs)
    mack = cl.MackChainladder().fit(dev)
    fitted = MackChainladder().fit(ours)
    np.testing.assert_allclose(fitted.ultimate_, flat(mack.ultimate_), rtol=1e-9)
    np.testing.assert_allclose(
        fitted.std_err_,
        np.nan_to_num(mack.summary_.to_frame()["Mack Std Err"].to_numpy(dtype=float)),
        rtol=1e-6,
    )
    assert fitted.total_std_err_ == pytest.approx(flat(mack.total_mack_std_err_)[0], rel=1e-6)


@pytest.mark.parametrize("name", SAMPLES)
@pytest.mark.parametrize("average", ["simple", "regression"])
def test_averages_agree(name: str, average: str) -> None:
    theirs, ours = load(name)
    dev = cl.Development(average=average).fit_transform(theirs)
    fitted = Chainladder(average=average).fit(ours)  # type: ignore[arg-type]
    np.testing.assert_allclose(fitted.ldf_, flat(dev.ldf_), rtol=1e-9)


@pytest.mark.parametrize("name", SAMPLES)
def test_bf_cape_cod_and_tails_agree(name: str) -> None:
    theirs, ours = load(name)
    premium = float(np.nanmax(ours.values)) * 1.2
    weight = theirs.latest_diagonal * 0 + premium
    bf = cl.BornhuetterFerguson(apriori=0.7).fit(theirs, sample_weight=weight)
    mine = BornhuetterFerguson().fit(ours, apriori=0.7, exposure=premium)
    np.testing.assert_allclose(mine.ultimate_, flat(bf.ultimate_), rtol=1e-9)
    cc = cl.CapeCod(decay=0.8).fit(theirs, sample_weight=weight)
    np.testing.assert_allclose(
        CapeCod(decay=0.8).fit(ours, exposure=premium).ultimate_, flat(cc.ultimate_), rtol=1e-9
    )
    tail = cl.TailCurve(curve="exponential").fit(theirs)
    try:
        mine_tail = Chainladder(tail="exponential").fit(ours).tail_
    except ValueError:
        pytest.skip(f"{name}: no decaying factors to fit")
    assert mine_tail == pytest.approx(flat(tail.tail_)[0], rel=1e-9)


@pytest.mark.parametrize("name", ["genins", "raa", "abc", "mw2008"])
def test_bootstrap_means_agree(name: str) -> None:
    theirs, ours = load(name)
    sims = cl.BootstrapODPSample(n_sims=2_000, random_state=1).fit_transform(theirs)
    their_mean = flat(cl.Chainladder().fit(sims).ibnr_.sum("origin")).mean()
    mine = BootstrapODP(n_sims=2_000, seed=1, process_distribution="none").fit(ours)
    assert mine.summary_.loc["Total", "mean"] == pytest.approx(their_mean, rel=0.03)
