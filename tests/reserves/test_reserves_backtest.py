"""Back-testing on synthetic books (issue 14 item 5)."""

from __future__ import annotations

import numpy as np
import pytest

from xborder_risk.engine import SimulationResult
from xborder_risk.errors import ParameterError
from xborder_risk.rating import RatingTables
from xborder_risk.reserves import (
    BornhuetterFerguson,
    Chainladder,
    PaymentPattern,
    backtest,
    synthetic_claims,
)


def year_losses(n_years: int = 400, seed: int = 1) -> SimulationResult:
    rng = np.random.default_rng(seed)
    annual = rng.gamma(20.0, 50_000.0, size=(n_years, 1))  # mean 1,000,000 a year
    return SimulationResult(
        lines=("operational_liability",),
        annual=annual,
        max_occurrence=annual.copy(),
        total=annual[:, 0].copy(),
        seed_sequence=np.random.SeedSequence(seed),
        block_years=100,
    )


@pytest.fixture(scope="module")
def pattern() -> PaymentPattern:
    return PaymentPattern.from_frame(RatingTables.load().patterns, "operational_liability")


def test_synthetic_book_develops_to_the_simulated_losses(pattern: PaymentPattern) -> None:
    result = year_losses()
    book = synthetic_claims(result, "operational_liability", pattern, n_origin=6, book=2)
    np.testing.assert_allclose(book.ultimate.to_numpy(), result.annual[12:18, 0])
    totals = book.claims.groupby(book.claims["accident_date"].dt.year)["paid"].sum()
    np.testing.assert_allclose(totals.to_numpy(), book.ultimate.to_numpy())
    incurred = book.claims["paid"] + book.claims["case"]
    np.testing.assert_allclose(incurred.sum(), book.ultimate.sum())
    tri = book.triangle()
    assert tri.shape == (6, 6)
    assert tri.origin == tuple(range(2015, 2021))
    # without noise the paid triangle follows the pattern exactly
    exact = synthetic_claims(
        result, "operational_liability", pattern, n_origin=6, development_cv=0.0
    ).triangle()
    months = 12.0 * np.arange(1, 7)
    np.testing.assert_allclose(
        exact.values[0], result.annual[0, 0] * pattern.paid_at(months), rtol=1e-12
    )


def test_chain_ladder_is_unbiased_where_the_pattern_is_inside_the_triangle(
    pattern: PaymentPattern,
) -> None:
    n_origin = int(np.ceil(pattern.fully_developed_months / 12.0))
    run = backtest(
        year_losses(),
        "operational_liability",
        pattern,
        lambda t: Chainladder().fit(t).ultimate_,
        n_books=12,
        n_origin=n_origin,
    )
    summary = run.summary()
    assert summary["n_books"] == 12
    assert abs(summary["relative_bias"]) < 0.05
    assert summary["actual_over_expected"] == pytest.approx(1.0, abs=0.1)
    # BF with the true mean as its prior is unbiased too; its error carries the year-to-year
    # variance of the losses (CV 22 %) that the chain ladder reads off the paid to date
    bf = backtest(
        year_losses(),
        "operational_liability",
        pattern,
        lambda t: BornhuetterFerguson().fit(t, apriori=1_000_000.0).ultimate_,
        n_books=12,
        n_origin=n_origin,
    )
    assert abs(bf.summary()["relative_bias"]) < 0.1
    assert bf.summary()["std_error"] > summary["std_error"]


def test_bad_arguments(pattern: PaymentPattern) -> None:
    with pytest.raises(ParameterError, match="book"):
        synthetic_claims(year_losses(20), "operational_liability", pattern, n_origin=10, book=2)
    with pytest.raises(ParameterError, match="line"):
        synthetic_claims(year_losses(), "cyber", pattern)
    with pytest.raises(ParameterError, match="basis"):
        backtest(year_losses(), "operational_liability", pattern, lambda t: t, basis="count")
