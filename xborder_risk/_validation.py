"""Parameter checks shared by the distributions and the engine.

numpy accepts NaN, inf, booleans and numeric strings where a parameter is expected and
answers with NaN or inf; these checks turn each into a :class:`ParameterError` that
names the parameter and the rule.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from xborder_risk.errors import ParameterError

__all__ = ["check_int", "check_probability", "check_real"]


def check_real(
    owner: str,
    name: str,
    value: object,
    *,
    lower: float = -math.inf,
    upper: float = math.inf,
    lower_inclusive: bool = True,
    upper_inclusive: bool = True,
    allow_inf: bool = False,
) -> float:
    """Return ``value`` as a float after checking it is a real number in the interval.

    Booleans, strings and NaN are always rejected; ``inf`` only when ``allow_inf``.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ParameterError(owner, name, value, "must be a real number")
    try:
        x = float(value)
    except OverflowError:  # an int beyond the float64 range (10**400)
        raise ParameterError(owner, name, value, "must lie in the float64 range") from None
    if math.isnan(x):
        raise ParameterError(owner, name, value, "must not be NaN")
    if math.isinf(x) and not allow_inf:
        raise ParameterError(owner, name, value, "must be finite")
    if x < lower or (x == lower and not lower_inclusive):
        op = ">=" if lower_inclusive else ">"
        raise ParameterError(owner, name, value, f"must be {op} {lower:g}")
    if x > upper or (x == upper and not upper_inclusive):
        op = "<=" if upper_inclusive else "<"
        raise ParameterError(owner, name, value, f"must be {op} {upper:g}")
    return x


def check_int(owner: str, name: str, value: object, *, lower: int = 0) -> int:
    """Return ``value`` as an int after checking it is an integer (not a bool) >= ``lower``."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise ParameterError(owner, name, value, "must be an integer")
    n = int(value)
    if n < lower:
        raise ParameterError(owner, name, value, f"must be >= {lower}")
    return n


def check_probability(
    owner: str, name: str, value: object, *, open_lower: bool = True, open_upper: bool = True
) -> float:
    """Return ``value`` as a float after checking it lies in the unit interval.

    By default the interval is open, (0, 1), as for confidence levels.
    """
    return check_real(
        owner,
        name,
        value,
        lower=0.0,
        upper=1.0,
        lower_inclusive=not open_lower,
        upper_inclusive=not open_upper,
    )
