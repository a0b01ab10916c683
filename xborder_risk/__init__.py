"""xborder_risk: pricing and reserving for cross-border security operations.

Exposure models for four lines of cover (technology failure, cyber, operational liability,
political risk), rating tables, a vectorised Monte Carlo loss engine, premium and reserve
estimates.

>>> from xborder_risk import quote, Submission

The package imports lazily: ``import xborder_risk.distributions`` or ``import
xborder_risk.engine`` loads numpy and scipy only, not pandas, pydantic or the rating and quote
layers (docs/architecture.md).  The names below, and every subpackage, load on first use.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any, Final

from xborder_risk._version import __version__

if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
    from xborder_risk.exposure import Submission
    from xborder_risk.quote import Quote, quote

__all__ = ["Quote", "Submission", "__version__", "quote"]

#: Each public name of the package and the module that defines it.
_LAZY: Final[dict[str, str]] = {
    "Quote": "xborder_risk.quote",
    "Submission": "xborder_risk.exposure",
    "quote": "xborder_risk.quote",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif not name.startswith("__"):
        # a subpackage or module (``xborder_risk.engine`` after a bare ``import xborder_risk``),
        # as when the package imported them all up front
        try:
            value = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise  # the module exists but something it imports does not
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    # the public names, the dunders and the subpackages loaded so far; not this file's helpers
    names = globals()
    loaded = {
        key
        for key, value in names.items()
        if isinstance(value, types.ModuleType) and value.__name__ == f"{__name__}.{key}"
    }
    return sorted({*__all__, *loaded, *(key for key in names if key.startswith("__"))})


class _Package(types.ModuleType):
    """The package module, keeping its public names ahead of same-named submodules.

    Loading a submodule binds it as an attribute of its package.  The submodule
    ``xborder_risk.quote`` shares its name with the function ``quote`` the package exports;
    without this, ``from xborder_risk import quote`` would return the module whenever something
    had imported ``xborder_risk.quote`` first.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if (
            name in _LAZY
            and isinstance(value, types.ModuleType)
            and value.__name__ == f"{__name__}.{name}"
        ):
            value = getattr(value, name)
        super().__setattr__(name, value)


# The documented way to customise setting a module's attributes (the language reference,
# "Customizing module attribute access").
sys.modules[__name__].__class__ = _Package
