"""Bornhuetter-Ferguson, Benktander, Cape Cod and the rated prior (issue 14 item 2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xborder_risk.errors import ParameterError
from xborder_risk.exposure import Submission
from xborder_risk.rating import rate
from xborder_risk.reserves import (
    Benktander,
    BornhuetterFerguson,
    CapeCod,
    Chainladder,
    MackChainladder,
    load_sample,
    rated_prior,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "submissions"
PREMIUM = 15_000_000.0


def test_bf_is_latest_plus_unreported_share_of_the_prior() -> None:
    genins = load_sample("genins")
    chain = Chainladder().fit(genins)
    cdf = chain.cdf_.to_numpy()[genins.latest_index]
    bf = BornhuetterFerguson().fit(genins, apriori=0.6, exposure=PREMIUM)
    expected = chain.latest_.to_numpy() + (1 - 1 / cdf) * 0.6 * PREMIUM
    np.testing.assert_allclose(bf.ultimate_, expected)
    np.testing.assert_allclose(bf.apriori_, 0.6 * PREMIUM)
    # the prior as an amount per origin, by label, gives the same
    by_label = {o: 0.6 * PREMIUM for o in genins.origin}
    np.testing.assert_allclose(
        BornhuetterFerguson().fit(genins, apriori=by_label).ultimate_, expected
    )
    assert bf.ibnr_.iloc[0] == 0.0  # the oldest origin is fully developed


def test_bf_uses_the_chain_ladder_it_is_given() -> None:
    genins = load_sample("genins")
    tailed = BornhuetterFerguson(Chainladder(tail=1.1)).fit(genins, apriori=1e7)
    assert tailed.ibnr_.iloc[0] == pytest.approx((1 - 1 / 1.1) * 1e7)


def test_benktander_sits_between_bf_and_chain_ladder() -> None:
    genins = load_sample("genins")
    bf = BornhuetterFerguson().fit(genins, apriori=0.6, exposure=PREMIUM)
    one = Benktander(n_iters=1).fit(genins, apriori=0.6, exposure=PREMIUM)
    np.testing.assert_allclose(one.ultimate_, bf.ultimate_)
    many = Benktander(n_iters=2000).fit(genins, apriori=0.6, exposure=PREMIUM)
    np.testing.assert_allclose(many.ultimate_, Chainladder().fit(genins).ultimate_, rtol=1e-9)
    two = Benktander().fit(genins, apriori=0.6, exposure=PREMIUM)
    # U_GB = (1 - q) U_CL + q U_BF with q = 1 - 1/CDF (Mack 2000, eq. (2.3))
    q = bf.percent_unreported_.to_numpy()
    cl = Chainladder().fit(genins).ultimate_.to_numpy()
    np.testing.assert_allclose(two.ultimate_, (1 - q) * cl + q * bf.ultimate_.to_numpy())


def test_cape_cod_loss_ratio_and_its_limits() -> None:
    genins = load_sample("genins")
    chain = Chainladder().fit(genins)
    cdf = chain.cdf_.to_numpy()[genins.latest_index]
    latest = chain.latest_.to_numpy()
    cc = CapeCod().fit(genins, exposure=PREMIUM)
    elr = latest.sum() / (PREMIUM / cdf).sum()
    np.testing.assert_allclose(cc.elr_, elr)
    np.testing.assert_allclose(cc.ultimate_, latest + (1 - 1 / cdf) * elr * PREMIUM)
    # decay 0: every origin on its own loss ratio, which is the chain ladder
    alone = CapeCod(decay=0.0).fit(genins, exposure=PREMIUM)
    np.testing.assert_allclose(alone.ultimate_, chain.ultimate_)
    decayed = CapeCod(decay=0.75).fit(genins, exposure=PREMIUM)
    assert not np.allclose(decayed.elr_, elr)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda t: BornhuetterFerguson().fit(t, apriori=-1.0), "apriori"),
        (lambda t: BornhuetterFerguson().fit(t, apriori=[1.0, 2.0]), r"apriori.*one per origin"),
        (lambda t: BornhuetterFerguson().fit(t, apriori={1: 1.0}), "origin 2"),
        (lambda t: CapeCod(decay=1.5), "decay"),
        (lambda t: Benktander(n_iters=0), "n_iters"),
        (lambda t: BornhuetterFerguson(development="cl"), "development"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_are_named(call: object, match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        call(load_sample("genins"))  # type: ignore[operator]


def test_rated_prior_is_the_sum_of_rated_expected_losses() -> None:
    policy = Submission.from_yaml((EXAMPLES / "eu_egates_contractor.yaml").read_text())
    prior = rated_prior({2021: policy, 2022: [policy, policy]})
    assert isinstance(prior, pd.Series)
    assert prior.loc[2021] > 0.0
    assert prior.loc[2022] == pytest.approx(2 * prior.loc[2021])
    line = rate(policy).lines[0]
    one_line = rated_prior({2021: policy}, line=line)
    assert 0.0 < one_line.loc[2021] <= prior.loc[2021]
    with pytest.raises(ParameterError, match="book"):
        rated_prior({})


def test_a_mack_chain_ladder_can_give_the_pattern() -> None:
    genins = load_sample("genins")
    mack = BornhuetterFerguson(MackChainladder()).fit(genins, apriori=1e7)
    plain = BornhuetterFerguson().fit(genins, apriori=1e7)
    np.testing.assert_allclose(mack.ultimate_, plain.ultimate_)
