"""Occurrence tables: drawn from the engine's streams, they sum to the engine's annual losses."""

import numpy as np
import pytest

from xborder_risk.distributions import Gamma, Lognormal, NegativeBinomial, Pareto, Poisson
from xborder_risk.engine import BLOCK_YEARS, Layer, LossModel, simulate
from xborder_risk.engine.kernel import CLAIM_BATCH
from xborder_risk.errors import ParameterError, SimulationSizeError
from xborder_risk.reinsurance import OccurrenceTable, occurrences_from_models
from xborder_risk.reinsurance.occurrences import attribute_aggregate_terms

GROUND_UP = (
    LossModel("a", Poisson(lam=2.0), Lognormal(mu=9.0, sigma=1.2)),
    LossModel("b", NegativeBinomial(r=1.5, beta=0.8), Gamma(alpha=2.0, theta=3e4)),
    # >= 8 claims a year: long per-year sums, where a change of summation order would show.
    LossModel("c", Poisson(lam=12.0), Pareto(alpha=3.0, theta=1e4)),
)
N_YEARS = BLOCK_YEARS + 1_234  # two blocks, the second partial


def _per_line_sums(table, line, n_years):
    """Per-year sums of one line's rows added one after the other in table order (the
    engine's order, whatever the claim batches)."""
    rows = table.source == line
    years = table.year_index[rows]
    assert (np.diff(years) >= 0).all(), "a line's occurrences are stored year by year"
    return np.bincount(years, weights=table.loss[rows], minlength=n_years)


def test_ground_up_occurrences_reproduce_simulate_bit_for_bit():
    table = occurrences_from_models(GROUND_UP, N_YEARS, seed=2024)
    result = simulate(GROUND_UP, N_YEARS, seed=2024)
    for line in range(len(GROUND_UP)):
        np.testing.assert_array_equal(_per_line_sums(table, line, N_YEARS), result.annual[:, line])
        largest = np.zeros(N_YEARS)
        rows = table.source == line
        np.maximum.at(largest, table.year_index[rows], table.loss[rows])
        np.testing.assert_array_equal(largest, result.max_occurrence[:, line])
    np.testing.assert_allclose(table.annual(), result.total, rtol=1e-13, atol=0)


def test_claim_batches_are_drawn_as_the_engine_draws_them():
    """More than CLAIM_BATCH claims in one block: severities come in several batches."""
    lam = 1.5 * CLAIM_BATCH / BLOCK_YEARS
    model = LossModel("busy", Poisson(lam=lam), Lognormal(mu=0.0, sigma=0.5))
    table = occurrences_from_models(model, BLOCK_YEARS, seed=5)
    assert table.n_occurrences > CLAIM_BATCH
    result = simulate(model, BLOCK_YEARS, seed=5)
    # The engine's order: claims added one after the other within a batch of CLAIM_BATCH
    # claims, the batches' sums added batch after batch (a year may straddle two batches).
    expected = np.zeros(BLOCK_YEARS)
    for first in range(0, table.n_occurrences, CLAIM_BATCH):
        rows = slice(first, first + CLAIM_BATCH)
        expected += np.bincount(
            table.year_index[rows], weights=table.loss[rows], minlength=BLOCK_YEARS
        )
    np.testing.assert_array_equal(expected, result.annual[:, 0])
    np.testing.assert_allclose(_per_line_sums(table, 0, BLOCK_YEARS), expected, rtol=1e-15)


def test_occurrence_terms_and_aggregate_terms_sum_to_the_engine_annual_loss():
    layered = (
        LossModel(
            "cyber",
            NegativeBinomial(r=2.0, beta=0.4),
            Lognormal(mu=11.0, sigma=1.8),
            Layer(25_000, 2_000_000, aggregate_deductible=40_000, aggregate_limit=5e6, share=0.8),
        ),
        LossModel("tech", Poisson(lam=9.0), Gamma(alpha=2.0, theta=4e4), Layer(limit=9e4)),
    )
    table = occurrences_from_models(layered, N_YEARS, seed=77)
    result = simulate(layered, N_YEARS, seed=77)
    assert (table.loss > 0).all()
    for line in range(2):
        rows = table.source == line
        sums = np.bincount(table.year_index[rows], weights=table.loss[rows], minlength=N_YEARS)
        # The aggregate terms are attributed through running sums: equal up to rounding of
        # the block's running total.
        scale = result.annual[:, line].max()
        np.testing.assert_allclose(sums, result.annual[:, line], rtol=1e-12, atol=1e-12 * scale)
    np.testing.assert_allclose(
        table.annual(), result.total, rtol=1e-12, atol=1e-12 * result.total.max()
    )


def test_attribution_erodes_aggregate_terms_in_occurrence_order():
    """Hand example: D = 5, L = 12, share 0.5; year 0 claims 3, 4, 8; year 1 none; year 2: 20."""
    layer = Layer(aggregate_deductible=5.0, aggregate_limit=12.0, share=0.5)
    counts = np.array([3, 0, 1])
    payments = np.array([3.0, 4.0, 8.0, 20.0])
    # year 0: running 3, 7, 15 -> A = 0, 2, 10 -> 0, 2, 8; year 2: running 20 -> A = 12.
    expected = 0.5 * np.array([0.0, 2.0, 8.0, 12.0])
    np.testing.assert_array_equal(attribute_aggregate_terms(layer, counts, payments), expected)


def test_same_seed_same_table_and_seeds_differ():
    first = occurrences_from_models(GROUND_UP[:2], 5_000, seed=3)
    again = occurrences_from_models(GROUND_UP[:2], 5_000, seed=np.random.SeedSequence(3))
    other = occurrences_from_models(GROUND_UP[:2], 5_000, seed=4)
    np.testing.assert_array_equal(first.loss, again.loss)
    np.testing.assert_array_equal(first.year_index, again.year_index)
    assert first.loss.size != other.loss.size or not np.array_equal(first.loss, other.loss)


def test_table_methods():
    table = OccurrenceTable(year_index=[0, 2, 2, 4], loss=[1.0, 2.0, 5.0, 0.5], n_years=6)
    np.testing.assert_array_equal(table.annual(), [1.0, 0.0, 7.0, 0.0, 0.5, 0.0])
    np.testing.assert_array_equal(table.max_occurrence(), [1.0, 0.0, 5.0, 0.0, 0.5, 0.0])
    np.testing.assert_array_equal(table.count(), [1, 0, 2, 0, 1, 0])
    assert list(table.to_frame().columns) == ["year", "loss"]
    with pytest.raises(ValueError):
        table.loss[0] = 3.0
    empty = OccurrenceTable(year_index=np.zeros(0, dtype=int), loss=np.zeros(0), n_years=3)
    np.testing.assert_array_equal(empty.annual(), np.zeros(3))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"year_index": [0, 1], "loss": [1.0, -1.0], "n_years": 2}, "loss"),
        ({"year_index": [0, 1], "loss": [1.0, np.nan], "n_years": 2}, "loss"),
        ({"year_index": [0, 1], "loss": [1.0, np.inf], "n_years": 2}, "loss"),
        ({"year_index": [0, 2], "loss": [1.0, 1.0], "n_years": 2}, "year_index"),
        ({"year_index": [-1, 0], "loss": [1.0, 1.0], "n_years": 2}, "year_index"),
        ({"year_index": [0.0, 1.0], "loss": [1.0, 1.0], "n_years": 2}, "year_index"),
        ({"year_index": [0, 1], "loss": [1.0], "n_years": 2}, "loss"),
        ({"year_index": [[0, 1]], "loss": [1.0, 1.0], "n_years": 2}, "year_index"),
        ({"year_index": [0], "loss": [1.0], "n_years": 0}, "n_years"),
        ({"year_index": [0], "loss": [1.0], "n_years": True}, "n_years"),
        ({"year_index": [0], "loss": [1.0], "n_years": 2, "source": [0, 1]}, "source"),
    ],
)
def test_bad_tables_are_rejected_naming_the_field(kwargs, field):
    with pytest.raises(ParameterError, match=f"'{field}'"):
        OccurrenceTable(**kwargs)


def test_bad_arguments_are_rejected():
    with pytest.raises(ParameterError, match="'models'"):
        occurrences_from_models([], 10, seed=1)
    with pytest.raises(ParameterError, match="'models'"):
        occurrences_from_models([GROUND_UP[0], GROUND_UP[0]], 10, seed=1)
    with pytest.raises(ParameterError, match="'n_years'"):
        occurrences_from_models(GROUND_UP[0], 0, seed=1)
    with pytest.raises(ParameterError, match="'seed'"):
        occurrences_from_models(GROUND_UP[0], 10, seed=-1)


def test_oversize_request_is_refused_before_drawing():
    with pytest.raises(SimulationSizeError, match="max_memory_bytes"):
        occurrences_from_models(GROUND_UP, 10**6, seed=1, max_memory_bytes=10**6)


@pytest.mark.parametrize("stream_keys", ["name", "position"])
def test_a_line_keyed_as_simulate_keys_it_gives_its_annual_losses_in_any_order(stream_keys):
    """The same line, keyed the same way (by name by default), gives simulate's years."""
    reordered = (GROUND_UP[2], GROUND_UP[0])
    table = occurrences_from_models(reordered, N_YEARS, seed=77, stream_keys=stream_keys)
    result = simulate(reordered, N_YEARS, seed=77, stream_keys=stream_keys)
    for line in range(len(reordered)):
        np.testing.assert_array_equal(_per_line_sums(table, line, N_YEARS), result.annual[:, line])
    if stream_keys == "name":  # and line "c" draws the same wherever it stands
        full = simulate(GROUND_UP, N_YEARS, seed=77)
        np.testing.assert_array_equal(_per_line_sums(table, 0, N_YEARS), full.annual[:, 2])
