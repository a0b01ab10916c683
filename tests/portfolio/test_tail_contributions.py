"""Per-policy and per-line co-TVaR of a book simulated without its policies (issue 16 item 3):
the blocks that hold the tail years are simulated again; the same bits as the full cube."""

import numpy as np
import pandas as pd
import pytest

from xborder_risk.engine import BLOCK_YEARS
from xborder_risk.errors import ParameterError
from xborder_risk.exposure import LINES
from xborder_risk.portfolio import Portfolio
from xborder_risk.pricing import co_tvar


@pytest.mark.parametrize("level", [0.99, 0.5])
def test_tail_contributions_are_the_full_cube_co_tvar_bit_for_bit(
    small_book, make_shocks, tables, level
):
    book = Portfolio(small_book, tables, shocks=make_shocks())
    n_years = 2 * BLOCK_YEARS + 321  # three blocks, the last partial
    full = book.simulate(n_years, seed=21)
    lean = book.simulate(n_years, seed=21, keep_policies=False, workers=2)
    frame = book.tail_contributions(lean, level)
    expected = full.marginal_tvar(level)
    np.testing.assert_array_equal(frame["co_tvar"].to_numpy(), expected["co_tvar"].to_numpy())
    by_line = co_tvar(full.annual.reshape(n_years, -1), level).reshape(-1, len(LINES))
    np.testing.assert_array_equal(frame[list(LINES)].to_numpy(), by_line)
    assert frame.attrs["tvar_total"] == expected.attrs["tvar_total"]
    assert frame["co_tvar"].sum() == pytest.approx(expected.attrs["tvar_total"], rel=1e-12)
    # the tail of 99 % lies in every block here; half the years certainly do
    assert frame.attrs["blocks_simulated"] == 3
    # the full result gives the same answer
    pd.testing.assert_frame_equal(book.tail_contributions(full, level), frame)


def test_only_the_blocks_holding_the_tail_are_simulated(small_book, make_shocks, tables):
    book = Portfolio(small_book, tables, shocks=make_shocks())
    lean = book.simulate(BLOCK_YEARS + 100, seed=4, keep_policies=False)
    # VaR 99.99 % of 65,636 years: the tail is 6.6 years, in one or two blocks
    frame = book.tail_contributions(lean, 0.9999)
    assert frame.attrs["blocks_simulated"] <= 2
    full = book.simulate(BLOCK_YEARS + 100, seed=4)
    np.testing.assert_array_equal(
        frame["co_tvar"].to_numpy(), full.marginal_tvar(0.9999)["co_tvar"].to_numpy()
    )


def test_a_result_of_another_book_is_refused(small_book, make_shocks, tables):
    book = Portfolio(small_book, tables, shocks=make_shocks())
    other = Portfolio(small_book[:2], tables, shocks=make_shocks())
    with pytest.raises(ParameterError, match="result"):
        book.tail_contributions(other.simulate(1000, seed=1, keep_policies=False))
    same_ids = Portfolio(small_book, tables)  # the default shocks, not these
    with pytest.raises(ParameterError, match="result"):
        same_ids.tail_contributions(book.simulate(1000, seed=1, keep_policies=False))
    with pytest.raises(ParameterError, match="level"):
        book.tail_contributions(book.simulate(1000, seed=1), 1.0)
