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


@pytest.mark.parametrize("level", [0.99, 0.9, 0.5])
def test_marginal_tvar_of_a_lean_result_is_the_full_cubes(small_book, make_shocks, tables, level):
    """Portfolio.marginal_tvar on keep_policies=False: the cube's frame, co-TVaR bit for bit,
    the with/without and standalone TVaRs and the means to float rounding."""
    book = Portfolio(small_book, tables, shocks=make_shocks())
    n_years = 2 * BLOCK_YEARS + 321  # three blocks, the last partial
    full = book.simulate(n_years, seed=33)
    lean = book.simulate(n_years, seed=33, keep_policies=False)
    expected = full.marginal_tvar(level)
    frame = book.marginal_tvar(lean, level)
    assert list(frame.columns) == list(expected.columns)
    assert list(frame.index) == list(expected.index)
    np.testing.assert_array_equal(frame["co_tvar"].to_numpy(), expected["co_tvar"].to_numpy())
    for column in ("mean", "tvar_standalone", "marginal_tvar"):
        np.testing.assert_allclose(
            frame[column].to_numpy(), expected[column].to_numpy(), rtol=1e-11, atol=1e-6
        )
    assert frame.attrs["tvar_total"] == expected.attrs["tvar_total"]
    assert frame.attrs["blocks_simulated"] == 3
    # a marginal contribution that the test can tell apart from the standalone and co-TVaR
    assert not np.allclose(frame["marginal_tvar"], frame["co_tvar"])


def test_marginal_tvar_of_a_run_shorter_than_its_tail(small_book, make_shocks, tables):
    """A few years at a low level: every year is among the largest kept."""
    book = Portfolio(small_book, tables, shocks=make_shocks())
    full = book.simulate(40, seed=2)
    frame = book.marginal_tvar(book.simulate(40, seed=2, keep_policies=False), 0.05)
    expected = full.marginal_tvar(0.05)
    np.testing.assert_allclose(frame.to_numpy(), expected.to_numpy(), rtol=1e-11, atol=1e-6)


def test_marginal_tvar_refuses_another_books_result_and_a_bad_level(
    small_book, make_shocks, tables
):
    book = Portfolio(small_book, tables, shocks=make_shocks())
    other = Portfolio(small_book[:2], tables, shocks=make_shocks())
    with pytest.raises(ParameterError, match="result"):
        book.marginal_tvar(other.simulate(100, seed=1, keep_policies=False))
    with pytest.raises(ParameterError, match="result"):
        book.marginal_tvar("not a result")
    with pytest.raises(ParameterError, match="level"):
        book.marginal_tvar(book.simulate(100, seed=1, keep_policies=False), 0.0)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_the_year_loss_table_written_out_of_core_is_the_cube(
    small_book, make_shocks, tables, tmp_path, suffix
):
    """Every non-zero cell of the full cube, bit for bit, from a result without it; pieces
    smaller than a block and a partial last block."""
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    book = Portfolio(small_book, tables, shocks=make_shocks())
    n_years = BLOCK_YEARS + 77
    full = book.simulate(n_years, seed=8)
    lean = book.simulate(n_years, seed=8, keep_policies=False)
    path = book.write_year_loss_table(lean, tmp_path / f"ylt{suffix}", years_per_piece=5000)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    frame = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    assert list(frame.columns) == ["year", "policy", "line", "loss"]
    cube = np.zeros_like(full.annual)
    policy = pd.Index(full.policy_ids).get_indexer(frame["policy"].astype(str))
    line = pd.Index(LINES).get_indexer(frame["line"].astype(str))
    assert (policy >= 0).all() and (line >= 0).all()
    cube[frame["year"].to_numpy() - 1, policy, line] = frame["loss"].to_numpy()
    np.testing.assert_array_equal(cube, full.annual)
    assert (frame["loss"] != 0).all()
    assert frame["year"].is_monotonic_increasing
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        metadata = pq.read_schema(path).metadata
        assert metadata[b"xborder_risk.n_years"] == str(n_years).encode()
        assert metadata[b"xborder_risk.currency"] == book.currency.encode()


def test_the_year_loss_table_writer_refuses_bad_requests(small_book, make_shocks, tables, tmp_path):
    book = Portfolio(small_book, tables, shocks=make_shocks())
    lean = book.simulate(100, seed=1, keep_policies=False)
    with pytest.raises(ParameterError, match="path"):
        book.write_year_loss_table(lean, tmp_path / "ylt.xlsx")
    with pytest.raises(ParameterError, match="years_per_piece"):
        book.write_year_loss_table(lean, tmp_path / "ylt.csv", years_per_piece=0)
    other = Portfolio(small_book[:2], tables, shocks=make_shocks())
    with pytest.raises(ParameterError, match="result"):
        book.write_year_loss_table(other.simulate(100, seed=1), tmp_path / "ylt.csv")
    assert list(tmp_path.iterdir()) == []


def test_a_replay_above_the_memory_limit_is_refused_before_simulating(
    small_book, make_shocks, tables
):
    from xborder_risk.errors import SimulationSizeError

    book = Portfolio(small_book, tables, shocks=make_shocks())
    lean = book.simulate(5000, seed=1, keep_policies=False)
    with pytest.raises(SimulationSizeError, match=r"Portfolio\.marginal_tvar: level=0\.5"):
        book.marginal_tvar(lean, 0.5, max_memory_bytes=100_000)
    with pytest.raises(SimulationSizeError, match=r"Portfolio\.tail_contributions"):
        book.tail_contributions(lean, 0.5, max_memory_bytes=100_000)
    with pytest.raises(ParameterError, match="max_memory_bytes"):
        book.marginal_tvar(lean, 0.99, max_memory_bytes=-1)


def test_the_replays_report_progress_block_by_block(small_book, make_shocks, tables, tmp_path):
    book = Portfolio(small_book, tables, shocks=make_shocks())
    n_years = BLOCK_YEARS + 50
    lean = book.simulate(n_years, seed=6, keep_policies=False)
    calls: list[tuple[int, int]] = []
    book.marginal_tvar(lean, 0.99, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(BLOCK_YEARS, n_years), (n_years, n_years)]
    calls.clear()
    book.write_year_loss_table(
        lean, tmp_path / "ylt.csv", progress=lambda done, total: calls.append((done, total))
    )
    assert calls[-1] == (n_years, n_years)
    with pytest.raises(ParameterError, match="progress"):
        book.tail_contributions(lean, 0.99, progress="yes")
    with pytest.raises(ParameterError, match="progress"):
        book.write_year_loss_table(lean, tmp_path / "other.csv", progress=3)
    assert [p.name for p in tmp_path.iterdir()] == ["ylt.csv"]
