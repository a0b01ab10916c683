"""The lines of cover as units: one module per line and a registry keyed by the line's name.

Each module (``tech_failure``, ``cyber``, ``operational_liability``, ``political_risk``) holds a
typed ``rate(context, exposure)`` returning the line's loss model and worksheet rows, the line's
``shock_exposure(submission, exposure, layer)`` for a portfolio's common shocks, and ``RATER``,
its :class:`LineRater` (name, label, exposure model, both functions).  Everything that depends
on which line it is -- the rater, the portfolio's shocks, the report's labels -- goes through
:data:`LINE_RATERS` or :func:`rater_for`.
Adding a line: ``docs/architecture.md`` ("Adding a line").

>>> from xborder_risk.rating.lines import rater_for
>>> rater_for("cyber").label
'Cyber'
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from xborder_risk.errors import ParameterError
from xborder_risk.exposure import LINES
from xborder_risk.rating.lines import cyber, operational_liability, political_risk, tech_failure
from xborder_risk.rating.lines._base import (
    LineRater,
    LineRating,
    RatingContext,
    ShockExposure,
)

__all__ = [
    "LINE_RATERS",
    "LineRater",
    "LineRating",
    "RatingContext",
    "ShockExposure",
    "rater_for",
]

# The registration: one entry per line module.
_RATERS: tuple[LineRater[Any], ...] = (
    tech_failure.RATER,
    cyber.RATER,
    operational_liability.RATER,
    political_risk.RATER,
)


def _registry(raters: tuple[LineRater[Any], ...]) -> Mapping[str, LineRater[Any]]:
    by_name: dict[str, LineRater[Any]] = {rater.name: rater for rater in raters}
    if len(by_name) != len(raters) or set(by_name) != set(LINES):
        # A line module missing from (or twice in) the registration: a programming error.
        raise ImportError(
            f"rating.lines: the line modules rate {sorted(r.name for r in raters)}, "
            f"the exposure vocabulary has {sorted(LINES)}; register exactly one module per line"
        )
    return MappingProxyType({line: by_name[line] for line in LINES})


#: Every line's :class:`LineRater`, keyed by the line's name, in canonical line order
#: (:data:`xborder_risk.exposure.LINES`).
LINE_RATERS: Mapping[str, LineRater[Any]] = _registry(_RATERS)


def rater_for(line: object) -> LineRater[Any]:
    """The :class:`LineRater` of ``line``.

    Raises
    ------
    ParameterError
        If ``line`` is not the name of a line, naming the known lines.
    """
    if not isinstance(line, str) or line not in LINE_RATERS:
        raise ParameterError("rater_for", "line", line, f"must be one of the lines {LINES}")
    return LINE_RATERS[line]
