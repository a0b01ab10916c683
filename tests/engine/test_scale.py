"""Issue 16: local threads (bit-identical for any workers) and the Poisson claim scatter."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from scipy import stats

from xborder_risk.distributions import Gamma, Lognormal, NegativeBinomial, Poisson
from xborder_risk.engine import BLOCK_YEARS, GaussianCopula, Layer, LossModel, simulate
from xborder_risk.engine.claims import claim_years, draw_line_block, draw_line_sparse
from xborder_risk.engine.results import SimulationResult
from xborder_risk.engine.rng import block_generator
from xborder_risk.engine.runner import WORKERS_ENV, ChunkRun, run_chunks, run_options
from xborder_risk.errors import ParameterError
from xborder_risk.exact import aggregate_distribution

RARE = LossModel("rare", Poisson(lam=0.003), Gamma(alpha=2.0, theta=50_000.0), Layer(limit=9e4))
STANDARD = LossModel(
    "standard",
    Poisson(lam=3.0),
    Lognormal(mu=10.0, sigma=1.5),
    Layer(deductible=10_000, limit=1_000_000, aggregate_limit=5_000_000),
)
MIXED = LossModel("mixed", NegativeBinomial(r=0.5, beta=0.2), Gamma(alpha=1.5, theta=1e4))


_REQUEST = {
    "models": [STANDARD, RARE, MIXED],
    "n_years": 3 * BLOCK_YEARS + 71,
    "seed": 8,
    "dependence": GaussianCopula([[1.0, 0.5, 0.2], [0.5, 1.0, 0.1], [0.2, 0.1, 1.0]]),
}


@functools.cache
def _one_thread() -> SimulationResult:
    return simulate(**_REQUEST, workers=1)


@pytest.mark.parametrize(("workers", "chunk_years"), [(2, None), (3, 1), (2, 2 * BLOCK_YEARS)])
def test_simulate_is_bit_identical_for_any_workers_and_chunks(workers, chunk_years):
    reference = _one_thread()
    result = simulate(**_REQUEST, workers=workers, chunk_years=chunk_years)
    np.testing.assert_array_equal(reference.annual, result.annual)
    np.testing.assert_array_equal(reference.max_occurrence, result.max_occurrence)
    np.testing.assert_array_equal(reference.total, result.total)


def test_portfolio_is_bit_identical_for_any_workers():
    from xborder_risk.portfolio import Portfolio, synthetic_book

    book = Portfolio(synthetic_book(3, seed=5))
    one = book.simulate(BLOCK_YEARS + 9, seed=4, keep_occurrences=True, workers=1)
    two = book.simulate(BLOCK_YEARS + 9, seed=4, keep_occurrences=True, workers=2)
    for name in ("annual", "max_occurrence", "max_event", "by_country", "events"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))
    assert one.occurrences is not None and two.occurrences is not None
    np.testing.assert_array_equal(one.occurrences.year_index, two.occurrences.year_index)
    np.testing.assert_array_equal(one.occurrences.loss, two.occurrences.loss)
    np.testing.assert_array_equal(one.occurrences.source, two.occurrences.source)


def test_threads_store_and_report_progress_in_block_order():
    n_years = 4 * BLOCK_YEARS + 3
    rows = np.zeros(n_years)
    seen: list[range] = []
    calls: list[int] = []

    def kernel(shared, blocks, out=None):
        out[:] = blocks.start + 1
        return blocks.start

    def store(blocks, years, result, in_place):
        assert in_place and result == blocks.start
        seen.append(blocks)

    options = run_options(
        "test", n_years, None, "local", None, lambda done, n: calls.append(done), None, None, 3
    )
    chunks = run_chunks(options, ChunkRun(kernel, None, (), lambda y: rows[y], store))
    assert chunks == [range(b, b + 1) for b in range(5)] == seen
    assert calls == [BLOCK_YEARS * (b + 1) for b in range(4)] + [n_years]
    np.testing.assert_array_equal(rows[-3:], 5.0)


def test_a_failing_block_raises_from_the_threads():
    def kernel(shared, blocks, out=None):
        if blocks.start == 1:
            raise RuntimeError("block 1 failed")

    options = run_options("test", 3 * BLOCK_YEARS, None, "local", None, None, None, None, 2)
    with pytest.raises(RuntimeError, match="block 1 failed"):
        run_chunks(options, ChunkRun(kernel, None, (), lambda y: None, lambda *a: None))


def test_workers_are_validated_with_the_field_named(monkeypatch):
    for bad in (0, -1, 1.5, "2", True):
        with pytest.raises(ParameterError) as info:
            simulate(RARE, 10, seed=1, workers=bad)
        assert info.value.name == "workers"
    with pytest.raises(ParameterError) as info:
        run_options("simulate", 10, None, "dask", None, None, None, None, 2)
    assert info.value.name == "workers"
    monkeypatch.setenv(WORKERS_ENV, "3")
    assert run_options("simulate", 10, None, "local", None, None, None).workers == 3
    monkeypatch.setenv(WORKERS_ENV, "none")
    with pytest.raises(ParameterError) as info:
        run_options("simulate", 10, None, "local", None, None, None)
    assert info.value.name == WORKERS_ENV


RARE_MIXED = LossModel(
    "rare_mixed", NegativeBinomial(r=0.02, beta=0.5), Gamma(alpha=1.5, theta=1e4)
)


@pytest.mark.parametrize("model", [RARE, STANDARD, MIXED, RARE_MIXED], ids=lambda m: m.name)
def test_sparse_draw_is_the_dense_draw_at_the_years_with_a_claim(model):
    n = BLOCK_YEARS
    dense = draw_line_block(model, np.random.default_rng(4), n, keep_payments=True)
    sparse = draw_line_sparse(model, np.random.default_rng(4), n, keep_payments=True)
    np.testing.assert_array_equal(sparse.years, np.flatnonzero(dense.counts))
    np.testing.assert_array_equal(sparse.counts, dense.counts[sparse.years])
    np.testing.assert_array_equal(sparse.claim_sums, dense.claim_sums[sparse.years])
    np.testing.assert_array_equal(sparse.largest, dense.largest[sparse.years])
    np.testing.assert_array_equal(sparse.payments, dense.payments)
    assert not dense.claim_sums[dense.counts == 0].any()


@pytest.mark.parametrize(
    "frequency",
    [
        Poisson(lam=0.003),
        Poisson(lam=0.4),
        Poisson(lam=3.0),
        NegativeBinomial(r=0.3, beta=0.1),  # a claim in 2.8 % of years: only those drawn
        NegativeBinomial(r=2.0, beta=0.4),  # every year's count
    ],
    ids=repr,
)
def test_claim_counts_are_independent_years_of_the_frequency(frequency):
    """Every way of drawing the counts (a Poisson scatter sorted or counted; a rare negative
    binomial's claim years only; a count a year) against the frequency's law: a chi-square
    test of each year's count, and no correlation between neighbouring years."""
    model = LossModel("p", frequency, Gamma(alpha=2.0, theta=1.0))
    n = BLOCK_YEARS
    root = np.random.SeedSequence(3)
    counts = np.concatenate(
        [
            np.bincount(claim_years(model, block_generator(root, b, 0), n), minlength=n)
            for b in range(12)
        ]
    )
    top = max(1, int(frequency.ppf(1 - 1e-4)))
    observed = np.bincount(np.minimum(counts, top), minlength=top + 1)
    expected = np.asarray(frequency.pmf(np.arange(top + 1)), dtype=float) * counts.size
    expected[top] = (1.0 - float(frequency.cdf(top - 1))) * counts.size
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    assert chi2 < stats.chi2.ppf(1 - 1e-4, top), (chi2, top)
    lag = np.corrcoef(counts[:-1], counts[1:])[0, 1]
    assert abs(lag) < 4.5 / math.sqrt(counts.size)


def test_rare_line_annual_losses_match_the_exact_distribution():
    """A claim once in 333 years: the simulated annual distribution against the FFT one."""
    x = simulate(RARE, 2_000_000, seed=12).annual[:, 0]
    exact = aggregate_distribution(RARE)
    step = float(exact.x[1] - exact.x[0])
    for threshold in (1.0, 5e4, 9e4 + 1.0):
        # the grid moves mass by at most half a step per claim: bracket by two steps
        low = 1.0 - float(exact.cdf(threshold + 2 * step))
        high = 1.0 - float(exact.cdf(threshold - 2 * step))
        error = 4.5 * math.sqrt(high * (1 - low) / x.size)
        assert low - error < (x >= threshold).mean() < high + error, threshold
    assert abs(x.mean() - exact.mean()) < 4.5 * x.std() / math.sqrt(x.size) + step


def test_a_book_without_its_policies_gives_the_same_totals_bit_for_bit():
    from xborder_risk.portfolio import Portfolio, synthetic_book

    book = Portfolio(synthetic_book(5, seed=8))
    full = book.simulate(4_000, seed=6, keep_occurrences=True)
    slim = book.simulate(4_000, seed=6, keep_occurrences=True, keep_policies=False)
    assert slim.annual is None
    np.testing.assert_array_equal(full.total, slim.total)
    np.testing.assert_array_equal(full.line_annual(), slim.line_annual())
    for name in ("max_occurrence", "max_event", "by_country", "events"):
        np.testing.assert_array_equal(getattr(full, name), getattr(slim, name))
    assert slim.occurrences is not None and full.occurrences is not None
    np.testing.assert_array_equal(full.occurrences.loss, slim.occurrences.loss)
    assert full.summary().equals(slim.summary())
    assert full.accumulation().equals(slim.accumulation())
    for method in ("policy_annual", "marginal_tvar", "to_frame"):
        with pytest.raises(ParameterError) as info:
            getattr(slim, method)()
        assert info.value.name == "keep_policies"
    with pytest.raises(ParameterError) as info:
        book.simulate(10, seed=1, keep_policies="no")
    assert info.value.name == "keep_policies"
