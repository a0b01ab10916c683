"""Copulas between the lines of a book (issue 16 item 4): exact marginals, ranks that follow
the copula, a heavier tail than independence, occurrences for a per-occurrence XL, and the
same bits for any chunk size and any number of workers."""

import numpy as np
import pytest
from scipy import stats

from xborder_risk import measures
from xborder_risk.engine import BLOCK_YEARS, GaussianCopula, StudentTCopula
from xborder_risk.engine.rng import block_bounds
from xborder_risk.errors import ParameterError
from xborder_risk.exposure import LINES
from xborder_risk.portfolio import CommonShocks, Portfolio
from xborder_risk.reinsurance import ExcessOfLoss

CYBER = LINES.index("cyber")
OL = LINES.index("operational_liability")


def _equicorrelation(rho: float) -> np.ndarray:
    matrix = np.full((len(LINES), len(LINES)), rho)
    np.fill_diagonal(matrix, 1.0)
    return matrix


def test_same_bits_for_any_chunk_and_workers(small_book, make_shocks, tables):
    book = Portfolio(
        small_book,
        tables,
        shocks=make_shocks(),
        dependence=StudentTCopula(_equicorrelation(0.5), df=4.0),
        between_policies=0.6,
    )
    n_years = BLOCK_YEARS + 321  # two blocks, the last partial
    whole = book.simulate(n_years, seed=7, keep_occurrences=True, workers=1)
    other = book.simulate(n_years, seed=7, keep_occurrences=True, chunk_years=1, workers=2)
    lean = book.simulate(n_years, seed=7, keep_policies=False, workers=2)
    for name in ("annual", "max_occurrence", "max_event", "by_country", "events", "total"):
        np.testing.assert_array_equal(getattr(whole, name), getattr(other, name), err_msg=name)
    np.testing.assert_array_equal(whole.total, lean.total)
    np.testing.assert_array_equal(whole.line_annual(), lean.line_annual())
    for field in ("year_index", "loss", "source"):
        np.testing.assert_array_equal(
            getattr(whole.occurrences, field), getattr(other.occurrences, field)
        )


@pytest.mark.parametrize("between", [1.0, 0.3])
def test_each_policy_line_keeps_its_losses_within_every_block(small_book, tables, between):
    """Without shocks a copula only permutes each policy line's years within a block."""
    n_years = BLOCK_YEARS + 2000
    independent = Portfolio(small_book, tables, shocks=CommonShocks.none()).simulate(
        n_years, seed=3
    )
    dependent = Portfolio(
        small_book,
        tables,
        shocks=CommonShocks.none(),
        dependence=GaussianCopula(_equicorrelation(0.7)),
        between_policies=between,
    ).simulate(n_years, seed=3)
    assert not np.array_equal(independent.annual, dependent.annual)
    for start, stop in block_bounds(n_years):
        np.testing.assert_array_equal(
            np.sort(independent.annual[start:stop], axis=0),
            np.sort(dependent.annual[start:stop], axis=0),
        )


def test_line_ranks_follow_the_copula_and_the_tail_grows(small_book, tables):
    """With the correlation common to all policies (between_policies=1) each line's total is a
    nondecreasing function of its copula score, so the Spearman rho of two line totals is the
    copula's rho seen through their (tied) margins: Spearman of (Q1(U1), Q2(U2)) for U from
    the copula and Q the lines' empirical quantile functions, computed on an independent
    copula sample of the same size. Tolerance 0.03, about 5 standard errors at 40,000 years.
    """
    n_years = 40_000
    copula = GaussianCopula(_equicorrelation(0.6))
    kwargs = {"shocks": CommonShocks.none()}
    dependent = Portfolio(small_book, tables, dependence=copula, **kwargs).simulate(n_years, seed=5)
    independent = Portfolio(small_book, tables, **kwargs).simulate(n_years, seed=5)
    lines = dependent.line_annual()
    u = stats.norm.cdf(copula.scores(np.random.default_rng(2026), n_years))
    rank = np.minimum((u * n_years).astype(np.intp), n_years - 1)
    expected = np.column_stack([np.sort(lines[:, j])[rank[:, j]] for j in range(len(LINES))])
    for a, b in [(CYBER, OL), (LINES.index("political_risk"), OL)]:
        achieved = stats.spearmanr(lines[:, a], lines[:, b]).statistic
        target = stats.spearmanr(expected[:, a], expected[:, b]).statistic
        assert achieved == pytest.approx(target, abs=0.03), (a, b)
        assert target > 0.1
        assert abs(stats.spearmanr(independent.line_annual()[:, [a, b]]).statistic) < 0.03
    # the same expected losses, a heavier tail
    np.testing.assert_allclose(lines.mean(axis=0), independent.line_annual().mean(axis=0))
    assert measures.tvar(dependent.total, 0.99) > 1.3 * measures.tvar(independent.total, 0.99)


def test_per_occurrence_xl_on_dependent_lines(small_book, make_shocks, tables):
    kwargs = {"shocks": make_shocks()}
    dependent = Portfolio(
        small_book, tables, dependence=GaussianCopula(_equicorrelation(0.8)), **kwargs
    ).simulate(20_000, seed=14, keep_occurrences=True)
    independent = Portfolio(small_book, tables, **kwargs).simulate(
        20_000, seed=14, keep_occurrences=True
    )
    for result in (dependent, independent):
        np.testing.assert_allclose(
            result.occurrences.annual(), result.total, rtol=1e-11, atol=1e-9 * result.total.max()
        )
    xl = ExcessOfLoss(1e6, 4e6, reinstatements=1, reinstatement_premium_rates=(1.0,))
    ceded_dep = xl.apply(dependent.occurrences)
    ceded_ind = xl.apply(independent.occurrences)
    # one aggregate limit of 8M over two occurrences: when claims bunch in the same years the
    # reinstatements run out, so the expected ceded loss can only fall
    assert ceded_dep.expected_ceded_loss <= ceded_ind.expected_ceded_loss * 1.02
    assert measures.tvar(dependent.total, 0.99) > measures.tvar(independent.total, 0.99)


def test_dependence_is_validated(small_book, tables):
    with pytest.raises(ParameterError, match="dependence"):
        Portfolio(small_book, tables, dependence=GaussianCopula(np.eye(2)))
    with pytest.raises(ParameterError, match="dependence"):
        Portfolio(small_book, tables, dependence=np.eye(len(LINES)))
    for bad in (-0.1, 1.5, float("nan"), True):
        with pytest.raises(ParameterError, match="between_policies"):
            Portfolio(small_book, tables, between_policies=bad)
