"""The engine's run loop and claim loop: one of each, shared by everything that simulates."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from xborder_risk.distributions import Lognormal, Poisson
from xborder_risk.engine import BLOCK_YEARS, Layer, LossModel, simulate
from xborder_risk.engine.claims import draw_line_block
from xborder_risk.engine.rng import block_generator
from xborder_risk.engine.runner import ChunkRun, block_chunks, run_chunks, run_options
from xborder_risk.errors import ParameterError

PACKAGE = Path(__file__).resolve().parents[2] / "xborder_risk"
MODEL = LossModel(
    "standard",
    Poisson(lam=3.0),
    Lognormal(mu=10.0, sigma=1.5),
    Layer(deductible=10_000, limit=1_000_000, aggregate_limit=5_000_000),
)


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function (lazy imports too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_distributed_is_plain_dask_plumbing():
    imported = _imported_modules(PACKAGE / "engine" / "distributed.py")
    assert not {name for name in imported if name.startswith("xborder_risk.engine")}
    assert not {name for name in imported if name.startswith("xborder_risk.portfolio")}


@pytest.mark.parametrize(
    "path", ["engine/kernel.py", "reinsurance/occurrences.py", "portfolio/_kernel.py"]
)
def test_everything_that_draws_claims_uses_the_one_claim_loop(path):
    source = (PACKAGE / path).read_text()
    assert "from xborder_risk.engine.claims import" in source
    assert "draw_line_block(" in source or "draw_line_sparse(" in source
    # no second copy of the loop: the severities are drawn only in engine/claims.py
    assert "severity.sample(" not in source


@pytest.mark.parametrize(
    "path", ["engine/kernel.py", "portfolio/book.py", "reinsurance/occurrences.py"]
)
def test_everything_that_simulates_years_shares_the_run_loop(path):
    source = (PACKAGE / path).read_text()
    assert "run_chunks(options, run)" in source
    assert "submit_chunks" not in source and "block_chunks" not in source


def test_claim_loop_writes_into_given_arrays_exactly_as_into_new_ones():
    n = 5000
    fresh = draw_line_block(MODEL, block_generator(np.random.SeedSequence(3), 0, 0), n)
    sums, largest = np.full(n, np.nan), np.full(n, np.nan)
    placed = draw_line_block(
        MODEL,
        block_generator(np.random.SeedSequence(3), 0, 0),
        n,
        keep_payments=True,
        claim_sums=sums,
        largest=largest,
    )
    assert placed.claim_sums is sums and placed.largest is largest
    np.testing.assert_array_equal(sums, fresh.claim_sums)
    np.testing.assert_array_equal(largest, fresh.largest)
    np.testing.assert_array_equal(placed.counts, fresh.counts)
    assert placed.payments is not None and placed.payments.size == fresh.counts.sum()
    assert fresh.payments is None


def test_chunks_are_runs_of_whole_blocks():
    assert block_chunks(5, None) == [range(0, 5)]
    assert block_chunks(5, 1) == [range(i, i + 1) for i in range(5)]
    assert block_chunks(5, 2 * BLOCK_YEARS + 7) == [range(0, 2), range(2, 4), range(4, 5)]


def test_local_run_reports_progress_after_each_chunk_and_writes_in_place():
    n_years = 3 * BLOCK_YEARS + 10
    calls: list[tuple[int, int]] = []
    seen: list[tuple[range, slice, bool]] = []
    rows = np.zeros(n_years)

    def kernel(shared, blocks, scale, out=None):
        assert shared == "book"
        out[:] = scale * (blocks.start + 1)
        return "done"

    def store(blocks, years, result, in_place):
        assert result == "done"
        seen.append((blocks, years, in_place))

    options = run_options(
        "test", n_years, 2 * BLOCK_YEARS, "local", None, lambda a, b: calls.append((a, b)), None
    )
    chunks = run_chunks(options, ChunkRun(kernel, "book", (10.0,), lambda y: rows[y], store))
    assert chunks == [range(0, 2), range(2, 4)]
    assert seen == [
        (range(0, 2), slice(0, 2 * BLOCK_YEARS), True),
        (range(2, 4), slice(2 * BLOCK_YEARS, n_years), True),
    ]
    assert calls == [(2 * BLOCK_YEARS, n_years), (n_years, n_years)]
    np.testing.assert_array_equal(rows[: 2 * BLOCK_YEARS], 10.0)
    np.testing.assert_array_equal(rows[2 * BLOCK_YEARS :], 30.0)


def test_run_options_are_validated_with_the_field_named():
    for kwargs, name in [
        ({"n_years": 0}, "n_years"),
        ({"chunk_years": 0}, "chunk_years"),
        ({"backend": "spark"}, "backend"),
        ({"client": object()}, "client"),
        ({"progress": 3}, "progress"),
        ({"max_memory_bytes": 0}, "max_memory_bytes"),
    ]:
        arguments = {
            "n_years": 10,
            "chunk_years": None,
            "backend": "local",
            "client": None,
            "progress": None,
            "max_memory_bytes": None,
        }
        arguments.update(kwargs)
        with pytest.raises(ParameterError) as info:
            run_options("simulate", **arguments)
        assert info.value.name == name


def test_simulate_refuses_a_progress_that_is_not_callable():
    with pytest.raises(ParameterError, match="progress"):
        simulate(MODEL, 10, seed=1, progress="yes")  # type: ignore[arg-type]
