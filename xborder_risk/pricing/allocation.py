"""Allocation of a diversified risk load to lines: co-TVaR (Euler) contributions.

Given simulated annual losses per line, ``annual`` of shape (n_years, n_lines), with total
:math:`S = \\sum_i X_i`, the Euler contribution of line :math:`i` to :math:`\\mathrm{TVaR}_p(S)`
is its co-TVaR, :math:`E[X_i \\mid S \\ge \\mathrm{VaR}_p(S)]`, computed here on exactly the
tail scenarios (and the fractional atom at VaR) that :func:`xborder_risk.measures.tvar` uses,
so the contributions add up to the total's TVaR to float rounding.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xborder_risk import measures
from xborder_risk._validation import as_float_array, check_probability, check_real
from xborder_risk.errors import ParameterError

__all__ = ["allocate_by_co_tvar", "co_tvar", "co_tvar_of_tail", "co_var", "tail_weights"]

# Below this multiple of the losses' scale, TVaR(S) - E[S] is float rounding, not risk.
_RELATIVE_SPREAD_FLOOR = 1e-12


def tail_weights(total: ArrayLike, level: float) -> tuple[NDArray[np.float64], float]:
    """Scenario weights whose weighted mean is the empirical TVaR of ``total``.

    Parameters
    ----------
    total : array_like, shape (n_years,)
        Simulated total losses, currency units per period.
    level : float
        Confidence level p in (0, 1).

    Returns
    -------
    weights : ndarray, shape (n_years,)
        1 for every year with :math:`S > \\mathrm{VaR}_p(S)`; the years tied at VaR share the
        remaining tail mass :math:`n(1-p) - \\#\\{S > \\mathrm{VaR}_p\\}` equally; 0 elsewhere.
    tail_mass : float
        :math:`n(1-p)`, the sum of the weights.

    Notes
    -----
    Acerbi & Tasche (2002), "On the coherence of expected shortfall", J. Banking & Finance
    26(7), eq. (3.3): for a distribution with an atom at VaR, expected shortfall takes the
    atom only in the fraction needed to make the tail probability exactly :math:`1-p`. Then
    :math:`\\sum_j w_j S_j / (n(1-p)) = \\mathrm{VaR}_p + \\sum_j (S_j - \\mathrm{VaR}_p)_+ /
    (n(1-p))`, the definition used by :func:`xborder_risk.measures.tvar`.
    """
    total = as_float_array("tail_weights", "total", total)
    level = check_probability("tail_weights", "level", level)
    n = total.size
    value_at_risk = measures.value_at_risk(total, level)
    above = total > value_at_risk
    at = total == value_at_risk
    tail_mass = n * (1.0 - level)
    # VaR is one of the sample values, so at least one year sits at it.
    share_at_var = (tail_mass - np.count_nonzero(above)) / np.count_nonzero(at)
    weights = np.where(above, 1.0, np.where(at, share_at_var, 0.0))
    return weights, tail_mass


def _tail_sum(annual: NDArray[np.float64], weights: NDArray[np.float64]) -> NDArray[np.float64]:
    tail_rows = np.flatnonzero(weights)
    return _weighted_rows(annual[tail_rows], weights[tail_rows])


def _weighted_rows(rows: NDArray[np.float64], weights: NDArray[np.float64]) -> NDArray[np.float64]:
    # Elementwise product then a numpy sum (fixed pairwise order), not a BLAS dot whose
    # summation order may depend on threads.
    return (rows * weights[:, np.newaxis]).sum(axis=0)


def co_tvar_of_tail(
    tail_annual: NDArray[np.float64], weights: NDArray[np.float64], tail_mass: float
) -> NDArray[np.float64]:
    """Co-TVaR from the tail years only: the same bits as :func:`co_tvar` on all the years.

    Parameters
    ----------
    tail_annual : ndarray, shape (k, n_lines)
        The rows of ``annual`` at ``np.flatnonzero(w)``, ``w`` the full weights of
        :func:`tail_weights` of the total, currency units.
    weights : ndarray, shape (k,)
        ``w`` at those rows (all positive).
    tail_mass : float
        :math:`n(1-p)` from :func:`tail_weights`.

    Returns
    -------
    ndarray, shape (n_lines,)
        :math:`E[X_i \\mid S \\ge \\mathrm{VaR}_p(S)]`, currency units.
    """
    return _weighted_rows(tail_annual, weights) / tail_mass


def co_tvar(annual: ArrayLike, level: float) -> NDArray[np.float64]:
    """Co-TVaR of each line: its Euler contribution to the TVaR of the total.

    Parameters
    ----------
    annual : array_like, shape (n_years, n_lines)
        Simulated annual losses per line, currency units per policy period.
    level : float
        Confidence level p in (0, 1), e.g. 0.99.

    Returns
    -------
    ndarray, shape (n_lines,)
        :math:`E[X_i \\mid S \\ge \\mathrm{VaR}_p(S)]` with the atom at VaR weighted per
        Acerbi & Tasche; the entries sum to ``measures.tvar(annual.sum(axis=1), level)``.

    Notes
    -----
    TVaR is positively homogeneous, so by Euler's theorem
    :math:`\\mathrm{TVaR}_p(S) = \\sum_i \\partial/\\partial h_i\\,\\mathrm{TVaR}_p(\\sum_j h_j X_j)
    |_{h=1}` and the derivative is the co-TVaR (Tasche 1999, "Risk contributions and
    performance measurement", TU München, §5). On a sample,

    .. math:: \\mathrm{coTVaR}_i = \\frac{1}{n(1-p)} \\sum_j w_j X_{ij}

    with the weights of :func:`tail_weights`.
    """
    matrix = as_float_array("co_tvar", "annual", annual, ndim=2)
    level = check_probability("co_tvar", "level", level)
    weights, tail_mass = tail_weights(matrix.sum(axis=1), level)
    return _tail_sum(matrix, weights) / tail_mass


def co_var(annual: ArrayLike, level: float) -> NDArray[np.float64]:
    """Co-VaR of each line: :math:`E[X_i \\mid S = \\mathrm{VaR}_p(S)]`.

    Parameters
    ----------
    annual : array_like, shape (n_years, n_lines)
        Simulated annual losses per line, currency units per policy period.
    level : float
        Confidence level p in (0, 1).

    Returns
    -------
    ndarray, shape (n_lines,)
        The mean of each line over the years whose total equals the empirical VaR; the
        entries sum to ``measures.value_at_risk(annual.sum(axis=1), level)``.

    Notes
    -----
    The Euler allocation of VaR (Tasche 1999, §5). On a sample it rests on one year (or a
    few tied years), so it is far noisier than co-TVaR; prefer :func:`co_tvar` for
    allocation unless the capital standard is VaR and the sample is very large.
    """
    matrix = as_float_array("co_var", "annual", annual, ndim=2)
    level = check_probability("co_var", "level", level)
    total = matrix.sum(axis=1)
    at_var = total == measures.value_at_risk(total, level)
    return matrix[at_var].mean(axis=0)


def allocate_by_co_tvar(
    annual: ArrayLike, total_risk_load: float, level: float
) -> NDArray[np.float64]:
    """Split a total risk load across lines in proportion to co-TVaR minus expected loss.

    Parameters
    ----------
    annual : array_like, shape (n_years, n_lines)
        Simulated annual losses per line, currency units per policy period.
    total_risk_load : float
        The diversified risk load of the total (premium minus expected loss), currency units.
    level : float
        Confidence level p in (0, 1) of the co-TVaR.

    Returns
    -------
    ndarray, shape (n_lines,)
        Line risk loads summing to ``total_risk_load`` (to float rounding). A line that
        hedges the others in the tail (co-TVaR below its mean) gets a negative share.

    Raises
    ------
    ParameterError
        When the risk load is non-zero but the total has no tail spread
        (:math:`\\mathrm{TVaR}_p(S) = E[S]`, a constant total), so there is nothing to be
        proportional to. A risk load of float-rounding size (at most 1e-12 of the largest
        annual total, as a constant sample's mean leaves) is shared equally instead.

    Notes
    -----
    .. math:: R_i = R\\,\\frac{\\mathrm{coTVaR}_{p,i} - E[X_i]}{\\sum_j (\\mathrm{coTVaR}_{p,j}
              - E[X_j])}

    The weights are the Euler contributions to the economic capital
    :math:`\\mathrm{TVaR}_p(S) - E[S]` (Tasche 1999; Acerbi & Tasche 2002), so a risk load
    priced as a return on that capital is allocated exactly as its Euler allocation.
    """
    matrix = as_float_array("allocate_by_co_tvar", "annual", annual, ndim=2)
    total_risk_load = check_real("allocate_by_co_tvar", "total_risk_load", total_risk_load)
    level = check_probability("allocate_by_co_tvar", "level", level)
    if total_risk_load == 0.0:
        return np.zeros(matrix.shape[1])
    capital = co_tvar(matrix, level) - matrix.mean(axis=0)
    total_capital = float(capital.sum())
    scale = float(np.abs(matrix).sum(axis=1).max())
    if not total_capital > _RELATIVE_SPREAD_FLOOR * scale:
        if abs(total_risk_load) <= _RELATIVE_SPREAD_FLOOR * scale:
            # A total without risk (every year at an aggregate limit, say) still gets a risk
            # load of float rounding from the mean of a constant sample; no line drives a
            # tail that is not there, so the rounding is shared equally and the sum holds.
            return np.full(matrix.shape[1], total_risk_load / matrix.shape[1])
        raise ParameterError(
            "allocate_by_co_tvar",
            "annual",
            f"total with TVaR - mean = {total_capital!r}",
            "must have a spread in the tail to allocate a non-zero risk load in proportion "
            "to co-TVaR; use the principle's Euler allocation instead",
        )
    return total_risk_load * (capital / total_capital)
