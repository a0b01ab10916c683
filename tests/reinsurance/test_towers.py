"""XL towers with drop-down and the surplus treaty (issue 14 item 6)."""

from __future__ import annotations

import numpy as np
import pytest

from xborder_risk.distributions import Pareto, Poisson
from xborder_risk.engine import LossModel
from xborder_risk.errors import ParameterError
from xborder_risk.reinsurance import (
    ExcessOfLoss,
    OccurrenceTable,
    Surplus,
    Tower,
    occurrences_from_models,
)


def tower(drop_down: bool) -> Tower:
    return Tower(
        (
            ExcessOfLoss(10.0, 10.0, reinstatements=0),
            ExcessOfLoss(20.0, 20.0, reinstatements=1),
        ),
        drop_down=drop_down,
    )


def test_without_drop_down_the_tower_is_its_layers() -> None:
    occ = occurrences_from_models(
        LossModel("m", Poisson(lam=5.0), Pareto(alpha=2.5, theta=15.0)), 5_000, seed=2
    )
    result = tower(False).apply(occ)
    for k, layer in enumerate(tower(False).layers):
        np.testing.assert_allclose(result.ceded[:, k], layer.ceded_annual(occ))
    np.testing.assert_allclose(result.net, occ.annual() - result.ceded.sum(axis=1))
    assert list(result.summary().index) == ["10 xs 10", "20 xs 20"]


def test_drop_down_by_hand() -> None:
    # one year: losses 25 (t = 0.1), 18 (t = 0.5), 30 (t = 0.9). The bottom layer 10 xs 10
    # (no reinstatement) is exhausted by the first loss; from then on 20 xs 20 attaches at 10
    table = OccurrenceTable(year_index=[0, 0, 0], loss=[25.0, 18.0, 30.0], n_years=1)
    times = [0.1, 0.5, 0.9]
    plain = tower(False).apply(table, times=times)
    dropped = tower(True).apply(table, times=times)
    assert plain.ceded[0].tolist() == [10.0, 5.0 + 0.0 + 10.0]  # 25 and 30 pierce 20
    # drop-down: 25 -> 5 (the tower as it stood), 18 -> 8 (18 - 10), 30 -> 20 (its limit)
    assert dropped.ceded[0, 0] == 10.0
    assert dropped.ceded[0, 1] == pytest.approx(5.0 + 8.0 + 20.0)
    assert dropped.net[0] < plain.net[0]


def test_tower_and_surplus_bad_inputs() -> None:
    with pytest.raises(ParameterError, match=r"layers\[1\].retention"):
        Tower((ExcessOfLoss(10.0, 10.0), ExcessOfLoss(25.0, 10.0)))
    with pytest.raises(ParameterError, match="layers"):
        Tower(())
    with pytest.raises(ParameterError, match="retention"):
        Surplus(retention=0.0, lines=9.0)
    with pytest.raises(ParameterError, match="sum_insured"):
        Surplus(1.0, 2.0).apply(np.ones((3, 2)), [1.0, 2.0, 3.0])


def test_surplus_cession_by_hand() -> None:
    treaty = Surplus(retention=100.0, lines=4.0)
    np.testing.assert_allclose(
        treaty.cession([50.0, 100.0, 300.0, 500.0, 1000.0]),
        [0.0, 0.0, 200 / 300, 400 / 500, 400 / 1000],
    )
    losses = np.array([[10.0, 30.0], [0.0, 60.0]])
    result = treaty.apply(losses, [50.0, 300.0])
    np.testing.assert_allclose(result.ceded, [30.0 * 2 / 3, 60.0 * 2 / 3])
    np.testing.assert_allclose(result.net, result.gross - result.ceded)
