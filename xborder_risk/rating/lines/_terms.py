"""How a line's policy terms beyond the layer reach its loss model, generically for every line.

Called by :meth:`~xborder_risk.rating.lines._base.RatingContext.finish` on the rated components
of a line, before they become the line's count and severity:

* **exclusions** (``rating_tables/exclusions.csv``) scale the expected claims of the components
  they name (0 drops a component);
* the **claims-made basis** scales every component's expected claims by the share of claims
  the policy responds to, from the line's reporting pattern (``patterns.csv``);
* **sub-limits** cap the named component's severity at ``deductible + sub-limit`` (a component
  the line rates on its own, e.g. a political-risk ``currency_inconvertibility`` peril), or
  split the line's severity into the tabulated components (``sublimit_components.csv``) and cap
  the sub-limited ones.

Each writes worksheet rows naming the table and key it came from.  Method: ``docs/exposure.md``
("Policy terms").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypeVar

import numpy as np

from xborder_risk.distributions import Severity
from xborder_risk.errors import RatingTableError, SubmissionError
from xborder_risk.exposure import PolicyTerms, Submission
from xborder_risk.rating._severities import Capped, Mixture, Scaled
from xborder_risk.rating.tables import RatingTables


# What this module needs of ``_base``'s classes (which import it): structural types, no cycle.
class _Component(Protocol):
    @property
    def name(self) -> str: ...

    def scale_frequency(self, factor: str, table: str, key: str, value: float) -> None: ...

    def note(self, factor: str, table: str, key: str, value: float) -> None: ...


class Rated(Protocol):
    """A rated component and its severity (``_base.Rated``)."""

    @property
    def component(self) -> _Component: ...

    @property
    def severity(self) -> Severity: ...


class LineSheet(Protocol):
    """A line's worksheet (``_base.LineSheet``)."""

    @property
    def line(self) -> str: ...

    def add(
        self,
        component: str,
        factor: str,
        table: str,
        key: str,
        value: float,
        frequency: float,
        severity_parameter: str,
        severity: float,
    ) -> None: ...


class RatingContext(Protocol):
    """The rating context (``_base.RatingContext``)."""

    @property
    def submission(self) -> Submission: ...

    @property
    def tables(self) -> RatingTables: ...

    @property
    def messages(self) -> list[str]: ...

    @property
    def period(self) -> float: ...


R = TypeVar("R", bound=Rated)

__all__ = ["apply_terms", "claims_made_factor", "reported_integral"]

#: Tolerance on a split's weights summing to 1 and keeping the mean.
_SPLIT_TOLERANCE = 1e-9


def apply_terms(context: RatingContext, sheet: LineSheet, rated: list[R]) -> list[R]:
    """The line's rated components with its exclusions, basis and sub-limits applied.

    Parameters
    ----------
    context : RatingContext
        The submission and tables.
    sheet : LineSheet
        The line's worksheet (rows are added).
    rated : list of Rated
        The line's rated components (their frequencies are scaled in place).

    Returns
    -------
    list of Rated
        The components, with sub-limited severities where the terms have sub-limits.
    """
    line = sheet.line
    terms = context.submission.terms[line]  # type: ignore[index]
    _note_layer_terms(sheet, terms)
    for exclusion in terms.exclusions:
        _apply_exclusion(context, sheet, rated, exclusion)
    if terms.basis == "claims_made":
        _apply_claims_made(context, sheet, rated, terms)
    if terms.sublimits:
        rated = _apply_sublimits(context, sheet, rated, terms)
    return rated


# --------------------------------------------------------------------------------------------
# layer terms: notes only (the engine's Layer carries them)


def _note_layer_terms(sheet: LineSheet, terms: PolicyTerms) -> None:
    if terms.attachment is not None:
        sheet.add(
            "terms",
            "attachment (ground-up excess point; Layer deductible)",
            "submission terms",
            f"{terms.limit:g} xs {terms.attachment:g}, insured's deductible {terms.deductible:g}",
            terms.attachment,
            0.0,
            "",
            0.0,
        )
    if terms.coinsurance:
        sheet.add(
            "terms",
            "coinsurance kept by the insured (Layer share = share x (1 - coinsurance))",
            "submission terms",
            f"share {terms.share:g} x (1 - {terms.coinsurance:g})",
            terms.coinsurance,
            0.0,
            "",
            0.0,
        )
    for index, layer in enumerate(terms.tower):
        sheet.add(
            "terms",
            f"tower layer {index + 1} (quoted on the same ground-up losses)",
            "submission terms",
            f"{layer.limit:g} xs {layer.attachment:g}, share {layer.share:g}",
            layer.attachment,
            0.0,
            "",
            0.0,
        )


# --------------------------------------------------------------------------------------------
# exclusions


def _component_keys(name: str) -> tuple[str, ...]:
    # A component is matched by its name, by its last '/'-part (a political-risk peril), or '*'.
    return (name, name.rsplit("/", 1)[-1], "*")


def _apply_exclusion(
    context: RatingContext, sheet: LineSheet, rated: Sequence[Rated], exclusion: str
) -> None:
    rows = _rows(context, "exclusions", line=sheet.line, exclusion=exclusion)
    factors = {str(row["component"]): row for row in rows}
    matched = False
    for item in rated:
        found = next(
            (factors[k] for k in _component_keys(item.component.name) if k in factors), None
        )
        if found is None:
            continue
        matched = True
        item.component.scale_frequency(
            f"exclusion {exclusion} ({found['status']})",
            "exclusions",
            f"{sheet.line}/{exclusion}/{found['component']}",
            float(found["frequency_factor"]),
        )
    if not matched:
        message = (
            f"terms.{sheet.line}.exclusions: {exclusion!r} names no rated component of "
            f"{sheet.line} ({', '.join(sorted(factors))}); it does not change the rating"
        )
        if message not in context.messages:
            context.messages.append(message)


def _rows(context: RatingContext, table: str, **match: str) -> list[Mapping[str, Any]]:
    try:
        frame = context.tables.table(table)
    except RatingTableError:
        raise SubmissionError(
            f"the rating tables at {context.tables.source} have no '{table}' table, which the "
            f"terms of line '{match.get('line')}' need"
        ) from None
    for column, value in match.items():
        frame = frame[frame[column] == value]
    if frame.empty:
        raise SubmissionError(
            f"the rating tables at {context.tables.source} ({table}.csv) have no row for "
            + ", ".join(f"{k}={v}" for k, v in match.items())
        )
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


# --------------------------------------------------------------------------------------------
# claims-made basis


def reported_integral(lags_years: Sequence[float], cumulative: Sequence[float], x: float) -> float:
    """:math:`G(x) = \\int_0^x F(u)\\,du` of the piecewise-linear reporting pattern ``F``, years.

    ``F`` runs through ``(0, 0)`` and ``(lags_years[i], cumulative[i])`` and is
    ``cumulative[-1]`` beyond the last lag.
    """
    knots = np.concatenate(([0.0], np.asarray(lags_years, dtype=np.float64)))
    values = np.concatenate(([0.0], np.asarray(cumulative, dtype=np.float64)))
    areas = np.concatenate(([0.0], np.cumsum(np.diff(knots) * (values[:-1] + values[1:]) / 2.0)))
    if x >= knots[-1]:
        return float(areas[-1] + (x - knots[-1]) * values[-1])
    j = int(np.searchsorted(knots, x, side="right")) - 1
    at_x = float(np.interp(x, knots, values))
    return float(areas[j] + (x - knots[j]) * (values[j] + at_x) / 2.0)


def claims_made_factor(
    lags_years: Sequence[float],
    cumulative: Sequence[float],
    period: float,
    lookback: float,
    extended: float,
) -> float:
    """Expected claims of a claims-made policy over those of the occurrence policy.

    Parameters
    ----------
    lags_years, cumulative : sequence of float
        The line's reporting pattern: cumulative share reported at each lag (years).
    period : float
        Policy period :math:`T`, years (> 0).
    lookback : float
        Inception minus the retroactive date, :math:`r \\ge 0` years.
    extended : float
        Extended reporting period after expiry, :math:`e \\ge 0` years.

    Returns
    -------
    float
        :math:`[G(T + e + r) - G(e) - G(r)] / T`.

    Notes
    -----
    Occurrences arrive at a constant rate; one at time :math:`t` (from inception) is reported
    after a lag with distribution :math:`F`.  The policy responds to acts after the retroactive
    date (:math:`t \\ge -r`) reported in :math:`[0, T + e]`:
    :math:`\\int_{-r}^{T} [F(T + e - t) - F(\\max(-t, 0))]\\,dt = G(T + e + r) - G(e) - G(r)`,
    against :math:`T` for the occurrence policy.  It rises with :math:`r` (derivative
    :math:`F(T + e + r) - F(r) \\ge 0`) and with :math:`e`, and is exactly 1 for a mature
    policy (:math:`r` beyond the pattern's last lag, :math:`e = 0`).
    """
    g = reported_integral
    total = g(lags_years, cumulative, period + extended + lookback)
    total -= g(lags_years, cumulative, extended) + g(lags_years, cumulative, lookback)
    return total / period


def _apply_claims_made(
    context: RatingContext, sheet: LineSheet, rated: Sequence[Rated], terms: PolicyTerms
) -> None:
    submission = context.submission
    pattern = context.tables.patterns
    pattern = pattern[pattern["line"] == sheet.line].sort_values("development_months")
    lags = (pattern["development_months"].to_numpy(dtype=np.float64) / 12.0).tolist()
    reported = pattern["cumulative_reported"].to_numpy(dtype=np.float64).tolist()
    retro = terms.retroactive_date or submission.inception_date
    lookback = (submission.inception_date - retro).days / 365.25
    factor = claims_made_factor(
        lags, reported, context.period, lookback, terms.extended_reporting_years
    )
    key = (
        f"{sheet.line} cumulative_reported; retroactive {retro}, "
        f"ERP {terms.extended_reporting_years:g} y"
    )
    for item in rated:
        item.component.scale_frequency("claims-made basis", "patterns", key, factor)


# --------------------------------------------------------------------------------------------
# sub-limits


def _apply_sublimits(
    context: RatingContext, sheet: LineSheet, rated: list[R], terms: PolicyTerms
) -> list[R]:
    sublimits = dict(terms.sublimits)
    caps = {name: terms.deductible + amount for name, amount in sublimits.items()}
    own = {
        name
        for item in rated
        for name in _component_keys(item.component.name)[:2]
        if name in sublimits
    }
    split_wanted = [name for name in sublimits if name not in own]
    split = _split(context, sheet.line) if split_wanted else []
    out = []
    for item in rated:
        name = next((k for k in _component_keys(item.component.name)[:2] if k in caps), None)
        if name is not None:
            item.component.note(
                f"sub-limit {name}: severity capped at deductible + sub-limit",
                "submission terms",
                f"{terms.deductible:g} + {sublimits[name]:g}",
                caps[name],
            )
            out.append(_replace(item, Capped(base=item.severity, cap=caps[name])))
        elif split:
            out.append(_replace(item, _split_severity(item, split, caps, sheet.line)))
        else:
            out.append(item)
    return out


def _split(context: RatingContext, line: str) -> list[Mapping[str, Any]]:
    rows = _rows(context, "sublimit_components", line=line)
    weight = math.fsum(float(r["weight"]) for r in rows)
    mean = math.fsum(float(r["weight"]) * float(r["severity_multiplier"]) for r in rows)
    if abs(weight - 1.0) > _SPLIT_TOLERANCE or abs(mean - 1.0) > _SPLIT_TOLERANCE:
        raise RatingTableError(
            f"{context.tables.source}: sublimit_components.csv rows of {line} must have weights "
            f"summing to 1 ({weight!r}) and sum(weight x severity_multiplier) = 1 ({mean!r}), "
            "so the split keeps the line's mean"
        )
    return rows


def _split_severity(
    item: Rated, rows: list[Mapping[str, Any]], caps: Mapping[Any, float], line: str
) -> Severity:
    parts: list[Severity] = []
    for row in rows:
        name = str(row["component"])
        multiplier = float(row["severity_multiplier"])
        part: Severity = item.severity if multiplier == 1.0 else Scaled(item.severity, multiplier)
        capped = name in caps
        if capped:
            part = Capped(base=part, cap=caps[name])
        parts.append(part)
        item.component.note(
            f"split {name}: weight, severity x {multiplier:g} ({row['status']})"
            + (f", capped at {caps[name]:g}" if capped else ""),
            "sublimit_components",
            f"{line}/{name}",
            float(row["weight"]),
        )
    return Mixture(components=tuple(parts), weights=tuple(float(r["weight"]) for r in rows))


def _replace(item: R, severity: Severity) -> R:
    return type(item)(item.component, severity)  # type: ignore[call-arg]
