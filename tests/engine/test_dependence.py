"""Copula dependence between lines: marginals kept, target rank correlation reached."""

import math

import numpy as np
import pytest
from scipy import stats

from xborder_risk.distributions import Gamma, Lognormal, NegativeBinomial, Poisson
from xborder_risk.engine import (
    BLOCK_YEARS,
    GaussianCopula,
    Layer,
    LossModel,
    StudentTCopula,
    simulate,
)
from xborder_risk.errors import ParameterError

POLITICAL = LossModel("political_risk", Poisson(lam=4.0), Lognormal(mu=12.0, sigma=1.0))
LIABILITY = LossModel(
    "operational_liability",
    NegativeBinomial(r=6.0, beta=1.0),
    Gamma(alpha=2.0, theta=30_000.0),
    Layer(limit=100_000),
)
CORRELATION = [[1.0, 0.6], [0.6, 1.0]]


def test_marginals_are_exactly_the_independent_ones_within_each_block():
    n_years = BLOCK_YEARS + 500
    independent = simulate([POLITICAL, LIABILITY], n_years, seed=4)
    dependent = simulate(
        [POLITICAL, LIABILITY], n_years, seed=4, dependence=GaussianCopula(CORRELATION)
    )
    for start, stop in [(0, BLOCK_YEARS), (BLOCK_YEARS, n_years)]:
        for column in range(2):
            np.testing.assert_array_equal(
                np.sort(independent.annual[start:stop, column]),
                np.sort(dependent.annual[start:stop, column]),
            )
    # Each year's largest occurrence travels with its annual loss.
    pairs_before = set(zip(independent.annual[:, 0], independent.max_occurrence[:, 0], strict=True))
    pairs_after = set(zip(dependent.annual[:, 0], dependent.max_occurrence[:, 0], strict=True))
    assert pairs_before == pairs_after


def test_independent_results_unchanged_by_the_dependence_code_path():
    a = simulate([POLITICAL, LIABILITY], 5000, seed=9)
    b = simulate([POLITICAL, LIABILITY], 5000, seed=9, dependence=None)
    np.testing.assert_array_equal(a.annual, b.annual)


def test_gaussian_copula_reaches_target_spearman_rho():
    n_years = 200_000
    copula = GaussianCopula(CORRELATION)
    result = simulate([POLITICAL, LIABILITY], n_years, seed=12, dependence=copula)
    rho = stats.spearmanr(result.annual[:, 0], result.annual[:, 1]).statistic
    target = copula.spearman_rho()[0, 1]  # (6/pi) arcsin(0.3) = 0.5824
    # Continuous marginals here (4 and 6 expected claims, no atoms to speak of), so the
    # achieved rank correlation is the copula's; standard error of Spearman's rho is
    # about (1 - rho^2) / sqrt(n).
    assert abs(rho - target) < 5 * (1 - target**2) / math.sqrt(n_years)


def test_student_t_copula_reaches_target_kendall_tau_and_has_tail_dependence():
    n_years = 20_000
    t_copula = StudentTCopula(CORRELATION, df=3.0)
    result = simulate([POLITICAL, LIABILITY], n_years, seed=13, dependence=t_copula)
    tau = stats.kendalltau(result.annual[:, 0], result.annual[:, 1]).statistic
    target = t_copula.kendall_tau()[0, 1]  # (2/pi) arcsin(0.6) = 0.4097
    assert abs(tau - target) < 5 * 0.66 / math.sqrt(n_years) * math.sqrt(1 - target**2) + 0.01
    gauss = simulate(
        [POLITICAL, LIABILITY], n_years, seed=13, dependence=GaussianCopula(CORRELATION)
    )

    def joint_exceedance(r):
        q0, q1 = np.quantile(r.annual[:, 0], 0.99), np.quantile(r.annual[:, 1], 0.99)
        return np.mean((r.annual[:, 0] > q0) & (r.annual[:, 1] > q1))

    assert joint_exceedance(result) > joint_exceedance(gauss)


@pytest.mark.parametrize("chunk_years", [1, BLOCK_YEARS, 3 * BLOCK_YEARS])
def test_dependent_results_bit_identical_across_chunk_sizes(chunk_years):
    copula = StudentTCopula(CORRELATION, df=5.0)
    n_years = 2 * BLOCK_YEARS + 11
    reference = simulate([POLITICAL, LIABILITY], n_years, seed=3, dependence=copula)
    chunked = simulate(
        [POLITICAL, LIABILITY], n_years, seed=3, dependence=copula, chunk_years=chunk_years
    )
    np.testing.assert_array_equal(reference.annual, chunked.annual)
    np.testing.assert_array_equal(reference.max_occurrence, chunked.max_occurrence)


@pytest.mark.parametrize(
    "matrix",
    [
        [[1.0, 1.2], [1.2, 1.0]],
        [[1.0, 0.5], [0.4, 1.0]],
        [[2.0, 0.5], [0.5, 1.0]],
        [[1.0, float("nan")], [float("nan"), 1.0]],
        [[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]],  # not PSD
        [1.0, 0.5],
        "identity",
    ],
)
def test_bad_correlation_matrices(matrix):
    with pytest.raises(ParameterError) as info:
        GaussianCopula(matrix)
    assert info.value.name == "correlation"


def test_bad_dependence_arguments():
    with pytest.raises(ParameterError) as info:
        StudentTCopula(CORRELATION, df=0.0)
    assert info.value.name == "df"
    with pytest.raises(ParameterError) as info:
        simulate([POLITICAL], 100, seed=1, dependence=GaussianCopula(CORRELATION))
    assert info.value.name == "dependence"
    with pytest.raises(ParameterError) as info:
        simulate([POLITICAL, LIABILITY], 100, seed=1, dependence=CORRELATION)
    assert info.value.name == "dependence"
    with pytest.raises(ParameterError) as info:
        simulate([POLITICAL], 100, seed=1, backend="spark")
    assert info.value.name == "backend"


def test_an_estimated_correlation_matrix_is_accepted_and_made_exact():
    # np.corrcoef is symmetric with a unit diagonal only to rounding (here an asymmetry and a
    # diagonal of 0.9999999999999998); such a matrix must not be refused.
    rng = np.random.default_rng(0)
    sample = rng.standard_normal((1000, 4))
    sample[:, 1] += sample[:, 0]
    sample[:, 3] += 0.3 * sample[:, 2]
    estimated = np.corrcoef(sample, rowvar=False)
    copula = GaussianCopula(estimated)
    np.testing.assert_array_equal(copula.correlation, copula.correlation.T)
    np.testing.assert_array_equal(np.diag(copula.correlation), 1.0)
    np.testing.assert_allclose(copula.correlation, estimated, rtol=0, atol=1e-15)
    # An exact matrix is kept as given, so its results do not move.
    exact = np.array(CORRELATION)
    np.testing.assert_array_equal(GaussianCopula(exact).correlation, exact)
    # Asymmetry beyond rounding is still an error.
    with pytest.raises(ParameterError, match="symmetric"):
        GaussianCopula([[1.0, 0.5], [0.5 + 1e-6, 1.0]])
    with pytest.raises(ParameterError, match="unit diagonal"):
        GaussianCopula([[1.0 - 1e-6, 0.5], [0.5, 1.0]])
