"""Premium principles on a simulated loss vector.

Each principle is a small frozen object. ``premium(losses)`` and ``risk_load(losses)``
(premium minus expected loss) take a one-dimensional float64 array of simulated losses,
currency units per policy period, and treat it as the empirical distribution: moments use
``ddof=0`` and quantiles the lower empirical quantile of :mod:`xborder_risk.measures`.

``allocate(annual)`` splits the risk load of the total ``annual.sum(axis=1)`` across the
columns (lines) by the principle's own Euler (or covariance) rule, and
``standard_error(losses)`` estimates the Monte Carlo standard error of the premium.
Formulas and references are in ``docs/pricing.md``.
"""

from __future__ import annotations

import math
import warnings
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from xborder_risk import measures
from xborder_risk._deprecation import warn_deprecated
from xborder_risk._validation import (
    as_float_array,
    check_choice,
    check_int,
    check_probability,
    check_real,
)
from xborder_risk.errors import ParameterError, XBorderRiskWarning
from xborder_risk.pricing.allocation import co_tvar, co_var

__all__ = [
    "CostOfCapital",
    "ExpectedValuePrinciple",
    "PremiumPrinciple",
    "StandardDeviationPrinciple",
    "TargetLossRatio",
    "VariancePrinciple",
    "WangTransform",
    "wang_weights",
]

# Relative size below which a negative capital is float rounding, not a real shortfall.
_ROUNDING_FLOOR = 1e-12


class PremiumPrinciple(ABC):
    """Base class: a premium functional of the empirical loss distribution.

    Subclasses implement three private kernels on clean float64 arrays; the public
    methods validate their input once and call them.
    """

    def premium(self, losses: ArrayLike) -> float:
        """Premium for the loss distribution given by a simulated sample.

        Parameters
        ----------
        losses : array_like, shape (n,)
            Simulated losses, currency units per policy period; non-empty and finite.

        Returns
        -------
        float
            Expected loss plus risk load, currency units per policy period.
        """
        x = as_float_array(type(self).__name__, "losses", losses)
        return float(x.mean()) + self._risk_load(x)

    def risk_load(self, losses: ArrayLike) -> float:
        """Risk load: premium minus the sample mean, currency units per policy period."""
        return self._risk_load(as_float_array(type(self).__name__, "losses", losses))

    def allocate(self, annual: ArrayLike) -> NDArray[np.float64]:
        """Euler allocation of the total's risk load to the columns of ``annual``.

        Parameters
        ----------
        annual : array_like, shape (n_years, n_lines)
            Simulated annual losses per line, currency units per policy period.

        Returns
        -------
        ndarray, shape (n_lines,)
            Line risk loads summing to ``risk_load(annual.sum(axis=1))`` to float rounding.
        """
        matrix = as_float_array(type(self).__name__, "annual", annual, ndim=2)
        return self._allocate(matrix, matrix.sum(axis=1))

    def standard_error(self, losses: ArrayLike) -> float:
        """Monte Carlo standard error of :meth:`premium` on this sample.

        Returns
        -------
        float
            :math:`\\sqrt{\\widehat{\\mathrm{Var}}[\\mathrm{IF}(X)]/n}`, currency units;
            ``inf`` when the sample is too small to tell.

        Notes
        -----
        Delta method: the premium is a statistical functional :math:`T(F)`, and
        :math:`\\sqrt{n}(T(F_n) - T(F))` is asymptotically normal with variance
        :math:`\\mathrm{Var}[\\mathrm{IF}(X; T, F)]` where IF is the influence function
        (Serfling 1980, *Approximation Theorems of Mathematical Statistics*, §6.3.1).
        Unreliable for tails too heavy for a finite variance of IF.
        """
        x = as_float_array(type(self).__name__, "losses", losses)
        if x.size < 2:
            return math.inf
        influence = self._influence(x)
        if not np.isfinite(influence).all():
            return math.inf
        return float(influence.std(ddof=1) / math.sqrt(x.size))

    @abstractmethod
    def _risk_load(self, x: NDArray[np.float64]) -> float: ...

    @abstractmethod
    def _allocate(
        self, annual: NDArray[np.float64], total: NDArray[np.float64]
    ) -> NDArray[np.float64]: ...

    @abstractmethod
    def _influence(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Influence function of the premium at each sample point, up to a constant."""


def _covariance_with_total(
    annual: NDArray[np.float64], total: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Cov(X_i, S) per column with ddof=0; the entries sum to Var(S)."""
    centred_total = total - total.mean()
    return ((annual - annual.mean(axis=0)) * centred_total[:, np.newaxis]).mean(axis=0)


@dataclass(frozen=True)
class ExpectedValuePrinciple(PremiumPrinciple):
    """Expected value principle: premium = (1 + loading) E[X].

    Parameters
    ----------
    loading : float
        Safety loading, dimensionless, >= 0 (0.2 means 20% on the expected loss).

    Notes
    -----
    .. math:: \\pi(X) = (1 + \\theta)\\,E[X]

    Bühlmann (1970), *Mathematical Methods in Risk Theory*, Springer, §4.2. The Euler
    allocation is :math:`\\theta E[X_i]`: the load ignores dependence, so it gives no
    diversification credit.
    """

    loading: float

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "loading", check_real("ExpectedValuePrinciple", "loading", self.loading, lower=0)
        )

    def _risk_load(self, x: NDArray[np.float64]) -> float:
        return self.loading * float(x.mean())

    def _allocate(
        self, annual: NDArray[np.float64], total: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        return self.loading * annual.mean(axis=0)

    def _influence(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        return (1.0 + self.loading) * x


@dataclass(frozen=True)
class StandardDeviationPrinciple(PremiumPrinciple):
    """Standard deviation principle: premium = E[X] + k σ[X].

    Parameters
    ----------
    k : float
        Multiple of the standard deviation, dimensionless, >= 0.

    Notes
    -----
    .. math:: \\pi(X) = E[X] + k\\,\\sigma(X)

    Bühlmann (1970), §4.2. σ is the standard deviation of the empirical distribution
    (``ddof=0``). The Euler allocation is the covariance allocation
    :math:`k\\,\\mathrm{Cov}(X_i, S)/\\sigma(S)`, the gradient of :math:`k\\sigma(S)` in the
    line weights (Tasche 1999, §4).

    The standard error's influence function :math:`x + k(x-\\mu)^2/(2\\sigma)` carries the
    variance of the sample standard deviation, :math:`(m_4 - \\sigma^4)/(4\\sigma^2 n)`; on
    heavy tails the one-sample estimate of :math:`m_4` is typically low (docs/pricing.md).
    """

    k: float

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "k", check_real("StandardDeviationPrinciple", "k", self.k, lower=0)
        )

    def _risk_load(self, x: NDArray[np.float64]) -> float:
        return self.k * float(x.std())

    def _allocate(
        self, annual: NDArray[np.float64], total: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        sigma = float(total.std())
        if sigma == 0.0:
            # A constant total carries no risk load to share.
            return np.zeros(annual.shape[1])
        return self.k * _covariance_with_total(annual, total) / sigma

    def _influence(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        sigma = float(x.std())
        if sigma == 0.0:
            return x.copy()
        return x + self.k * (x - x.mean()) ** 2 / (2.0 * sigma)


@dataclass(frozen=True)
class VariancePrinciple(PremiumPrinciple):
    """Variance principle: premium = E[X] + k Var[X].

    Parameters
    ----------
    k : float
        Loading per unit of variance, in 1/currency (so that k Var[X] is in currency),
        >= 0. It is not scale-free: rescaling the losses to another currency unit needs
        ``k`` divided by the same factor.

    Notes
    -----
    .. math:: \\pi(X) = E[X] + k\\,\\mathrm{Var}(X)

    Bühlmann (1970), §4.2. The allocation is :math:`k\\,\\mathrm{Cov}(X_i, S)`, which adds up
    to :math:`k\\,\\mathrm{Var}(S)` (the variance is not homogeneous of degree one, so this is
    the covariance allocation rather than a strict Euler gradient).
    """

    k: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "k", check_real("VariancePrinciple", "k", self.k, lower=0))

    def _risk_load(self, x: NDArray[np.float64]) -> float:
        return self.k * float(x.var())

    def _allocate(
        self, annual: NDArray[np.float64], total: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        return self.k * _covariance_with_total(annual, total)

    def _influence(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        return x + self.k * (x - x.mean()) ** 2


def _wang_distortion_at_grid(n: int, lam: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """z_k = Φ⁻¹(k/n) for k = 0..n, and the distortion's increments g(u_{k+1}) - g(u_k)."""
    k = np.arange(n + 1, dtype=np.float64)
    # Φ⁻¹ of u near 1 through the upper tail (isf of the exact complement (n-k)/n) keeps
    # its relative precision where the weights are smallest.
    lower_half = k <= n / 2
    z = np.where(lower_half, special.ndtri(k / n), -special.ndtri((n - k) / n))
    a, b = z[:-1] + lam, z[1:] + lam
    # Differences of Φ near 1 cancel; take them from the survival function there.
    increments = np.where(
        a < 0.0, special.ndtr(b) - special.ndtr(a), special.ndtr(-a) - special.ndtr(-b)
    )
    return z, increments


def wang_weights(n: int, lam: float) -> NDArray[np.float64]:
    """Weights of the ascending order statistics in the empirical Wang transform.

    Parameters
    ----------
    n : int
        Sample size, >= 1.
    lam : float
        Wang's λ.

    Returns
    -------
    ndarray, shape (n,)
        :math:`w_i = g((n-i+1)/n) - g((n-i)/n)` for :math:`i = 1..n`, summing to 1, with
        :math:`g(u) = \\Phi(\\Phi^{-1}(u) + \\lambda)`.
    """
    n = check_int("wang_weights", "n", n, lower=1)
    _, increments = _wang_distortion_at_grid(n, check_real("wang_weights", "lam", lam))
    # increments[k] = g((k+1)/n) - g(k/n); the i-th smallest loss gets k = n - i.
    return increments[::-1].copy()


@dataclass(frozen=True)
class WangTransform(PremiumPrinciple):
    """Wang transform: the expectation under the distorted survival function g(S(x)).

    Parameters
    ----------
    lam : float
        Market price of risk λ, dimensionless, >= 0 (0 gives the expected loss).

    Notes
    -----
    .. math:: \\rho(X) = \\int_0^\\infty g(S_X(x))\\,dx - \\int_{-\\infty}^0 [1 - g(S_X(x))]\\,dx,
              \\qquad g(u) = \\Phi(\\Phi^{-1}(u) + \\lambda)

    Wang (2000), "A class of distortion operators for pricing financial and insurance
    risks", J. Risk and Insurance 67(1), 15–36. For a normal N(μ, σ²) it gives μ + λσ, for
    a lognormal LN(μ, σ) :math:`e^{\\mu + \\lambda\\sigma + \\sigma^2/2}`.

    On a sample :math:`x_{(1)} \\le \\dots \\le x_{(n)}` the empirical survival function is a
    step function and the integral is exactly :math:`\\sum_i w_i x_{(i)}` with the weights of
    :func:`wang_weights`. The Euler allocation gives line :math:`i` the same weights on the
    years ranked by the total, :math:`\\sum_j w_{r(j)} X_{ij}` (years tied in the total share
    their weights equally), minus :math:`E[X_i]` (Tsanakas & Barnett 2003, "Risk capital
    allocation and cooperative pricing of insurance liabilities", IME 33(2)).
    """

    lam: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "lam", check_real("WangTransform", "lam", self.lam, lower=0))

    def _risk_load(self, x: NDArray[np.float64]) -> float:
        ascending = np.sort(x)
        return float((wang_weights(x.size, self.lam) * ascending).sum()) - float(x.mean())

    def _allocate(
        self, annual: NDArray[np.float64], total: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        order = np.argsort(total, kind="stable")
        sorted_total = total[order]
        weights = wang_weights(total.size, self.lam)
        group_starts = np.concatenate(([True], sorted_total[1:] != sorted_total[:-1]))
        group = np.cumsum(group_starts) - 1
        # Ties in the total are ordered arbitrarily by the sort; averaging the weights over
        # each tie makes the allocation independent of that order.
        tied_weights = (np.bincount(group, weights=weights) / np.bincount(group))[group]
        distorted = (annual[order] * tied_weights[:, np.newaxis]).sum(axis=0)
        return distorted - annual.mean(axis=0)

    def _influence(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        # IF(x) = ∫_{-∞}^{x} g'(S(t)) dt + const, with g'(u) = exp(-λ Φ⁻¹(u) - λ²/2);
        # between the j-th and (j+1)-th order statistics S(t) = (n - j)/n.
        n = x.size
        ascending = np.sort(x)
        z, _ = _wang_distortion_at_grid(n, self.lam)
        z_between = z[n - 1 : 0 : -1]  # Φ⁻¹((n-j)/n) for j = 1..n-1
        slope = np.exp(-self.lam * z_between - 0.5 * self.lam**2)
        influence_sorted = np.concatenate(([0.0], np.cumsum(slope * np.diff(ascending))))
        return influence_sorted


@dataclass(frozen=True)
class CostOfCapital(PremiumPrinciple):
    """Cost of capital: a return on the risk capital ρ_p(X) - E[X] held over the period.

    Parameters
    ----------
    rate : float
        Cost of capital per year, dimensionless, in [0, 1] (0.10 = 10% a year).
    level : float
        Confidence level p of the capital measure, in (0, 1).
    measure : {"tvar", "value_at_risk"}
        Capital measure: tail value at risk (default) or value at risk. ``"var"`` is the
        deprecated spelling of ``"value_at_risk"`` (warns; kept for one release).
    period_years : float
        Policy period over which the capital is held, in years, > 0.

    Notes
    -----
    .. math:: \\pi(X) = E[X] + r\\,T\\,(\\rho_p(X) - E[X])

    with :math:`\\rho_p` = TVaR or VaR of :mod:`xborder_risk.measures`, r the annual cost
    of capital and T the period in years. This is the cost-of-capital margin of Solvency II
    (Delegated Regulation (EU) 2015/35, Art. 37 and 39, with r = 6%) and of the Swiss Solvency
    Test, applied to one period's capital.

    A capital requirement is never negative: the capital is
    :math:`\\max(\\rho_p(X) - E[X], 0)`. TVaR is never below the mean, but VaR at a low level
    can be (a sample with most years loss-free has :math:`\\mathrm{VaR}_{0.9} = 0`); then
    the risk load is zero and an :class:`~xborder_risk.errors.XBorderRiskWarning` says so.

    The Euler allocation is :math:`rT(\\mathrm{coTVaR}_{p,i} - E[X_i])` (or co-VaR),
    Tasche (1999); Acerbi & Tasche (2002); zero when the capital is floored.
    """

    rate: float = 0.10
    level: float = 0.99
    measure: Literal["tvar", "value_at_risk", "var"] = "tvar"
    period_years: float = 1.0

    def __post_init__(self) -> None:
        owner = "CostOfCapital"
        object.__setattr__(self, "rate", check_real(owner, "rate", self.rate, lower=0, upper=1))
        object.__setattr__(self, "level", check_probability(owner, "level", self.level))
        if isinstance(self.measure, str) and self.measure == "var":
            warn_deprecated("CostOfCapital(measure='var')", "measure='value_at_risk'", stacklevel=4)
            object.__setattr__(self, "measure", "value_at_risk")
        check_choice(owner, "measure", self.measure, ("tvar", "value_at_risk"))
        object.__setattr__(
            self,
            "period_years",
            check_real(owner, "period_years", self.period_years, lower=0, lower_inclusive=False),
        )

    @property
    def _charge(self) -> float:
        return self.rate * self.period_years

    def capital(self, losses: ArrayLike) -> float:
        """Risk capital max(ρ_p(X) - E[X], 0), currency units."""
        return self._capital(as_float_array("CostOfCapital", "losses", losses))

    def _raw_capital(self, x: NDArray[np.float64]) -> float:
        measure = measures.tvar if self.measure == "tvar" else measures.value_at_risk
        return measure(x, self.level) - float(x.mean())

    def _capital(self, x: NDArray[np.float64]) -> float:
        raw = self._raw_capital(x)
        if raw >= 0.0:
            return raw
        # TVaR - mean of a constant sample can round to -1e-16; only a real shortfall of
        # the measure below the mean deserves a warning.
        if raw < -_ROUNDING_FLOOR * float(np.abs(x).max()):
            warnings.warn(
                f"CostOfCapital: {self.measure}_{self.level:g} is below the mean loss "
                f"(by {-raw:.6g}); capital floored at 0, so the risk load is 0. "
                "Use a higher level or measure='tvar'.",
                XBorderRiskWarning,
                stacklevel=4,
            )
        return 0.0

    def _risk_load(self, x: NDArray[np.float64]) -> float:
        return self._charge * self._capital(x)

    def _allocate(
        self, annual: NDArray[np.float64], total: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        if self._capital(total) == 0.0:
            return np.zeros(annual.shape[1])
        contribution = co_tvar if self.measure == "tvar" else co_var
        return self._charge * (contribution(annual, self.level) - annual.mean(axis=0))

    def _influence(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        if self._raw_capital(x) <= 0.0:
            return x.copy()
        q = measures.value_at_risk(x, self.level)
        if self.measure == "tvar":
            # IF of TVaR: (x - VaR)_+ / (1 - p) + const (Acerbi & Tasche 2002).
            measure_influence = np.maximum(x - q, 0.0) / (1.0 - self.level)
        else:
            # IF of the p-quantile: -1{x <= q} / f(q); 1/f(q) recovered from the
            # distribution-free standard error sqrt(p(1-p)/n) / f(q).
            se = measures.value_at_risk_standard_error(x, self.level)
            if not math.isfinite(se):
                return np.full(x.size, math.inf)
            inverse_density = se * math.sqrt(x.size / (self.level * (1.0 - self.level)))
            measure_influence = np.where(x <= q, -inverse_density, 0.0)
        return (1.0 - self._charge) * x + self._charge * measure_influence


@dataclass(frozen=True)
class TargetLossRatio(PremiumPrinciple):
    """Target loss ratio: each line's premium is its expected loss over its target.

    Parameters
    ----------
    targets : mapping of str to float
        Target expected loss ratio per line, each in (0, 1]: the line's premium before tax,
        fixed expense and minimums is expected loss / target (the risk load is what is left
        after commission, expenses and profit).
    default : float, optional
        Target of a line without an entry, and of a single loss sample (:meth:`premium`);
        None (default): every priced line needs an entry.

    Notes
    -----
    The permissible-loss-ratio method of ratemaking (Werner & Modlin, *Basic Ratemaking*,
    5th ed., CAS 2016, ch. 7): with proportional loading L of the line, its technical premium
    is :math:`E[X_i](1 - L)/\\lambda_i`. Each line is priced on its own, so the total carries
    no diversification; :func:`xborder_risk.quote` applies the per-line targets
    (:func:`xborder_risk.pricing.market.price_market`) after the policy's allocation. On one
    sample, :meth:`premium` is :math:`E[X]/\\lambda` with ``default`` (no loadings).
    """

    targets: dict[str, float]
    default: float | None = None

    def __post_init__(self) -> None:
        owner = "TargetLossRatio"
        if not isinstance(self.targets, dict) or not all(
            isinstance(line, str) for line in self.targets
        ):
            raise ParameterError(
                owner, "targets", self.targets, "must be a mapping of line name to loss ratio"
            )
        checked = {
            line: check_real(
                owner, f"targets[{line}]", value, lower=0.0, upper=1.0, lower_inclusive=False
            )
            for line, value in self.targets.items()
        }
        object.__setattr__(self, "targets", checked)
        if self.default is not None:
            object.__setattr__(
                self,
                "default",
                check_real(
                    owner, "default", self.default, lower=0.0, upper=1.0, lower_inclusive=False
                ),
            )

    def target(self, line: str) -> float:
        """The target loss ratio of ``line``.

        Raises
        ------
        ParameterError
            If ``line`` has no target and there is no default.
        """
        if line in self.targets:
            return self.targets[line]
        if self.default is None:
            raise ParameterError(
                "TargetLossRatio",
                f"targets[{line}]",
                None,
                f"line '{line}' has no target loss ratio and no default is given "
                f"(targets for {sorted(self.targets)})",
            )
        return self.default

    def _single(self) -> float:
        if self.default is None:
            raise ParameterError(
                "TargetLossRatio",
                "default",
                None,
                "a premium of one loss sample needs a default target (the per-line targets "
                "apply through xborder_risk.quote)",
            )
        return self.default

    def _risk_load(self, x: NDArray[np.float64]) -> float:
        return float(x.mean()) * (1.0 / self._single() - 1.0)

    def _allocate(
        self, annual: NDArray[np.float64], total: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        return annual.mean(axis=0) * (1.0 / self._single() - 1.0)

    def _influence(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        return x / self._single()
