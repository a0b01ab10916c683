"""Exact (numerical) aggregate loss distribution of one line: rounding, FFT, Panjer.

The annual layer loss of a :class:`~xborder_risk.engine.LossModel` is a compound sum of
layered occurrence losses.  This module computes its distribution on a lattice, with no
simulation error: the occurrence layer loss is discretised by the method of rounding,
compounded with the frequency by the fast Fourier transform (FFT) or by Panjer's
recursion, and the aggregate terms of the layer are then applied to the lattice exactly.
The only approximations are the discretisation step and a tail beyond the grid whose
probability is bounded above by ``tail_tolerance``.  The method is described, with its
error bounds, in ``docs/exact.md``.

References
----------
Klugman, S. A., Panjer, H. H. & Willmot, G. E., *Loss Models: From Data to Decisions*
(Wiley), chapter 9: the recursive method (Panjer), discretisation by the method of
rounding (§9.6.1) and coverage modifications (§9.7).
Embrechts, P. & Frei, M. (2009), "Panjer recursion versus FFT for compound distributions",
*Mathematical Methods of Operations Research* 69(3), 497-508.
Panjer, H. H. (1981), "Recursive evaluation of a family of compound distributions",
*ASTIN Bulletin* 12(1), 22-26.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, cast, overload

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from xborder_risk._deprecation import warn_deprecated
from xborder_risk._validation import as_float_array, check_choice, check_int, check_real
from xborder_risk.distributions import Frequency, Severity
from xborder_risk.engine import Layer, LossModel
from xborder_risk.errors import (
    MomentDoesNotExistError,
    ParameterError,
    SimulationError,
    SimulationSizeError,
)

__all__ = [
    "MAX_GRID_POINTS",
    "PANJER_MAX_POINTS",
    "AggregateDistribution",
    "aggregate_distribution",
    "compound_pmf",
    "discretise_layered_severity",
    "layered_occurrence_moments",
]

Method = Literal["fft", "panjer"]

#: Largest lattice (number of points) any request may use; larger ones are refused with
#: :class:`~xborder_risk.errors.SimulationSizeError` before anything is allocated.  An FFT
#: of this size holds about 2 GB of float64/complex128 work arrays.
MAX_GRID_POINTS: int = 2**26

#: Largest lattice for ``method="panjer"``: the recursion costs O(n * m) operations with an
#: interpreted outer loop over the n grid points, so it is kept to a modest grid.
PANJER_MAX_POINTS: int = 2**16

# The automatic grid never starts smaller than this: below it the FFT costs nothing and a
# tiny grid only means more doublings.
_MIN_AUTO_POINTS = 2**10

# Automatic step: the median of a positive layer payment spans _BODY_STEPS steps, or, with
# many claims, the rough aggregate spread spans _SPREAD_STEPS steps, whichever is coarser;
# but never fewer than _MIN_BODY_STEPS steps per median claim, because the rounding bias
# of each claim's mean, O(h^2), adds up over the claims instead of averaging out.
_BODY_STEPS = 200.0
_SPREAD_STEPS = 1000.0
_MIN_BODY_STEPS = 20.0

_TAIL_TOLERANCE_RANGE = (1e-15, 1e-3)

# FFT round-off leaves values of order 1e-17 either side of zero where the true
# probability is zero; anything more negative than this means a numerical failure.
_ROUNDOFF_NEGATIVE = -1e-10

# Slack when comparing a confidence level with the cumulative sum of the pmf.
_LEVEL_SLACK = 64 * float(np.finfo(np.float64).eps)

# Panjer's recursion is linear in g, so it runs on a rescaled copy to survive the
# underflow of g_0 = P_N(f_0) for large expected claim counts (Embrechts & Frei 2009).
_PANJER_RESCALE_AT = 1e280


# --------------------------------------------------------------------------------------
# Closed-form moments of the layered occurrence loss
# --------------------------------------------------------------------------------------


def layered_occurrence_moments(severity: Severity, layer: Layer) -> tuple[float, float]:
    """First and second moments of one occurrence's layer payment.

    Parameters
    ----------
    severity : Severity
        Ground-up size :math:`X` of one occurrence, currency units.
    layer : Layer
        Only the occurrence terms are used: deductible :math:`d` and limit :math:`l`
        (the limit may be infinite).

    Returns
    -------
    (mean, second_moment) : tuple of float
        :math:`E[Y]` (currency units) and :math:`E[Y^2]` (currency units squared) of
        :math:`Y = \\min(\\max(X - d, 0), l)`.

    Raises
    ------
    MomentDoesNotExistError
        When the limit is infinite and the severity's first or second moment does not
        exist (for example a Pareto with ``alpha <= 2`` has no second moment).

    Notes
    -----
    The formulas (*Loss Models* §8.5) are those of
    :meth:`xborder_risk.engine.Layer.occurrence_moments`, which this calls.
    With them the compound sum :math:`S = Y_1 + \\dots + Y_N` has
    :math:`E[S] = E[N]E[Y]` and :math:`\\mathrm{Var}[S] = E[N]\\mathrm{Var}[Y] +
    \\mathrm{Var}[N]E[Y]^2` (*Loss Models* §9.3).
    """
    return layer.occurrence_moments(severity)


# --------------------------------------------------------------------------------------
# Discretisation by the method of rounding
# --------------------------------------------------------------------------------------


def _limit_steps(limit: float, step: float, owner: str) -> int | None:
    """Number of steps in the occurrence limit, or None for no limit.

    The limit's atom must sit on a grid point, so the step has to divide the limit.
    """
    if math.isinf(limit):
        return None
    ratio = limit / step
    steps = round(ratio)
    if steps < 1 or abs(ratio - steps) > 1e-9 * max(1.0, ratio):
        raise ParameterError(
            owner,
            "step",
            step,
            f"must divide the occurrence limit {limit:g} into a whole number of steps "
            f"(limit/step = {ratio:.6g}) so that the limit is a grid point",
        )
    return int(steps)


def _discretise(
    severity: Severity,
    deductible: float,
    limit_steps: int | None,
    step: float,
    n_points: int,
    negligible: float = 0.0,
) -> tuple[NDArray[np.float64], float]:
    """Rounded layer-loss pmf on 0, h, ..., and the probability cut off beyond it.

    Returns ``(f, truncated)``: ``f[j]`` is the probability at ``j * step``.  The pmf
    ends at the grid's last point, or earlier at the first point K beyond which the layer
    loss has probability at most ``negligible``; the probability beyond the end is lumped
    into the last entry and returned as ``truncated`` so that it enters the error bound.
    A short pmf keeps the compounding and the error bound cheap when many claims make
    the aggregate grid much longer than one claim's range.
    """
    last = n_points - 1 if limit_steps is None else min(limit_steps, n_points - 1)
    # Cell edges (j - 1/2) h for j = 1..last+1, shifted by the deductible into X's scale;
    # survival[j] = P(Y_h >= j), with survival[last + 1] the probability beyond the grid.
    edges = deductible + (np.arange(1, last + 2, dtype=np.float64) - 0.5) * step
    survival = np.empty(last + 2, dtype=np.float64)
    survival[0] = 1.0
    survival[1:] = np.asarray(severity.sf(edges), dtype=np.float64)
    if limit_steps is not None and limit_steps <= last:
        survival[-1] = 0.0  # nothing beyond the limit
    if not np.isfinite(survival).all() or np.diff(survival).max() > -_ROUNDOFF_NEGATIVE:
        raise SimulationError(
            f"{type(severity).__name__}.sf is not a non-increasing function with values in "
            "[0, 1] on the discretisation grid"
        )
    end = last
    if negligible > 0.0:
        small = np.flatnonzero(survival[1:] <= negligible)
        if small.size:
            end = min(last, int(small[0]))
    truncated = float(survival[end + 1])
    # Differences of the survival function rather than of the cdf keep full relative
    # precision in the far tail, where the cdf rounds to 1.
    pmf = survival[: end + 1].copy()
    pmf[:-1] -= survival[1 : end + 1]
    np.maximum(pmf, 0.0, out=pmf)  # round-off only, checked just above
    return pmf, truncated


def discretise_layered_severity(
    severity: Severity, layer: Layer, step: float, n_points: int
) -> NDArray[np.float64]:
    """Discretise the occurrence layer loss by the method of rounding.

    Parameters
    ----------
    severity : Severity
        Ground-up occurrence size :math:`X`, currency units.
    layer : Layer
        Only the occurrence deductible :math:`d` and limit :math:`l` are used.
    step : float
        Grid span :math:`h`, currency units, ``> 0``; with a finite limit, ``limit / step``
        must be a whole number so that the limit is a grid point.
    n_points : int
        Largest number of grid points, ``>= 2``.

    Returns
    -------
    numpy.ndarray of float64, shape (min(n_points, l/h + 1),)
        ``f[j]`` is the probability that the rounded layer loss equals ``j * step``; the
        entries sum to 1.  When the layer loss can exceed the last grid point, the
        probability beyond it is lumped into the last point.

    Notes
    -----
    With :math:`Y = \\min(\\max(X - d, 0), l)`, :math:`l = Mh` and
    :math:`S_X = 1 - F_X` (Klugman, Panjer & Willmot, *Loss Models*, §9.6.1):

    .. math::
        f_0 &= 1 - S_X(d + h/2), \\\\
        f_j &= S_X(d + (j - \\tfrac12)h) - S_X(d + (j + \\tfrac12)h),
               \\quad 1 \\le j < M, \\\\
        f_M &= S_X(d + (M - \\tfrac12)h),

    so the atom of :math:`Y` at the limit and the probability of
    :math:`[l - h/2, l)` both go to the grid point :math:`l`.
    """
    owner = "discretise_layered_severity"
    if not isinstance(severity, Severity):
        raise ParameterError(owner, "severity", severity, "must be a Severity distribution")
    if not isinstance(layer, Layer):
        raise ParameterError(owner, "layer", layer, "must be a Layer")
    h = check_real(owner, "step", step, lower=0.0, lower_inclusive=False)
    n = check_int(owner, "n_points", n_points, lower=2)
    if n > MAX_GRID_POINTS:
        raise SimulationSizeError(
            f"{owner}: n_points={n} exceeds the largest grid MAX_GRID_POINTS={MAX_GRID_POINTS}"
        )
    limit_steps = _limit_steps(float(layer.limit), h, owner)
    pmf, _ = _discretise(severity, float(layer.deductible), limit_steps, h, n)
    return pmf


# --------------------------------------------------------------------------------------
# Compounding: FFT and Panjer
# --------------------------------------------------------------------------------------


def _log_pgf_at_exp(a: float, b: float, log_z: NDArray[np.float64]) -> NDArray[np.float64]:
    """log P_N(e^L) for an (a, b, 0) frequency, +inf where the pgf diverges.

    From the (a, b, 0) parameters: P(z) = exp(b (z - 1)) when a = 0, otherwise
    P(z) = (1 - a (z - 1) / (1 - a))^(-(a + b) / a) (*Loss Models* ch. 6, the (a, b, 0) class).
    Working in logs lets the Chernoff bound and Panjer's starting value go far beyond
    the range where P_N itself under- or overflows.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        z_minus_1 = np.expm1(log_z)
        if a == 0.0:
            return cast(NDArray[np.float64], b * z_minus_1)
        shift = -(a / (1.0 - a)) * z_minus_1
        converges = shift > -1.0
        log_base = np.log1p(np.where(converges, shift, 0.0))
        out = np.where(converges, (-(a + b) / a) * log_base, np.inf)
    return cast(NDArray[np.float64], np.asarray(out, dtype=np.float64))


LogPgf = Callable[[NDArray[np.float64]], NDArray[np.float64]]


def _log_pgf_function(frequency: Frequency) -> LogPgf:
    """``L -> log P_N(e^L)`` for a frequency, from its (a, b, 0) parameters.

    A claim count that is a point mass (a Binomial with ``q = 1``: ``N = m``) has no
    (a, b, 0) form; its pgf is ``z**m``, so ``log P_N(e^L) = m L``.
    """
    if _is_point_mass(frequency):
        count = float(frequency.mean())
        return lambda log_z: count * log_z
    a, b, _ = frequency.panjer_abp0()
    return lambda log_z: _log_pgf_at_exp(float(a), float(b), log_z)


def _is_point_mass(frequency: Frequency) -> bool:
    """A claim count with no randomness and at least one claim (N = m for Binomial q = 1)."""
    return frequency.var() == 0.0 and frequency.mean() > 0.0


# The Chernoff search runs on at most this many blocks of the lattice pmf (see below).
_BOUND_BLOCKS = 2**16


def _chernoff_log_tail(
    log_pgf: LogPgf,
    pmf: NDArray[np.float64],
    threshold: int,
    log_target: float,
    count_scale: int = 1,
) -> float:
    """Upper bound on log P(S >= threshold, every claim < len(pmf)) for a lattice pmf.

    Chernoff: P(S >= x) <= exp(log E[e^{tS}] - t x) for every t > 0, and with only the
    claims below len(pmf) counted, E[e^{tS}; all claims small] = P_N(M(t)) with the
    sub-stochastic M(t) = sum_j f_j e^{tj} (the Chernoff bound of large-deviation theory).
    The pmf is summed in at most _BOUND_BLOCKS blocks and each block's mass placed at its
    top point, which can only raise M(t): the bound stays valid and costs O(blocks).
    The exponent is convex in t, so a golden-section search over log t finds its
    minimum; it stops early once the bound is below the target.
    """
    # Moving mass up by w - 1 points moves S up by up to (w - 1) times the claim count, so
    # the width is also kept to 1/64 of the grid per expected claim.
    width = max(1, min(math.ceil(pmf.size / _BOUND_BLOCKS), threshold // (64 * count_scale)))
    starts = np.arange(0, pmf.size, width)
    block_mass = np.add.reduceat(pmf, starts)  # blocks are never empty here
    block_top = np.minimum(starts + width - 1, pmf.size - 1).astype(np.float64)
    keep = block_mass > 0.0
    log_f = np.log(block_mass[keep])
    j = block_top[keep]

    def log_bound(log_t: float) -> float:
        t = math.exp(log_t)
        v = log_f + t * j
        top = float(v.max())
        log_mgf = top + math.log(float(np.exp(v - top).sum()))
        return float(log_pgf(np.array([log_mgf]))[0]) - t * threshold

    lo, hi = math.log(1e-4 / threshold), math.log(50.0)
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    x1, x2 = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    f1, f2 = log_bound(x1), log_bound(x2)
    best = min(f1, f2)
    # 30 golden-section steps narrow log t to 1e-6 of its range: the exponent is flat at
    # its minimum, so the bound is then within round-off of the optimal one.
    for _ in range(30):
        if best <= log_target:
            break
        # Ties (including inf == inf past a divergence) move left: the exponent is +inf
        # only to the right of its finite domain.
        if f1 <= f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - ratio * (hi - lo)
            f1 = log_bound(x1)
            best = min(best, f1)
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + ratio * (hi - lo)
            f2 = log_bound(x2)
            best = min(best, f2)
    return best


def _tail_error_bound(
    frequency: Frequency, pmf: NDArray[np.float64], truncated: float, n_points: int, tol: float
) -> float:
    """Bound on the probability the grid misplaces: E[N] * truncated + P(S' >= n).

    S' is the compound of the (possibly truncated) lattice pmf.  Truncating the layer loss
    at the last grid point changes S only when some claim was truncated (probability at
    most E[N] * truncated), and the FFT wraps around, or Panjer drops, exactly the
    probability P(S' >= n) (Embrechts & Frei 2009).  For that,

        P(S' >= n) <= E[N] P(Y' >= c) + P(S' >= n, every claim < c)

    for any claim size c; the second term gets a Chernoff bound.  c = n is the plain
    Chernoff bound, tight for light or limited layer losses; smaller c (down to n/8)
    tighten it for heavy tails, where one large claim dominates the event.
    """
    log_pgf = _log_pgf_function(frequency)
    expected_count = float(frequency.mean())
    cut = expected_count * truncated
    if cut >= tol:
        # Already over the tolerance from the cut-off alone; skip the Chernoff search.
        return max(cut, math.nextafter(tol, math.inf))
    count_scale = max(1, math.ceil(expected_count + math.sqrt(float(frequency.var()))))
    # at_least[c] = P(Y' >= c), summed from the tail for precision.
    at_least = np.cumsum(pmf[::-1])[::-1]
    best = math.inf
    for halvings in range(7):
        c = min(pmf.size, math.ceil(n_points * 2.0 ** (-halvings / 2.0)))
        big = expected_count * float(at_least[c]) if c < pmf.size else 0.0
        budget = tol - cut - big
        if budget <= 0.0:
            best = min(best, cut + big)
            continue
        log_tail = _chernoff_log_tail(log_pgf, pmf[:c], n_points, math.log(budget), count_scale)
        best = min(best, cut + big + math.exp(min(log_tail, 0.0)))
        if best <= tol:
            break
    return best


def _fft_compound(
    frequency: Frequency, pmf: NDArray[np.float64], n_points: int
) -> NDArray[np.float64]:
    padded = np.zeros(n_points, dtype=np.float64)
    padded[: pmf.size] = pmf
    # The pgf has real coefficients, so P_N(conj(phi)) = conj(P_N(phi)) and the
    # half-spectrum of rfft is all irfft needs.
    spectrum = np.fft.rfft(padded)
    del padded
    compound_spectrum = np.asarray(frequency.pgf(spectrum), dtype=np.complex128)
    del spectrum
    return np.fft.irfft(compound_spectrum, n_points)


def _panjer_compound(
    frequency: Frequency, pmf: NDArray[np.float64], n_points: int
) -> NDArray[np.float64]:
    a, b, _ = frequency.panjer_abp0()
    a, b = float(a), float(b)
    # Trailing zeros (a severity tail that underflowed) only lengthen every inner sum.
    pmf = pmf[: int(np.flatnonzero(pmf)[-1]) + 1]
    m = pmf.size
    f0 = float(pmf[0])
    with np.errstate(divide="ignore"):
        log_f0 = np.log(np.array([f0]))
    log_scale = float(_log_pgf_at_exp(a, b, log_f0)[0])  # log g_0
    scaled = np.zeros(n_points, dtype=np.float64)
    scaled[0] = 1.0
    inv_denominator = 1.0 / (1.0 - a * f0)
    # Rows f_j and j f_j, reversed, so that both inner sums are one matrix-vector product
    # with a contiguous window of g.
    reversed_rows = np.ascontiguousarray(
        np.vstack((pmf, np.arange(m, dtype=np.float64) * pmf))[:, ::-1]
    )
    log_rescale = math.log(_PANJER_RESCALE_AT)
    for k in range(1, n_points):
        depth = min(k, m - 1)
        if depth == 0:
            break  # a layer loss degenerate at 0: S = 0
        sum_f, sum_jf = reversed_rows[:, m - 1 - depth : m - 1] @ scaled[k - depth : k]
        value = inv_denominator * (a * sum_f + b * sum_jf / k)
        scaled[k] = value
        if value > _PANJER_RESCALE_AT:
            scaled[: k + 1] /= _PANJER_RESCALE_AT
            log_scale += log_rescale
    with np.errstate(divide="ignore", under="ignore"):
        magnitude = np.exp(np.log(np.abs(scaled)) + log_scale)
    return np.sign(scaled) * magnitude


def _check_compound_input(
    owner: str, frequency: object, severity_pmf: ArrayLike, n_points: object, method: object
) -> tuple[NDArray[np.float64], int, Method]:
    if not isinstance(frequency, Frequency):
        raise ParameterError(owner, "frequency", frequency, "must be a Frequency distribution")
    n = _check_n_points(owner, n_points)
    chosen = _check_method(owner, method)
    pmf = as_float_array(owner, "severity_pmf", severity_pmf, non_negative=True)
    if pmf.size > n:
        raise ParameterError(
            owner, "severity_pmf", f"array of length {pmf.size}", f"must be no longer than n={n}"
        )
    total = float(pmf.sum())
    if abs(total - 1.0) > 1e-10:
        raise ParameterError(owner, "severity_pmf", f"array summing to {total!r}", "must sum to 1")
    return pmf, n, chosen


def compound_pmf(
    frequency: Frequency, severity_pmf: ArrayLike, n_points: int, *, method: Method = "fft"
) -> NDArray[np.float64]:
    """Compound distribution of a lattice severity, on the lattice points 0..n_points-1.

    Parameters
    ----------
    frequency : Frequency
        Claim count :math:`N`, an (a, b, 0) distribution.
    severity_pmf : array_like, shape (m,)
        ``severity_pmf[j]`` is the probability that one claim equals ``j`` steps;
        non-negative, summing to 1, with ``m <= n_points``.
    n_points : int
        Grid size, a power of two ``>= 2``.
    method : {"fft", "panjer"}
        Compounding algorithm; ``"panjer"`` is limited to ``PANJER_MAX_POINTS`` points.

    Returns
    -------
    numpy.ndarray of float64, shape (n_points,)
        The pmf of :math:`S = Y_1 + \\dots + Y_N` at ``0..n_points-1`` steps, raw: with
        ``"fft"`` the probability of :math:`S \\ge n` is wrapped around onto the low
        points (the result sums to 1); with ``"panjer"`` it is simply missing.  Both are
        exact when that probability is zero; :func:`aggregate_distribution` sizes the
        grid so that it is below a tolerance.

    Notes
    -----
    FFT: :math:`g = \\mathrm{DFT}^{-1}[P_N(\\mathrm{DFT}[f])]` with :math:`f` zero-padded to
    ``n_points``; the discrete transform computes the compound modulo ``n_points``.

    Panjer (1981; *Loss Models* ch. 9, the recursive method): for :math:`p_k = (a + b/k)p_{k-1}`,

    .. math:: g_0 = P_N(f_0), \\quad
              g_k = \\frac{1}{1 - a f_0}\\sum_{j=1}^{\\min(k, m-1)}
                    \\left(a + \\frac{b j}{k}\\right) f_j g_{k-j}.

    Embrechts & Frei (2009) compare the two.  The recursion here runs on a rescaled
    copy of :math:`g` so that the underflow of :math:`g_0` for large expected claim
    counts does not stop it.
    """
    owner = "compound_pmf"
    pmf, n, chosen = _check_compound_input(owner, frequency, severity_pmf, n_points, method)
    _check_method_for(owner, chosen, frequency)
    if chosen == "panjer":
        _check_panjer_size(owner, n)
        return _panjer_compound(frequency, pmf, n)
    return _fft_compound(frequency, pmf, n)


# --------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------


def _check_levels(owner: str, p: ArrayLike) -> NDArray[np.float64]:
    """Confidence levels of any shape, each in the open interval (0, 1)."""
    return as_float_array(
        owner,
        "level",
        p,
        ndim=None,
        non_empty=False,
        lower=0.0,
        upper=1.0,
        lower_inclusive=False,
        upper_inclusive=False,
    )


@dataclass(frozen=True, eq=False, repr=False)
class AggregateDistribution:
    """A discrete distribution of an annual loss, on a grid of currency amounts.

    Parameters
    ----------
    x : array_like of float, shape (n,)
        Support points, currency units, finite and strictly increasing.
    probabilities : array_like of float, shape (n,)
        Probability of each support point; non-negative, summing to 1 within 1e-10.
    step : float
        Span :math:`h` of the lattice the layered occurrence loss was discretised on,
        currency units.  Before aggregate terms and share the support is ``j * step``.
    method : str, default "fft"
        How the distribution was computed (``"fft"``, ``"panjer"``, or any label).
    truncation_bound : float, default 0
        Upper bound on the probability the finite grid misplaced (tail cut off or
        wrapped around); at most the ``tail_tolerance`` requested.

    Notes
    -----
    Measures follow the definitions of :mod:`xborder_risk.measures` applied to this
    distribution instead of an empirical one: VaR is the lower quantile
    :math:`\\mathrm{VaR}_p = \\inf\\{x : F(x) \\ge p\\}` and TVaR is
    :math:`\\mathrm{VaR}_p + E[(S - \\mathrm{VaR}_p)_+]/(1 - p)` (Acerbi & Tasche 2002,
    coherent also for distributions with atoms).
    """

    x: NDArray[np.float64]
    probabilities: NDArray[np.float64]
    step: float
    method: str = "fft"
    truncation_bound: float = 0.0
    _cdf: NDArray[np.float64] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        owner = "AggregateDistribution"
        x = as_float_array(owner, "x", self.x, copy=True)
        p = as_float_array(owner, "probabilities", self.probabilities, non_negative=True, copy=True)
        if p.shape != x.shape:
            raise ParameterError(
                owner, "probabilities", f"array of shape {p.shape}", f"must have shape {x.shape}"
            )
        if x.size > 1 and not (np.diff(x) > 0).all():
            raise ParameterError(
                owner, "x", "array", "must be finite and strictly increasing currency amounts"
            )
        total = float(p.sum())
        if abs(total - 1.0) > 1e-10:
            raise ParameterError(
                owner, "probabilities", f"array summing to {total!r}", "must sum to 1 (+-1e-10)"
            )
        step = check_real(owner, "step", self.step, lower=0.0, lower_inclusive=False)
        bound = check_real(owner, "truncation_bound", self.truncation_bound, lower=0.0)
        if not isinstance(self.method, str):
            raise ParameterError(owner, "method", self.method, "must be a string")
        cdf = np.cumsum(p)
        for array in (x, p, cdf):
            array.flags.writeable = False
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "probabilities", p)
        object.__setattr__(self, "step", step)
        object.__setattr__(self, "truncation_bound", bound)
        object.__setattr__(self, "_cdf", cdf)

    def __repr__(self) -> str:
        return (
            f"AggregateDistribution(n_points={self.x.size}, step={self.step:g}, "
            f"method={self.method!r}, mean={self.mean():g}, "
            f"truncation_bound={self.truncation_bound:.2g})"
        )

    @property
    def n_points(self) -> int:
        """Number of support points."""
        return int(self.x.size)

    def mean(self) -> float:
        """Expected annual loss :math:`E[S] = \\sum_i x_i p_i`, currency units."""
        return float(np.dot(self.x, self.probabilities))

    @overload
    def var(self, level: None = None) -> float: ...

    @overload
    def var(self, level: ArrayLike) -> float | NDArray[np.float64]: ...

    def var(self, level: ArrayLike | None = None) -> float | NDArray[np.float64]:
        """Variance :math:`\\sum_i (x_i - E[S])^2 p_i`, currency units squared.

        Parameters
        ----------
        level : float or array_like, optional
            Deprecated: ``var(level)`` with a confidence level is the value at risk, exactly
            :meth:`value_at_risk`, with an
            :class:`~xborder_risk.errors.XBorderRiskDeprecationWarning` (kept for one
            release).
        """
        if level is not None:
            warn_deprecated(
                "AggregateDistribution.var(p) for the value at risk", "value_at_risk(level)"
            )
            return self.value_at_risk(level)
        centred = self.x - self.mean()
        return float(np.dot(centred * centred, self.probabilities))

    def std(self) -> float:
        """Standard deviation, currency units."""
        return math.sqrt(self.var())

    def cdf(self, x: ArrayLike) -> float | NDArray[np.float64]:
        """Distribution function :math:`F(x) = P(S \\le x)`.

        Parameters
        ----------
        x : float or array_like
            Amounts, currency units (``-inf`` and ``inf`` allowed, NaN not).

        Returns
        -------
        float or numpy.ndarray
            A float for a scalar ``x``, otherwise an array of the same shape.
        """
        amounts = as_float_array(
            "AggregateDistribution.cdf", "x", x, ndim=None, non_empty=False, finite=False
        )
        index = np.searchsorted(self.x, amounts, side="right")
        padded = np.concatenate(([0.0], self._cdf))
        # The cumulative sum can exceed 1 by round-off (the total is 1 within 1e-10).
        values = np.minimum(padded[index], 1.0)
        if values.ndim == 0:
            return float(values)
        return values

    def value_at_risk(self, level: ArrayLike) -> float | NDArray[np.float64]:
        """Value at risk: the lower quantile :math:`\\inf\\{x : F(x) \\ge p\\}`.

        Parameters
        ----------
        level : float or array_like
            Confidence level(s) :math:`p` in (0, 1).

        Returns
        -------
        float or numpy.ndarray
            Currency units; a float for a scalar ``p``.

        Notes
        -----
        The same definition as :func:`xborder_risk.measures.value_at_risk` (Hyndman & Fan 1996,
        definition 1) applied to this distribution.  A level ``p`` closer to 1 than
        :attr:`truncation_bound` is not resolved by the grid.
        """
        levels = _check_levels("AggregateDistribution.value_at_risk", level)
        # A level within a few ulps of a cdf value counts as reached: summed in floating
        # point, 0.5 + 0.2 + 0.1 + 0.1 is 0.8999999999999999, and the 90% VaR of that
        # distribution is the atom at which the cdf reaches 0.9 (as measures.value_at_risk nudges).
        reached = levels - _LEVEL_SLACK
        index = np.minimum(np.searchsorted(self._cdf, reached, side="left"), self.x.size - 1)
        values = self.x[index]
        if values.ndim == 0:
            return float(values)
        return np.asarray(values, dtype=np.float64)

    def quantile(self, level: ArrayLike) -> float | NDArray[np.float64]:
        """Alias of :meth:`value_at_risk` (lower quantile)."""
        return self.value_at_risk(level)

    def tvar(self, level: ArrayLike) -> float | NDArray[np.float64]:
        """Tail value at risk (expected shortfall) at a confidence level.

        Parameters
        ----------
        level : float or array_like
            Confidence level(s) in (0, 1).

        Returns
        -------
        float or numpy.ndarray
            :math:`\\mathrm{VaR}_p + E[(S - \\mathrm{VaR}_p)_+]/(1 - p)`, currency units.

        Notes
        -----
        Acerbi & Tasche (2002), "On the coherence of expected shortfall", *J. Banking &
        Finance* 26(7), eq. (3.3) — the definition :func:`xborder_risk.measures.tvar`
        uses for a sample.
        """
        levels = _check_levels("AggregateDistribution.tvar", level)
        flat = np.atleast_1d(levels).ravel()
        var = np.atleast_1d(np.asarray(self.value_at_risk(flat), dtype=np.float64))
        out = np.empty(flat.size, dtype=np.float64)
        for i, (p, v) in enumerate(zip(flat, var, strict=True)):
            above = self.x > v
            excess = float(np.dot(self.x[above] - v, self.probabilities[above]))
            out[i] = v + excess / (1.0 - p)
        if levels.ndim == 0:
            return float(out[0])
        return out.reshape(levels.shape)

    def to_frame(self) -> pd.DataFrame:
        """The distribution as a table with columns ``x``, ``probability``, ``cdf``."""
        return pd.DataFrame(
            {
                "x": np.array(self.x),
                "probability": np.array(self.probabilities),
                "cdf": np.minimum(np.array(self._cdf), 1.0),
            }
        )


# --------------------------------------------------------------------------------------
# Grid planning and the public entry point
# --------------------------------------------------------------------------------------


def _check_n_points(owner: str, n_points: object) -> int:
    n = check_int(owner, "n_points", n_points, lower=2)
    if n & (n - 1):
        raise ParameterError(owner, "n_points", n_points, "must be a power of two (2, 4, 8, ...)")
    if n > MAX_GRID_POINTS:
        raise SimulationSizeError(
            f"{owner}: n_points={n} exceeds the largest grid MAX_GRID_POINTS=2**26"
        )
    return n


def _check_method(owner: str, method: object) -> Method:
    return cast(Method, check_choice(owner, "method", method, ("fft", "panjer")))


def _check_method_for(owner: str, method: Method, frequency: Frequency) -> None:
    if method == "panjer" and _is_point_mass(frequency):
        raise ParameterError(
            owner,
            "method",
            method,
            "must be 'fft' when the claim count is a point mass (Binomial with q = 1): "
            "it has no (a, b, 0) recursion",
        )


def _check_panjer_size(owner: str, n_points: int) -> None:
    if n_points > PANJER_MAX_POINTS:
        raise SimulationSizeError(
            f"{owner}: method='panjer' would need {n_points} grid points, above "
            f"PANJER_MAX_POINTS={PANJER_MAX_POINTS}; use method='fft' or a larger step"
        )


def _next_power_of_two(x: float) -> int:
    return 1 << max(1, math.ceil(math.log2(max(x, 2.0))))


def _automatic_step(model: LossModel) -> float:
    """The default step; see ``docs/exact.md`` ("Choosing the grid")."""
    severity, layer = model.severity, model.layer
    d, limit = float(layer.deductible), float(layer.limit)
    p_positive = float(severity.sf(d)) if d > 0.0 else 1.0
    body = math.nan
    if p_positive > 1e-14:
        # Median of a positive payment: the X-quantile at F(d) + S(d)/2, less d.
        body = float(severity.ppf(1.0 - 0.5 * p_positive)) - d
    if not (math.isfinite(body) and body > 0.0):
        # The layer is (numerically) never reached; any scale will do.
        body = limit if math.isfinite(limit) else max(d, 1.0)
    body = min(body, limit)
    spread = body * math.sqrt(float(model.frequency.mean()) + float(model.frequency.var()))
    step = max(body / _BODY_STEPS, min(spread / _SPREAD_STEPS, body / _MIN_BODY_STEPS))
    if math.isfinite(limit):
        step = limit / math.ceil(limit / step)  # the limit must be a grid point
    return step


def _range_lower_bound(model: LossModel, tol: float) -> float:
    """A grid range (currency) no adequate grid can be shorter than.

    The error bound charges E[N] S_Y(x) for a layer loss cut off at the grid's end x, so
    it cannot be met before S_Y(x) <= tol / E[N]; and a grid shorter than E[S] cannot
    hold the distribution.
    """
    severity, layer = model.severity, model.layer
    d, limit = float(layer.deductible), float(layer.limit)
    expected_count = float(model.frequency.mean())
    single = 0.0
    if expected_count > tol:
        # A level closer to 1 than 1e-15 rounds to 1 (ppf = inf); the less extreme level's
        # quantile is smaller and so still a lower bound.
        level = 1.0 - max(tol / expected_count, 1e-15)
        single = min(max(float(severity.ppf(level)) - d, 0.0), limit)
    try:
        mean = expected_count * layer.occurrence_mean(severity)
    except MomentDoesNotExistError:
        mean = 0.0
    return max(single, mean)


def _refuse_size(needed: float, step: float, tol: float) -> SimulationSizeError:
    return SimulationSizeError(
        f"aggregate_distribution: holding the tail to tail_tolerance={tol:g} with "
        f"step={step:g} needs more than {needed:.3g} grid points, above "
        f"MAX_GRID_POINTS=2**26; give a larger step or tail_tolerance, or set an "
        f"occurrence limit"
    )


def _negligible_claim(model: LossModel, tol: float) -> float:
    """Claim tail probability cut off from the pmf: 1% of the tolerance over E[N]."""
    return 0.01 * tol / max(float(model.frequency.mean()), 1.0)


def _grow_grid(
    model: LossModel, step: float, limit_steps: int | None, tol: float
) -> tuple[int, NDArray[np.float64], float]:
    """Smallest power-of-two grid (from a lower bound) whose error bound is <= tol."""
    needed = _range_lower_bound(model, tol) / step + 1.0
    if not math.isfinite(needed) or needed > MAX_GRID_POINTS:
        raise _refuse_size(needed, step, tol)
    n = max(_MIN_AUTO_POINTS, _next_power_of_two(needed))
    d = float(model.layer.deductible)
    while True:
        pmf, truncated = _discretise(
            model.severity, d, limit_steps, step, n, _negligible_claim(model, tol)
        )
        bound = _tail_error_bound(model.frequency, pmf, truncated, n, tol)
        if bound <= tol:
            return n, pmf, bound
        if 2 * n > MAX_GRID_POINTS:
            raise _refuse_size(2 * n, step, tol)
        n *= 2


def _fit_step_to_points(
    model: LossModel, n: int, tol: float
) -> tuple[float, NDArray[np.float64], float]:
    """The smallest step (on a 2**(1/4) ladder) for which n points hold the tail."""
    d, limit = float(model.layer.deductible), float(model.layer.limit)

    def aligned(step: float) -> float:
        # Round towards a coarser step so that the grid does not lose range.
        return step if math.isinf(limit) else limit / max(1, math.floor(limit / step))

    probe = aligned(max(_automatic_step(model), _range_lower_bound(model, tol) / n))
    probe_n, _, _ = _grow_grid(
        model, probe, _limit_steps(limit, probe, "aggregate_distribution"), tol
    )
    step = aligned(probe * probe_n / n)
    ladder = 2.0**0.25

    def attempt(candidate: float) -> tuple[NDArray[np.float64], float]:
        pmf, truncated = _discretise(
            model.severity,
            d,
            _limit_steps(limit, candidate, "aggregate_distribution"),
            candidate,
            n,
            _negligible_claim(model, tol),
        )
        return pmf, _tail_error_bound(model.frequency, pmf, truncated, n, tol)

    pmf, bound = attempt(step)
    for _ in range(40):
        if bound <= tol:
            break
        coarser = aligned(step * ladder)
        if coarser <= step:
            break  # pinned at one step per occurrence limit: no coarser grid exists
        step = coarser
        pmf, bound = attempt(step)
    if bound > tol:
        raise ParameterError(
            "aggregate_distribution",
            "n_points",
            n,
            f"is too small to hold the tail to tail_tolerance={tol:g}",
        )
    # The probe grid was a power of two, so the step may be up to twice too coarse.
    for _ in range(4):
        finer = aligned(step / ladder)
        if finer >= step:
            break
        finer_pmf, finer_bound = attempt(finer)
        if finer_bound > tol:
            break
        step, pmf, bound = finer, finer_pmf, finer_bound
    return step, pmf, bound


def _apply_aggregate_terms(
    lattice: NDArray[np.float64], pmf: NDArray[np.float64], layer: Layer
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Map S to share * min(max(S - D, 0), L) and merge the points that coincide."""
    deductible, limit, share = (
        float(layer.aggregate_deductible),
        float(layer.aggregate_limit),
        float(layer.share),
    )
    if deductible == 0.0 and math.isinf(limit) and share == 1.0:
        return lattice, pmf
    paid = share * np.minimum(np.maximum(lattice - deductible, 0.0), limit)
    # paid is non-decreasing along the lattice, so equal values are consecutive runs.
    new_run = np.concatenate(([False], np.diff(paid) > 0.0))
    run_id = np.cumsum(new_run)
    merged = np.asarray(np.bincount(run_id, weights=pmf), dtype=np.float64)
    return paid[np.concatenate(([True], new_run[1:]))], merged


def _cap_at_aggregate_reach(model: LossModel, step: float | None) -> LossModel:
    """The model with each occurrence payment capped where the aggregate terms saturate.

    A year with one payment of at least ``D + L`` pays ``s L`` whatever its other
    payments, so capping every occurrence payment at any ``c >= D + L`` leaves the annual
    layer loss unchanged (on the lattice too: a rounded payment at ``c`` still saturates).
    This keeps a heavy tail with aggregate terms only on a finite grid.  With a given
    step, ``c`` is the first multiple of the step at or above ``D + L``, a grid point.
    """
    layer = model.layer
    reach = float(layer.aggregate_deductible + layer.aggregate_limit)
    if math.isinf(reach):
        return model
    if step is not None:
        reach = math.ceil(reach / step) * step
    if not reach < layer.limit:
        return model
    return dataclasses.replace(model, layer=dataclasses.replace(layer, limit=reach))


def aggregate_distribution(
    model: LossModel,
    *,
    step: float | None = None,
    n_points: int | None = None,
    method: Method = "fft",
    tail_tolerance: float = 1e-12,
) -> AggregateDistribution:
    """The distribution of one line's annual layer loss, computed without simulation.

    Parameters
    ----------
    model : LossModel
        Frequency, severity and layer of the line.
    step : float, optional
        Discretisation span :math:`h`, currency units, ``> 0`` and finite.  With a finite
        occurrence limit it must divide the limit.  Chosen automatically when omitted.
    n_points : int, optional
        Grid size, a power of two ``>= 2``.  When omitted, the grid grows (doubling) until
        the probability it misplaces is below ``tail_tolerance``; when given without a
        step, the step is chosen so that this grid holds the tail; when given with a
        step, a grid too small for the tolerance is refused.
    method : {"fft", "panjer"}, default "fft"
        Compounding algorithm.  Both give the same result on the same grid; Panjer is
        limited to ``PANJER_MAX_POINTS`` grid points.
    tail_tolerance : float, default 1e-12
        Largest probability the finite grid may misplace (cut off or wrapped around), in
        ``[1e-15, 1e-3]``.

    Returns
    -------
    AggregateDistribution
        Annual layer loss :math:`A` on a grid, currency units per year.

    Raises
    ------
    ParameterError
        Invalid argument (named in the message).
    SimulationSizeError
        The request would need more than ``MAX_GRID_POINTS`` grid points (or, for Panjer,
        more than ``PANJER_MAX_POINTS``); refused before allocating.

    Notes
    -----
    1. The occurrence layer loss :math:`Y = \\min(\\max(X - d, 0), l)` is discretised on
       :math:`0, h, 2h, \\dots` by the method of rounding (*Loss Models* §9.6.1, see
       :func:`discretise_layered_severity`), with the limit on a grid point.
    2. :math:`S = Y_1 + \\dots + Y_N` is compounded on :math:`n` points by FFT,
       :math:`g = \\mathrm{DFT}^{-1}[P_N(\\mathrm{DFT}[f])]`, or by Panjer's recursion
       (Panjer 1981; *Loss Models* ch. 9); see :func:`compound_pmf`.  The FFT computes the
       compound modulo :math:`n` (aliasing): the probability of :math:`S \\ge nh` wraps
       around onto the low points.  The grid is sized so that a Chernoff bound
       :math:`P(S \\ge nh) \\le \\inf_{t>0} P_N(M_Y(t))e^{-tnh}`, plus
       :math:`E[N]P(Y > (n-1)h)` for a layer loss cut off at the grid's end, is at most
       ``tail_tolerance`` (Embrechts & Frei 2009).  Panjer drops that probability
       instead; it is added to the last grid point.
    3. The aggregate terms are applied to the lattice exactly:
       :math:`A = s\\min(\\max(S - D, 0), L)`, merging the points that map together (all
       of :math:`S \\le D` onto 0, all of :math:`S \\ge D + L` onto :math:`sL`).  Since one
       payment of :math:`D + L` or more already saturates them, every occurrence payment
       is first capped at :math:`D + L` (rounded up to a grid point) when that is below
       the occurrence limit: exact, and it keeps a heavy tail with only aggregate terms
       on a finite grid.

    With :math:`m` the median of a positive layer payment, the default step is
    :math:`\\max(m/200, \\min(m\\sqrt{E[N] + \\mathrm{Var}[N]}/1000, m/20))` (the second
    term a rough aggregate spread over 1000), refined so that the limit is a whole number
    of steps; see ``docs/exact.md``.
    """
    owner = "aggregate_distribution"
    if not isinstance(model, LossModel):
        raise ParameterError(owner, "model", model, "must be a LossModel")
    chosen = _check_method(owner, method)
    _check_method_for(owner, chosen, model.frequency)
    low, high = _TAIL_TOLERANCE_RANGE
    tol = check_real(owner, "tail_tolerance", tail_tolerance, lower=low, upper=high)
    n_given = None if n_points is None else _check_n_points(owner, n_points)
    given_step = (
        None if step is None else check_real(owner, "step", step, lower=0.0, lower_inclusive=False)
    )
    model = _cap_at_aggregate_reach(model, given_step)
    limit = float(model.layer.limit)

    if given_step is not None:
        h = given_step
        limit_steps = _limit_steps(limit, h, owner)
        if n_given is None:
            n, pmf, bound = _grow_grid(model, h, limit_steps, tol)
        else:
            n = n_given
            pmf, truncated = _discretise(
                model.severity,
                float(model.layer.deductible),
                limit_steps,
                h,
                n,
                _negligible_claim(model, tol),
            )
            bound = _tail_error_bound(model.frequency, pmf, truncated, n, tol)
            if bound > tol:
                raise ParameterError(
                    owner,
                    "n_points",
                    n_points,
                    f"with step={h:g} may misplace probability up to {bound:.3g} beyond the "
                    f"grid, above tail_tolerance={tol:g}; use more points or a larger step",
                )
    elif n_given is None:
        h = _automatic_step(model)
        n, pmf, bound = _grow_grid(model, h, _limit_steps(limit, h, owner), tol)
    else:
        n = n_given
        h, pmf, bound = _fit_step_to_points(model, n, tol)

    if chosen == "panjer":
        _check_panjer_size(owner, n)
        compound = _panjer_compound(model.frequency, pmf, n)
    else:
        compound = _fft_compound(model.frequency, pmf, n)

    if not np.isfinite(compound).all() or compound.min() < _ROUNDOFF_NEGATIVE:
        raise SimulationError(
            f"{owner}: method={chosen!r} produced probabilities outside [0, 1] "
            f"(minimum {float(np.nanmin(compound)):.3g}); the computation is numerically "
            "unstable for this model, try the other method"
        )
    np.maximum(compound, 0.0, out=compound)  # round-off only, checked just above
    missing = 1.0 - float(compound.sum())
    if missing > 0.0:
        # Panjer leaves out P(S >= n h) (<= tail_tolerance): keep the pmf a distribution by
        # putting it on the last grid point, as a conservative cap.
        compound[-1] += missing
    compound /= compound.sum()

    lattice = h * np.arange(n, dtype=np.float64)
    x, probabilities = _apply_aggregate_terms(lattice, compound, model.layer)
    return AggregateDistribution(
        x=x, probabilities=probabilities, step=h, method=chosen, truncation_bound=bound
    )
