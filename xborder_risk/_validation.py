"""Input checks shared by the whole library: scalars, arrays, choices and line names.

numpy accepts NaN, inf, booleans and numeric strings where a number is expected and answers
with NaN, inf or a parsed number (``np.asarray(['1e6', '2'], dtype=float)`` is
``[1e6, 2.0]``, ``True`` is 1); these checks turn each into a :class:`ParameterError` that
names the owner (the function or class), the parameter, the value and the rule it broke.

One rule everywhere: a number is a real ``int`` or ``float`` (numpy's too), never a ``bool``,
a string (numeric or not), ``None``, a complex number or an arbitrary object; NaN is always
refused, ``inf`` unless a check allows it.  Public functions call these once; the private
kernels then work on clean float64 arrays.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from xborder_risk.errors import ParameterError

__all__ = [
    "as_complex_array",
    "as_float_array",
    "as_int_array",
    "check_callable",
    "check_choice",
    "check_int",
    "check_levels",
    "check_line_name",
    "check_line_names",
    "check_probability",
    "check_real",
    "check_text",
]

# numpy dtype kinds of real numbers: signed and unsigned integers, floats.  Booleans ("b"),
# complex ("c"), strings ("U", "S"), objects ("O", also None and ragged input), dates ("M",
# "m") and records ("V") are refused.
_REAL_KINDS = frozenset("iuf")
_INT_KINDS = frozenset("iu")
_COMPLEX_KINDS = frozenset("iufc")
_KIND_NAMES = {
    "b": "booleans",
    "c": "complex numbers",
    "U": "strings",
    "S": "byte strings",
    "O": "objects (None, mixed types or Python objects)",
    "M": "dates",
    "m": "time deltas",
    "V": "records",
}


# --------------------------------------------------------------------------------------
# scalars


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


def check_text(owner: str, name: str, value: object) -> str:
    """Return ``value`` after checking it is a ``str`` (a code, a key, a label)."""
    if not isinstance(value, str):
        raise ParameterError(owner, name, value, "must be a string")
    return value


def check_levels(owner: str, name: str, value: object) -> list[float]:
    """Return confidence levels as a list of floats in (0, 1): one level or a sequence.

    A single real is one level; a string, a mapping or any other non-iterable is refused.
    """
    if isinstance(value, numbers.Real):
        return [check_probability(owner, name, value)]  # refuses a bool
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise ParameterError(owner, name, value, "must be a confidence level or a sequence of them")
    return [check_probability(owner, name, level) for level in value]


def check_callable(owner: str, name: str, value: object) -> None:
    """Check that ``value`` is ``None`` or callable (a progress callback)."""
    if value is not None and not callable(value):
        raise ParameterError(owner, name, value, "must be a callable or None")


def check_choice(owner: str, name: str, value: object, choices: Sequence[str]) -> str:
    """Return ``value`` after checking it is one of the strings ``choices``.

    Anything but a ``str`` is refused before comparing (an array would compare elementwise).
    """
    if not isinstance(value, str) or value not in choices:
        raise ParameterError(owner, name, value, f"must be one of {_listing(choices)}")
    return value


# --------------------------------------------------------------------------------------
# line names


def check_line_name(owner: str, name: str, value: object, known: Sequence[str]) -> str:
    """Return ``value`` after checking it is one of the ``known`` line names.

    The error names every known line, so a typo is one look away from its fix.
    """
    if not isinstance(value, str) or value not in known:
        raise ParameterError(owner, name, value, f"must be one of {_listing(known)}")
    return value


def check_line_names(
    owner: str,
    name: str,
    value: object,
    *,
    count: int | None = None,
    reserved: Iterable[str] = ("total",),
) -> tuple[str, ...]:
    """Return ``value`` as a tuple of distinct, non-empty line names.

    Parameters
    ----------
    owner, name : str
        Where the names come from, for the error message.
    value : sequence of str
        The names; a bare string is refused (it would be read as one name per character).
    count : int, optional
        The number of names required (one per column of a loss matrix).
    reserved : iterable of str, default ("total",)
        Names a line may not take (``"total"`` is the summary row of every result).
    """
    if isinstance(value, str) or not isinstance(value, Sequence | np.ndarray):
        raise ParameterError(owner, name, value, "must be a sequence of line names")
    names = tuple(value)
    if not all(isinstance(item, str) and item for item in names):
        raise ParameterError(owner, name, names, "must hold non-empty strings only")
    if count is not None and len(names) != count:
        raise ParameterError(
            owner, name, names, f"must name each of the {count} columns (got {len(names)} names)"
        )
    if len(set(names)) != len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise ParameterError(owner, name, names, f"must not repeat a line name ({repeated})")
    taken = sorted(set(reserved) & set(names))
    if taken:
        raise ParameterError(
            owner, name, names, f"must not use {_listing(taken)}, the summary row's name"
        )
    return names


# --------------------------------------------------------------------------------------
# arrays


def as_float_array(
    owner: str,
    name: str,
    value: object,
    *,
    ndim: int | None = 1,
    non_empty: bool = True,
    finite: bool = True,
    allow_nan: bool = False,
    non_negative: bool = False,
    lower: float = -math.inf,
    upper: float = math.inf,
    lower_inclusive: bool = True,
    upper_inclusive: bool = True,
    copy: bool = False,
) -> NDArray[np.float64]:
    """Return ``value`` as a float64 array after checking it holds real numbers only.

    Parameters
    ----------
    owner, name : str
        The function or class and the parameter, for the error message.
    value : array_like
        The input: a numpy array, a pandas object, a (nested) list or tuple, or a scalar
        when ``ndim`` allows it.
    ndim : int or None, default 1
        The number of dimensions required; ``None`` for any (scalars included).
    non_empty : bool, default True
        Refuse an array without elements.
    finite : bool, default True
        Refuse ``inf`` and ``-inf``.
    allow_nan : bool, default False
        Let NaN through, for inputs where it marks a missing cell (the future part of a
        claims triangle); the caller checks where it may stand.  Bounds ignore NaN.
    non_negative : bool, default False
        Refuse values below 0 (shorthand for ``lower=0``).
    lower, upper : float
        Bounds every value must respect (inclusive unless ``lower_inclusive`` /
        ``upper_inclusive`` is False).
    copy : bool, default False
        Always return a new array (the caller may write to it).  Without it the input itself
        is returned when it already is a float64 array.

    Raises
    ------
    ParameterError
        For strings (numeric strings too), booleans (a ``bool`` array, or a ``bool`` inside a
        list), ``None``, complex numbers, objects, ragged nesting, masked entries, the wrong
        number of dimensions, an empty array, NaN (unless ``allow_nan``), a forbidden ``inf``
        or a value out of bounds.  The message names the first offending position.
    """
    raw = _as_real_ndarray(owner, name, value, ndim)
    if non_empty and raw.size == 0:
        raise ParameterError(owner, name, value, "must not be empty")
    arr = np.array(raw, dtype=np.float64, copy=copy or None)
    if arr.size == 0:
        return arr
    # One pass without a temporary on the common, clean path: a NaN or an infinity anywhere
    # makes the sum non-finite (a finite sum that overflows only sends us to the exact check).
    with np.errstate(over="ignore", invalid="ignore"):
        clean = math.isfinite(float(np.sum(arr)))
    if not clean:
        nan = np.isnan(arr)
        if not allow_nan and nan.any():
            raise ParameterError(owner, name, value, _first(name, arr, nan, "must not be NaN"))
        infinite = np.isinf(arr)
        if finite and infinite.any():
            raise ParameterError(owner, name, value, _first(name, arr, infinite, "must be finite"))
    if non_negative:
        lower = max(lower, 0.0)
    # Elementwise comparisons are False at NaN, so an allowed NaN never breaks a bound.
    if lower > -math.inf and not (clean and _within(arr.min(), lower, lower_inclusive, 1.0)):
        below = arr < lower if lower_inclusive else arr <= lower
        if below.any():
            op = ">=" if lower_inclusive else ">"
            rule = f"must be {op} {lower:g}"
            raise ParameterError(owner, name, value, _first(name, arr, below, rule))
    if upper < math.inf and not (clean and _within(arr.max(), upper, upper_inclusive, -1.0)):
        above = arr > upper if upper_inclusive else arr >= upper
        if above.any():
            op = "<=" if upper_inclusive else "<"
            rule = f"must be {op} {upper:g}"
            raise ParameterError(owner, name, value, _first(name, arr, above, rule))
    return arr


def _within(extreme: float, bound: float, inclusive: bool, side: float) -> bool:
    """Whether the smallest (``side`` = 1) or largest (``side`` = -1) value keeps the bound."""
    gap = side * (float(extreme) - bound)
    return gap >= 0.0 if inclusive else gap > 0.0


def as_int_array(
    owner: str,
    name: str,
    value: object,
    *,
    ndim: int | None = 1,
    lower: int | None = None,
    upper: int | None = None,
) -> NDArray[np.int64]:
    """Return ``value`` as a new int64 array after checking it holds integers only.

    Booleans, strings, floats (even integral ones: an index is counted, not measured) and
    objects are refused; an empty input of any real dtype is an empty index.  ``lower`` and
    ``upper`` are inclusive bounds.
    """
    raw = _as_real_ndarray(owner, name, value, ndim)
    if raw.size and raw.dtype.kind not in _INT_KINDS:
        raise ParameterError(owner, name, value, f"must hold integers, not {raw.dtype} values")
    arr = np.array(raw, dtype=np.int64, copy=True)
    if lower is not None and arr.size and arr.min() < lower:
        raise ParameterError(
            owner, name, value, _first(name, arr, arr < lower, f"must be >= {lower}")
        )
    if upper is not None and arr.size and arr.max() > upper:
        raise ParameterError(
            owner, name, value, _first(name, arr, arr > upper, f"must be <= {upper}")
        )
    return arr


def as_complex_array(
    owner: str, name: str, value: object, *, ndim: int | None = None
) -> NDArray[np.complex128]:
    """Return ``value`` as a new complex128 array of finite numbers (a pgf's argument).

    The rule of :func:`as_float_array`, with complex numbers allowed: strings, booleans,
    ``None``, objects, NaN and infinities are refused.
    """
    raw = _as_real_ndarray(owner, name, value, ndim, kinds=_COMPLEX_KINDS)
    arr = np.array(raw, dtype=np.complex128, copy=True)
    if not np.isfinite(arr).all():
        bad = ~np.isfinite(arr)
        raise ParameterError(owner, name, value, _first(name, arr, bad, "must be finite"))
    return arr


def _as_real_ndarray(
    owner: str,
    name: str,
    value: object,
    ndim: int | None,
    *,
    kinds: frozenset[str] = _REAL_KINDS,
) -> NDArray[np.generic]:
    """``value`` as an ndarray of a real (or ``kinds``) dtype and ``ndim`` dimensions (no
    copy when possible), or ParameterError."""
    numbers = "real numbers" if kinds == _REAL_KINDS else "numbers"
    if isinstance(value, np.ma.MaskedArray) and np.ma.is_masked(value):
        raise ParameterError(owner, name, value, "must not have masked entries")
    if isinstance(value, str | bytes):
        raise ParameterError(owner, name, value, f"must hold {numbers}, not a string")
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError, OverflowError):  # ragged nesting, a failing __array__
        raise ParameterError(
            owner, name, value, f"must be a rectangular array of {numbers}"
        ) from None
    kind = raw.dtype.kind
    if kind not in kinds:
        what = _KIND_NAMES.get(kind, f"{raw.dtype} values")
        raise ParameterError(owner, name, value, f"must hold {numbers}, not {what}")
    # numpy reads [1.0, True] as [1.0, 1.0]: the bool is lost in a numeric dtype, so a
    # Python list or tuple is searched for one (arrays were judged by their dtype above).
    if isinstance(value, list | tuple) and _contains_bool(value):
        raise ParameterError(owner, name, value, f"must hold {numbers}, not booleans")
    if ndim is not None and raw.ndim != ndim:
        raise ParameterError(owner, name, value, f"must be {_dimensions(ndim)}, not {_shape(raw)}")
    return raw


def _contains_bool(value: object) -> bool:
    if isinstance(value, bool | np.bool_):
        return True
    if isinstance(value, list | tuple):
        return any(_contains_bool(item) for item in value)
    if isinstance(value, np.ndarray):
        return value.dtype.kind == "b"
    return False


def _first(name: str, arr: NDArray[np.generic], bad: NDArray[np.bool_], rule: str) -> str:
    """The rule with the first offending position: ``has x[3] = nan; every value must ...``."""
    where = tuple(int(i) for i in np.argwhere(bad)[0])
    position = f"[{', '.join(map(str, where))}]" if where else ""
    item = arr[where].item() if where else arr.item()
    verb = rule.removeprefix("must ")
    return f"has {name}{position} = {item!r}; every value must {verb}"


def _dimensions(ndim: int) -> str:
    words = {0: "a scalar", 1: "one-dimensional", 2: "two-dimensional"}
    return words.get(ndim, f"{ndim}-dimensional")


def _shape(arr: NDArray[np.generic]) -> str:
    return "a scalar" if arr.ndim == 0 else f"of shape {arr.shape}"


def _listing(names: Iterable[str]) -> str:
    return "[" + ", ".join(repr(n) for n in names) + "]"
