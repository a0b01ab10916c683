"""The library's exception hierarchy.

Every error raised on bad input derives from :class:`XBorderRiskError`, itself a
``ValueError``, so callers may catch either.  Messages name the parameter (or the
file, row and column), the offending value and the rule it broke.
"""

from __future__ import annotations

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


class ParameterError(XBorderRiskError):
    """A parameter is outside its declared domain.

    Parameters
    ----------
    owner : str
        The object or function the parameter belongs to (``"Lognormal"``, ``"Layer"``).
    name : str
        The parameter's name.
    value : object
        The value that was given.
    rule : str
        The rule it broke, in words (``"must be > 0"``).
    """

    def __init__(self, owner: str, name: str, value: object, rule: str) -> None:
        self.owner = owner
        self.name = name
        self.value = value
        self.rule = rule
        super().__init__(f"{owner}: parameter '{name}' {rule} (got {value!r})")


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
