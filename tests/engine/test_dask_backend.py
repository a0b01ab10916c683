"""The Dask backend gives the local backend's numbers bit for bit, for 1 and 2 workers."""

import numpy as np
import pytest

distributed = pytest.importorskip("dask.distributed")

from xborder_risk.distributions import Gamma, Lognormal, NegativeBinomial, Poisson  # noqa: E402
from xborder_risk.engine import (  # noqa: E402
    BLOCK_YEARS,
    GaussianCopula,
    Layer,
    LossModel,
    simulate,
)

MODELS = [
    LossModel("tech_failure", Poisson(lam=2.0), Gamma(alpha=2.0, theta=10_000.0)),
    LossModel(
        "cyber",
        NegativeBinomial(r=1.0, beta=0.8),
        Lognormal(mu=11.0, sigma=2.0),
        Layer(deductible=10_000, limit=5_000_000, aggregate_limit=8_000_000),
    ),
]
N_YEARS = 3 * BLOCK_YEARS + 77


@pytest.fixture(scope="module")
def local_result():
    return simulate(MODELS, N_YEARS, seed=21, dependence=GaussianCopula([[1, 0.4], [0.4, 1]]))


@pytest.mark.parametrize("n_workers", [1, 2])
def test_dask_matches_local_bit_for_bit(local_result, n_workers):
    with (
        distributed.LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        # A first, smaller call on the same cluster: the second must not lose the models
        # the first one scattered and released.
        simulate(MODELS, 1000, seed=1, backend="dask", client=client)
        result = simulate(
            MODELS,
            N_YEARS,
            seed=21,
            dependence=GaussianCopula([[1, 0.4], [0.4, 1]]),
            backend="dask",
            client=client,
        )
    np.testing.assert_array_equal(result.annual, local_result.annual)
    np.testing.assert_array_equal(result.max_occurrence, local_result.max_occurrence)
    np.testing.assert_array_equal(result.total, local_result.total)
