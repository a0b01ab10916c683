"""What every line's rating is built from: the context, the audit worksheet, the line's result.

A line module (``tech_failure.py``, ``cyber.py``, ...) rates its exposure component by
component.  A :class:`Component` carries a running expected frequency and a running severity
parameter and writes one worksheet row per factor it applies, naming the table and key the factor
came from, so the audit worksheet is a by-product of the arithmetic.  :meth:`RatingContext.finish`
turns the rated components into the line's :class:`~xborder_risk.engine.LossModel` and its closing
worksheet rows.  :class:`LineRater` is a line's entry in the registry
(:data:`xborder_risk.rating.lines.LINE_RATERS`): its name, label, exposure model, ``rate`` and
the common-shock exposure it offers a portfolio.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Generic, TypeVar

import pandas as pd

from xborder_risk.distributions import (
    Frequency,
    GeneralizedPareto,
    Lognormal,
    NegativeBinomial,
    Poisson,
    Severity,
    Spliced,
)
from xborder_risk.engine import Layer, LossModel
from xborder_risk.errors import ParameterError, SubmissionError
from xborder_risk.exposure import (
    EXPOSURE_MODELS,
    LINES,
    FrozenModel,
    Line,
    Submission,
    exposure_measure,
)
from xborder_risk.rating._severities import Mixture
from xborder_risk.rating.experience import experience_modification
from xborder_risk.rating.lines._terms import apply_terms
from xborder_risk.rating.tables import RatingTables

__all__ = [
    "UNVERIFIED_SHARE_FACTOR",
    "UNVERIFIED_STATUSES",
    "WORKSHEET_COLUMNS",
    "ZERO_LINE_SEVERITY",
    "Component",
    "LineRater",
    "LineRating",
    "LineSheet",
    "Rated",
    "RatingContext",
    "ShockExposure",
    "check_tail_under_limit",
    "expected_layer_loss",
    "finish_lognormal",
    "lognormal",
    "relativity",
    "safe_log",
    "worksheet_frame",
]

#: Columns of the rating worksheet, in order.
WORKSHEET_COLUMNS = (
    "line",
    "component",
    "step",
    "factor",
    "table",
    "key",
    "value",
    "frequency",
    "severity_parameter",
    "severity",
    "source",
    "status",
)

#: Statuses of a parameter that is not verified against its primary source (worksheet
#: ``status`` column); a row with an empty status is submission data, not a parameter.
UNVERIFIED_STATUSES = frozenset({"secondary", "judgement"})

#: The worksheet factor of the closing row that states the share of the line's expected
#: occurrence-layer loss resting on parameters not verified (read by the report).
UNVERIFIED_SHARE_FACTOR = "share of expected loss resting on parameters not verified"

Provenance = tuple[str, str]

# A severity whose tail makes the variance infinite (GPD xi >= 1/2) is used only under a finite
# per-occurrence limit; PolicyTerms always has one, the check guards other callers.
_HEAVY_TAIL_XI = 0.5

#: Placeholder severity of a component or line that rates to zero expected claims: the engine
#: never samples it (N = 0 surely), it only satisfies LossModel's type.
ZERO_LINE_SEVERITY = Lognormal(mu=0.0, sigma=1.0)


# --------------------------------------------------------------------------------------------
# expected layer loss


def expected_layer_loss(model: LossModel) -> float:
    """Expected annual occurrence-layer loss of ``model``, before aggregate terms.

    Notes
    -----
    :math:`s\\,E[N]\\,(E[X\\wedge(d+l)] - E[X\\wedge d])` (Loss Models, 5th ed., §8.5).
    """
    mean_frequency = model.frequency.mean()
    if mean_frequency == 0.0:
        return 0.0
    layer = model.layer
    upper = float(model.severity.limited_expected_value(layer.deductible + layer.limit))
    lower = float(model.severity.limited_expected_value(layer.deductible))
    # E[X ^ u] - E[X ^ d] >= 0 exactly; when both are the mean to machine precision (a layer
    # far above the severity) the difference can round to a few ulps below zero.  Such a
    # value is rounding noise of size ~1e-16 * E[X ^ u], not a loss, and is reported as 0.
    mean_payment = upper - lower
    if mean_payment < 0.0:
        if -mean_payment > 1e-12 * upper:
            raise ParameterError(
                "expected_layer_loss",
                "model",
                model.name,
                "must have a severity whose limited expected value does not fall as the limit "
                f"rises: E[min(X, d + l)] = {upper!r} < E[min(X, d)] = {lower!r}",
            )
        mean_payment = 0.0
    return layer.share * mean_frequency * mean_payment


# --------------------------------------------------------------------------------------------
# worksheet bookkeeping


class LineSheet:
    """The worksheet rows of one line, appended in rating order with the line's step count."""

    def __init__(self, line: str) -> None:
        self.line = line
        self.rows: list[dict[str, Any]] = []

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
        provenance: Provenance | None = None,
    ) -> None:
        source, status = provenance if provenance is not None else (None, None)
        self.rows.append(
            {
                "line": self.line,
                "component": component,
                "step": len(self.rows) + 1,
                "factor": factor,
                "table": table,
                "key": key,
                "value": float(value),
                "frequency": float(frequency),
                "severity_parameter": severity_parameter,
                "severity": float(severity),
                "source": source,
                "status": status,
            }
        )

    def fill_provenance(self, tables: RatingTables) -> None:
        """Give every row without its own provenance its table's (empty for submission data)."""
        for row in self.rows:
            if row["status"] is None:
                row["source"], row["status"] = (
                    tables.table_provenance(row["table"])
                    if row["table"] in tables.table_names
                    else ("", "")
                )


def worksheet_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The worksheet as a frame with columns :data:`WORKSHEET_COLUMNS` and fixed dtypes."""
    frame = pd.DataFrame(rows, columns=list(WORKSHEET_COLUMNS))
    return frame.astype(
        {"step": "int64", "value": "float64", "frequency": "float64", "severity": "float64"}
    )


class Component:
    """A rated component of a line: running frequency and running severity parameter.

    Every method that changes a running value writes a worksheet row with the factor, the
    table and key it came from, and the running values after it.
    """

    def __init__(
        self,
        sheet: LineSheet,
        name: str,
        *,
        frequency: float,
        frequency_source: tuple[str, str, str],
        severity_parameter: str,
        severity: float,
        severity_source: tuple[str, str, str],
        frequency_provenance: Provenance | None = None,
        severity_provenance: Provenance | None = None,
    ) -> None:
        self.sheet = sheet
        self.name = name
        # Both base values are set before the first row so no row shows a placeholder.
        self.frequency = frequency
        self.severity_parameter = severity_parameter
        self.severity = severity
        # The log of the severity parameter is kept alongside: a product of a tiny exposure
        # amount and a fraction can underflow to 0 while its logarithm is still exact.
        self.log_severity = safe_log(severity)
        self._row(*frequency_source, frequency, frequency_provenance)
        self._row(*severity_source, severity, severity_provenance)

    def _row(
        self, factor: str, table: str, key: str, value: float, provenance: Provenance | None
    ) -> None:
        self.sheet.add(
            self.name,
            factor,
            table,
            key,
            value,
            self.frequency,
            self.severity_parameter,
            self.severity,
            provenance,
        )

    def scale_frequency(
        self,
        factor: str,
        table: str,
        key: str,
        value: float,
        provenance: Provenance | None = None,
    ) -> None:
        """Multiply the expected frequency by ``value``; ``provenance`` is ``(source, status)``
        of the parameter (default: its table's, filled in when the line is finished)."""
        self.frequency *= value
        self._row(factor, table, key, value, provenance)

    def scale_severity(
        self,
        factor: str,
        table: str,
        key: str,
        value: float,
        log_value: float | None = None,
        provenance: Provenance | None = None,
    ) -> None:
        """Multiply the severity parameter by ``value`` (whose log may be given exactly)."""
        self.severity *= value
        self.log_severity += safe_log(value) if log_value is None else log_value
        self._row(factor, table, key, value, provenance)

    def rename_severity(
        self,
        parameter: str,
        factor: str,
        table: str,
        key: str,
        value: float,
        log_value: float | None = None,
    ) -> None:
        """Multiply the severity parameter by ``value`` and call the result ``parameter``."""
        self.severity_parameter = parameter
        self.scale_severity(factor, table, key, value, log_value)

    def note(
        self,
        factor: str,
        table: str,
        key: str,
        value: float,
        provenance: Provenance | None = None,
    ) -> None:
        self._row(factor, table, key, value, provenance)


@dataclass
class Rated:
    """A finished component: its running values and its per-occurrence severity."""

    component: Component
    severity: Severity


def safe_log(value: float) -> float:
    """``log(value)``, and ``-inf`` for 0 (a zero amount has no finite logarithm)."""
    return math.log(value) if value > 0.0 else -math.inf


def lognormal(median: float, sigma: float) -> Lognormal:
    """``Lognormal(ln median, sigma)``."""
    return Lognormal(mu=math.log(median), sigma=sigma)


def finish_lognormal(component: Component, sigma: float, table: str, key: str) -> Lognormal:
    """Close a component with ``Lognormal(ln median, sigma)`` and write sigma to the sheet."""
    component.note("lognormal sigma (mu = ln median)", table, key, sigma)
    return Lognormal(mu=component.log_severity, sigma=sigma)


def relativity(
    component: Component,
    tables: RatingTables,
    line: str,
    factor: str,
    level: str,
    *,
    frequency: bool = True,
    severity: bool = True,
) -> None:
    """Apply the ``relativities`` table's factors of ``(line, factor, level)``."""
    row = tables.lookup("relativities", line=line, factor=factor, level=level)
    provenance = tables.row_provenance("relativities", row)
    freq_factor, sev_factor = float(row["frequency_factor"]), float(row["severity_factor"])
    key = f"{line}/{factor}/{level}"
    if frequency:
        component.scale_frequency(
            f"{factor}={level} (frequency)", "relativities", key, freq_factor, provenance
        )
    if severity:
        component.scale_severity(
            f"{factor}={level} (severity)",
            "relativities",
            key,
            sev_factor,
            provenance=provenance,
        )


def check_tail_under_limit(line: str, severity: Severity, layer: Layer) -> None:
    """Refuse a severity with infinite variance under an unlimited per-occurrence layer.

    Raises
    ------
    SubmissionError
        If the heaviest generalized Pareto tail in ``severity`` has ``xi >= 1/2`` and
        ``layer.limit`` is infinite.
    """
    heavy = _heaviest_xi(severity)
    if heavy >= _HEAVY_TAIL_XI and math.isinf(layer.limit):
        raise SubmissionError(
            f"terms of line '{line}': the per-occurrence limit must be finite because the "
            f"severity has a generalized Pareto tail with xi = {heavy:g} (infinite variance"
            f"{' and mean' if heavy >= 1 else ''})"
        )


def _heaviest_xi(severity: Severity) -> float:
    if isinstance(severity, Spliced):
        return severity.tail.xi
    if isinstance(severity, GeneralizedPareto):
        return severity.xi
    if isinstance(severity, Mixture):
        return max(_heaviest_xi(c) for c in severity.components)
    return -math.inf


# --------------------------------------------------------------------------------------------
# a line's results


@dataclass(frozen=True, eq=False)
class LineRating:
    """What rating one line gives: its loss model and its worksheet rows.

    Attributes
    ----------
    model : LossModel
        The line's loss model, named by the line, with the line's layer; amounts in the
        submission currency, frequency per policy period.
    rows : tuple of dict
        The line's worksheet rows (columns :data:`WORKSHEET_COLUMNS`), in rating order.
    """

    model: LossModel
    rows: tuple[Mapping[str, Any], ...] = field(repr=False)

    @property
    def worksheet(self) -> pd.DataFrame:
        """The line's worksheet rows as a frame (columns :data:`WORKSHEET_COLUMNS`)."""
        return worksheet_frame([dict(row) for row in self.rows])


@dataclass(frozen=True)
class ShockExposure:
    """What a portfolio's common shocks can hit in one line of one policy.

    Attributes
    ----------
    country_events : tuple of (str, float)
        ``(country, amount)``: the line is exposed to the political event of ``country``, whose
        damage ratio multiplies ``amount`` (submission currency) into one extra ground-up
        occurrence.  In increasing country order.
    attribution : tuple of (str, float)
        ``(country, weight)``: the share of the line's loss accumulated to ``country``
        (weights sum to 1, or the tuple is empty for a line not accumulated to countries).
    systemic_cyber : float or None
        Amount the systemic cyber event's damage ratio multiplies, or ``None`` when the line
        is not exposed to it.
    vendor_events : tuple of (str, float)
        ``(vendor, amount)``: the line is exposed to the common-vendor event of the named
        vendor (one faulty update stopping every insured's systems that name it), whose
        damage ratio multiplies ``amount`` into one extra occurrence.  In increasing vendor
        order.
    """

    country_events: tuple[tuple[str, float], ...] = ()
    attribution: tuple[tuple[str, float], ...] = ()
    systemic_cyber: float | None = None
    vendor_events: tuple[tuple[str, float], ...] = ()

    @property
    def countries(self) -> frozenset[str]:
        """Every country the line is exposed or attributed to."""
        return frozenset(code for code, _ in (*self.country_events, *self.attribution))


# --------------------------------------------------------------------------------------------
# the context


class RatingContext:
    """What every line's rating needs: the submission, the tables, FX, countries, messages.

    Parameters
    ----------
    submission : Submission
        The submission being rated.
    tables : RatingTables
        The rating tables.

    Raises
    ------
    SubmissionError
        If the submission's currency has no exchange rate in the tables.
    """

    def __init__(self, submission: Submission, tables: RatingTables) -> None:
        self.submission = submission
        self.tables = tables
        #: Notes for the underwriter, in the order they arose (each once).
        self.messages: list[str] = []
        self.kind = submission.insured.kind
        self.period = submission.policy_period_years
        self.currency = submission.currency
        try:
            tables.fx_rate(self.currency)
        except ValueError:
            raise SubmissionError(
                f"submission field 'currency': {self.currency!r} has no exchange rate in the "
                f"FX table of the rating tables at {tables.source} (fx.csv); rate the "
                "submission in a covered currency or add the rate"
            ) from None

    def fx_factor(self, table_currency: str) -> tuple[float, str]:
        """Factor converting ``table_currency`` amounts to the submission currency, and its key."""
        rate_from = self.tables.fx_rate(table_currency)
        rate_to = self.tables.fx_rate(self.currency)
        as_of = self.tables.fx_date(self.currency)
        key = f"{table_currency}->{self.currency} ({rate_from:g} / {rate_to:g} USD, {as_of})"
        return rate_from / rate_to, key

    def base_component(
        self, sheet: LineSheet, name: str, counted: str
    ) -> tuple[Component, Mapping[str, Any], Mapping[str, Any]]:
        """A component started on its ``frequency_base`` and ``severity_base`` rows.

        Parameters
        ----------
        sheet : LineSheet
            The line's worksheet; the rows are keyed by (line, insured kind, ``name``).
        name : str
            The component (``"incident"``, ``"personnel"``, ...).
        counted : str
            What the base frequency counts, for the worksheet (``"incidents"``, ``"claims"``).

        Returns
        -------
        tuple
            The component -- base frequency per exposure unit, base median converted to the
            submission currency -- and its ``frequency_base`` and ``severity_base`` rows.
        """
        key = f"{sheet.line}/{self.kind}/{name}"
        base = self.tables.lookup(
            "frequency_base", line=sheet.line, insured_kind=self.kind, component=name
        )
        sev = self.tables.lookup(
            "severity_base", line=sheet.line, insured_kind=self.kind, component=name
        )
        component = Component(
            sheet,
            name,
            frequency=float(base["frequency_per_unit"]),
            frequency_source=(f"base {counted} per {base['exposure_unit']}", "frequency_base", key),
            severity_parameter="median",
            severity=float(sev["median"]),
            severity_source=(f"base median ({sev['currency']})", "severity_base", key),
            frequency_provenance=self.tables.row_provenance("frequency_base", base),
            severity_provenance=self.tables.row_provenance("severity_base", sev),
        )
        fx, fx_key = self.fx_factor(str(sev["currency"]))
        component.scale_severity("FX to submission currency", "fx", fx_key, fx)
        return component, base, sev

    def apply_period(self, component: Component) -> None:
        """Scale the component's frequency from per year to per policy period."""
        component.scale_frequency(
            "policy period (years)",
            "submission",
            f"{self.submission.inception_date} to {self.submission.expiry_date}",
            self.period,
        )

    def country(self, code: str, field_path: str) -> Mapping[str, Any]:
        """The country table's row of ``code`` (``field_path`` names where it came from).

        Raises
        ------
        SubmissionError
            If the tables have no row for ``code``.
        """
        try:
            row = self.tables.country(code)
        except ValueError:
            raise SubmissionError(
                f"submission field '{field_path}': country {code!r} has no row in the country "
                f"table of the rating tables at {self.tables.source} (countries.csv), so it "
                "has no risk class or data-protection regime to rate with"
            ) from None
        if row["crc_basis"] == "default_conservative":
            message = (
                f"{field_path}: country {code} ({row['name']}) has no published OECD "
                f"country risk class and no sovereign to inherit one from; it is rated on "
                f"the conservative default class {int(row['oecd_crc'])}"
            )
            if message not in self.messages:
                self.messages.append(message)
        return row

    def _apply_experience(self, line: str, rated: list[Rated], layer: Layer) -> tuple[Any, ...]:
        """Scale every component's frequency by the line's experience modification.

        Only when the submission has a loss history for ``line``; the modification
        (:func:`xborder_risk.rating.experience.experience_modification`) compares the history
        with the exposure-rated components' expected losses in the history's layer.  Returns
        the experience worksheet steps, written after the line's closing rows.

        Raises
        ------
        SubmissionError
            If the tables have no ``experience`` row for the line, or the line's exposure
            measure is 0 (nothing to put the history on).
        """
        histories = self.submission.loss_history or {}
        history = histories.get(line)  # type: ignore[call-overload]
        if history is None:
            return ()
        where = f"submission field 'loss_history.{line}'"
        parameters = self.tables.experience_for(line)
        if parameters is None:
            raise SubmissionError(
                f"{where}: the rating tables at {self.tables.source} have no experience row "
                f"for line '{line}' (experience.csv) to rate the loss history with"
            )
        measure = exposure_measure(line, self.submission.exposure(line))
        if measure <= 0.0:
            raise SubmissionError(
                f"{where}: the line's current exposure measure is 0, so the history cannot "
                "be put on the current exposure; remove the history or give the exposure"
            )
        live = [r for r in rated if r.component.frequency > 0.0]
        total = math.fsum(r.component.frequency for r in live)
        if total == 0.0:
            return ()
        severity: Severity = (
            live[0].severity
            if len(live) == 1
            else Mixture(
                components=tuple(r.severity for r in live),
                weights=tuple(r.component.frequency / total for r in live),
            )
        )
        patterns = self.tables.patterns
        rows = patterns[patterns["line"] == line]
        result = experience_modification(
            line=line,
            annual_frequency=total / self.period,
            severity=severity,
            current_limit=layer.limit,
            current_measure=measure,
            history=history,
            parameters=parameters,
            pattern=(
                rows["development_months"].to_numpy(dtype=float),
                rows["cumulative_reported"].to_numpy(dtype=float),
            ),
            inception=self.submission.inception_date,
            period_years=self.period,
        )
        for r in rated:
            r.component.scale_frequency(
                f"experience modification (Z = {result.credibility:.3f}, "
                f"R = {result.experience_ratio:.3f}, capped)",
                "experience",
                f"{line} ({parameters['status']})",
                result.modification,
            )
        return result.steps

    def finish(self, sheet: LineSheet, rated: list[Rated], beta: float) -> LineRating:
        """The line's loss model from its rated components, and its closing worksheet rows.

        A line with several components has one count -- Poisson (``beta == 0``), or negative
        binomial with the components' shared ``beta``, whose ``r = E[N] / beta`` is the sum of
        the components' -- and the mixture of the components' severities weighted by their
        expected counts (Loss Models 5th ed., Theorem 9.7).  The layer is the line's policy
        terms in the submission.
        """
        line = sheet.line
        layer = Layer(**self.submission.layer_terms(line))
        experience_rows = self._apply_experience(line, rated, layer)
        rated = apply_terms(self, sheet, rated)
        live = [r for r in rated if r.component.frequency > 0.0]
        total = math.fsum(r.component.frequency for r in live)
        frequency: Frequency
        if total == 0.0:
            frequency = Poisson(lam=0.0)
            severity: Severity = ZERO_LINE_SEVERITY
            self.messages.append(
                f"line {line!r} rates to zero expected claims (no exposure that can produce "
                "an insured loss); it is returned as a zero-frequency model, Poisson(0)"
            )
        else:
            frequency = (
                Poisson(lam=total) if beta == 0.0 else NegativeBinomial(r=total / beta, beta=beta)
            )
            if len(live) == 1:
                severity = live[0].severity
            else:
                severity = Mixture(
                    components=tuple(r.severity for r in live),
                    weights=tuple(r.component.frequency / total for r in live),
                )
        check_tail_under_limit(line, severity, layer)
        model = LossModel(name=line, frequency=frequency, severity=severity, layer=layer)
        exhaustion = layer.deductible + layer.limit
        limited = float(severity.limited_expected_value(exhaustion)) if total > 0 else 0.0
        count_key = (
            "Poisson"
            if isinstance(frequency, Poisson)
            else f"NegativeBinomial(r={total / beta:.6g}, beta={beta:g})"
        )
        sheet.add(
            "line",
            "expected claims (sum over components)",
            "",
            count_key,
            total,
            total,
            "E[min(X, d + l)]",
            limited,
            ("", ""),
        )
        expected = expected_layer_loss(model)
        sheet.add(
            "line",
            "expected occurrence-layer loss",
            "submission terms",
            f"d={layer.deductible:g}, l={layer.limit:g}, share={layer.share:g}",
            expected,
            total,
            "E[min(X, d + l)]",
            limited,
            ("", ""),
        )
        sheet.fill_provenance(self.tables)
        share, names = _unverified_share(sheet, live, layer)
        sheet.add(
            "line",
            UNVERIFIED_SHARE_FACTOR,
            "",
            ", ".join(names) if names else "every parameter verified",
            share,
            total,
            "E[min(X, d + l)]",
            limited,
            ("", ""),
        )
        for row in experience_rows:
            sheet.add("line", row.factor, row.table, row.key, row.value, total, "", 0.0)
        # The experience rows come after the closing rows: they take their tables' provenance too.
        sheet.fill_provenance(self.tables)
        return LineRating(model=model, rows=tuple(MappingProxyType(row) for row in sheet.rows))


def _unverified_share(
    sheet: LineSheet, live: list[Rated], layer: Layer
) -> tuple[float, tuple[str, ...]]:
    """Share of the line's expected occurrence-layer loss from components resting on at least
    one parameter whose status is not ``verified``, and those components' names.

    A component's expected layer loss is :math:`E[N_c](E[X_c \\wedge (d+l)] - E[X_c \\wedge d])`;
    the line's is their sum (the line's severity is the count-weighted mixture).
    """
    unverified = {
        str(row["component"]) for row in sheet.rows if row["status"] in UNVERIFIED_STATUSES
    }
    upper_point = layer.deductible + layer.limit
    losses = []
    for r in live:
        upper = float(r.severity.limited_expected_value(upper_point))
        lower = float(r.severity.limited_expected_value(layer.deductible))
        losses.append((r.component.name, r.component.frequency * max(upper - lower, 0.0)))
    total = math.fsum(loss for _, loss in losses)
    if total <= 0.0:
        return 0.0, ()
    names = tuple(name for name, _ in losses if name in unverified)
    return math.fsum(loss for name, loss in losses if name in unverified) / total, names


# --------------------------------------------------------------------------------------------
# a line's registry entry

E = TypeVar("E", bound=FrozenModel)


@dataclass(frozen=True)
class LineRater(Generic[E]):
    """A line of cover as a unit: what the registry knows about it.

    Parameters
    ----------
    name : str
        The line's name, one of :data:`xborder_risk.exposure.LINES`.
    label : str
        How the line is named for the underwriter ("Technology failure").
    exposure_model : type
        The line's exposure model, ``xborder_risk.exposure.EXPOSURE_MODELS[name]``.
    rate_exposure : callable
        ``rate_exposure(context, exposure) -> LineRating``: the line's rating.
    shock_exposure_of : callable
        ``shock_exposure_of(submission, exposure, layer) -> ShockExposure``: what the
        portfolio's common shocks can hit in the line.
    accumulates_to_countries : bool
        Whether the line's losses are accumulated to countries (and raised by a country's
        political event); such a line gives a non-empty ``attribution``.

    Raises
    ------
    ValueError
        If ``name`` is not a line of the exposure vocabulary or ``exposure_model`` is not its
        exposure model (a programming error in a line module, caught at import).
    """

    name: Line
    label: str
    exposure_model: type[E]
    rate_exposure: Callable[[RatingContext, E], LineRating]
    shock_exposure_of: Callable[[Submission, E, Layer], ShockExposure]
    accumulates_to_countries: bool

    def __post_init__(self) -> None:
        if self.name not in LINES:
            raise ValueError(f"LineRater: {self.name!r} is not a line of exposure.LINES {LINES}")
        if EXPOSURE_MODELS[self.name] is not self.exposure_model:
            raise ValueError(
                f"LineRater {self.name!r}: exposure model {self.exposure_model.__name__} is not "
                f"exposure.EXPOSURE_MODELS[{self.name!r}] "
                f"({EXPOSURE_MODELS[self.name].__name__})"
            )

    def exposure(self, submission: Submission) -> E:
        """The line's exposure in ``submission``, as its exposure model.

        Raises
        ------
        KeyError
            If the submission has no exposure for the line.
        SubmissionError
            If the submission holds something other than the line's exposure model (an
            object built without validation, e.g. by ``Submission.model_construct``).
        """
        exposure = submission.exposure(self.name)
        if not isinstance(exposure, self.exposure_model):
            raise SubmissionError(
                f"submission field '{self.name}': must be a {self.exposure_model.__name__} "
                f"(got {type(exposure).__name__})"
            )
        return exposure

    def rate(self, context: RatingContext) -> LineRating:
        """Rate the line's exposure in ``context.submission``."""
        return self.rate_exposure(context, self.exposure(context.submission))

    def shock_exposure(self, submission: Submission, layer: Layer) -> ShockExposure:
        """What the common shocks can hit in the line of ``submission`` with ``layer``."""
        return self.shock_exposure_of(submission, self.exposure(submission), layer)
