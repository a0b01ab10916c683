"""Risk measures on simulated losses: VaR, TVaR, summary tables, exceedance-probability curves.

All functions take a one-dimensional float64 sample of losses (currency units per
period) and return plain floats or pandas DataFrames. Definitions are in
``docs/measures.md``.  Vocabulary, the same everywhere in the library: ``level`` / ``levels``
is a confidence level in (0, 1); :func:`value_at_risk` and :func:`tvar` are the risk measures;
``var`` is the variance (``var(x, level)`` for the value at risk is a deprecated spelling).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xborder_risk._deprecation import warn_deprecated
from xborder_risk._validation import as_float_array, check_probability
from xborder_risk.errors import ParameterError

if TYPE_CHECKING:  # imported where a frame is built: the engine imports this module
    import pandas as pd

__all__ = [
    "DEFAULT_RETURN_PERIODS",
    "EP_KINDS",
    "check_levels",
    "ep_curve",
    "level_label",
    "mean_standard_error",
    "summary",
    "tvar",
    "tvar_standard_error",
    "value_at_risk",
    "value_at_risk_interval",
    "value_at_risk_standard_error",
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


def value_at_risk(x: ArrayLike, level: float) -> float:
    """Value at risk: the lower empirical quantile at a confidence level.

    Parameters
    ----------
    x : array_like, shape (n,)
        Simulated losses, currency units.
    level : float
        Confidence level in (0, 1).

    Returns
    -------
    float
        :math:`X_{(\\lceil np \\rceil)}`, the :math:`\\lceil np\\rceil`-th order statistic
        (:math:`p` the level), currency units.

    Notes
    -----
    The lower quantile :math:`\\mathrm{VaR}_p = \\inf\\{x : F_n(x) \\ge p\\}` of the empirical
    distribution (Hyndman & Fan 1996, definition 1, "inverted CDF").
    """
    arr = _sample(x, "value_at_risk")
    return _lower_quantile(arr, check_probability("value_at_risk", "level", level))


def tvar(x: ArrayLike, level: float) -> float:
    """Tail value at risk (expected shortfall) of the empirical distribution.

    Parameters
    ----------
    x : array_like, shape (n,)
        Simulated losses, currency units.
    level : float
        Confidence level :math:`p` in (0, 1).

    Returns
    -------
    float
        :math:`\\mathrm{VaR}_p + E[(X - \\mathrm{VaR}_p)_+]/(1-p)`, currency units.

    Notes
    -----
    Acerbi & Tasche (2002), "On the coherence of expected shortfall", J. Banking & Finance
    26(7), eq. (3.3). Unlike the mean of the losses above VaR, this definition is coherent
    for discrete (empirical) distributions with an atom at VaR.
    """
    arr = _sample(x, "tvar")
    p = check_probability("tvar", "level", level)
    q = _lower_quantile(arr, p)
    return q + float(np.maximum(arr - q, 0.0).mean()) / (1.0 - p)


def var(x: ArrayLike, level: float | None = None) -> float:
    """Sample variance :math:`s^2` (``ddof=1``), currency units squared.

    Parameters
    ----------
    x : array_like, shape (n,)
        Simulated losses, currency units.
    level : float, optional
        Deprecated: ``var(x, level)`` was the value at risk; it still is, for one release,
        with an :class:`~xborder_risk.errors.XBorderRiskDeprecationWarning`. Use
        :func:`value_at_risk`.

    Returns
    -------
    float
        The unbiased sample variance, 0 for a single loss (as ``std`` of :func:`summary`).
    """
    if level is not None:
        warn_deprecated("measures.var(x, p) for the value at risk", "measures.value_at_risk")
        return value_at_risk(x, level)
    arr = _sample(x, "var")
    return float(arr.var(ddof=1)) if arr.size > 1 else 0.0


def mean_standard_error(x: ArrayLike) -> float:
    """Monte Carlo standard error of the sample mean, :math:`s/\\sqrt{n}`."""
    arr = _sample(x, "mean_standard_error")
    if arr.size < 2:
        return math.inf
    return float(arr.std(ddof=1) / math.sqrt(arr.size))


def _interval_ranks(n: int, p: float, confidence: float) -> tuple[int, int]:
    """1-based ranks ``(l, u)`` of the distribution-free interval for the p-quantile; ``l`` may
    be 0 and ``u`` may be ``n + 1`` (no order statistic that far out)."""
    alpha = 1.0 - confidence
    return _binomial_quantile(n, p, alpha / 2.0), _binomial_quantile(n, p, 1.0 - alpha / 2.0) + 1


def _binomial_quantile(n: int, p: float, q: float) -> int:
    """Smallest ``k`` with ``P(B(n, p) <= k) >= q``: the binomial cdf (``scipy.special.bdtr``,
    not the slower-to-import ``scipy.stats``) over a window of the mean +- 12 standard
    deviations (every quantile with 1e-30 < q < 1 - 1e-30 lies inside it); outside it the
    answer is the conservative end, 0 or ``n``."""
    from scipy import special  # imported where needed: the engine imports this module

    sd = math.sqrt(n * p * (1.0 - p))
    low = max(0, math.floor(n * p - 12.0 * sd - 2.0))
    high = min(n, math.ceil(n * p + 12.0 * sd + 2.0))
    ks = np.arange(low, high + 1, dtype=np.float64)
    cdf = special.bdtr(ks, n, p)
    reached = np.flatnonzero(cdf >= q)
    if not reached.size:
        return n
    if reached[0] == 0 and low > 0:
        return 0
    return int(ks[reached[0]])


def value_at_risk_interval(
    x: ArrayLike, level: float, confidence: float = 0.95
) -> tuple[float, float]:
    """Distribution-free confidence interval for the VaR (the ``level`` quantile) of the
    distribution the sample was drawn from.

    Parameters
    ----------
    x : array_like, shape (n,)
        Simulated losses, currency units.
    level : float
        Confidence level :math:`p` of the VaR, in (0, 1).
    confidence : float, default 0.95
        Coverage of the interval, in (0, 1).

    Returns
    -------
    tuple of float
        :math:`(X_{(l)}, X_{(u)})`, currency units; ``-inf`` / ``inf`` on a side where the
        sample is too small to reach.

    Notes
    -----
    The number of observations at or below the true quantile :math:`\\xi_p` is binomial
    :math:`B(n, F(\\xi_p))` with :math:`F(\\xi_p) \\ge p` (and of those strictly below it,
    :math:`B(n, F(\\xi_p^-))` with :math:`F(\\xi_p^-) \\le p`). With :math:`l` the
    :math:`\\alpha/2` quantile of :math:`B(n, p)` and :math:`u - 1` its :math:`1-\\alpha/2`
    quantile, :math:`P(X_{(l)} \\le \\xi_p \\le X_{(u)}) \\ge 1 - \\alpha` for every
    distribution, continuous or with atoms (an occurrence or aggregate limit): David & Nagaraja,
    *Order Statistics*, 3rd ed. (2003), §7.1; Serfling (1980), §2.6.1.
    """
    arr = _sample(x, "value_at_risk_interval")
    p = check_probability("value_at_risk_interval", "level", level)
    c = check_probability("value_at_risk_interval", "confidence", confidence)
    n = arr.size
    lower, upper = _interval_ranks(n, p, c)
    ranks = [r - 1 for r in (lower, upper) if 1 <= r <= n]
    part = np.partition(arr, ranks) if ranks else arr
    low = float(part[lower - 1]) if lower >= 1 else -math.inf
    high = float(part[upper - 1]) if upper <= n else math.inf
    return low, high


def value_at_risk_standard_error(x: ArrayLike, level: float) -> float:
    """Monte Carlo standard error of the empirical VaR at a confidence level in (0, 1).

    Notes
    -----
    The half-width of the distribution-free 95 % interval :func:`value_at_risk_interval`
    over :math:`z_{0.975} = 1.96`: the order statistics about :math:`1.96\\sqrt{np(1-p)}`
    ranks either side of :math:`\\lceil np\\rceil` (the sparsity estimate of Serfling 1980,
    §2.6, read over a wide enough span of ranks to be stable; no density estimate is needed).
    So ``VaR ± 1.96 se`` is, to within a rank, that interval, whose coverage holds for any
    distribution (tested over many seeds in ``tests/measures/test_coverage.py``). Returns
    ``inf`` when the sample has too few points beyond VaR to tell.
    """
    arr = _sample(x, "value_at_risk_standard_error")
    p = check_probability("value_at_risk_standard_error", "level", level)
    low, high = value_at_risk_interval(arr, p, _SE_CONFIDENCE)
    if not (math.isfinite(low) and math.isfinite(high)):
        return math.inf
    return (high - low) / (2.0 * _Z_975)


#: The interval whose half-width gives :func:`value_at_risk_standard_error`, and its z.
_SE_CONFIDENCE: float = 0.95
_Z_975: float = 1.959963984540054


def var_standard_error(x: ArrayLike, level: float) -> float:
    """Deprecated spelling of :func:`value_at_risk_standard_error` (warns)."""
    warn_deprecated("measures.var_standard_error", "measures.value_at_risk_standard_error")
    return value_at_risk_standard_error(x, level)


def tvar_standard_error(x: ArrayLike, level: float) -> float:
    """Monte Carlo standard error of the empirical TVaR at a confidence level in (0, 1).

    Notes
    -----
    The asymptotic variance of the expected-shortfall estimator is
    :math:`\\mathrm{Var}[(X-\\mathrm{VaR}_p)_+]/(1-p)^2` per observation
    (influence function of ES; e.g. Manistre & Hancock 2005, NAAJ 9(2)), so the standard
    error is :math:`\\sqrt{\\mathrm{Var}[(X-q)_+]/n}/(1-p)`.
    """
    arr = _sample(x, "tvar_standard_error")
    p = check_probability("tvar_standard_error", "level", level)
    n = arr.size
    if n < 2:
        return math.inf
    excess = np.maximum(arr - _lower_quantile(arr, p), 0.0)
    return float(excess.std(ddof=1) / math.sqrt(n) / (1.0 - p))


def check_levels(owner: str, levels: object) -> list[float]:
    """Confidence levels as a list of floats in (0, 1); a single number is one level."""
    requested: Iterable[object]
    if isinstance(levels, numbers.Real):
        requested = (levels,)  # one level (check_probability refuses a bool)
    elif isinstance(levels, str) or not isinstance(levels, Iterable):
        raise ParameterError(
            owner, "levels", levels, "must be a sequence of confidence levels in (0, 1)"
        )
    else:
        requested = levels
    return [check_probability(owner, "levels", level) for level in requested]


def summary(
    samples: Mapping[str, ArrayLike],
    levels: Sequence[float] | float = (0.95, 0.99, 0.995),
    *,
    index_name: str = "line",
    tail_standard_errors: bool = True,
    owner: str = "summary",
) -> pd.DataFrame:
    """Mean, standard deviation, VaR and TVaR of named samples, with their MC errors.

    The one summary table of the library: :meth:`SimulationResult.summary
    <xborder_risk.engine.SimulationResult.summary>`, :meth:`TreatyResult.summary
    <xborder_risk.reinsurance.TreatyResult.summary>` and the portfolio's summary and
    accumulation tables are this frame.

    Parameters
    ----------
    samples : mapping of str to array_like, each shape (n,)
        Simulated losses by name (a line, ``"total"``, a treaty quantity, a country),
        currency units per year; the rows, in the mapping's order.
    levels : sequence of float, or float
        Confidence levels in (0, 1); a single float is one level.
    index_name : str
        Name of the index (``"line"``, ``"quantity"``, ``"country"``).
    tail_standard_errors : bool
        Whether to add the ``var_*_se`` and ``tvar_*_se`` columns.
    owner : str
        The caller named in error messages.

    Returns
    -------
    pandas.DataFrame
        One row per sample.  Columns ``mean``, ``mean_se``, ``std`` (``ddof=1``, 0 for one
        year) and per level (0.995 -> ``99_5``, :func:`level_label`) ``var_99_5`` (the value
        at risk), ``var_99_5_se``, ``tvar_99_5``, ``tvar_99_5_se``; the ``_se`` columns are
        Monte Carlo standard errors (docs/measures.md).  ``attrs["n_years"]`` is the sample
        size (of the first sample).
    """
    checked = check_levels(owner, levels)
    rows = {}
    n_years = 0
    for name, values in samples.items():
        x = _sample(values, owner)
        n_years = n_years or int(x.size)
        row: dict[str, float] = {
            "mean": float(x.mean()),
            "mean_se": mean_standard_error(x),
            "std": float(x.std(ddof=1)) if x.size > 1 else 0.0,
        }
        for level in checked:
            label = level_label(level)
            row[f"var_{label}"] = value_at_risk(x, level)
            if tail_standard_errors:
                row[f"var_{label}_se"] = value_at_risk_standard_error(x, level)
            row[f"tvar_{label}"] = tvar(x, level)
            if tail_standard_errors:
                row[f"tvar_{label}_se"] = tvar_standard_error(x, level)
        rows[name] = row
    import pandas as pd

    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = index_name
    frame.attrs["n_years"] = n_years
    return frame


#: The kinds of exceedance-probability curve: annual aggregate and largest occurrence.
EP_KINDS = ("aep", "oep")


def check_ep_kind(owner: str, kind: object) -> str:
    """``kind`` if it is one of :data:`EP_KINDS`, else a :class:`ParameterError`."""
    if not isinstance(kind, str) or kind not in EP_KINDS:
        raise ParameterError(owner, "kind", kind, "must be 'aep' or 'oep'")
    return kind


def ep_curve(
    x: ArrayLike,
    return_periods: Sequence[float] | None = None,
    *,
    kind: str | None = None,
    line: str | None = None,
) -> pd.DataFrame:
    """Exceedance-probability curve at chosen return periods.

    The one EP frame of the library: the results' ``ep_curve`` methods are this frame with
    ``kind`` and ``line`` given.

    Parameters
    ----------
    x : array_like, shape (n,)
        Annual losses (AEP) or annual maximum occurrence losses (OEP), currency units.
    return_periods : sequence of float, optional
        Return periods in years, each > 1. By default the standard grid
        2, 5, ..., 10,000 years, cut to those the sample can resolve (``T <= n``).
    kind : {"aep", "oep"}, optional
        What ``x`` is; when given, a first column ``kind`` says so.
    line : str, optional
        Whose losses ``x`` are; when given (with ``kind``), a column ``line`` after ``kind``.

    Returns
    -------
    pandas.DataFrame
        Columns ``return_period`` (years), ``exceedance_probability`` (1/T) and ``loss``
        (the VaR at level 1 - 1/T), after ``kind`` and ``line`` when given.
    """
    import pandas as pd

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
    curve = pd.DataFrame(
        {
            "return_period": np.asarray(periods, dtype=float),
            "exceedance_probability": 1.0 / np.asarray(periods, dtype=float),
            "loss": np.asarray(losses, dtype=float),
        }
    )
    if kind is not None:
        curve.insert(0, "kind", check_ep_kind("ep_curve", kind))
    if line is not None:
        curve.insert(0 if kind is None else 1, "line", line)
    return curve


def level_label(level: float) -> str:
    """Column-name suffix for a confidence level: 0.995 -> ``"99_5"``, 0.99 -> ``"99"``."""
    level = check_probability("level_label", "level", level)
    text = f"{level * 100:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", "_")
