"""Dependence between lines: Gaussian and Student-t copulas applied by reordering.

Each line's annual losses are first simulated independently, from its own random
streams. A copula sample for the same block of years is then drawn from a shared stream,
and every line's annual losses are reordered within the block so that their ranks are the
copula sample's ranks (Iman & Conover 1982, "A distribution-free approach to inducing
rank correlation among input variables", *Commun. Statist.* B11(3), with the copula sample
itself as the score matrix).

Why reordering, not sampling through the copula: the marginal of a compound annual loss
has no closed-form quantile function, so "sampling through the copula" would need the
marginal inverted numerically; reordering keeps every simulated marginal *exactly* (each
line's values in a block are a permutation of its independent values) and costs one sort
per line and block. The dependence lives within blocks of years, which is no restriction:
simulated years are i.i.d.

Lines with atoms (years without a claim, an exhausted aggregate limit) keep the copula too:
the reordered losses are each line's empirical quantile function applied to the copula's
ranks. Their sample rank correlation is then below the copula's Spearman rho, because tied
values share a rank (Spearman's rho of discontinuous margins is not margin-free); compare the
copula's rho with the achieved one only for lines whose annual loss is (nearly) continuous.

A correlation matrix estimated in floating point (``np.corrcoef``, ``DataFrame.corr``) is
accepted when it is symmetric, has a unit diagonal and is positive semi-definite to within
1e-10, and is then made exactly symmetric with a unit diagonal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xborder_risk._validation import as_float_array, check_real
from xborder_risk.errors import ParameterError

__all__ = ["Copula", "GaussianCopula", "StudentTCopula"]

#: Tolerance for the rounding of an estimated correlation matrix: asymmetry, a diagonal entry
#: off 1, an entry beyond [-1, 1] or a negative eigenvalue up to this size is rounding.
_ROUNDING: float = 1e-10


def _correlation_matrix(owner: str, value: ArrayLike) -> NDArray[np.float64]:
    matrix = as_float_array(owner, "correlation", value, ndim=2, copy=True)
    if matrix.shape[0] != matrix.shape[1]:
        raise ParameterError(owner, "correlation", value, "must be a square matrix")
    # A matrix estimated in floating point (np.corrcoef, a pandas .corr()) is symmetric with a
    # unit diagonal only to rounding: accept it within _ROUNDING, then make it exact. An exactly
    # symmetric input is unchanged by the symmetrisation ((x + x) / 2 == x in floating point).
    if np.abs(matrix - matrix.T).max() > _ROUNDING:
        raise ParameterError(owner, "correlation", value, "must be symmetric")
    if np.abs(np.diag(matrix) - 1.0).max() > _ROUNDING:
        raise ParameterError(owner, "correlation", value, "must have a unit diagonal")
    matrix = (matrix + matrix.T) / 2.0
    np.fill_diagonal(matrix, 1.0)
    if (np.abs(matrix) > 1.0 + _ROUNDING).any():
        raise ParameterError(owner, "correlation", value, "entries must lie in [-1, 1]")
    np.clip(matrix, -1.0, 1.0, out=matrix)
    if np.linalg.eigvalsh(matrix).min() < -_ROUNDING:
        raise ParameterError(owner, "correlation", value, "must be positive semi-definite")
    matrix.flags.writeable = False
    return matrix


def _factor(matrix: NDArray[np.float64]) -> NDArray[np.float64]:
    """A square root ``A`` with ``A @ A.T == matrix`` (eigen-decomposition: works for PSD)."""
    values, vectors = np.linalg.eigh(matrix)
    return vectors * np.sqrt(np.clip(values, 0.0, None))


@dataclass(frozen=True, eq=False)
class Copula:
    """Base class: a dependence structure over the lines of a simulation."""

    correlation: NDArray[np.float64]

    def __post_init__(self) -> None:
        owner = type(self).__name__
        object.__setattr__(self, "correlation", _correlation_matrix(owner, self.correlation))

    @property
    def dimension(self) -> int:
        """Number of lines the copula couples."""
        return int(self.correlation.shape[0])

    def scores(self, rng: np.random.Generator, n: int) -> NDArray[np.float64]:
        """A sample of ``n`` points whose ranks carry the copula, shape (n, dimension)."""
        return self.correlated_normals(rng, n)

    def correlated_normals(self, rng: np.random.Generator, n: int) -> NDArray[np.float64]:
        """``n`` draws of N(0, correlation), shape (n, dimension)."""
        normals = rng.standard_normal((n, self.dimension))
        return normals @ _factor(self.correlation).T

    def mixing(self, rng: np.random.Generator, n: int) -> NDArray[np.float64] | None:
        """The per-year divisor of the normals (None for the Gaussian copula)."""
        return None

    def reorder(
        self,
        rng: np.random.Generator,
        annual: NDArray[np.float64],
        largest: NDArray[np.float64],
    ) -> None:
        """Reorder the rows of each column in place so its ranks follow the copula.

        ``annual`` and ``largest`` (shape (n, dimension)) are permuted together, column by
        column, so a year's largest occurrence stays with that year's annual loss.
        """
        n = annual.shape[0]
        scores = self.scores(rng, n)
        for column in range(self.dimension):
            by_loss = np.argsort(annual[:, column], kind="stable")
            by_score = np.argsort(scores[:, column], kind="stable")
            reordered = np.empty(n, dtype=np.float64)
            reordered[by_score] = annual[by_loss, column]
            annual[:, column] = reordered
            reordered[by_score] = largest[by_loss, column]
            largest[:, column] = reordered

    def spearman_rho(self) -> NDArray[np.float64]:
        """Spearman rank correlation implied by the copula (where known in closed form)."""
        raise NotImplementedError

    def kendall_tau(self) -> NDArray[np.float64]:
        """Kendall's tau: (2/pi) arcsin(rho) for every elliptical copula (Lindskog et al. 2003)."""
        return 2.0 / math.pi * np.arcsin(self.correlation)


@dataclass(frozen=True, eq=False)
class GaussianCopula(Copula):
    """Gaussian copula with correlation matrix ``correlation`` (positive semi-definite).

    Notes
    -----
    Spearman's rho of the Gaussian copula is :math:`(6/\\pi)\\arcsin(\\rho/2)` and Kendall's
    tau :math:`(2/\\pi)\\arcsin\\rho` (McNeil, Frey & Embrechts, *Quantitative Risk
    Management*, 2015, Prop. 7.44 and Thm. 7.42).
    """

    def spearman_rho(self) -> NDArray[np.float64]:
        """Spearman's rho, :math:`(6/\\pi)\\arcsin(\\rho/2)`."""
        return 6.0 / math.pi * np.arcsin(self.correlation / 2.0)


@dataclass(frozen=True, eq=False)
class StudentTCopula(Copula):
    """Student-t copula: correlation matrix and degrees of freedom ``df`` (> 0).

    Tail dependence grows as ``df`` falls: joint extremes (a political upheaval that hits
    political-risk and operational-liability losses in the same year) are likelier than a
    Gaussian copula with the same correlation allows (McNeil, Frey & Embrechts 2015, §7.3).
    """

    df: float = 4.0

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(
            self,
            "df",
            check_real("StudentTCopula", "df", self.df, lower=0.0, lower_inclusive=False),
        )

    def scores(self, rng: np.random.Generator, n: int) -> NDArray[np.float64]:
        """Correlated normals divided by a common sqrt(chi2(df)/df) per year."""
        normals = self.correlated_normals(rng, n)
        mixing = self.mixing(rng, n)
        assert mixing is not None
        return normals / mixing[:, None]

    def mixing(self, rng: np.random.Generator, n: int) -> NDArray[np.float64] | None:
        """sqrt(chi2(df)/df), one per year."""
        return np.sqrt(rng.chisquare(self.df, size=n) / self.df)
