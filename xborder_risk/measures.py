"""Risk measures on simulated losses: VaR, TVaR, exceedance-probability curves.

All functions take a one-dimensional float64 sample of losses (currency units per
period) and return plain floats or pandas DataFrames. Definitions are in
``docs/measures.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from xborder_risk._validation import as_float_array, check_probability

__all__ = [
    "DEFAULT_RETURN_PERIODS",
    "ep_curve",
    "level_label",
    "mean_standard_error",
    "tvar",
    "tvar_standard_error",
    "var",
    "var_standard_error",
]

DEFAULT_RETURN_PERIODS: tuple[float, ...] = (
    2,
    5,
    10,
    20,
    25,
    50,
    100,
    200,
    250,
    500,
    1000,
    2000,
    5000,
    10000,
)


def _sample(x: ArrayLike, owner: str) -> NDArray[np.float64]:
    """``x`` as a non-empty, finite, one-dimensional float64 sample (see ``_validation``)."""
    return as_float_array(owner, "x", x)


def _order_index(n: int, p: float) -> int:
    """Zero-based index of the ceil(n p)-th order statistic.

    ``n * p`` in floating point can land just above an integer (100 * 0.99 is
    99.00000000000001); the relative nudge keeps such products on the integer.
    """
    k = math.ceil(n * p * (1.0 - 4.0 * np.finfo(float).eps))
    return min(max(k, 1), n) - 1


def _lower_quantile(arr: NDArray[np.float64], p: float) -> float:
    k = _order_index(arr.size, p)
    return float(np.partition(arr, k)[k])


def var(x: ArrayLike, p: float) -> float:
    """Value at risk: the lower empirical p-quantile.

    Parameters
    ----------
    x : array_like, shape (n,)
        Simulated losses, currency units.
    p : float
        Confidence level in (0, 1).

    Returns
    -------
    float
        :math:`X_{(\\lceil np \\rceil)}`, the :math:`\\lceil np\\rceil`-th order statistic.

    Notes
    -----
    The lower quantile :math:`\\mathrm{VaR}_p = \\inf\\{x : F_n(x) \\ge p\\}` of the empirical
    distribution (Hyndman & Fan 1996, definition 1, "inverted CDF").
    """
    arr = _sample(x, "var")
    return _lower_quantile(arr, check_probability("var", "p", p))


def tvar(x: ArrayLike, p: float) -> float:
    """Tail value at risk (expected shortfall) of the empirical distribution.

    Parameters
    ----------
    x : array_like, shape (n,)
        Simulated losses, currency units.
    p : float
        Confidence level in (0, 1).

    Returns
    -------
    float
        :math:`\\mathrm{VaR}_p + E[(X - \\mathrm{VaR}_p)_+]/(1-p)`.

    Notes
    -----
    Acerbi & Tasche (2002), "On the coherence of expected shortfall", J. Banking & Finance
    26(7), eq. (3.3). Unlike the mean of the losses above VaR, this definition is coherent
    for discrete (empirical) distributions with an atom at VaR.
    """
    arr = _sample(x, "tvar")
    p = check_probability("tvar", "p", p)
    q = _lower_quantile(arr, p)
    return q + float(np.maximum(arr - q, 0.0).mean()) / (1.0 - p)


def mean_standard_error(x: ArrayLike) -> float:
    """Monte Carlo standard error of the sample mean, :math:`s/\\sqrt{n}`."""
    arr = _sample(x, "mean_standard_error")
    if arr.size < 2:
        return math.inf
    return float(arr.std(ddof=1) / math.sqrt(arr.size))


def var_standard_error(x: ArrayLike, p: float) -> float:
    """Monte Carlo standard error of the empirical VaR.

    Notes
    -----
    Distribution-free order-statistic estimate: the rank of the p-quantile has binomial
    standard deviation :math:`\\sqrt{np(1-p)}`, so the standard error is half the distance
    between the order statistics that many ranks either side of :math:`\\lceil np\\rceil`
    (the sparsity estimate of Serfling 1980, §2.6; no density estimate is needed).
    Returns ``inf`` when the sample has too few points beyond VaR to tell.
    """
    arr = _sample(x, "var_standard_error")
    p = check_probability("var_standard_error", "p", p)
    n = arr.size
    k = _order_index(n, p)
    half_width = math.sqrt(n * p * (1.0 - p))
    lo, hi = math.floor(k - half_width), math.ceil(k + half_width)
    if lo < 0 or hi > n - 1:
        return math.inf
    part = np.partition(arr, (lo, hi))
    return float((part[hi] - part[lo]) / 2.0 * (half_width / max(hi - k, k - lo)))


def tvar_standard_error(x: ArrayLike, p: float) -> float:
    """Monte Carlo standard error of the empirical TVaR.

    Notes
    -----
    The asymptotic variance of the expected-shortfall estimator is
    :math:`\\mathrm{Var}[(X-\\mathrm{VaR}_p)_+]/(1-p)^2` per observation
    (influence function of ES; e.g. Manistre & Hancock 2005, NAAJ 9(2)), so the standard
    error is :math:`\\sqrt{\\mathrm{Var}[(X-q)_+]/n}/(1-p)`.
    """
    arr = _sample(x, "tvar_standard_error")
    p = check_probability("tvar_standard_error", "p", p)
    n = arr.size
    if n < 2:
        return math.inf
    excess = np.maximum(arr - _lower_quantile(arr, p), 0.0)
    return float(excess.std(ddof=1) / math.sqrt(n) / (1.0 - p))


def ep_curve(x: ArrayLike, return_periods: Sequence[float] | None = None) -> pd.DataFrame:
    """Exceedance-probability curve at chosen return periods.

    Parameters
    ----------
    x : array_like, shape (n,)
        Annual losses (AEP) or annual maximum occurrence losses (OEP), currency units.
    return_periods : sequence of float, optional
        Return periods in years, each > 1. By default the standard grid
        2, 5, ..., 10,000 years, cut to those the sample can resolve (``T <= n``).

    Returns
    -------
    pandas.DataFrame
        Columns ``return_period`` (years), ``exceedance_probability`` (1/T) and ``loss``
        (the VaR at level 1 - 1/T).
    """
    arr = _sample(x, "ep_curve")
    if return_periods is None:
        periods = [t for t in DEFAULT_RETURN_PERIODS if t <= arr.size]
    else:
        periods = as_float_array(
            "ep_curve",
            "return_periods",
            return_periods,
            non_empty=False,
            lower=1.0,
            lower_inclusive=False,
        ).tolist()
    sorted_losses = np.sort(arr)
    n = arr.size
    losses = [float(sorted_losses[_order_index(n, 1.0 - 1.0 / t)]) for t in periods]
    return pd.DataFrame(
        {
            "return_period": np.asarray(periods, dtype=float),
            "exceedance_probability": 1.0 / np.asarray(periods, dtype=float),
            "loss": np.asarray(losses, dtype=float),
        }
    )


def level_label(p: float) -> str:
    """Column-name suffix for a confidence level: 0.995 -> ``"99_5"``, 0.99 -> ``"99"``."""
    p = check_probability("level_label", "p", p)
    text = f"{p * 100:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", "_")
