"""Two severity constructions the rater needs: a finite mixture and a capped severity.

A line rated from several components (the systems of a tech-failure schedule, the
personnel and fleet of an operational-liability risk, the contracts and perils of a
political-risk schedule) has, per occurrence, the mixture of the components' severities with
weights proportional to their expected claim counts.  That is exact for a sum of independent
compound Poisson components (Loss Models, 5th ed., Theorem 9.7) and for compound negative
binomials sharing one beta, whose counts add.  Political-risk losses cannot exceed the value at
risk, hence :class:`Capped`.

Both follow the :class:`~xborder_risk.distributions.Severity` protocol so the engine and
``xborder_risk.exact`` use them like any other severity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from xborder_risk._validation import check_real
from xborder_risk.distributions import ParamSpec, Severity
from xborder_risk.errors import ParameterError

__all__ = ["Capped", "Mixture"]

FloatArray = npt.NDArray[np.float64]

# The mixture quantile is bracketed in log(x) and refined on a grid of _GRID interior points
# per round: 12 rounds shrink any bracket inside (1e-300, 1e300) by 65**12 ~ 6e21, far below
# one unit in the last place of log(x).
_GRID = 64
_PPF_ROUNDS = 12


def _as_float_array(values: object) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Mixture(Severity):
    r"""Finite mixture of severities.

    Parameters
    ----------
    components : tuple of Severity
        The component severities (at least one), amounts in one currency.
    weights : tuple of float
        Probabilities of the components, each > 0, summing to 1 (within 1e-9; they are
        renormalised to sum exactly to 1).

    Notes
    -----
    With weights :math:`w_i` and component distributions :math:`F_i`
    (Loss Models, 5th ed., Section 4.2.3):

    .. math:: F(x) = \sum_i w_i F_i(x), \quad
              E[(X\wedge u)^k] = \sum_i w_i E[(X_i\wedge u)^k], \quad
              E[X^k] = \sum_i w_i E[X_i^k].

    The quantile has no closed form: it is found by grid refinement on :math:`\log x` between
    :math:`\min_i F_i^{-1}(q)` and :math:`\max_i F_i^{-1}(q)`, which bracket it.  Samples pick
    a component with probability :math:`w_i`, then draw from it.
    """

    components: tuple[Severity, ...]
    weights: tuple[float, ...]
    PARAMETERS: ClassVar[tuple[ParamSpec, ...]] = ()

    def _validate_extra(self) -> None:
        if not isinstance(self.components, tuple) or not self.components:
            raise ParameterError(
                "Mixture", "components", self.components, "must be a non-empty tuple"
            )
        for component in self.components:
            if not isinstance(component, Severity):
                raise ParameterError("Mixture", "components", component, "must be a Severity")
        if not isinstance(self.weights, tuple) or len(self.weights) != len(self.components):
            raise ParameterError(
                "Mixture", "weights", self.weights, "must be a tuple, one weight per component"
            )
        weights = [
            check_real("Mixture", "weights", weight, lower=0.0, lower_inclusive=False)
            for weight in self.weights
        ]
        total = math.fsum(weights)
        if abs(total - 1.0) > 1e-9:
            raise ParameterError("Mixture", "weights", self.weights, "must sum to 1")
        object.__setattr__(self, "weights", tuple(w / total for w in weights))

    @property
    def support_upper(self) -> float:
        return max(component.support_upper for component in self.components)

    def _weights(self) -> FloatArray:
        return np.asarray(self.weights, dtype=np.float64)

    def _sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
        which = np.searchsorted(np.cumsum(self._weights())[:-1], rng.random(shape), side="right")
        out = np.empty(shape, dtype=np.float64)
        # One vectorised draw per component (a handful), never a loop over claims.
        for index, component in enumerate(self.components):
            chosen = which == index
            count = int(chosen.sum())
            if count:
                out[chosen] = component.sample(rng, count)
        return out

    def _weighted(self, method: str, x: FloatArray) -> FloatArray:
        total = np.zeros_like(x)
        for weight, component in zip(self.weights, self.components, strict=True):
            total += weight * _as_float_array(getattr(component, method)(x))
        return total

    def _cdf(self, x: FloatArray) -> FloatArray:
        return np.minimum(self._weighted("cdf", x), 1.0)

    def _sf(self, x: FloatArray) -> FloatArray:
        return np.minimum(self._weighted("sf", x), 1.0)

    def _pdf(self, x: FloatArray) -> FloatArray:
        return self._weighted("pdf", x)

    def _ppf(self, q: FloatArray) -> FloatArray:
        quantiles = np.stack([_as_float_array(c.ppf(q)) for c in self.components])
        tiny = np.finfo(np.float64).tiny
        log_lo = np.log(np.maximum(quantiles.min(axis=0), tiny))
        log_hi = np.log(np.maximum(quantiles.max(axis=0), tiny))
        # Invariant: cdf(exp(log_hi)) >= q > cdf(x) for x < exp(log_lo); the quantile is the
        # smallest x reaching q.  Each round evaluates the cdf on _GRID interior points of the
        # bracket at once and keeps the sub-interval where it first reaches q, shrinking the
        # bracket (in log x) by a factor _GRID + 1 per vectorised call.
        steps = np.arange(1, _GRID + 1, dtype=np.float64) / (_GRID + 1)
        for _ in range(_PPF_ROUNDS):
            width = log_hi - log_lo
            active = np.nonzero(width > 1e-14 * np.maximum(np.abs(log_hi), 1.0))[0]
            if active.size == 0:
                break
            grid = log_lo[active, None] + width[active, None] * steps[None, :]
            reach = self._cdf_any(np.exp(grid).ravel()).reshape(grid.shape) >= q[active, None]
            first = np.where(reach.any(axis=1), reach.argmax(axis=1), _GRID)
            rows = np.arange(active.size)
            upper = np.where(
                first < _GRID, grid[rows, np.minimum(first, _GRID - 1)], log_hi[active]
            )
            lower = np.where(first > 0, grid[rows, np.maximum(first - 1, 0)], log_lo[active])
            log_hi[active] = upper
            log_lo[active] = lower
        return np.exp(log_hi)

    def _cdf_any(self, x: FloatArray) -> FloatArray:
        return np.minimum(self._weighted("cdf", x), 1.0)

    def _moment(self, k: int) -> float:
        return math.fsum(
            w * c.moment(k) for w, c in zip(self.weights, self.components, strict=True)
        )

    def _var(self) -> float:
        mean = self._moment(1)
        return self._moment(2) - mean * mean

    def _limited_moment(self, u: FloatArray, k: int) -> FloatArray:
        total = np.zeros_like(u)
        for weight, component in zip(self.weights, self.components, strict=True):
            total += weight * _as_float_array(component.limited_moment(u, k))
        return total


@dataclass(frozen=True, slots=True)
class Capped(Severity):
    r"""A severity capped at a maximum: :math:`\min(X, c)`.

    Parameters
    ----------
    base : Severity
        The uncapped severity (currency units).
    cap : float
        The largest possible claim (> 0, finite, currency units), e.g. the value at risk.

    Notes
    -----
    :math:`F(x) = F_X(x)` for :math:`x < c` and 1 from :math:`c` on (an atom
    :math:`S_X(c)` at the cap, a total loss);
    :math:`E[(\min(X, c)\wedge u)^k] = E[(X\wedge \min(u, c))^k]` (Loss Models, 5th ed.,
    Section 3.1, limited loss variable).  Moments exist for every base, for ``k`` in {1, 2}.
    """

    base: Severity
    cap: float
    PARAMETERS: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("cap", 0.0, math.inf, lower_inclusive=False),
    )

    def _validate_extra(self) -> None:
        if not isinstance(self.base, Severity):
            raise ParameterError("Capped", "base", self.base, "must be a Severity")

    @property
    def support_upper(self) -> float:
        return min(self.cap, self.base.support_upper)

    @property
    def total_loss_probability(self) -> float:
        """``P(X >= cap)``: the probability of the atom at the cap."""
        return float(self.base.sf(self.cap))

    def _sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
        return np.minimum(self.base.sample(rng, shape), self.cap)

    def _cdf(self, x: FloatArray) -> FloatArray:
        return _as_float_array(self.base.cdf(x))

    def _sf(self, x: FloatArray) -> FloatArray:
        return _as_float_array(self.base.sf(x))

    def _pdf(self, x: FloatArray) -> FloatArray:
        # Density of the continuous part; the atom at the cap has no density.
        return _as_float_array(self.base.pdf(x))

    def _ppf(self, q: FloatArray) -> FloatArray:
        return np.minimum(_as_float_array(self.base.ppf(q)), self.support_upper)

    def _moment(self, k: int) -> float:
        if k not in (1, 2):
            raise ParameterError("Capped.moment", "k", k, "must be 1 or 2 for Capped")
        return float(self.base.limited_moment(self.support_upper, k))

    def _limited_moment(self, u: FloatArray, k: int) -> FloatArray:
        return _as_float_array(self.base.limited_moment(np.minimum(u, self.support_upper), k))
