"""The library's exception hierarchy.

Every error raised on bad input derives from :class:`XBorderRiskError`, itself a
``ValueError``, so callers may catch either (:class:`ParameterError`, raised for a wrong
argument, is a ``TypeError`` too).  Messages name the parameter (or the
file, row and column), the offending value and the rule it broke.
"""

from __future__ import annotations

import re
import reprlib

import numpy as np

__all__ = [
    "MomentDoesNotExistError",
    "ParameterError",
    "RatingTableError",
    "SimulationError",
    "SimulationSizeError",
    "SubmissionError",
    "XBorderRiskDeprecationWarning",
    "XBorderRiskError",
    "XBorderRiskWarning",
]


class XBorderRiskError(ValueError):
    """Base class of every error xborder_risk raises on bad input."""


class ParameterError(XBorderRiskError, TypeError):
    """A parameter has the wrong type or lies outside its declared domain.

    A ``ValueError`` (through :class:`XBorderRiskError`) and a ``TypeError``, as
    scikit-learn's ``InvalidParameterError``: a string where a number belongs is caught by
    ``except TypeError`` as well as by ``except ValueError``.

    Parameters
    ----------
    owner : str
        The object or function the parameter belongs to (``"Lognormal"``, ``"Layer"``).
    name : str
        The parameter's name.
    value : object
        The value that was given (abbreviated in the message: a long array or list shows
        its first and last items).
    rule : str
        The rule it broke, in words (``"must be > 0"``).
    """

    def __init__(self, owner: str, name: str, value: object, rule: str) -> None:
        self.owner = owner
        self.name = name
        self.value = value
        self.rule = rule
        super().__init__(f"{owner}: parameter '{name}' {rule} (got {abbreviate(value)})")


_REPR = reprlib.Repr()
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxdict = 6
_REPR.maxstring = _REPR.maxother = 80
_REPR.maxlevel = 3
_MAX_CHARS = 200


def abbreviate(value: object) -> str:
    """A short ``repr`` of ``value`` for an error message (at most about 200 characters).

    A numpy array shows its first and last two items, its dtype and shape; lists, tuples,
    dicts and strings are cut by :mod:`reprlib`.  A value whose ``repr`` fails is named by
    its type.
    """
    try:
        if isinstance(value, np.ndarray):
            with np.printoptions(threshold=8, edgeitems=2, precision=6):
                text = repr(value)
        else:
            text = _REPR.repr(value)
    except Exception:  # a broken __repr__ must not hide the error being reported
        text = f"<{type(value).__name__} object>"
    text = re.sub(r"\n\s*", " ", text)  # a 2-D array's repr spans lines
    if len(text) > _MAX_CHARS:
        text = text[: _MAX_CHARS - 3] + "..."
    return text


class MomentDoesNotExistError(XBorderRiskError):
    """A requested moment is infinite or undefined (e.g. a Pareto mean with alpha <= 1)."""


class SimulationError(XBorderRiskError):
    """A simulation produced a value that is not a finite loss (overflow to inf)."""


class SimulationSizeError(XBorderRiskError):
    """A simulation request would need more memory than allowed; refused before allocating."""


class RatingTableError(XBorderRiskError):
    """A rating table or its manifest is invalid; the message names file, row and column."""


class SubmissionError(XBorderRiskError):
    """A submission is valid in form but cannot be rated (for example, no exposure at all)."""


class XBorderRiskWarning(UserWarning):
    """Warnings about results that are valid but unstable (heavy tails, few tail samples)."""


class XBorderRiskDeprecationWarning(FutureWarning):
    """A spelling kept for one release only (``measures.var(x, p)`` is now ``value_at_risk``).

    A :class:`FutureWarning`, shown by default, because the people who call the old spellings
    are end users writing scripts and notebooks, not library authors.
    """
