"""Input checks for the pricing functions: loss vectors and year-by-line loss matrices.

Public functions validate here once; the private kernels then work on clean float64 arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xborder_risk.errors import ParameterError

__all__ = ["as_annual_matrix", "as_line_names", "as_loss_vector"]

# Booleans, strings and objects are refused: numpy would quietly turn True into 1.0
# and "1e6" into a loss.
_NUMERIC_KINDS = frozenset("iuf")


def _as_float_array(value: ArrayLike, owner: str, name: str) -> NDArray[np.float64]:
    raw = np.asarray(value)
    if raw.dtype.kind not in _NUMERIC_KINDS:
        raise ParameterError(
            owner, name, f"array of dtype {raw.dtype}", "must be an array of real numbers"
        )
    return np.asarray(raw, dtype=np.float64)


def as_loss_vector(losses: ArrayLike, owner: str, name: str = "losses") -> NDArray[np.float64]:
    """Return ``losses`` as a non-empty, finite, one-dimensional float64 array."""
    arr = _as_float_array(losses, owner, name)
    if arr.ndim != 1:
        raise ParameterError(owner, name, f"array of shape {arr.shape}", "must be one-dimensional")
    if arr.size == 0:
        raise ParameterError(owner, name, "empty array", "must hold at least one loss")
    if not np.isfinite(arr).all():
        raise ParameterError(owner, name, "array with NaN or inf", "must hold finite losses only")
    return arr


def as_annual_matrix(
    annual: ArrayLike, owner: str, name: str = "annual", *, non_negative: bool = False
) -> NDArray[np.float64]:
    """Return ``annual`` as a finite float64 matrix of shape (n_years, n_lines), both >= 1."""
    arr = _as_float_array(annual, owner, name)
    if arr.ndim != 2:
        raise ParameterError(
            owner, name, f"array of shape {arr.shape}", "must be two-dimensional (n_years, n_lines)"
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ParameterError(
            owner, name, f"array of shape {arr.shape}", "must hold at least one year and one line"
        )
    if not np.isfinite(arr).all():
        raise ParameterError(owner, name, "array with NaN or inf", "must hold finite losses only")
    if non_negative and (arr < 0.0).any():
        raise ParameterError(
            owner, name, f"array with minimum {arr.min()!r}", "must hold losses >= 0"
        )
    return arr


def as_line_names(lines: Sequence[str], n_lines: int, owner: str) -> tuple[str, ...]:
    """Return ``lines`` as a tuple of distinct, non-empty names, one per matrix column."""
    if isinstance(lines, str) or not isinstance(lines, Sequence):
        raise ParameterError(owner, "lines", lines, "must be a sequence of line names")
    names = tuple(lines)
    if not all(isinstance(name, str) and name for name in names):
        raise ParameterError(owner, "lines", names, "must hold non-empty strings only")
    if len(names) != n_lines:
        raise ParameterError(
            owner, "lines", names, f"must name each of the {n_lines} columns of annual"
        )
    if len(set(names)) != len(names):
        raise ParameterError(owner, "lines", names, "must not repeat a line name")
    if "total" in names:
        raise ParameterError(owner, "lines", names, "must not use 'total', the summary row")
    return names
