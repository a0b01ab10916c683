"""Deprecated spellings kept for one release: one warning category, one way to warn.

Renamed functions, methods and keyword arguments keep their old spelling for one release;
calling it gives an :class:`~xborder_risk.errors.XBorderRiskDeprecationWarning` naming the
new spelling, then does exactly what the new one does.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from xborder_risk.errors import ParameterError, XBorderRiskDeprecationWarning

__all__ = ["renamed_keyword", "warn_deprecated"]

P = ParamSpec("P")
R = TypeVar("R")


def warn_deprecated(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn that ``old`` is deprecated in favour of ``new`` (removed in the next release)."""
    warnings.warn(
        f"{old} is deprecated and will be removed in the next release; use {new}",
        XBorderRiskDeprecationWarning,
        stacklevel=stacklevel,
    )


def renamed_keyword(old: str, new: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Accept the keyword argument ``old`` as ``new``, with a deprecation warning."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if old in kwargs:
                if new in kwargs:
                    raise ParameterError(
                        func.__qualname__, old, kwargs[old], f"is the old name of '{new}': give one"
                    )
                warn_deprecated(f"{func.__qualname__}({old}=...)", f"{new}=...")
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper

    return decorate
