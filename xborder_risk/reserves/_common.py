"""Shared helpers of the reserves package: array checks and the empirical quantile."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xborder_risk._validation import check_probability
from xborder_risk.errors import ParameterError
from xborder_risk.measures import value_at_risk

__all__ = ["as_loss_matrix", "as_loss_vector", "as_real_array", "lower_quantile"]


def as_real_array(owner: str, name: str, values: ArrayLike) -> NDArray[np.float64]:
    """Return ``values`` as a new float64 array, refusing booleans, strings and objects.

    numpy would turn ``True`` into 1.0 and ``"1e6"`` into a string array; neither is an amount.
    """
    raw = np.asarray(values)
    if raw.dtype == np.bool_ or not (
        np.issubdtype(raw.dtype, np.integer) or np.issubdtype(raw.dtype, np.floating)
    ):
        raise ParameterError(owner, name, f"array of dtype {raw.dtype}", "must be a real array")
    return raw.astype(np.float64, copy=True)


def as_loss_vector(owner: str, name: str, values: ArrayLike) -> NDArray[np.float64]:
    """Return ``values`` as a one-dimensional float64 array of finite, non-negative amounts.

    Raises
    ------
    ParameterError
        If the input is not numeric, not one-dimensional, empty, or holds NaN, inf or a
        negative amount; the message gives the first offending position.
    """
    x = as_real_array(owner, name, values)
    if x.ndim != 1:
        raise ParameterError(owner, name, f"array of shape {x.shape}", "must be one-dimensional")
    if x.size == 0:
        raise ParameterError(owner, name, "empty array", "must hold at least one value")
    _check_finite_non_negative(owner, name, x)
    return x


def as_loss_matrix(owner: str, name: str, values: ArrayLike) -> NDArray[np.float64]:
    """Return ``values`` as a two-dimensional float64 array of finite, non-negative amounts."""
    x = as_real_array(owner, name, values)
    if x.ndim != 2:
        raise ParameterError(
            owner, name, f"array of shape {x.shape}", "must be two-dimensional (n_years, n_lines)"
        )
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ParameterError(owner, name, f"array of shape {x.shape}", "must not be empty")
    _check_finite_non_negative(owner, name, x)
    return x


def _check_finite_non_negative(owner: str, name: str, x: NDArray[np.float64]) -> None:
    bad = ~np.isfinite(x)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ParameterError(owner, f"{name}{list(where)}", x[where], "must be finite")
    negative = x < 0.0
    if negative.any():
        where = tuple(int(i) for i in np.argwhere(negative)[0])
        raise ParameterError(owner, f"{name}{list(where)}", x[where], "must be >= 0")


def lower_quantile(owner: str, name: str, x: NDArray[np.float64], p: object) -> float:
    """VaR_p of a simulated sample: the lower empirical quantile, ceil(n p)-th order statistic.

    Delegates to :func:`xborder_risk.measures.value_at_risk` so that every module reports the same
    quantile; checks ``p`` first so that the error names the caller's parameter.

    Parameters
    ----------
    owner, name : str
        Where ``p`` comes from, for the error message.
    x : ndarray of float64
        Simulated amounts (clean: finite, one-dimensional, non-empty).
    p : float
        Probability level in the open interval (0, 1).
    """
    return float(value_at_risk(x, check_probability(owner, name, p)))
