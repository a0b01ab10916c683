"""Claim-count (frequency) and claim-size (severity) distributions.

Parameterisations follow Klugman, Panjer & Willmot, *Loss Models: From Data to
Decisions*, 5th ed. (Wiley, 2019): Appendix A for the continuous severities and
Appendix B for the discrete (a, b, 0) frequencies.  Severities are in the currency of
the line they model (one claim, ground-up); frequencies count claims per year.

Every distribution is a frozen dataclass whose parameters are declared as data in
``PARAMETERS`` (a tuple of :class:`ParamSpec`, like scipy's ``_ShapeInfo``) and checked
on construction: booleans, strings, NaN and infinities are rejected with a
:class:`~xborder_risk.errors.ParameterError` naming the parameter and the rule.

Public methods validate their arguments once and then call private kernels on clean
float64 arrays (the scipy ``pdf``/``_pdf`` split).  A moment that does not exist
(a Pareto mean with ``alpha <= 1``) raises
:class:`~xborder_risk.errors.MomentDoesNotExistError`; nothing returns NaN or an
unannounced infinity.
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Final

import numpy as np
import numpy.typing as npt
from scipy import special

from xborder_risk._validation import as_complex_array, as_float_array, check_int, check_real
from xborder_risk.errors import MomentDoesNotExistError, ParameterError, SimulationError

__all__ = [
    "LARGEST_UNIFORM",
    "MAX_POISSON_RATE",
    "MIN_NB_BETA",
    "SAMPLE_CEILING",
    "Binomial",
    "Frequency",
    "Gamma",
    "GeneralizedPareto",
    "Lognormal",
    "NegativeBinomial",
    "ParamSpec",
    "Pareto",
    "Poisson",
    "Severity",
    "Spliced",
    "Weibull",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ComplexArray = npt.NDArray[np.complex128]
BoolArray = npt.NDArray[np.bool_]
Size = int | tuple[int, ...]

#: The largest value a double-precision uniform on [0, 1) takes (numpy's ``random()``
#: has 53 random bits), so ``ppf(LARGEST_UNIFORM)`` is the largest quantile an
#: inverse-transform sampler reaches.
LARGEST_UNIFORM: Final[float] = 1.0 - 2.0**-53

#: A severity whose largest reachable quantile is at or above this is refused: sums of
#: such claims overflow float64 (max 1.8e308) long before any insurance meaning is lost.
SAMPLE_CEILING: Final[float] = 1e300

#: Smallest negative binomial ``beta`` accepted: numpy samples with ``p = 1/(1 + beta)``, which
#: carries ``beta`` to a relative 1e-10 at this size and loses it entirely below 1.1e-16.
MIN_NB_BETA: Final[float] = 1e-6

#: Largest Poisson rate accepted (claims per year).  numpy's Poisson sampler refuses
#: rates within 10 sigma of 2**63 (about 9.2e18); 1e15 keeps three orders of margin and
#: is far above any insurance frequency.
MAX_POISSON_RATE: Final[float] = 1e15

# numpy's own limit for the Poisson rate (see ``Generator.negative_binomial`` Notes).
_NUMPY_POISSON_LAM_MAX: Final[float] = float(2**63 - 1) - 10.0 * math.sqrt(2**63 - 1)
_LOG_FLOAT_MAX: Final[float] = math.log(np.finfo(np.float64).max)

# 20-point Gauss-Legendre rule on [-1, 1]; exact to rounding for the smooth integrand
# of the GPD second limited moment over a short hazard interval (see _gpd_limited_moment).
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(20)


# --------------------------------------------------------------------------------------
# Declared parameter domains
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """The declared domain of one distribution parameter.

    Parameters
    ----------
    name : str
        Keyword name of the parameter.
    lower, upper : float
        Interval end points (``-inf``/``inf`` when unbounded); infinities themselves
        are never valid values.
    lower_inclusive, upper_inclusive : bool
        Whether the end points belong to the domain.
    integer : bool
        Whether the parameter must be an integer (``bool`` is not an integer here).
    """

    name: str
    lower: float = -math.inf
    upper: float = math.inf
    lower_inclusive: bool = True
    upper_inclusive: bool = True
    integer: bool = False

    def rule(self) -> str:
        """The domain in words, e.g. ``"in (0, inf)"``."""
        left = "[" if self.lower_inclusive and math.isfinite(self.lower) else "("
        right = "]" if self.upper_inclusive and math.isfinite(self.upper) else ")"
        kind = "integer" if self.integer else "real"
        return f"{kind} in {left}{self.lower:g}, {self.upper:g}{right}"

    def check(self, owner: str, value: object) -> float | int:
        """Return ``value`` converted to float (or int) after checking it is in the domain."""
        if self.integer:
            checked = check_int(owner, self.name, value, lower=int(self.lower))
            if checked > self.upper:
                raise ParameterError(owner, self.name, value, f"must be <= {self.upper:g}")
            return checked
        return check_real(
            owner,
            self.name,
            value,
            lower=self.lower,
            upper=self.upper,
            lower_inclusive=self.lower_inclusive,
            upper_inclusive=self.upper_inclusive,
        )


def _validate_declared(obj: object, specs: tuple[ParamSpec, ...]) -> None:
    owner = type(obj).__name__
    for spec in specs:
        # Frozen dataclass: store the normalised value (float/int) through object.__setattr__.
        object.__setattr__(obj, spec.name, spec.check(owner, getattr(obj, spec.name)))


# --------------------------------------------------------------------------------------
# Argument helpers (public methods validate, kernels compute)
# --------------------------------------------------------------------------------------


def _as_real_array(
    owner: str, name: str, value: object, *, lower: float = -math.inf, upper: float = math.inf
) -> tuple[FloatArray, bool]:
    """Return ``value`` as a fresh float64 array and whether it was a scalar.

    Rejects booleans, strings, complex and object input (numpy would read ``"1.5"`` as a
    number and ``True`` as 1) and NaN; values outside ``[lower, upper]`` are rejected too.
    """
    arr = as_float_array(
        owner,
        name,
        value,
        ndim=None,
        non_empty=False,
        finite=False,
        lower=lower,
        upper=upper,
        copy=True,
    )
    return arr, arr.ndim == 0


def _finish(out: FloatArray, scalar: bool) -> float | FloatArray:
    return float(out) if scalar else out


def _check_rng(owner: str, rng: object) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ParameterError(owner, "rng", rng, "must be a numpy.random.Generator")
    return rng


def _check_size(owner: str, size: object) -> tuple[int, ...]:
    dims = size if isinstance(size, tuple) else (size,)
    for dim in dims:
        if isinstance(dim, bool | np.bool_) or not isinstance(dim, numbers.Integral):
            raise ParameterError(owner, "size", size, "must be an int or a tuple of ints")
        if dim < 0:
            raise ParameterError(owner, "size", size, "must be >= 0")
    return tuple(int(d) for d in dims)


def _check_moment_order(owner: str, k: object, *, allowed: tuple[int, ...] | None = None) -> int:
    order = check_int(owner, "k", k, lower=1)
    if allowed is not None and order not in allowed:
        raise ParameterError(owner, "k", k, f"must be one of {allowed}")
    return order


class _MomentOverflowError(MomentDoesNotExistError):
    """A moment that exists (is finite) but lies beyond the float64 range."""


def _exp_or_raise(log_value: float, what: str) -> float:
    """``exp(log_value)``, raising when the true value is finite but beyond float64."""
    if log_value > _LOG_FLOAT_MAX:
        raise _MomentOverflowError(
            f"{what} is finite but exceeds the float64 range (about 1.8e308); "
            "it cannot be represented"
        )
    return math.exp(log_value)


def _finite_or_raise(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise _MomentOverflowError(
            f"{what} is finite but exceeds the float64 range (about 1.8e308); "
            "it cannot be represented"
        )
    return value


def _expm1_over(w: FloatArray) -> FloatArray:
    """``expm1(w) / w`` with its limit 1 at ``w = 0``."""
    out = np.ones_like(w)
    nonzero = w != 0
    out[nonzero] = np.expm1(w[nonzero]) / w[nonzero]
    return out


def _one_minus_exp_over(a: float, h: FloatArray) -> FloatArray:
    """``(1 - exp(-a h)) / a`` (``h`` when ``a = 0``); ``1/a`` at ``h = inf`` for ``a > 0``."""
    if a == 0.0:
        return h.copy()
    return -np.expm1(-a * h) / a


def _power_times(u: FloatArray, k: int, s: FloatArray) -> FloatArray:
    """``u**k * s`` evaluated in logs so that a huge ``u**k`` times a tiny ``s`` is exact."""
    out = np.zeros_like(u)
    keep = (s > 0) & (u > 0)
    out[keep] = np.exp(k * np.log(u[keep]) + np.log(s[keep]))
    return out


# --------------------------------------------------------------------------------------
# Frequencies
# --------------------------------------------------------------------------------------


class Frequency(ABC):
    """Base class of claim-count distributions of the (a, b, 0) class.

    Subclasses are frozen dataclasses with their parameter domains in ``PARAMETERS``.
    Counts are claims per period (one year in the engine).
    """

    __slots__ = ()
    PARAMETERS: ClassVar[tuple[ParamSpec, ...]] = ()

    def __post_init__(self) -> None:
        _validate_declared(self, self.PARAMETERS)
        self._validate_extra()

    def _validate_extra(self) -> None:
        """Cross-parameter rules; the declared domains have been checked already."""
        return None  # overridden where parameters constrain each other

    @property
    def support_upper(self) -> float:
        """Largest possible count (``inf`` when unbounded)."""
        return math.inf

    # -- public API --------------------------------------------------------------------

    def sample(self, rng: np.random.Generator, size: Size) -> IntArray:
        """Draw claim counts with numpy's native sampler.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of randomness.
        size : int or tuple of int
            Output shape (each entry >= 0).

        Returns
        -------
        numpy.ndarray of int64
        """
        owner = f"{type(self).__name__}.sample"
        generator = _check_rng(owner, rng)
        shape = _check_size(owner, size)
        return np.asarray(self._sample(generator, shape), dtype=np.int64)

    @abstractmethod
    def mean(self) -> float:
        """Expected number of claims."""

    @abstractmethod
    def var(self) -> float:
        """Variance of the number of claims."""

    def pmf(self, k: npt.ArrayLike) -> float | FloatArray:
        """Probability of exactly ``k`` claims (0 for negative or non-integer ``k``)."""
        arr, scalar = _as_real_array(f"{type(self).__name__}.pmf", "k", k)
        out = np.zeros_like(arr)
        valid = (arr >= 0) & (arr <= self.support_upper) & np.isfinite(arr)
        valid &= arr == np.floor(arr)
        out[valid] = self._pmf(arr[valid])
        return _finish(out, scalar)

    def cdf(self, k: npt.ArrayLike) -> float | FloatArray:
        """Probability of at most ``k`` claims (``k`` need not be an integer)."""
        arr, scalar = _as_real_array(f"{type(self).__name__}.cdf", "k", k)
        floor = np.floor(arr)
        out = np.zeros_like(arr)
        out[floor >= self.support_upper] = 1.0
        inside = (floor >= 0) & (floor < self.support_upper)
        out[inside] = self._cdf(floor[inside])
        return _finish(out, scalar)

    def ppf(self, q: npt.ArrayLike) -> float | FloatArray:
        """Smallest count ``k`` with ``cdf(k) >= q``, ``q`` in [0, 1] (q = 1: the support's end)."""
        arr, scalar = _as_real_array(f"{type(self).__name__}.ppf", "q", q, lower=0.0, upper=1.0)
        out = np.zeros_like(arr)
        out[arr == 1.0] = self.support_upper
        inside = (arr > 0.0) & (arr < 1.0)
        if inside.any():
            out[inside] = self._ppf_search(arr[inside])
        return _finish(out, scalar)

    def pgf(self, z: npt.ArrayLike) -> complex | ComplexArray:
        """Probability generating function ``E[z**N]`` at complex ``z``.

        Raises
        ------
        ParameterError
            If ``z`` is not finite or lies where the pgf is not finite in float64
            (outside the radius of convergence, or overflow).
        """
        owner = f"{type(self).__name__}.pgf"
        arr = as_complex_array(owner, "z", z)
        flat = arr.reshape(-1)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            out = np.asarray(self._pgf(flat), dtype=np.complex128)
        bad = ~np.isfinite(out)
        if bad.any():
            raise ParameterError(
                owner,
                "z",
                complex(flat[bad][0]),
                "must lie where the pgf is finite (inside its radius of convergence)",
            )
        return complex(out[0]) if arr.ndim == 0 else out.reshape(arr.shape)

    @abstractmethod
    def panjer_abp0(self) -> tuple[float, float, float]:
        """``(a, b, p0)`` with ``p_k = (a + b/k) p_{k-1}`` for k >= 1 (Loss Models, Appendix B)."""

    # -- kernels -------------------------------------------------------------------------

    @abstractmethod
    def _sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> IntArray: ...

    @abstractmethod
    def _pmf(self, k: FloatArray) -> FloatArray: ...

    @abstractmethod
    def _cdf(self, k: FloatArray) -> FloatArray: ...

    @abstractmethod
    def _pgf(self, z: ComplexArray) -> ComplexArray: ...

    def _cdf_any(self, k: FloatArray) -> FloatArray:
        """cdf kernel for integer-valued ``k >= 0`` that may reach the support's end."""
        out = np.ones_like(k)
        inside = k < self.support_upper
        out[inside] = self._cdf(k[inside])
        return out

    def _ppf_search(self, q: FloatArray) -> FloatArray:
        # Integer bisection on the cdf, vectorised over q: lo always has cdf < q, hi has
        # cdf >= q.  The cdf kernel is monotone, so ppf(cdf(k)) == k exactly.
        lo = np.full_like(q, -1.0)
        start = max(1.0, math.ceil(self.mean() + 10.0 * math.sqrt(self.var())))
        hi = np.full_like(q, min(start, self.support_upper))
        for _ in range(1100):  # doubling from >= 1 passes 1.8e308 within 1024 steps
            short = self._cdf_any(hi) < q
            if not short.any():
                break
            lo[short] = hi[short]
            hi[short] = np.minimum(2.0 * hi[short], self.support_upper)
        while True:
            open_ = hi - lo > 1.0
            if not open_.any():
                return hi
            mid = np.floor(0.5 * (lo[open_] + hi[open_]))
            reached = self._cdf_any(mid) >= q[open_]
            hi_open, lo_open = hi[open_], lo[open_]
            hi_open[reached] = mid[reached]
            lo_open[~reached] = mid[~reached]
            hi[open_], lo[open_] = hi_open, lo_open


@dataclass(frozen=True, slots=True)
class Poisson(Frequency):
    r"""Poisson claim counts.

    Parameters
    ----------
    lam : float
        Expected number of claims per period, ``0 <= lam <= 1e15``.

    Notes
    -----
    Loss Models, 5th ed., Appendix B (the (a, b, 0) class):

    .. math:: p_k = e^{-\lambda}\lambda^k / k!, \quad E[N] = Var[N] = \lambda,
              P(z) = e^{\lambda(z-1)}, \quad (a, b, p_0) = (0, \lambda, e^{-\lambda}).
    """

    lam: float
    PARAMETERS: ClassVar[tuple[ParamSpec, ...]] = (ParamSpec("lam", 0.0, MAX_POISSON_RATE),)

    @property
    def support_upper(self) -> float:
        return 0.0 if self.lam == 0.0 else math.inf

    def mean(self) -> float:
        return self.lam

    def var(self) -> float:
        return self.lam

    def panjer_abp0(self) -> tuple[float, float, float]:
        return 0.0, self.lam, math.exp(-self.lam)

    def _sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> IntArray:
        return rng.poisson(self.lam, shape)

    def _pmf(self, k: FloatArray) -> FloatArray:
        return np.exp(special.xlogy(k, self.lam) - self.lam - special.gammaln(k + 1.0))

    def _cdf(self, k: FloatArray) -> FloatArray:
        return np.asarray(special.pdtr(k, self.lam), dtype=np.float64)

    def _pgf(self, z: ComplexArray) -> ComplexArray:
        return np.exp(self.lam * (z - 1.0))


@dataclass(frozen=True, slots=True)
class NegativeBinomial(Frequency):
    r"""Negative binomial claim counts (Poisson-gamma mixture).

    Parameters
    ----------
    r : float
        Shape (> 0); not necessarily an integer.
    beta : float
        Scale of the gamma mixing distribution (>= 1e-6, ``MIN_NB_BETA``: numpy samples with
        ``p = 1/(1 + beta)``, which loses a smaller beta to rounding; use Poisson there).

    Notes
    -----
    Loss Models, 5th ed., Appendix B (the (a, b, 0) class):

    .. math:: p_k = \frac{\Gamma(r+k)}{\Gamma(r)\,k!}
                    \left(\frac{1}{1+\beta}\right)^r \left(\frac{\beta}{1+\beta}\right)^k,

    ``E[N] = r beta``, ``Var[N] = r beta (1 + beta)``, ``P(z) = (1 - beta (z - 1))**(-r)``
    (for ``|z| < 1 + 1/beta``), ``(a, b, p0) = (beta/(1+beta), (r-1) beta/(1+beta),
    (1+beta)**(-r))``.  Sampled with ``rng.negative_binomial(n=r, p=1/(1+beta))``, which
    draws a gamma(r, beta) rate and then a Poisson count; parameters whose largest
    reachable rate exceeds ``MAX_POISSON_RATE`` (or numpy's own limit) are refused.
    """

    r: float
    beta: float
    PARAMETERS: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("r", 0.0, math.inf, lower_inclusive=False),
        # numpy samples with p = 1/(1 + beta): see MIN_NB_BETA.
        ParamSpec("beta", MIN_NB_BETA, math.inf),
    )

    def _validate_extra(self) -> None:
        p = 1.0 / (1.0 + self.beta)
        odds = (1.0 - p) / p
        # numpy (numpy/random/_generator.pyx) refuses (1 - p)/p * (n + 10 sqrt(n)) above its
        # Poisson limit: for a tiny r the 10 sqrt(r) term dominates (r = 8.3e-302 with
        # beta = 1e300 has mean 0.083 but fails there).  Half the limit keeps a margin.
        numpy_rate = odds * (self.r + 10.0 * math.sqrt(self.r))
        largest_rate = self.beta * float(special.gammainccinv(self.r, 1.0 - LARGEST_UNIFORM))
        if not (largest_rate <= MAX_POISSON_RATE and numpy_rate < 0.5 * _NUMPY_POISSON_LAM_MAX):
            raise ParameterError(
                "NegativeBinomial",
                "r, beta",
                (self.r, self.beta),
                f"must keep the largest gamma mixing rate beta * Q_gamma(r; 1 - 2**-53) "
                f"<= {MAX_POISSON_RATE:g} and numpy's limit beta*(r + 10*sqrt(r)) "
                f"< {0.5 * _NUMPY_POISSON_LAM_MAX:.3g} (largest rate {largest_rate:.3g})",
            )

    def mean(self) -> float:
        return self.r * self.beta

    def var(self) -> float:
        return self.r * self.beta * (1.0 + self.beta)

    def panjer_abp0(self) -> tuple[float, float, float]:
        a = self.beta / (1.0 + self.beta)
        return a, (self.r - 1.0) * a, math.exp(-self.r * math.log1p(self.beta))

    def _sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> IntArray:
        return rng.negative_binomial(self.r, 1.0 / (1.0 + self.beta), shape)

    def _pmf(self, k: FloatArray) -> FloatArray:
        # Gamma(r+k)/(Gamma(r) k!) = 1/((r+k) B(r, k+1)); betaln stays accurate for large r, k.
        log_coef = -np.log(self.r + k) - special.betaln(self.r, k + 1.0)
        log_p = log_coef - self.r * math.log1p(self.beta) - k * math.log1p(1.0 / self.beta)
        return np.exp(log_p)

    def _cdf(self, k: FloatArray) -> FloatArray:
        return np.asarray(special.betainc(self.r, k + 1.0, 1.0 / (1.0 + self.beta)))

    def _pgf(self, z: ComplexArray) -> ComplexArray:
        base = 1.0 - self.beta * (z - 1.0)
        # Outside the radius of convergence the series diverges; mark it for the caller.
        out = np.exp(-self.r * np.log(base))
        out[np.abs(z) >= 1.0 + 1.0 / self.beta] = np.inf
        return out


@dataclass(frozen=True, slots=True)
class Binomial(Frequency):
    r"""Binomial claim counts (at most ``m`` claims).

    Parameters
    ----------
    m : int
        Number of independent exposures (0 <= m <= 1e15).
    q : float
        Probability that one exposure has a claim, in [0, 1].

    Notes
    -----
    Loss Models, 5th ed., Appendix B (the (a, b, 0) class):

    .. math:: p_k = \binom{m}{k} q^k (1-q)^{m-k}, \quad E[N] = mq, \quad Var[N] = mq(1-q),

    ``P(z) = (1 + q (z - 1))**m``, ``(a, b, p0) = (-q/(1-q), (m+1) q/(1-q), (1-q)**m)``
    (undefined for ``q = 1``, a point mass at ``m``).
    """

    m: int
    q: float
    PARAMETERS: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("m", 0, MAX_POISSON_RATE, integer=True),
        ParamSpec("q", 0.0, 1.0),
    )

    @property
    def support_upper(self) -> float:
        return 0.0 if self.q == 0.0 else float(self.m)

    def mean(self) -> float:
        return self.m * self.q

    def var(self) -> float:
        return self.m * self.q * (1.0 - self.q)

    def panjer_abp0(self) -> tuple[float, float, float]:
        if self.q == 1.0:
            raise ParameterError(
                "Binomial.panjer_abp0",
                "q",
                self.q,
                "must be < 1 for the (a, b, 0) recursion (q = 1 is a point mass at m)",
            )
        odds = self.q / (1.0 - self.q)
        return -odds, (self.m + 1) * odds, math.exp(self.m * math.log1p(-self.q))

    def _sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> IntArray:
        return rng.binomial(self.m, self.q, shape)

    def _pmf(self, k: FloatArray) -> FloatArray:
        log_coef = -math.log(self.m + 1.0) - special.betaln(self.m - k + 1.0, k + 1.0)
        return np.exp(log_coef + special.xlogy(k, self.q) + special.xlog1py(self.m - k, -self.q))

    def _cdf(self, k: FloatArray) -> FloatArray:
        # P(N <= k) = I_{1-q}(m - k, k + 1) for 0 <= k < m (the base class handles k >= m).
        return np.asarray(special.betainc(self.m - k, k + 1.0, 1.0 - self.q))

    def _pgf(self, z: ComplexArray) -> ComplexArray:
        return np.power(1.0 + self.q * (z - 1.0), self.m)


# --------------------------------------------------------------------------------------
# Severities
# --------------------------------------------------------------------------------------


class Severity(ABC):
    """Base class of claim-size distributions on ``[0, support_upper]``.

    Subclasses are frozen dataclasses with their parameter domains in ``PARAMETERS``.
    Amounts are in the currency of the line being modelled.  On construction the
    largest quantile a double uniform reaches, ``ppf(1 - 2**-53)``, must be finite and
    below ``SAMPLE_CEILING`` (1e300) so that sampling cannot produce ``inf``.
    """

    __slots__ = ()
    PARAMETERS: ClassVar[tuple[ParamSpec, ...]] = ()

    def __post_init__(self) -> None:
        _validate_declared(self, self.PARAMETERS)
        self._validate_extra()
        self._check_sampling_range()
        self._check_mean()

    def _validate_extra(self) -> None:
        """Cross-parameter rules; the declared domains have been checked already."""
        return None  # overridden where parameters constrain each other

    def _check_sampling_range(self) -> None:
        # Overflow (inf) and inf/inf (NaN) on the way are refused just below.
        with np.errstate(over="ignore", invalid="ignore"):
            top = float(self._ppf(np.array([LARGEST_UNIFORM]))[0])
        if not (math.isfinite(top) and top < SAMPLE_CEILING):
            self._refuse(
                f"must give a finite largest sampled quantile ppf(1 - 2**-53) "
                f"< {SAMPLE_CEILING:g} so samples cannot overflow (ppf = {top:.4g})"
            )
        if not top > 0.0:
            self._refuse(
                "must give a positive largest sampled quantile ppf(1 - 2**-53): every "
                f"sampled claim would be 0 (ppf = {top:.4g}, underflow)"
            )

    def _check_mean(self) -> None:
        # A mean that exists must be representable too: a lognormal with mu = -1000 and
        # sigma = 100 samples claims near 0 (its quantiles underflow) while its mean is
        # exp(4000); the simulated and analytic figures could never agree.
        try:
            with np.errstate(over="ignore"):
                mean = self._moment(1)
        except (_MomentOverflowError, OverflowError):
            mean = math.inf
        except MomentDoesNotExistError:
            return  # an infinite mean (a Pareto with alpha <= 1) is a property, not overflow
        if not (math.isfinite(mean) and mean < SAMPLE_CEILING):
            self._refuse(
                f"must give a mean E[X] < {SAMPLE_CEILING:g} when the mean exists "
                f"(E[X] = {mean:.4g}, beyond what samples of it can reach)"
            )

    def _refuse(self, rule: str) -> None:
        names = [spec.name for spec in self.PARAMETERS]
        raise ParameterError(
            type(self).__name__,
            ", ".join(names),
            tuple(getattr(self, name) for name in names),
            rule,
        )

    def _name(self) -> str:
        return type(self).__name__

    @property
    def support_upper(self) -> float:
        """Largest possible claim (``inf`` when unbounded)."""
        return math.inf

    # -- public API --------------------------------------------------------------------

    def sample(self, rng: np.random.Generator, size: Size) -> FloatArray:
        """Draw claim amounts with a native numpy sampler.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of randomness.
        size : int or tuple of int
            Output shape (each entry >= 0).

        Returns
        -------
        numpy.ndarray of float64
            Claim amounts (currency units).

        Raises
        ------
        SimulationError
            If a draw overflowed to ``inf`` (possible only beyond the checked quantile
            ``1 - 2**-53``, with probability of order 1e-16 per draw).
        """
        owner = f"{self._name()}.sample"
        generator = _check_rng(owner, rng)
        shape = _check_size(owner, size)
        with np.errstate(over="ignore"):
            out = np.asarray(self._sample(generator, shape), dtype=np.float64)
        if not np.isfinite(out).all():
            raise SimulationError(f"{self!r}: a sampled claim overflowed to inf")
        return out

    def mean(self) -> float:
        """``E[X]``; raises :class:`MomentDoesNotExistError` when infinite."""
        return self.moment(1)

    def var(self) -> float:
        """``Var[X]``; raises :class:`MomentDoesNotExistError` when infinite."""
        try:
            self._moment(2)  # existence check with the right message
            return _finite_or_raise(self._var(), f"{self!r}: Var[X]")
        except OverflowError:  # Python float ** beyond the float64 range
            raise _MomentOverflowError(
                f"{self!r}: Var[X] is finite but exceeds the float64 range (about 1.8e308); "
                "it cannot be represented"
            ) from None

    def moment(self, k: int) -> float:
        """Raw moment ``E[X**k]`` for integer ``k >= 1``."""
        order = _check_moment_order(f"{self._name()}.moment", k)
        try:
            return _finite_or_raise(self._moment(order), f"{self!r}: E[X**{order}]")
        except OverflowError:  # Python float ** beyond the float64 range
            raise _MomentOverflowError(
                f"{self!r}: E[X**{order}] is finite but exceeds the float64 range (about "
                "1.8e308); it cannot be represented"
            ) from None

    def cdf(self, x: npt.ArrayLike) -> float | FloatArray:
        """``P(X <= x)``."""
        arr, scalar = _as_real_array(f"{self._name()}.cdf", "x", x)
        out = np.zeros_like(arr)
        out[arr >= self.support_upper] = 1.0
        inside = (arr > 0) & (arr < self.support_upper)
        out[inside] = self._cdf(arr[inside])
        return _finish(out, scalar)

    def sf(self, x: npt.ArrayLike) -> float | FloatArray:
        """Survival function ``S(x) = P(X > x)``."""
        arr, scalar = _as_real_array(f"{self._name()}.sf", "x", x)
        out = np.ones_like(arr)
        out[arr >= self.support_upper] = 0.0
        inside = (arr > 0) & (arr < self.support_upper)
        out[inside] = self._sf(arr[inside])
        return _finish(out, scalar)

    def pdf(self, x: npt.ArrayLike) -> float | FloatArray:
        """Density (per currency unit); may be ``inf`` at 0 or at a finite upper end point."""
        arr, scalar = _as_real_array(f"{self._name()}.pdf", "x", x)
        out = np.zeros_like(arr)
        inside = (arr >= 0) & (arr <= self.support_upper) & np.isfinite(arr)
        out[inside] = self._pdf(arr[inside])
        return _finish(out, scalar)

    def ppf(self, q: npt.ArrayLike) -> float | FloatArray:
        """Quantile: the smallest ``x`` with ``cdf(x) >= q``, for ``q`` in [0, 1]."""
        arr, scalar = _as_real_array(f"{self._name()}.ppf", "q", q, lower=0.0, upper=1.0)
        out = np.zeros_like(arr)
        out[arr == 1.0] = self.support_upper
        inside = (arr > 0) & (arr < 1.0)
        out[inside] = self._ppf(arr[inside])
        return _finish(out, scalar)

    def limited_expected_value(self, u: npt.ArrayLike) -> float | FloatArray:
        """``E[min(X, u)]`` for limits ``u >= 0`` (``u = inf`` gives the mean)."""
        return self.limited_moment(u, 1)

    def limited_moment(self, u: npt.ArrayLike, k: int) -> float | FloatArray:
        """``E[min(X, u)**k]`` for ``k`` in {1, 2} and limits ``u >= 0`` (may be ``inf``).

        A finite limit always gives a finite moment; ``u = inf`` gives ``E[X**k]`` and
        raises :class:`MomentDoesNotExistError` when that is infinite.
        """
        owner = f"{self._name()}.limited_moment"
        order = _check_moment_order(owner, k, allowed=(1, 2))
        arr, scalar = _as_real_array(owner, "u", u, lower=0.0)
        out = np.zeros_like(arr)
        beyond = arr >= self.support_upper
        if beyond.any():
            out[beyond] = self.moment(order)
        inside = (arr > 0) & ~beyond
        if inside.any():
            with np.errstate(over="ignore"):
                values = self._limited_moment(arr[inside], order)
            if not np.isfinite(values).all():
                raise MomentDoesNotExistError(
                    f"{self!r}: E[min(X, u)**{order}] exceeds the float64 range for some u"
                )
            out[inside] = values
        return _finish(out, scalar)

    # -- kernels (clean float64 input strictly inside the support unless stated) ---------

    @abstractmethod
    def _sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray: ...

    @abstractmethod
    def _cdf(self, x: FloatArray) -> FloatArray: ...

    @abstractmethod
    def _sf(self, x: FloatArray) -> FloatArray: ...

    @abstractmethod
    def _pdf(self, x: FloatArray) -> FloatArray:
        """Density for ``0 <= x <= support_upper`` (end points included)."""

    @abstractmethod
    def _ppf(self, q: FloatArray) -> FloatArray:
        """Quantile for ``0 < q < 1``."""

    @abstractmethod
    def _moment(self, k: int) -> float:
        """``E[X**k]``; raises MomentDoesNotExistError when infinite."""

    def _var(self) -> float:
        mean = self._moment(1)
        return self._moment(2) - mean * mean

    @abstractmethod
    def _limited_moment(self, u: FloatArray, k: int) -> FloatArray:
        """``E[min(X, u)**k]`` for ``0 < u < support_upper``, ``k`` in {1, 2}."""


@dataclass(frozen=True, slots=True)
class Lognormal(Severity):
    r"""Lognormal claim size: ``log X ~ Normal(mu, sigma**2)``.

    Parameters
    ----------
    mu : float
        Mean of ``log X`` (log currency units); finite.
    sigma : float
        Standard deviation of ``log X`` (> 0).

    Notes
    -----
    Loss Models, 5th ed., Appendix A.4.1.1, with :math:`z = (\ln x - \mu)/\sigma`:

    .. math:: F(x) = \Phi(z), \quad f(x) = \frac{\phi(z)}{x\sigma},
              E[X^k] = e^{k\mu + k^2\sigma^2/2},
              Var[X] = e^{2\mu+\sigma^2}(e^{\sigma^2} - 1),
    .. math:: E[(X \wedge u)^k] = e^{k\mu + k^2\sigma^2/2}
              \Phi\!\left(\frac{\ln u - \mu - k\sigma^2}{\sigma}\right)
              + u^k\left[1 - \Phi\!\left(\frac{\ln u - \mu}{\sigma}\right)\right].

    The first term is evaluated as ``exp(k mu + k**2 sigma**2/2 + log Phi(.))`` so that
    large ``sigma`` neither overflows nor underflows.  Sampled with ``rng.lognormal``.
    """

    mu: float
    sigma: float
    PARAMETERS: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("mu"),
        ParamSpec("sigma", 0.0, math.inf, lower_inclusive=False),
    )

    def _z(self, x: FloatArray) -> FloatArray:
        return (np.log(x) - self.mu) / self.sigma

    def _sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
        return rng.lognormal(self.mu, self.sigma, shape)

    def _cdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(special.ndtr(self._z(x)))

    def _sf(self, x: FloatArray) -> FloatArray:
        return np.asarray(special.ndtr(-self._z(x)))

    def _pdf(self, x: FloatArray) -> FloatArray:
        out = np.zeros_like(x)
        positive = x > 0
        xp = x[positive]
        z = self._z(xp)
        out[positive] = np.exp(
            -0.5 * z * z - np.log(xp) - math.log(self.sigma * math.sqrt(2.0 * math.pi))
        )
        return out

    def _ppf(self, q: FloatArray) -> FloatArray:
        return np.exp(self.mu + self.sigma * special.ndtri(q))

    def _moment(self, k: int) -> float:
        return _exp_or_raise(k * self.mu + 0.5 * (k * self.sigma) ** 2, f"{self!r}: E[X**{k}]")

    def _var(self) -> float:
        s2 = self.sigma**2
        # For sigma**2 below 1e-300 expm1(s2) = s2 (which may underflow to 0): log it directly.
        log_expm1 = math.log(math.expm1(s2)) if s2 > 1e-300 else 2.0 * math.log(self.sigma)
        return _exp_or_raise(
            2.0 * self.mu + s2 + log_expm1 if s2 < 700.0 else math.inf,
            f"{self!r}: Var[X]",
        )

    def _limited_moment(self, u: FloatArray, k: int) -> FloatArray:
        log_u = np.log(u)
        z = (log_u - self.mu) / self.sigma
        body = np.exp(
            k * self.mu + 0.5 * (k * self.sigma) ** 2 + special.log_ndtr(z - k * self.sigma)
        )
        return body + _power_times(u, k, np.asarray(special.ndtr(-z)))


@dataclass(frozen=True, slots=True)
class Gamma(Severity):
    r"""Gamma claim size with shape ``alpha`` and scale ``theta``.

    Parameters
    ----------
    alpha : float
        Shape (> 0).
    theta : float
        Scale (> 0, currency units).

    Notes
    -----
    Loss Models, 5th ed., Appendix A.3.2.1, with :math:`\Gamma(\alpha; x)` the regularised
    lower incomplete gamma function:

    .. math:: f(x) = \frac{(x/\theta)^\alpha e^{-x/\theta}}{x\,\Gamma(\alpha)},
              F(x) = \Gamma(\alpha; x/\theta),
              E[X^k] = \theta^k \frac{\Gamma(\alpha + k)}{\Gamma(\alpha)},
              Var[X] = \alpha\theta^2,
    .. math:: E[(X\wedge u)^k] = \theta^k\frac{\Gamma(\alpha+k)}{\Gamma(\alpha)}
              \Gamma(\alpha+k; u/\theta) + u^k[1 - \Gamma(\alpha; u/\theta)].

    Sampled with ``rng.gamma(alpha, theta)``.
    """

    alpha: float
    theta: float
    PARAMETERS: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("alpha", 0.0, math.inf, lower_inclusive=False),
        ParamSpec("theta", 0.0, math.inf, lower_inclusive=False),
    )

    def _sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
        return rng.gamma(self.alpha, self.theta, shape)

    def _cdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(special.gammainc(self.alpha, x / self.theta))

    def _sf(self, x: FloatArray) -> FloatArray:
        return np.asarray(special.gammaincc(self.alpha, x / self.theta))

    def _pdf(self, x: FloatArray) -> FloatArray:
        y = x / self.theta
        log_f = special.xlogy(self.alpha - 1.0, y) - y - special.gammaln(self.alpha)
        return np.exp(log_f - math.log(self.theta))

    def _ppf(self, q: FloatArray) -> FloatArray:
        # The complemented inverse keeps precision in the upper tail.
        upper = q > 0.5
        y = np.empty_like(q)
        y[~upper] = special.gammaincinv(self.alpha, q[~upper])
        y[upper] = special.gammainccinv(self.alpha, 1.0 - q[upper])
        return self.theta * y

    def _moment(self, k: int) -> float:
        return _finite_or_raise(
            self.theta**k * float(special.poch(self.alpha, k)), f"{self!r}: E[X**{k}]"
        )

    def _var(self) -> float:
        return self.alpha * self.theta**2

    def _limited_moment(self, u: FloatArray, k: int) -> FloatArray:
        y = u / self.theta
        body = self._moment(k) * special.gammainc(self.alpha + k, y)
        return body + _power_times(u, k, np.asarray(special.gammaincc(self.alpha, y)))


def _weibull_partial(tau: float, theta: float, u: FloatArray, z: FloatArray, k: int) -> FloatArray:
    r"""``E[X**k; X <= u] = theta**k * gamma_lower(1 + k/tau, z)`` with ``z = (u/theta)**tau``.

    For small ``tau`` the complete gamma function overflows while the regularised
    incomplete gamma underflows; there the series
    :math:`\gamma(a, z) = z^a e^{-z} \sum_{n\ge0} z^n / (a (a+1) \cdots (a+n))`
    (Abramowitz & Stegun 6.5.29) is summed in logs, using
    ``theta**k z**a = u**k z``.
    """
    a = 1.0 + k / tau
    p = np.asarray(special.gammainc(a, z))
    out = np.zeros_like(u)  # stays 0 where z underflowed to 0
    regular = p > 1e-280
    out[regular] = np.exp(
        k * math.log(theta) + special.gammaln(a) + np.log(p[regular])
    )  # log form: theta**k * Gamma(a) may overflow alone
    tiny = ~regular & (z > 0)
    if tiny.any():
        zt, ut = z[tiny], u[tiny]
        term = np.ones_like(zt)
        total = np.ones_like(zt)
        for n in range(1, 5000):  # terms shrink geometrically: here z < a/2
            term *= zt / (a + n)
            total += term
            if (term < 1e-17 * total).all():
                break
        out[tiny] = np.exp(k * np.log(ut) + np.log(zt) - zt - math.log(a) + np.log(total)) * (
            zt > 0
        )
    return out


@dataclass(frozen=True, slots=True)
class Weibull(Severity):
    r"""Weibull claim size with shape ``tau`` and scale ``theta``.

    Parameters
    ----------
    tau : float
        Shape (> 0); ``tau < 1`` gives a heavier-than-exponential (but light) tail.
    theta : float
        Scale (> 0, currency units).

    Notes
    -----
    Loss Models, 5th ed., Appendix A.3.2.3:

    .. math:: S(x) = e^{-(x/\theta)^\tau},
              f(x) = \frac{\tau (x/\theta)^\tau e^{-(x/\theta)^\tau}}{x},
              E[X^k] = \theta^k\Gamma(1 + k/\tau),
              Var[X] = \theta^2[\Gamma(1+2/\tau) - \Gamma(1+1/\tau)^2],
    .. math:: E[(X\wedge u)^k] = \theta^k\Gamma(1+k/\tau)\,
              \Gamma(1+k/\tau; (u/\theta)^\tau) + u^k e^{-(u/\theta)^\tau}.

    Sampled as ``theta * rng.weibull(tau)``.
    """

    tau: float
    theta: float
    PARAMETERS: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("tau", 0.0, math.inf, lower_inclusive=False),
        ParamSpec("theta", 0.0, math.inf, lower_inclusive=False),
    )

    def _sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
        return self.theta * rng.weibull(self.tau, shape)

    def _hazard(self, x: FloatArray) -> FloatArray:
        # Overflow to inf far in the tail is the right limit: S(x) = exp(-inf) = 0.
        with np.errstate(over="ignore"):
            return np.power(x / self.theta, self.tau)

    def _cdf(self, x: FloatArray) -> FloatArray:
        return -np.expm1(-self._hazard(x))

    def _sf(self, x: FloatArray) -> FloatArray:
        return np.exp(-self._hazard(x))

    def _pdf(self, x: FloatArray) -> FloatArray:
        y = x / self.theta
        log_f = math.log(self.tau / self.theta) + special.xlogy(self.tau - 1.0, y)
        return np.exp(log_f - self._hazard(x))

    def _ppf(self, q: FloatArray) -> FloatArray:
        return self.theta * np.power(-np.log1p(-q), 1.0 / self.tau)

    def _moment(self, k: int) -> float:
        return _exp_or_raise(
            k * math.log(self.theta) + math.lgamma(1.0 + k / self.tau), f"{self!r}: E[X**{k}]"
        )

    def _var(self) -> float:
        # theta^2 e^{g2} (1 - e^{2 g1 - g2}) avoids the cancellation of the textbook form
        # for large tau (a nearly degenerate distribution).
        eps = 1.0 / self.tau
        g2 = math.lgamma(1.0 + 2.0 * eps)
        if eps < 0.1:
            # 2 lgamma(1+e) - lgamma(1+2e) = sum_{n>=2} (-1)^n zeta(n) (2 - 2^n) e^n / n,
            # from the Taylor series of lgamma(1+x) (Abramowitz & Stegun 6.1.33).
            n = np.arange(2, 40)
            terms = (-1.0) ** n * special.zeta(n) * (2.0 - 2.0**n) * eps**n / n
            log_gap = float(np.sum(terms[::-1]))
        else:
            log_gap = 2.0 * math.lgamma(1.0 + eps) - g2
        gap = -math.expm1(log_gap)
        # For tau above ~1e154 the gap underflows: its leading term is zeta(2) / tau**2.
        if gap > 0.0:
            log_gap_term = math.log(gap)
        else:
            log_gap_term = math.log(math.pi**2 / 6.0) + 2.0 * math.log(eps)
        return _exp_or_raise(
            2.0 * math.log(self.theta) + g2 + log_gap_term,
            f"{self!r}: Var[X]",
        )

    def _limited_moment(self, u: FloatArray, k: int) -> FloatArray:
        z = self._hazard(u)
        partial = _weibull_partial(self.tau, self.theta, u, z, k)
        return partial + _power_times(u, k, np.exp(-z))


def _gpd_hazard(xi: float, y: FloatArray) -> FloatArray:
    """Cumulative hazard ``H = log1p(xi*y)/xi`` (``y`` when ``xi = 0``), with ``y = x/beta``.

    Written as ``y * log1p(z)/z`` with ``z = xi*y`` so that tiny ``xi`` loses nothing;
    ``H = inf`` at the upper end point of a bounded GPD (``xi < 0``).
    """
    z = xi * y
    h = y.copy()
    endpoint = z <= -1.0
    large = z > 1.0
    regular = (z != 0.0) & ~endpoint & ~large
    h[regular] = y[regular] * (np.log1p(z[regular]) / z[regular])
    # 1 + xi*y = y*(xi + 1/y) keeps H finite where xi*y itself overflows.
    yl = y[large]
    h[large] = (np.log(yl) + np.log(xi + 1.0 / yl)) / xi
    h[endpoint] = np.inf
    return h


def _gpd_quantile_from_hazard(xi: float, beta: float, h: FloatArray) -> FloatArray:
    """Inverse of :func:`_gpd_hazard`: ``x = beta * expm1(xi*H)/xi``."""
    return beta * h * _expm1_over(xi * h)


def _gpd_limited_moment(xi: float, beta: float, u: FloatArray, h: FloatArray, k: int) -> FloatArray:
    r"""``E[min(X, u)**k]`` for a GPD(xi, beta) at limits ``u`` with hazards ``h = H(u)``.

    Substituting :math:`x = \beta(e^{\xi h} - 1)/\xi` in :math:`\int_0^u k x^{k-1} S(x)\,dx`:

    .. math:: E[X\wedge u] = \beta\,\frac{1 - e^{-(1-\xi)H}}{1 - \xi},
    .. math:: E[(X\wedge u)^2] = \frac{2\beta}{1 - 2\xi}\left(E[X\wedge u]
              - u\,e^{-(1-\xi)H}\right)
              = \frac{2\beta^2}{\xi}\left[D(1-2\xi, H) - D(1-\xi, H)\right],

    with :math:`D(a, H) = (1 - e^{-aH})/a`.  The first form (integration by parts using
    :math:`((\beta + \xi x)S)' = (\xi - 1)S`) is used away from ``xi = 1/2``, the second
    near it; for ``H <= 1`` both cancel, so :math:`2\beta^2\int_0^H h\,
    \frac{e^{\xi h}-1}{\xi h} e^{-(1-\xi)h}\,dh` is integrated by 20-point Gauss-Legendre.
    """
    lev = beta * _one_minus_exp_over(1.0 - xi, h)
    if k == 1:
        return lev
    out = np.empty_like(u)
    short = h <= 1.0
    if short.any():
        hs = h[short][:, None]
        nodes = 0.5 * hs * (_GL_NODES + 1.0)
        integrand = nodes * _expm1_over(xi * nodes) * np.exp(-(1.0 - xi) * nodes)
        out[short] = beta * beta * hs[:, 0] * (integrand @ _GL_WEIGHTS)
    long_ = ~short
    if long_.any():
        hl, ul = h[long_], u[long_]
        if abs(1.0 - 2.0 * xi) >= 0.25:
            corner = ul * np.exp(-(1.0 - xi) * hl)
            out[long_] = 2.0 * beta * (lev[long_] - corner) / (1.0 - 2.0 * xi)
        else:
            diff = _one_minus_exp_over(1.0 - 2.0 * xi, hl) - _one_minus_exp_over(1.0 - xi, hl)
            out[long_] = 2.0 * beta * beta / xi * diff
    return out


def _gpd_moment(xi: float, beta: float, k: int, owner: str) -> float:
    """``E[X**k] = beta**k k! / prod_{j=1..k} (1 - j xi)`` for ``k xi < 1``."""
    if k * xi >= 1.0:
        raise MomentDoesNotExistError(
            f"{owner}: E[X**{k}] does not exist (is infinite) because xi = {xi!r} >= 1/{k}; "
            f"moments of order k exist only for xi < 1/k. Use limited_moment(u, k) with a "
            "finite limit u."
        )
    value = float(math.factorial(k))
    for j in range(1, k + 1):
        value *= beta / (1.0 - j * xi)
    return _finite_or_raise(value, f"{owner}: E[X**{k}]")


@dataclass(frozen=True, slots=True)
class GeneralizedPareto(Severity):
    r"""Generalized Pareto distribution (GPD), e.g. of the excess over a threshold.

    Parameters
    ----------
    xi : float
        Shape (tail index), finite, any sign: ``xi > 0`` heavy (Pareto-type) tail,
        ``xi = 0`` exponential, ``xi < 0`` bounded support ``[0, -beta/xi]``.
    beta : float
        Scale (> 0, currency units).

    Notes
    -----
    With :math:`H(x) = \ln(1 + \xi x/\beta)/\xi` (:math:`x/\beta` for :math:`\xi = 0`),

    .. math:: S(x) = (1 + \xi x/\beta)^{-1/\xi} = e^{-H(x)}, \quad
              f(x) = e^{-(1+\xi)H(x)}/\beta,
    .. math:: E[X^k] = \frac{\beta^k k!}{\prod_{j=1}^k (1 - j\xi)} \; (\xi < 1/k), \quad
              E[X] = \frac{\beta}{1-\xi}, \quad
              Var[X] = \frac{\beta^2}{(1-\xi)^2(1-2\xi)},
    .. math:: E[X\wedge u] = \frac{\beta}{1-\xi}\left[1 - (1 + \xi u/\beta)^{1-1/\xi}\right]
              \quad(\beta\ln(1 + u/\beta) \text{ at } \xi = 1).

    This is the GPD of extreme-value theory, not the three-parameter "generalized
    Pareto" of Loss Models' Appendix A (a transformed beta).  The limited moments
    integrate :math:`k x^{k-1} S(x)` in closed form (see
    ``_gpd_limited_moment``).  The Lomax of Loss Models, Appendix A.2.3.1, is
    ``Pareto(alpha, theta) = GeneralizedPareto(xi=1/alpha, beta=theta/alpha)``; see also
    Embrechts, Klüppelberg & Mikosch (1997), *Modelling Extremal Events*, Section 3.4.
    Sampled as ``beta * expm1(xi * E)/xi`` with ``E`` standard exponential.
    """

    xi: float
    beta: float
    PARAMETERS: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("xi"),
        ParamSpec("beta", 0.0, math.inf, lower_inclusive=False),
    )

    @property
    def support_upper(self) -> float:
        return -self.beta / self.xi if self.xi < 0 else math.inf

    def _sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
        e = rng.standard_exponential(shape)
        if self.xi == 0.0:
            return self.beta * e
        return self.beta * np.expm1(self.xi * e) / self.xi

    def _cdf(self, x: FloatArray) -> FloatArray:
        return -np.expm1(-_gpd_hazard(self.xi, x / self.beta))

    def _sf(self, x: FloatArray) -> FloatArray:
        return np.exp(-_gpd_hazard(self.xi, x / self.beta))

    def _pdf(self, x: FloatArray) -> FloatArray:
        out = np.empty_like(x)
        at_end = x >= self.support_upper
        h = _gpd_hazard(self.xi, x[~at_end] / self.beta)
        out[~at_end] = np.exp(-(1.0 + self.xi) * h) / self.beta
        # Limit at the upper end point of a bounded GPD: (1 + xi x/beta)**(-1/xi - 1).
        exponent = -1.0 / self.xi - 1.0 if self.xi < 0 else 0.0
        at_end_value = 0.0 if exponent > 0 else (1.0 / self.beta if exponent == 0 else math.inf)
        out[at_end] = at_end_value
        return out

    def _ppf(self, q: FloatArray) -> FloatArray:
        return _gpd_quantile_from_hazard(self.xi, self.beta, -np.log1p(-q))

    def _moment(self, k: int) -> float:
        return _gpd_moment(self.xi, self.beta, k, repr(self))

    def _var(self) -> float:
        return self.beta**2 / ((1.0 - self.xi) ** 2 * (1.0 - 2.0 * self.xi))

    def _limited_moment(self, u: FloatArray, k: int) -> FloatArray:
        h = _gpd_hazard(self.xi, u / self.beta)
        return _gpd_limited_moment(self.xi, self.beta, u, h, k)


@dataclass(frozen=True, slots=True)
class Pareto(Severity):
    r"""Pareto (type II, Lomax) claim size, the "Pareto" of Loss Models.

    Parameters
    ----------
    alpha : float
        Shape (tail index, > 0): the k-th moment exists only for ``alpha > k``.
    theta : float
        Scale (> 0, currency units).

    Notes
    -----
    Loss Models, 5th ed., Appendix A.2.3.1:

    .. math:: S(x) = \left(\frac{\theta}{x + \theta}\right)^\alpha, \quad
              f(x) = \frac{\alpha\theta^\alpha}{(x+\theta)^{\alpha+1}}, \quad
              E[X^k] = \frac{\theta^k k!}{\prod_{j=1}^k(\alpha - j)}\;(\alpha > k),
    .. math:: Var[X] = \frac{\alpha\theta^2}{(\alpha-1)^2(\alpha-2)}, \quad
              E[X\wedge u] = \frac{\theta}{\alpha-1}\left[1 -
              \left(\frac{\theta}{u+\theta}\right)^{\alpha-1}\right]
              \;(-\theta\ln\frac{\theta}{u+\theta} \text{ at } \alpha = 1).

    Limited moments use the GPD closed forms with ``xi = 1/alpha``, ``beta = theta/alpha``.
    Sampled as ``theta * rng.pareto(alpha)``.
    """

    alpha: float
    theta: float
    PARAMETERS: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("alpha", 0.0, math.inf, lower_inclusive=False),
        ParamSpec("theta", 0.0, math.inf, lower_inclusive=False),
    )

    def _hazard(self, x: FloatArray) -> FloatArray:
        return self.alpha * np.log1p(x / self.theta)

    def _sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
        return self.theta * rng.pareto(self.alpha, shape)

    def _cdf(self, x: FloatArray) -> FloatArray:
        return -np.expm1(-self._hazard(x))

    def _sf(self, x: FloatArray) -> FloatArray:
        return np.exp(-self._hazard(x))

    def _pdf(self, x: FloatArray) -> FloatArray:
        return self.alpha / self.theta * np.exp(-(self.alpha + 1.0) * np.log1p(x / self.theta))

    def _ppf(self, q: FloatArray) -> FloatArray:
        return self.theta * np.expm1(-np.log1p(-q) / self.alpha)

    def _moment(self, k: int) -> float:
        if self.alpha <= k:
            raise MomentDoesNotExistError(
                f"{self!r}: E[X**{k}] does not exist (is infinite) because alpha = "
                f"{self.alpha!r} <= {k}; moments of order k exist only for alpha > k. "
                "Use limited_moment(u, k) with a finite limit u."
            )
        value = float(math.factorial(k))
        for j in range(1, k + 1):
            value *= self.theta / (self.alpha - j)
        return _finite_or_raise(value, f"{self!r}: E[X**{k}]")

    def _var(self) -> float:
        a = self.alpha
        return self.theta**2 * a / ((a - 1.0) ** 2 * (a - 2.0))

    def _limited_moment(self, u: FloatArray, k: int) -> FloatArray:
        xi, beta = 1.0 / self.alpha, self.theta / self.alpha
        return _gpd_limited_moment(xi, beta, u, self._hazard(u), k)


@dataclass(frozen=True, slots=True)
class Spliced(Severity):
    r"""A body distribution up to ``threshold`` with a GPD tail above it.

    Parameters
    ----------
    body : Severity
        Distribution used below the threshold (not truncated: it keeps its own mass
        ``p = F_body(threshold)`` there).
    tail : GeneralizedPareto
        Distribution of the excess ``X - threshold`` given ``X > threshold``.
    threshold : float
        Splice point (> 0, currency units).

    Notes
    -----
    With :math:`T` the threshold, :math:`p = F_b(T)`, :math:`s = 1 - p = S_b(T)` and
    :math:`G` the tail GPD (a composite model in the sense of Loss Models, 5th ed.,
    Section 5.2.6; the GPD tail is the peaks-over-threshold model):

    .. math:: F(x) = F_b(x) \;(x \le T), \qquad F(x) = p + s\,G(x - T) \;(x > T),
    .. math:: E[X^k] = E[(X_b\wedge T)^k] + s\,E[(T + Y)^k] - s\,T^k,
    .. math:: E[X\wedge u] = E[X_b\wedge T] + s\,E[Y\wedge (u - T)] \;(u > T),
    .. math:: E[(X\wedge u)^2] = E[(X_b\wedge T)^2]
              + s\left(2T\,E[Y\wedge(u-T)] + E[(Y\wedge(u-T))^2]\right) \;(u > T).

    Moments are available for ``k`` in {1, 2}.  Sampled as a mixture: a uniform ``U``;
    ``body.ppf(U)`` where ``U < p``, else ``threshold`` plus a native GPD draw.
    """

    body: Severity
    tail: GeneralizedPareto
    threshold: float
    PARAMETERS: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("threshold", 0.0, math.inf, lower_inclusive=False),
    )

    def _validate_extra(self) -> None:
        if not isinstance(self.body, Severity):
            raise ParameterError("Spliced", "body", self.body, "must be a Severity")
        if not isinstance(self.tail, GeneralizedPareto):
            raise ParameterError("Spliced", "tail", self.tail, "must be a GeneralizedPareto")

    @property
    def body_probability(self) -> float:
        """``p = F_body(threshold)``, the probability that a claim is in the body."""
        return float(self.body.cdf(self.threshold))

    @property
    def tail_probability(self) -> float:
        """``s = S_body(threshold)``, the probability that a claim is in the tail."""
        return float(self.body.sf(self.threshold))

    @property
    def support_upper(self) -> float:
        return self.threshold + self.tail.support_upper

    def _sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
        uniform = rng.random(shape)
        in_tail = uniform >= self.body_probability
        out = np.empty(shape, dtype=np.float64)
        out[~in_tail] = self.body.ppf(uniform[~in_tail])
        out[in_tail] = self.threshold + self.tail.sample(rng, int(in_tail.sum()))
        return out

    def _split(self, x: FloatArray) -> tuple[BoolArray, BoolArray]:
        below = x <= self.threshold
        return below, ~below

    def _cdf(self, x: FloatArray) -> FloatArray:
        below, above = self._split(x)
        out = np.empty_like(x)
        out[below] = self.body.cdf(x[below])
        tail_cdf = self.tail.cdf(x[above] - self.threshold)
        out[above] = self.body_probability + self.tail_probability * tail_cdf
        return out

    def _sf(self, x: FloatArray) -> FloatArray:
        below, above = self._split(x)
        out = np.empty_like(x)
        out[below] = self.body.sf(x[below])
        out[above] = self.tail_probability * self.tail.sf(x[above] - self.threshold)
        return out

    def _pdf(self, x: FloatArray) -> FloatArray:
        below, above = self._split(x)
        out = np.empty_like(x)
        out[below] = self.body.pdf(x[below])
        out[above] = self.tail_probability * self.tail.pdf(x[above] - self.threshold)
        return out

    def _ppf(self, q: FloatArray) -> FloatArray:
        in_body = q <= self.body_probability
        out = np.empty_like(q)
        out[in_body] = self.body.ppf(q[in_body])
        # Invert through the tail survival probability (1 - q)/S_body(threshold), which
        # stays accurate as q -> 1 and never reaches 0 for q < 1.
        tail_sf = (1.0 - q[~in_body]) / self.tail_probability
        h = -np.log(tail_sf)
        out[~in_body] = self.threshold + _gpd_quantile_from_hazard(self.tail.xi, self.tail.beta, h)
        return out

    def _moment(self, k: int) -> float:
        if k not in (1, 2):
            raise ParameterError(f"{self._name()}.moment", "k", k, "must be 1 or 2 for Spliced")
        t, s = self.threshold, self.tail_probability
        body = float(self.body.limited_moment(t, k))
        if s == 0.0:
            return body
        try:
            m1 = self.tail.moment(1)
            tail_part = m1 if k == 1 else 2.0 * t * m1 + self.tail.moment(2)
        except MomentDoesNotExistError as err:
            raise MomentDoesNotExistError(
                f"{self!r}: E[X**{k}] does not exist because its tail's does not: {err}"
            ) from err
        return body + s * tail_part

    def _limited_moment(self, u: FloatArray, k: int) -> FloatArray:
        below, above = self._split(u)
        out = np.empty_like(u)
        out[below] = self.body.limited_moment(u[below], k)
        t, s = self.threshold, self.tail_probability
        excess = u[above] - t
        base = float(self.body.limited_moment(t, k))
        lev = np.asarray(self.tail.limited_moment(excess, 1))
        if k == 1:
            out[above] = base + s * lev
        else:
            out[above] = base + s * (2.0 * t * lev + self.tail.limited_moment(excess, 2))
        return out
