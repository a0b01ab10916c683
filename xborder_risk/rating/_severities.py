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

import functools
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import numpy.typing as npt
from scipy import special

from xborder_risk._validation import check_real
from xborder_risk.distributions import Gamma, Lognormal, ParamSpec, Pareto, Severity, Weibull
from xborder_risk.errors import MomentDoesNotExistError, ParameterError, SimulationError

__all__ = ["Capped", "DurationCost", "Mixture", "Scaled"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# The mixture quantile is bracketed in log(x) and refined on a grid of _GRID interior points
# per round: 12 rounds shrink any bracket inside (1e-300, 1e300) by 65**12 ~ 6e21, far below
# one unit in the last place of log(x).
_GRID = 64
_PPF_ROUNDS = 12


# Components x points evaluated at once by Mixture._weighted (8 MiB of float64 per block).
_BLOCK_ELEMENTS = 1 << 20

# Severities numpy can sample with one parameter set per draw: its samplers broadcast their
# parameters and call the same scalar routine draw after draw, so a batch of draws for several
# components, in component order, is bit for bit the draws of the components one after the
# other (tests/rating/test_severities.py checks it against a loop over components).
_BATCH_PARAMETERS: dict[type[Severity], tuple[str, str]] = {
    Lognormal: ("mu", "sigma"),
    Gamma: ("alpha", "theta"),
    Weibull: ("tau", "theta"),
    Pareto: ("alpha", "theta"),
}


_BATCH_CLASSES: tuple[type[Severity], ...] = tuple(_BATCH_PARAMETERS)
_LOGNORMAL = _BATCH_CLASSES.index(Lognormal)


def _as_float_array(values: object) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _stable_order(keys: IntArray, n_keys: int) -> IntArray:
    """``np.argsort(keys, kind="stable")`` for keys in ``[0, n_keys)``, in O(len(keys)).

    numpy's stable sort of 16-bit integers is a radix sort; wider keys are sorted by their low
    16 bits and then, stably, by their high bits (a two-pass LSD radix sort).
    """
    if n_keys <= 1 << 16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    low_first = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    high = (keys[low_first] >> 16).astype(np.uint16)
    return low_first[np.argsort(high, kind="stable")]


def _runs(kinds: IntArray, members: IntArray) -> Iterator[tuple[int, IntArray]]:
    """Split ``members`` (component indices, ascending) into runs of one kind.

    ``kinds[i]`` is component ``i``'s batchable class (index into ``_BATCH_CLASSES``) or -1
    for a component sampled on its own.
    """
    member_kinds = kinds[members]
    breaks = np.flatnonzero(member_kinds[1:] != member_kinds[:-1]) + 1
    for run in np.split(members, breaks):
        if run.size:
            yield int(kinds[run[0]]), run


def _sample_batch(
    kind: int, first: FloatArray, second: FloatArray, counts: IntArray, rng: np.random.Generator
) -> FloatArray:
    """``counts[j]`` draws with parameters ``(first[j], second[j])`` for each j, in order."""
    a = np.repeat(first, counts)
    b = np.repeat(second, counts)
    cls = _BATCH_CLASSES[kind]
    with np.errstate(over="ignore"):
        if cls is Lognormal:
            return rng.lognormal(a, b)
        if cls is Gamma:
            return rng.gamma(a, b)
        if cls is Weibull:
            return b * rng.weibull(a)
        return b * rng.pareto(a)


def _lognormal_method(method: str, mu: FloatArray, sigma: FloatArray, x: FloatArray) -> FloatArray:
    """``Lognormal(mu_i, sigma_i).<method>(x)`` for every row ``i`` of ``mu``/``sigma`` at once.

    ``mu`` and ``sigma`` have shape ``(n, 1)``, ``x`` shape ``(m,)``; returns ``(n, m)``.  The
    arithmetic is that of :class:`~xborder_risk.distributions.Lognormal`'s public method and
    kernel, operation for operation, so each row equals the component's own result.
    ``method`` is ``cdf``, ``sf``, ``pdf`` or ``limited_moment_<k>``.
    """
    n = mu.shape[0]
    if method == "cdf":
        out = np.zeros((n, x.size))
        out[:, x >= math.inf] = 1.0
        inside = (x > 0) & (x < math.inf)
        out[:, inside] = special.ndtr((np.log(x[inside]) - mu) / sigma)
        return out
    if method == "sf":
        out = np.ones((n, x.size))
        out[:, x >= math.inf] = 0.0
        inside = (x > 0) & (x < math.inf)
        out[:, inside] = special.ndtr(-((np.log(x[inside]) - mu) / sigma))
        return out
    if method == "pdf":
        out = np.zeros((n, x.size))
        inside = (x > 0) & np.isfinite(x)
        xp = x[inside]
        z = (np.log(xp) - mu) / sigma
        # math.log per component, as Lognormal._pdf computes its constant.
        constant = np.array([math.log(s * math.sqrt(2.0 * math.pi)) for s in sigma[:, 0].tolist()])[
            :, None
        ]
        out[:, inside] = np.exp(-0.5 * z * z - np.log(xp) - constant)
        return out
    k = int(method.removeprefix("limited_moment_"))
    # The exponent of E[X**k] in Python floats, as Lognormal computes it.
    pairs = zip(mu[:, 0].tolist(), sigma[:, 0].tolist(), strict=True)
    exponent = np.array([k * m + 0.5 * (k * s) ** 2 for m, s in pairs])[:, None]
    out = np.zeros((n, x.size))
    beyond = x >= math.inf
    if beyond.any():
        if (exponent > math.log(np.finfo(np.float64).max)).any():
            raise MomentDoesNotExistError(
                f"Lognormal: E[X**{k}] is finite but exceeds the float64 range (about 1.8e308)"
            )
        out[:, beyond] = np.array([math.exp(e) for e in exponent[:, 0].tolist()])[:, None]
    inside = (x > 0) & ~beyond
    u = x[inside]
    with np.errstate(over="ignore"):
        z = (np.log(u) - mu) / sigma
        body = np.exp(exponent + special.log_ndtr(z - k * sigma))
        tail = np.asarray(special.ndtr(-z))
        power = np.zeros_like(tail)
        keep = (tail > 0) & (u > 0)
        power[keep] = np.exp(np.broadcast_to(k * np.log(u), tail.shape)[keep] + np.log(tail[keep]))
        values = body + power
    if not np.isfinite(values).all():
        raise MomentDoesNotExistError(
            f"Lognormal: E[min(X, u)**{k}] exceeds the float64 range for some u"
        )
    out[:, inside] = values
    return out


def _component_method(component: Severity, method: str, x: FloatArray) -> FloatArray:
    """``component.<method>(x)`` through its public method (``limited_moment_<k>`` included)."""
    if method.startswith("limited_moment_"):
        k = int(method.removeprefix("limited_moment_"))
        return _as_float_array(component.limited_moment(x, k))
    return _as_float_array(getattr(component, method)(x))


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
    # Per component: its batchable class (an index into _BATCH_CLASSES, -1 for one sampled on
    # its own) and its two parameters (NaN if not batchable), read once on construction so
    # that sampling a block of claims never walks the components in Python.
    _kinds: IntArray = field(init=False, repr=False, compare=False)
    _first: FloatArray = field(init=False, repr=False, compare=False)
    _second: FloatArray = field(init=False, repr=False, compare=False)
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
        kinds = np.array(
            [
                _BATCH_CLASSES.index(type(c)) if type(c) in _BATCH_PARAMETERS else -1
                for c in self.components
            ],
            dtype=np.int64,
        )
        first = np.full(kinds.size, np.nan)
        second = np.full(kinds.size, np.nan)
        for i in np.flatnonzero(kinds >= 0).tolist():
            names = _BATCH_PARAMETERS[type(self.components[i])]
            first[i] = getattr(self.components[i], names[0])
            second[i] = getattr(self.components[i], names[1])
        object.__setattr__(self, "_kinds", kinds)
        object.__setattr__(self, "_first", first)
        object.__setattr__(self, "_second", second)

    def _check_sampling_range(self) -> None:
        # Each component passed this check on construction, and a mixture's quantile lies
        # between its components' quantiles; a search over 85,000 components is not needed.
        return None

    def _check_mean(self) -> None:
        # Likewise the mixture's mean is a weighted mean of its components' checked means.
        return None

    @property
    def support_upper(self) -> float:
        return max(component.support_upper for component in self.components)

    def _weights(self) -> FloatArray:
        return np.asarray(self.weights, dtype=np.float64)

    def _lognormal_parameters(self) -> tuple[IntArray, FloatArray, FloatArray]:
        """Indices, ``mu`` and ``sigma`` of the lognormal components (one entry each)."""
        index = np.flatnonzero(self._kinds == _LOGNORMAL)
        return index, self._first[index], self._second[index]

    def _sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
        which = np.searchsorted(np.cumsum(self._weights())[:-1], rng.random(shape), side="right")
        flat = which.ravel()
        counts = np.bincount(flat, minlength=len(self.components))
        # The claims grouped by component, in component order and, within a component, in
        # claim order (a stable sort): the draws below fill them in that order, one pass.
        order = _stable_order(flat, len(self.components))
        draws = np.empty(flat.size, dtype=np.float64)
        position = 0
        for kind, members in _runs(self._kinds, np.flatnonzero(counts)):
            member_counts = counts[members]
            size = int(member_counts.sum())
            block = draws[position : position + size]
            if kind < 0:
                offset = 0
                for member, count in zip(members.tolist(), member_counts.tolist(), strict=True):
                    block[offset : offset + count] = self.components[member].sample(rng, count)
                    offset += count
            else:
                block[:] = _sample_batch(
                    kind, self._first[members], self._second[members], member_counts, rng
                )
            position += size
        if not np.isfinite(draws).all():
            raise SimulationError(f"{self!r}: a sampled claim overflowed to inf")
        out = np.empty(flat.size, dtype=np.float64)
        out[order] = draws
        return out.reshape(shape)

    def _weighted(self, method: str, x: FloatArray) -> FloatArray:
        # Sum of w_i * component_i.method(x), accumulated in component order (as a loop
        # would, so the result does not depend on how the work is split); lognormal
        # components are evaluated together, a block of components at a time, so the cost
        # is one vectorised call per block rather than one Python call per component.
        weights = self._weights()
        total = np.zeros_like(x)
        if x.size == 0:
            return total
        lognormal_index, mu, sigma = self._lognormal_parameters()
        is_lognormal = np.zeros(len(self.components), dtype=bool)
        is_lognormal[lognormal_index] = True
        slot = np.cumsum(is_lognormal) - 1  # position of a lognormal in lognormal_index
        step = max(1, _BLOCK_ELEMENTS // x.size)
        for first in range(0, len(self.components), step):
            last = min(first + step, len(self.components))
            values = np.empty((last - first, x.size), dtype=np.float64)
            block_lognormal = is_lognormal[first:last]
            if block_lognormal.any():
                rows = slot[first:last][block_lognormal]
                values[block_lognormal] = _lognormal_method(
                    method, mu[rows, None], sigma[rows, None], x
                )
            for offset in np.flatnonzero(~block_lognormal).tolist():
                values[offset] = _component_method(self.components[first + offset], method, x)
            values *= weights[first:last, None]
            # add.accumulate adds row after row: the same rounding as total += w_i * v_i.
            total = np.add.accumulate(np.vstack([total[None, :], values]), axis=0)[-1]
        return total

    def _cdf(self, x: FloatArray) -> FloatArray:
        return np.minimum(self._weighted("cdf", x), 1.0)

    def _sf(self, x: FloatArray) -> FloatArray:
        return np.minimum(self._weighted("sf", x), 1.0)

    def _pdf(self, x: FloatArray) -> FloatArray:
        return self._weighted("pdf", x)

    def _ppf(self, q: FloatArray) -> FloatArray:
        quantiles = self._component_quantiles(q)
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

    def _component_quantiles(self, q: FloatArray) -> FloatArray:
        """``(n_components, q.size)`` array of the components' quantiles at ``q``."""
        out = np.empty((len(self.components), q.size), dtype=np.float64)
        index, mu, sigma = self._lognormal_parameters()
        if index.size:
            # Lognormal.ppf, for all lognormal components at once.
            out[index] = np.exp(mu[:, None] + sigma[:, None] * special.ndtri(q)[None, :])
        done = np.zeros(len(self.components), dtype=bool)
        done[index] = True
        for i in np.flatnonzero(~done).tolist():
            out[i] = _as_float_array(self.components[i].ppf(q))
        return out

    def _moment(self, k: int) -> float:
        return math.fsum(
            w * c.moment(k) for w, c in zip(self.weights, self.components, strict=True)
        )

    def _var(self) -> float:
        mean = self._moment(1)
        return self._moment(2) - mean * mean

    def _limited_moment(self, u: FloatArray, k: int) -> FloatArray:
        return self._weighted(f"limited_moment_{k}", u)


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


@dataclass(frozen=True, slots=True)
class Scaled(Severity):
    r"""A severity multiplied by a constant: :math:`m X`.

    Parameters
    ----------
    base : Severity
        The severity scaled (currency units).
    multiplier : float
        The factor :math:`m > 0` (finite, dimensionless).

    Notes
    -----
    :math:`F(x) = F_X(x / m)`, :math:`E[(mX \wedge u)^k] = m^k E[(X \wedge u/m)^k]`
    (Loss Models, 5th ed., Section 5.2.1, multiplication by a constant).  Used for the
    components of a line's severity that carry a sub-limit (``rating/lines/_terms.py``): each
    is the line's severity times a tabulated multiplier.
    """

    base: Severity
    multiplier: float
    PARAMETERS: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("multiplier", 0.0, math.inf, lower_inclusive=False),
    )

    def _validate_extra(self) -> None:
        if not isinstance(self.base, Severity):
            raise ParameterError("Scaled", "base", self.base, "must be a Severity")

    @property
    def support_upper(self) -> float:
        return self.multiplier * self.base.support_upper

    def _sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
        return self.multiplier * self.base.sample(rng, shape)

    def _cdf(self, x: FloatArray) -> FloatArray:
        return _as_float_array(self.base.cdf(x / self.multiplier))

    def _sf(self, x: FloatArray) -> FloatArray:
        return _as_float_array(self.base.sf(x / self.multiplier))

    def _pdf(self, x: FloatArray) -> FloatArray:
        return _as_float_array(self.base.pdf(x / self.multiplier)) / self.multiplier

    def _ppf(self, q: FloatArray) -> FloatArray:
        return self.multiplier * _as_float_array(self.base.ppf(q))

    def _moment(self, k: int) -> float:
        return float(self.multiplier**k * self.base.moment(k))

    def _limited_moment(self, u: FloatArray, k: int) -> FloatArray:
        limited = _as_float_array(self.base.limited_moment(u / self.multiplier, k))
        return self.multiplier**k * limited


@dataclass(frozen=True, slots=True)
class DurationCost(Severity):
    r"""Cost of an outage as a function of its duration, under a waiting and an indemnity period.

    .. math:: X = c_0 + \sum_i r_i \min\bigl(\max(D - w, 0),\, s_i\bigr)

    Parameters
    ----------
    duration : Severity
        Distribution of the outage duration :math:`D` (hours, or any unit the rates use).
    fixed : float
        Fixed response cost :math:`c_0` of every outage (>= 0, currency units).
    rates : tuple of float
        Cost per unit of duration :math:`r_i` of each system the outage stops (> 0,
        currency units per hour); one entry for an outage of one system, several for a
        common-vendor event that stops several systems for the same duration.
    spans : tuple of float
        Longest paid duration :math:`s_i` after the waiting period per system (> 0, may be
        ``inf``): the indemnity period less the waiting period, or the hours after which a
        liquidated-damages cap is reached, whichever is shorter.
    wait : float
        Waiting period :math:`w` (>= 0, same unit as ``duration``): hours not paid.

    Notes
    -----
    :math:`X = g(D)` with :math:`g` non-decreasing and piecewise linear, so
    :math:`F_X(x) = F_D(g^{-1}(x))`, :math:`F_X^{-1}(q) = g(F_D^{-1}(q))`, and on every piece
    :math:`(a, b]` where :math:`g(d) = \alpha + \beta d`,
    :math:`E[(\alpha + \beta D)^k; a < D \le b]` follows from the limited moments of
    :math:`D` (:math:`E[D^j; D \le b] = E[(D\wedge b)^j] - b^j S_D(b)`), so the limited
    moments of :math:`X` are exact (Loss Models, 5th ed., Section 3.1).
    """

    duration: Severity
    fixed: float
    rates: tuple[float, ...]
    spans: tuple[float, ...]
    wait: float
    PARAMETERS: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("fixed", 0.0, math.inf),
        ParamSpec("wait", 0.0, math.inf),
    )

    def _validate_extra(self) -> None:
        if not isinstance(self.duration, Severity):
            raise ParameterError("DurationCost", "duration", self.duration, "must be a Severity")
        if not isinstance(self.rates, tuple) or not self.rates:
            raise ParameterError("DurationCost", "rates", self.rates, "must be a non-empty tuple")
        if not isinstance(self.spans, tuple) or len(self.spans) != len(self.rates):
            raise ParameterError(
                "DurationCost", "spans", self.spans, "must be a tuple, one span per rate"
            )
        for rate in self.rates:
            check_real("DurationCost", "rates", rate, lower=0.0, lower_inclusive=False)
        for span in self.spans:
            check_real(
                "DurationCost", "spans", span, lower=0.0, lower_inclusive=False, allow_inf=True
            )

    # -- the piecewise-linear map t = max(D - w, 0) -> h(t) = sum r_i min(t, s_i) -------------

    def _knots(self) -> tuple[FloatArray, FloatArray, float]:
        """Knots ``t_k`` (0 and the finite spans), ``h(t_k)``, and the slope beyond the last."""
        spans = np.array(self.spans, dtype=np.float64)
        rates = np.array(self.rates, dtype=np.float64)
        finite = np.unique(spans[np.isfinite(spans)])
        knots = np.concatenate(([0.0], finite))
        values = np.array([float(np.sum(rates * np.minimum(t, spans))) for t in knots])
        slope = float(np.sum(rates[~np.isfinite(spans)]))
        return knots, values, slope

    def _g(self, d: FloatArray) -> FloatArray:
        t = np.maximum(d - self.wait, 0.0)
        spans = np.array(self.spans, dtype=np.float64)
        rates = np.array(self.rates, dtype=np.float64)
        out = np.full(t.shape, self.fixed)
        for rate, span in zip(rates, spans, strict=True):
            out = out + rate * np.minimum(t, span)
        return out

    def _g_inverse(self, x: FloatArray) -> FloatArray:
        """The largest duration ``d`` with ``g(d) <= x``, for ``fixed <= x < support_upper``."""
        knots, values, slope = self._knots()
        y = x - self.fixed
        t = np.interp(y, values, knots)
        beyond = y > values[-1]
        if beyond.any():
            t[beyond] = knots[-1] + (y[beyond] - values[-1]) / slope
        return self.wait + t

    @property
    def support_upper(self) -> float:
        _knots, values, slope = self._knots()
        return math.inf if slope > 0.0 else self.fixed + float(values[-1])

    def _sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
        return self._g(_as_float_array(self.duration.sample(rng, shape)))

    def _cdf(self, x: FloatArray) -> FloatArray:
        out = np.zeros_like(x)
        inside = x >= self.fixed
        out[inside] = _as_float_array(self.duration.cdf(self._g_inverse(x[inside])))
        return out

    def _sf(self, x: FloatArray) -> FloatArray:
        out = np.ones_like(x)
        inside = x >= self.fixed
        out[inside] = _as_float_array(self.duration.sf(self._g_inverse(x[inside])))
        return out

    def _pdf(self, x: FloatArray) -> FloatArray:
        # Density of the continuous part (the atom at the fixed cost has none).
        out = np.zeros_like(x)
        inside = x > self.fixed
        if inside.any():
            d = self._g_inverse(x[inside])
            t = d - self.wait
            spans = np.array(self.spans, dtype=np.float64)
            rates = np.array(self.rates, dtype=np.float64)
            slope = np.array([float(np.sum(rates[spans > v])) for v in t.tolist()])
            density = _as_float_array(self.duration.pdf(d))
            out[inside] = np.where(slope > 0.0, density / np.where(slope > 0, slope, 1.0), 0.0)
        return out

    def _ppf(self, q: FloatArray) -> FloatArray:
        return self._g(_as_float_array(self.duration.ppf(q)))

    def _partial(self, b: float, j: int) -> float:
        """``E[D**j; D <= b]`` for ``j`` in {0, 1, 2}."""
        if j == 0:
            return float(self.duration.cdf(b)) if math.isfinite(b) else 1.0
        if not math.isfinite(b):
            return float(self.duration.moment(j))
        return float(self.duration.limited_moment(b, j)) - b**j * float(self.duration.sf(b))

    def _limited_scalar(self, u: float, k: int) -> float:
        if u <= self.fixed:
            return u**k
        knots, values, slope = self._knots()
        y = u - self.fixed
        # t* = h^{-1}(u - fixed): beyond it the payment is capped at u.
        if y <= values[-1]:
            t_star = float(np.interp(y, values, knots))
        elif slope > 0.0:
            t_star = float(knots[-1] + (y - values[-1]) / slope)
        else:
            t_star = math.inf
        cuts = [float(t) for t in knots if t < t_star]
        end = min(t_star, float(knots[-1]) if slope == 0.0 else math.inf)
        cuts.append(end)
        total = self.fixed**k * self._partial(self.wait, 0)
        spans = np.array(self.spans, dtype=np.float64)
        rates = np.array(self.rates, dtype=np.float64)
        for lo, hi in itertools.pairwise(cuts):
            if hi <= lo:
                continue
            beta = float(np.sum(rates[spans > lo]))
            h_lo = float(np.sum(rates * np.minimum(lo, spans)))
            alpha = self.fixed + h_lo - beta * (lo + self.wait)
            a, b = lo + self.wait, hi + self.wait
            p0 = self._partial(b, 0) - self._partial(a, 0)
            p1 = self._partial(b, 1) - self._partial(a, 1)
            if k == 1:
                total += alpha * p0 + beta * p1
            else:
                p2 = self._partial(b, 2) - self._partial(a, 2)
                total += alpha * alpha * p0 + 2.0 * alpha * beta * p1 + beta * beta * p2
        if math.isfinite(end):
            top = min(u, self.fixed + float(np.sum(rates * np.minimum(end, spans))))
            total += top**k * float(self.duration.sf(end + self.wait))
        return total

    def _moment(self, k: int) -> float:
        if k not in (1, 2):
            raise ParameterError("DurationCost.moment", "k", k, "must be 1 or 2 for DurationCost")
        return _cached_limited_scalar(self, math.inf, k)

    def _limited_moment(self, u: FloatArray, k: int) -> FloatArray:
        return np.array([_cached_limited_scalar(self, float(v), k) for v in u.tolist()])


@functools.lru_cache(maxsize=1 << 16)
def _cached_limited_scalar(severity: DurationCost, u: float, k: int) -> float:
    # A rating asks each system's outage cost for the same few limited moments several times
    # (the line's layer loss, the worksheet, the unverified share); the severity is frozen and
    # hashable, so each is computed once.
    return severity._limited_scalar(u, k)
