"""Portfolio.simulate on Dask: the local backend's numbers bit for bit, for 1 and 2 workers."""

import numpy as np
import pytest

from xborder_risk.engine import BLOCK_YEARS
from xborder_risk.errors import ParameterError
from xborder_risk.portfolio import Portfolio

N_YEARS = 2 * BLOCK_YEARS + 321  # three blocks, the last partial: three tasks
ARRAYS = ("annual", "max_occurrence", "max_event", "by_country", "events", "total")


@pytest.fixture(scope="module")
def distributed():
    return pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def book(small_book, make_shocks, tables):
    return Portfolio(small_book, tables, shocks=make_shocks())


@pytest.fixture(scope="module")
def local_result(book):
    return book.simulate(N_YEARS, seed=99, keep_occurrences=True)


@pytest.mark.parametrize("n_workers", [1, 2])
def test_dask_matches_local_bit_for_bit(distributed, book, local_result, n_workers):
    assert local_result.events.any(axis=0).all(), "every shock happens at least once"
    done = []
    with (
        distributed.LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        result = book.simulate(
            N_YEARS,
            seed=99,
            keep_occurrences=True,
            backend="dask",
            client=client,
            progress=lambda years, total: done.append((years, total)),
        )
        # A second call on the same cluster, chunked differently, without occurrences.
        whole = book.simulate(
            N_YEARS, seed=99, chunk_years=10 * BLOCK_YEARS, backend="dask", client=client
        )
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(result, name), getattr(local_result, name), name)
        np.testing.assert_array_equal(getattr(whole, name), getattr(local_result, name), name)
    for field in ("year_index", "loss", "source"):
        np.testing.assert_array_equal(
            getattr(result.occurrences, field), getattr(local_result.occurrences, field)
        )
    assert whole.occurrences is None
    assert len(done) == 3
    assert done[-1] == (N_YEARS, N_YEARS)


def test_a_client_that_is_not_a_dask_client_is_refused_naming_it(distributed, book):
    with pytest.raises(ParameterError) as info:
        book.simulate(100, seed=1, backend="dask", client="tcp://scheduler:8786")
    assert info.value.name == "client"
