"""Golden SHA-256 hashes of year-loss tables, recorded before the engine's loops were merged.

Issue 10 item 3 moved the claim loop and the run loop into one place (``engine/claims.py``,
``engine/runner.py``) and the aggregate arithmetic into ``Layer``: no simulated number may
change.  The hashes below were computed on the code *before* that refactor (commit 1757447)
and must stay equal: every array is hashed with its dtype, shape and bytes (C order), so a
single flipped bit anywhere in a table fails the test.

Issue 17 item 2 keyed each line's random stream by its name instead of its position: the
cases below run with ``stream_keys="position"`` and keep the hashes recorded before that change
(so the only change of the engine's numbers is the keying), and the ``*_by_name`` cases hold the
hashes of the name-keyed streams, recorded when the keying changed. The portfolio has no
position keying any more: its hashes were recorded again then (a policy's lines drawn as
``simulate`` draws them by name, ``tests/portfolio``).

Issue 13 item 3 removed the claim-count credibility of operational liability (the rated
models of the example and of the synthetic book changed, not the engine): ``one_quote``,
``one_quote_by_name``, ``portfolio_book`` and ``portfolio_book_chunked`` were recorded again.
Issue 16 item 2 drew a Poisson line's claims as the block's total scattered uniformly over
its years, and a rare negative binomial or binomial line's claim years only (both exact in
distribution): the name-keyed and portfolio cases were recorded again then. Merging the
recalibrated lines (issues 11-13, 19) changed the rated models of the example and of the
synthetic book (not the engine): ``one_quote*`` and ``portfolio_book*`` were recorded again.
Public-sector fine rules per jurisdiction (issue 12 item 1) changed the cyber model of the
book's agencies (not the engine): ``portfolio_book*`` were recorded again.
The position-keyed cases draw a count for every year as before (the streams of the old records) and
kept the hashes recorded before issue 17, the check that nothing else moved.

To see the current hashes: ``python -m tests.engine.test_bit_identity_golden``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from xborder_risk.distributions import Gamma, Lognormal, NegativeBinomial, Pareto, Poisson
from xborder_risk.engine import (
    BLOCK_YEARS,
    GaussianCopula,
    Layer,
    LossModel,
    StudentTCopula,
    simulate,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "submissions"

STANDARD = LossModel(
    "standard",
    Poisson(lam=3.0),
    Lognormal(mu=10.0, sigma=1.5),
    Layer(deductible=10_000, limit=1_000_000, aggregate_limit=5_000_000),
)
CYBER = LossModel(
    "cyber",
    NegativeBinomial(r=2.0, beta=0.4),
    Lognormal(mu=11.0, sigma=1.8),
    Layer(
        deductible=25_000,
        limit=2_000_000,
        aggregate_deductible=40_000,
        aggregate_limit=5_000_000,
        share=0.8,
    ),
)
TECH = LossModel("tech_failure", Poisson(lam=1.5), Gamma(alpha=2.0, theta=40_000.0))
HEAVY = LossModel(
    "heavy",
    Poisson(lam=0.7),
    Pareto(alpha=2.5, theta=300_000.0),
    Layer(limit=5e6, aggregate_deductible=1e5, aggregate_limit=1.2e7, share=0.5),
)
# 20 claims a year: 1.3 million claims a block, more than one severity batch (CLAIM_BATCH).
BATCHED = LossModel(
    "batched",
    Poisson(lam=20.0),
    Lognormal(mu=8.0, sigma=1.2),
    Layer(deductible=500.0, limit=2e4, aggregate_deductible=1e4, aggregate_limit=3e5, share=0.9),
)

N_YEARS = 2 * BLOCK_YEARS + 1234  # three blocks, the last one partial


def digest(*arrays: NDArray[np.generic] | None) -> str:
    """SHA-256 of the arrays' dtypes, shapes and C-order bytes, one after the other."""
    h = hashlib.sha256()
    for array in arrays:
        if array is None:
            h.update(b"None")
            continue
        a = np.ascontiguousarray(array)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _engine(
    models: list[LossModel],
    n_years: int,
    seed: object,
    stream_keys: str = "position",
    **kwargs: object,
) -> str:
    result = simulate(
        models,
        n_years,
        seed=seed,  # type: ignore[arg-type]
        stream_keys=stream_keys,
        **kwargs,  # type: ignore[arg-type]
    )
    return digest(result.annual, result.max_occurrence, result.total)


def engine_standard() -> str:
    return _engine([STANDARD], N_YEARS, 20260)


def engine_standard_chunked() -> str:
    # the same table as engine_standard: chunking never changes a result
    return _engine([STANDARD], N_YEARS, 20260, chunk_years=BLOCK_YEARS)


def engine_three_lines() -> str:
    return _engine([CYBER, TECH, HEAVY], N_YEARS, np.random.SeedSequence(7, spawn_key=(3,)))


def engine_gaussian_copula() -> str:
    corr = [[1.0, 0.6, 0.3], [0.6, 1.0, 0.2], [0.3, 0.2, 1.0]]
    return _engine([CYBER, TECH, HEAVY], N_YEARS, 99, dependence=GaussianCopula(corr))


def engine_student_copula() -> str:
    corr = [[1.0, -0.4], [-0.4, 1.0]]
    copula = StudentTCopula(corr, df=4.0)
    return _engine([STANDARD, CYBER], N_YEARS, 5, dependence=copula, chunk_years=BLOCK_YEARS)


def engine_batched() -> str:
    return _engine([BATCHED, TECH], BLOCK_YEARS + 17, 3)


def engine_standard_by_name() -> str:
    return _engine([STANDARD], N_YEARS, 20260, stream_keys="name")


def engine_three_lines_by_name() -> str:
    seed = np.random.SeedSequence(7, spawn_key=(3,))
    return _engine([CYBER, TECH, HEAVY], N_YEARS, seed, stream_keys="name")


def engine_gaussian_copula_by_name() -> str:
    corr = [[1.0, 0.6, 0.3], [0.6, 1.0, 0.2], [0.3, 0.2, 1.0]]
    copula = GaussianCopula(corr)
    return _engine([CYBER, TECH, HEAVY], N_YEARS, 99, stream_keys="name", dependence=copula)


def engine_batched_by_name() -> str:
    return _engine([BATCHED, TECH], BLOCK_YEARS + 17, 3, stream_keys="name")


def _occurrences(models: list[LossModel], n_years: int, seed: int, stream_keys: str) -> str:
    from xborder_risk.reinsurance import occurrences_from_models

    table = occurrences_from_models(models, n_years, seed, stream_keys=stream_keys)
    return digest(table.year_index, table.loss, table.source, table.annual())


def occurrences_table() -> str:
    return _occurrences([CYBER, HEAVY, STANDARD], N_YEARS, 31, "position")


def occurrences_table_by_name() -> str:
    return _occurrences([CYBER, HEAVY, STANDARD], N_YEARS, 31, "name")


def occurrences_batched() -> str:
    from xborder_risk.reinsurance import occurrences_from_models

    table = occurrences_from_models([BATCHED], BLOCK_YEARS + 17, 4, stream_keys="position")
    return digest(table.year_index, table.loss, table.source)


def portfolio_book() -> str:
    from xborder_risk.portfolio import Portfolio, synthetic_book

    book = Portfolio(synthetic_book(6, seed=2))
    result = book.simulate(BLOCK_YEARS + 555, seed=17, keep_occurrences=True)
    table = result.occurrences
    assert table is not None
    return digest(
        result.annual,
        result.max_occurrence,
        result.max_event,
        result.by_country,
        result.events,
        table.year_index,
        table.loss,
        table.source,
    )


def portfolio_book_chunked() -> str:
    from xborder_risk.portfolio import Portfolio, synthetic_book

    book = Portfolio(synthetic_book(6, seed=2))
    result = book.simulate(BLOCK_YEARS + 555, seed=17, chunk_years=1, keep_occurrences=True)
    table = result.occurrences
    assert table is not None
    return digest(
        result.annual,
        result.max_occurrence,
        result.max_event,
        result.by_country,
        result.events,
        table.year_index,
        table.loss,
        table.source,
    )


def _one_quote(stream_keys: str) -> str:
    from xborder_risk.exposure import Submission
    from xborder_risk.quote import quote

    sub = Submission.from_file(EXAMPLES / "land_border_surveillance.yaml")
    q = quote(sub, n_years=BLOCK_YEARS + 99, seed=2026, stream_keys=stream_keys)
    return digest(q.simulation.annual, q.simulation.max_occurrence, q.simulation.total)


def one_quote() -> str:
    return _one_quote("position")


def one_quote_by_name() -> str:
    return _one_quote("name")


CASES: dict[str, Callable[[], str]] = {
    "engine_standard": engine_standard,
    "engine_standard_chunked": engine_standard_chunked,
    "engine_three_lines": engine_three_lines,
    "engine_gaussian_copula": engine_gaussian_copula,
    "engine_student_copula": engine_student_copula,
    "engine_batched": engine_batched,
    "occurrences_table": occurrences_table,
    "occurrences_batched": occurrences_batched,
    "portfolio_book": portfolio_book,
    "portfolio_book_chunked": portfolio_book_chunked,
    "one_quote": one_quote,
    "engine_standard_by_name": engine_standard_by_name,
    "engine_three_lines_by_name": engine_three_lines_by_name,
    "engine_gaussian_copula_by_name": engine_gaussian_copula_by_name,
    "engine_batched_by_name": engine_batched_by_name,
    "occurrences_table_by_name": occurrences_table_by_name,
    "one_quote_by_name": one_quote_by_name,
}

GOLDEN: dict[str, str] = {
    # position-keyed: recorded before issue 17 (and unchanged by issue 16)
    "engine_standard": "2989c0d0718c76f5545f5a5d996ba4bde7674bffbf1a4f6b28c3b1b1258a9c0d",
    "engine_standard_chunked": "2989c0d0718c76f5545f5a5d996ba4bde7674bffbf1a4f6b28c3b1b1258a9c0d",
    "engine_three_lines": "67faac7efdb1a18791b0ca4686e90166e6e3fd999d75ec7557581504b09b1b11",
    "engine_gaussian_copula": "11ade585daf6ad5085679117b23378ae1646960231a0ad50958331868520b81f",
    "engine_student_copula": "4078b9a86fbff538ace252aaef2211e6ec7244203ac58b0bcde4a07cf917ad38",
    "engine_batched": "5ef57b69852ac4e593305f2460a75072823124043cf92fd300e938c60d11fa77",
    "occurrences_table": "e7ea448d5140b09c5ac553a5225e4fb76b3cd01695cff97e6d859a3632727065",
    "occurrences_batched": "6d8cbb6ca64cd629f886913c6a89fec82212396f795eaac00eb21535f0496108",
    "portfolio_book": "8928f818c0a7e8f1ea8e57b4d506eefa152f041d415491df4b86121f26a18a2a",
    "portfolio_book_chunked": "8928f818c0a7e8f1ea8e57b4d506eefa152f041d415491df4b86121f26a18a2a",
    "one_quote": "5e0ab4683b80bdd4e24d11d4e11938900f883cfa2dd06ef056d8868571328816",
    # name-keyed and portfolio: recorded when claim counts became sparse (issue 16 item 2)
    "engine_standard_by_name": "e3b7184992348f71f5e8ab78929599c660b086a13243b3a358bc741e39554543",
    "engine_three_lines_by_name": (
        "51e30164efd68df1442be5981cc468331078b752fa358f41515fa24b22fe8dbb"
    ),
    "engine_gaussian_copula_by_name": (
        "80b3df9c4b2d168e82f3d4961292ef162076c6f349203bb2074814b7e3f63e0f"
    ),
    "engine_batched_by_name": "ce1643359b79af788e470e2bbfcd7963c61acc960cfbac3dbea051a43cae689b",
    "occurrences_table_by_name": (
        "30e789e0be9bf0d6f4fb03ac092886117cc3f31d421d8339720996baf34802c8"
    ),
    "one_quote_by_name": "4db71cbde3587a51106134e7bb4520be5e68bf3f19ce80ec91cf1d740b851896",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_year_loss_tables_are_bit_identical_to_the_golden_hashes(case: str) -> None:
    assert CASES[case]() == GOLDEN[case]


if __name__ == "__main__":
    for name, case in CASES.items():
        print(f'    "{name}": "{case()}",')
