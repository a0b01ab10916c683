"""The Dask backend gives the local backend's numbers bit for bit, for 1 and 2 workers."""

import subprocess
import sys

import numpy as np
import pytest

from xborder_risk.distributions import Gamma, Lognormal, NegativeBinomial, Poisson
from xborder_risk.engine import (
    BLOCK_YEARS,
    GaussianCopula,
    Layer,
    LossModel,
    simulate,
)
from xborder_risk.errors import ParameterError, XBorderRiskError


@pytest.fixture(scope="module")
def distributed():
    """dask.distributed, imported here so the missing-dask tests run without the extra."""
    return pytest.importorskip("dask.distributed")


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
def test_dask_matches_local_bit_for_bit(distributed, local_result, n_workers):
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


def test_a_client_that_is_not_a_dask_client_is_refused_naming_it(distributed):
    with pytest.raises(ParameterError) as info:
        simulate(MODELS, 100, seed=1, backend="dask", client="tcp://scheduler:8786")
    assert info.value.name == "client"


def test_the_core_does_not_import_dask():
    code = (
        "import sys, xborder_risk, xborder_risk.engine, xborder_risk.portfolio, "
        "xborder_risk.reinsurance, xborder_risk.quote; print('dask' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_without_dask_the_dask_backend_is_a_clear_error(monkeypatch):
    # None in sys.modules makes `import dask.distributed` raise ImportError, as when the
    # optional extra is not installed.
    for name in ("dask", "dask.distributed", "distributed"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(XBorderRiskError, match=r"xborder-risk\[distributed\]"):
        simulate(MODELS, 100, seed=1, backend="dask")


def test_worker_malloc_environ_reaches_the_workers_and_is_undone(distributed, monkeypatch):
    import os

    from xborder_risk.engine.distributed import WORKER_MALLOC_ENVIRON, worker_malloc_environ

    # As after an earlier default cluster: dask's nanny leaves its value in os.environ, where
    # it would win over any configuration.
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    with worker_malloc_environ():
        cluster = distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        )
    assert os.environ["MALLOC_TRIM_THRESHOLD_"] == "65536"
    assert "MALLOC_MMAP_THRESHOLD_" not in os.environ
    names = sorted(WORKER_MALLOC_ENVIRON)
    with cluster, distributed.Client(cluster) as client:
        seen = client.run(lambda: {name: os.environ.get(name) for name in names})
    (worker_environ,) = seen.values()
    assert worker_environ == WORKER_MALLOC_ENVIRON
