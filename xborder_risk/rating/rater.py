"""The rater: a submission and rating tables in, one loss model per line and a worksheet out.

Every number that goes into a frequency or a severity is written to the worksheet with the
table and key it came from, so an underwriter can follow how each model was built.  The rating
formula of each line is in ``docs/rating.md``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

import pandas as pd

from xborder_risk._validation import check_line_name
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
from xborder_risk.errors import ParameterError, SubmissionError, XBorderRiskWarning
from xborder_risk.exposure import (
    CyberExposure,
    OperationalLiabilityExposure,
    PoliticalRiskExposure,
    Submission,
    TechFailureExposure,
)
from xborder_risk.rating._severities import Capped, Mixture
from xborder_risk.rating.tables import SECURITY_CONTROLS, RatingTables

__all__ = ["WORKSHEET_COLUMNS", "RatedSubmission", "rate"]

#: Columns of :attr:`RatedSubmission.worksheet`, in order.
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
)

# A severity whose tail makes the variance infinite (GPD xi >= 1/2) is used only under a finite
# per-occurrence limit; PolicyTerms always has one, the check guards other callers.
_HEAVY_TAIL_XI = 0.5

# Placeholder severity of a line that rates to zero expected claims: the engine never samples
# it (N = 0 surely), it only satisfies LossModel's type.
_ZERO_LINE_SEVERITY = Lognormal(mu=0.0, sigma=1.0)


# --------------------------------------------------------------------------------------------
# result


@dataclass(frozen=True, eq=False)
class RatedSubmission:
    """The result of :func:`rate`.

    Attributes
    ----------
    models : tuple of LossModel
        One loss model per line with exposure, in canonical line order, each named by its
        line and carrying the line's :class:`~xborder_risk.engine.Layer`.  Amounts in
        :attr:`currency`; frequencies per policy period.
    worksheet : pandas.DataFrame
        How every number was built: columns ``WORKSHEET_COLUMNS``.  For each line and
        component, one row per factor (``value``) with the running expected frequency and the
        running severity parameter after it; the last rows of a line (component ``"line"``)
        give the line's expected claim count, ``E[min(X, d + l)]`` of its severity, and the
        expected occurrence-layer loss.
    currency : str
        ISO 4217 code of every amount (the submission's currency).
    table_versions : Mapping
        Version of every rating table used, by table name.
    table_checksums : Mapping
        sha256 of every rating table used, by table name.
    tables_source : str
        Where the tables were loaded from.
    messages : tuple of str
        Notes for the underwriter (zero-exposure lines, countries rated on a default class).
    """

    models: tuple[LossModel, ...]
    worksheet: pd.DataFrame = field(repr=False)
    currency: str
    table_versions: Mapping[str, str]
    table_checksums: Mapping[str, str] = field(repr=False)
    tables_source: str
    messages: tuple[str, ...] = ()

    @property
    def lines(self) -> tuple[str, ...]:
        """Names of the rated lines."""
        return tuple(model.name for model in self.models)

    def model(self, line: str) -> LossModel:
        """The loss model of ``line``.

        Raises
        ------
        ParameterError
            If the submission has no exposure for ``line`` (the message lists the rated lines).
        """
        check_line_name("RatedSubmission.model", "line", line, self.lines)
        return self.models[self.lines.index(line)]

    def summary(self) -> pd.DataFrame:
        """Expected figures per line (before aggregate terms).

        Returns
        -------
        pandas.DataFrame
            One row per line: ``expected_claims`` (E[N]), ``limited_severity``
            (E[min(X, d + l)]), ``expected_layer_loss`` = share * E[N] * (E[min(X, d + l)] -
            E[min(X, d)]), in :attr:`currency` per policy period.

        Notes
        -----
        The occurrence layer loss of the collective risk model (Loss Models, 5th ed.,
        §8.5, §9.3): :math:`E[S] = s\\,E[N]\\,(E[X\\wedge(d+l)] - E[X\\wedge d])`, ignoring the
        aggregate deductible and limit (which can only lower it).
        """
        rows = []
        for model in self.models:
            rows.append(
                {
                    "line": model.name,
                    "expected_claims": model.frequency.mean(),
                    "limited_severity": _limited_severity(model),
                    "expected_layer_loss": expected_layer_loss(model),
                    "currency": self.currency,
                }
            )
        return pd.DataFrame(rows)


def _limited_severity(model: LossModel) -> float:
    exhaustion = model.layer.deductible + model.layer.limit
    return float(model.severity.limited_expected_value(exhaustion))


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


class _Sheet:
    """Rows of the worksheet, appended in rating order."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self._steps: dict[str, int] = {}

    def add(
        self,
        line: str,
        component: str,
        factor: str,
        table: str,
        key: str,
        value: float,
        frequency: float,
        severity_parameter: str,
        severity: float,
    ) -> None:
        step = self._steps.get(line, 0) + 1
        self._steps[line] = step
        self.rows.append(
            {
                "line": line,
                "component": component,
                "step": step,
                "factor": factor,
                "table": table,
                "key": key,
                "value": float(value),
                "frequency": float(frequency),
                "severity_parameter": severity_parameter,
                "severity": float(severity),
            }
        )

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows, columns=list(WORKSHEET_COLUMNS))
        return frame.astype(
            {"step": "int64", "value": "float64", "frequency": "float64", "severity": "float64"}
        )


class _Component:
    """A rated component of a line: running frequency and running severity parameter."""

    def __init__(
        self,
        sheet: _Sheet,
        line: str,
        name: str,
        *,
        frequency: float,
        frequency_source: tuple[str, str, str],
        severity_parameter: str,
        severity: float,
        severity_source: tuple[str, str, str],
    ) -> None:
        self.sheet = sheet
        self.line = line
        self.name = name
        # Both base values are set before the first row so no row shows a placeholder.
        self.frequency = frequency
        self.severity_parameter = severity_parameter
        self.severity = severity
        # The log of the severity parameter is kept alongside: a product of a tiny exposure
        # amount and a fraction can underflow to 0 while its logarithm is still exact.
        self.log_severity = _log(severity)
        self._row(*frequency_source, frequency)
        self._row(*severity_source, severity)

    def _row(self, factor: str, table: str, key: str, value: float) -> None:
        self.sheet.add(
            self.line,
            self.name,
            factor,
            table,
            key,
            value,
            self.frequency,
            self.severity_parameter,
            self.severity,
        )

    def scale_frequency(self, factor: str, table: str, key: str, value: float) -> None:
        self.frequency *= value
        self._row(factor, table, key, value)

    def scale_severity(
        self, factor: str, table: str, key: str, value: float, log_value: float | None = None
    ) -> None:
        """Multiply the severity parameter by ``value`` (whose log may be given exactly)."""
        self.severity *= value
        self.log_severity += _log(value) if log_value is None else log_value
        self._row(factor, table, key, value)

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

    def note(self, factor: str, table: str, key: str, value: float) -> None:
        self._row(factor, table, key, value)


@dataclass
class _Rated:
    component: _Component
    severity: Severity


# --------------------------------------------------------------------------------------------
# the rater


def rate(submission: Submission, tables: RatingTables | None = None) -> RatedSubmission:
    """Rate a submission: one loss model per line with exposure, and the worksheet.

    Parameters
    ----------
    submission : Submission
        A validated submission; every amount in ``submission.currency``.
    tables : RatingTables, optional
        Rating tables; the shipped tables by default.

    Returns
    -------
    RatedSubmission

    Raises
    ------
    SubmissionError
        If the submission's currency has no FX rate, a country has no row in the country
        table, or a heavy-tailed severity would be used without a finite limit.

    Warns
    -----
    XBorderRiskWarning
        When a line rates to zero expected claims (it is returned as a zero-frequency model,
        ``Poisson(0)``), or when a country is rated on the conservative default class because
        it has no published classification and no sovereign.

    Notes
    -----
    Frequencies are expected claims per policy period (the annual rate times the policy period
    in years); severities are per occurrence, ground-up, in the submission currency: table
    amounts (USD) times ``rate_to_usd[table currency] / rate_to_usd[submission currency]``.
    A line with several components (systems, personnel and fleet, contracts and perils) has
    one count -- Poisson, or negative binomial with the components' shared beta, whose
    ``r = E[N] / beta`` is the sum of the components' -- and the mixture of the components'
    severities weighted by their expected counts (exact for independent components, Loss
    Models 5th ed., Theorem 9.7).  Formulas per line: ``docs/rating.md``.
    """
    if not isinstance(submission, Submission):
        raise SubmissionError(
            f"rate: 'submission' must be a Submission (got {type(submission).__name__}); "
            "read one with Submission.from_file(path)"
        )
    tables = RatingTables.load() if tables is None else tables
    if not isinstance(tables, RatingTables):
        raise SubmissionError(
            f"rate: 'tables' must be RatingTables or None (got {type(tables).__name__})"
        )
    context = _Context(submission, tables)
    raters = {
        "tech_failure": _rate_tech_failure,
        "cyber": _rate_cyber,
        "operational_liability": _rate_operational_liability,
        "political_risk": _rate_political_risk,
    }
    models = []
    for line in submission.lines:
        layer = Layer(**submission.layer_terms(line))
        components, beta = raters[line](context, submission.exposure(line))
        models.append(context.combine(line, components, beta, layer))
    for message in context.messages:
        warnings.warn(message, XBorderRiskWarning, stacklevel=2)
    return RatedSubmission(
        models=tuple(models),
        worksheet=context.sheet.frame(),
        currency=submission.currency,
        table_versions=MappingProxyType(tables.versions),
        table_checksums=MappingProxyType(tables.checksums),
        tables_source=tables.source,
        messages=tuple(context.messages),
    )


class _Context:
    """What every line's rating needs: the submission, the tables, FX, the worksheet."""

    def __init__(self, submission: Submission, tables: RatingTables) -> None:
        self.submission = submission
        self.tables = tables
        self.sheet = _Sheet()
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

    # -- shared steps ---------------------------------------------------------------------------

    def fx_factor(self, table_currency: str) -> tuple[float, str]:
        """Factor converting ``table_currency`` amounts to the submission currency, and its key."""
        rate_from = self.tables.fx_rate(table_currency)
        rate_to = self.tables.fx_rate(self.currency)
        as_of = self.tables.fx_date(self.currency)
        key = f"{table_currency}->{self.currency} ({rate_from:g} / {rate_to:g} USD, {as_of})"
        return rate_from / rate_to, key

    def apply_period(self, component: _Component) -> None:
        component.scale_frequency(
            "policy period (years)",
            "submission",
            f"{self.submission.inception_date} to {self.submission.expiry_date}",
            self.period,
        )

    def country(self, code: str, field_path: str) -> Mapping[str, Any]:
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

    def combine(self, line: str, rated: list[_Rated], beta: float, layer: Layer) -> LossModel:
        """One loss model from the rated components of a line."""
        live = [r for r in rated if r.component.frequency > 0.0]
        total = math.fsum(r.component.frequency for r in live)
        frequency: Frequency
        if total == 0.0:
            frequency = Poisson(lam=0.0)
            severity: Severity = _ZERO_LINE_SEVERITY
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
        _check_tail_under_limit(line, severity, layer)
        model = LossModel(name=line, frequency=frequency, severity=severity, layer=layer)
        exhaustion = layer.deductible + layer.limit
        limited = float(severity.limited_expected_value(exhaustion)) if total > 0 else 0.0
        count_key = (
            "Poisson"
            if isinstance(frequency, Poisson)
            else f"NegativeBinomial(r={total / beta:.6g}, beta={beta:g})"
        )
        self.sheet.add(
            line,
            "line",
            "expected claims (sum over components)",
            "",
            count_key,
            total,
            total,
            "E[min(X, d + l)]",
            limited,
        )
        self.sheet.add(
            line,
            "line",
            "expected occurrence-layer loss",
            "submission terms",
            f"d={layer.deductible:g}, l={layer.limit:g}, share={layer.share:g}",
            expected_layer_loss(model),
            total,
            "E[min(X, d + l)]",
            limited,
        )
        return model


def _check_tail_under_limit(line: str, severity: Severity, layer: Layer) -> None:
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


def _log(value: float) -> float:
    return math.log(value) if value > 0.0 else -math.inf


def _lognormal(median: float, sigma: float) -> Lognormal:
    return Lognormal(mu=math.log(median), sigma=sigma)


def _finish_lognormal(component: _Component, sigma: float, table: str, key: str) -> Lognormal:
    """Close a component with ``Lognormal(ln median, sigma)`` and write sigma to the sheet."""
    component.note("lognormal sigma (mu = ln median)", table, key, sigma)
    return Lognormal(mu=component.log_severity, sigma=sigma)


def _relativity(
    component: _Component,
    tables: RatingTables,
    line: str,
    factor: str,
    level: str,
    *,
    frequency: bool = True,
    severity: bool = True,
) -> None:
    freq_factor, sev_factor = tables.relativity(line, factor, level)
    key = f"{line}/{factor}/{level}"
    if frequency:
        component.scale_frequency(f"{factor}={level} (frequency)", "relativities", key, freq_factor)
    if severity:
        component.scale_severity(f"{factor}={level} (severity)", "relativities", key, sev_factor)


# --------------------------------------------------------------------------------------------
# technology failure


def _rate_tech_failure(ctx: _Context, exposure: Any) -> tuple[list[_Rated], float]:
    assert isinstance(exposure, TechFailureExposure)
    tables = ctx.tables
    line = "tech_failure"
    base = tables.lookup("frequency_base", line=line, insured_kind=ctx.kind, component="outage")
    rated: list[_Rated] = []
    for system in exposure.systems:
        duration = tables.lookup("outage_duration", system_type=system.system_type)
        component = _Component(
            ctx.sheet,
            line,
            system.system_id,
            frequency=float(base["frequency_per_unit"]),
            frequency_source=(
                f"base outages per {base['exposure_unit']}",
                "frequency_base",
                f"{line}/{ctx.kind}/outage",
            ),
            severity_parameter="median_hours",
            severity=float(duration["median_hours"]),
            severity_source=(
                "median outage duration (hours)",
                "outage_duration",
                system.system_type,
            ),
        )
        component.scale_frequency(
            "deployment countries (system-country-years)",
            "submission",
            ",".join(system.countries),
            float(len(system.countries)),
        )
        _relativity(component, tables, line, "system_type", system.system_type, severity=False)
        _relativity(component, tables, line, "redundancy", system.redundancy)
        age_freq, age_sev, band = tables.band(line, "system_age_years", system.age_years)
        key = f"{line}/system_age_years/{band}"
        component.scale_frequency(
            f"age {system.age_years:g} years (frequency)", "bands", key, age_freq
        )
        component.scale_severity(
            f"age {system.age_years:g} years (severity)", "bands", key, age_sev
        )
        _relativity(component, tables, line, "vendor_support", system.vendor_support)
        ctx.apply_period(component)
        component.rename_severity(
            "median",
            "hourly outage cost (daily_outage_cost / 24)",
            "submission",
            f"{system.system_id}.daily_outage_cost={system.daily_outage_cost:g}",
            system.daily_outage_cost / 24.0,
            _log(system.daily_outage_cost) - math.log(24.0),
        )
        if system.daily_outage_cost == 0.0:
            component.scale_frequency(
                "no outage cost: no insured loss", "submission", system.system_id, 0.0
            )
            rated.append(_Rated(component, _ZERO_LINE_SEVERITY))
            continue
        sigma = float(duration["sigma"])
        severity = _finish_lognormal(component, sigma, "outage_duration", system.system_type)
        rated.append(_Rated(component, severity))
    return rated, float(base["nb_beta"])


# --------------------------------------------------------------------------------------------
# cyber


def _penetration_test_level(tested: date | None, inception: date) -> tuple[str, str]:
    if tested is None:
        return "older_or_never", "never tested"
    months = (inception.year - tested.year) * 12 + (inception.month - tested.month)
    months -= 1 if inception.day < tested.day else 0
    if months < 12:
        return "within_12_months", f"{tested} ({months} full months before inception)"
    if months < 24:
        return "within_24_months", f"{tested} ({months} full months before inception)"
    return "older_or_never", f"{tested} ({months} full months before inception)"


def _rate_cyber(ctx: _Context, exposure: Any) -> tuple[list[_Rated], float]:
    assert isinstance(exposure, CyberExposure)
    tables = ctx.tables
    line = "cyber"
    key = f"{line}/{ctx.kind}/incident"
    base = tables.lookup("frequency_base", line=line, insured_kind=ctx.kind, component="incident")
    sev = tables.lookup("severity_base", line=line, insured_kind=ctx.kind, component="incident")
    tail = tables.lookup("severity_tail", line=line, insured_kind=ctx.kind, component="incident")
    component = _Component(
        ctx.sheet,
        line,
        "incident",
        frequency=float(base["frequency_per_unit"]),
        frequency_source=(f"base incidents per {base['exposure_unit']}", "frequency_base", key),
        severity_parameter="median",
        severity=float(sev["median"]),
        severity_source=(f"base median ({sev['currency']})", "severity_base", key),
    )
    fx, fx_key = ctx.fx_factor(str(sev["currency"]))
    component.scale_severity("FX to submission currency", "fx", fx_key, fx)

    weight = tables.parameter("biometric_record_weight")
    records = exposure.pii_records + weight * exposure.biometric_records
    component.note(
        "weighted records = pii + weight x biometric",
        "parameters",
        f"{exposure.pii_records} + {weight:g} x {exposure.biometric_records}",
        records,
    )
    for variable, amount in (
        ("weighted_records", records),
        ("partner_connections", float(exposure.partner_connections)),
    ):
        freq_factor, sev_factor, band = tables.band(line, variable, amount)
        band_key = f"{line}/{variable}/{band}"
        component.scale_frequency(
            f"{variable}={amount:g} (frequency)", "bands", band_key, freq_factor
        )
        component.scale_severity(f"{variable}={amount:g} (severity)", "bands", band_key, sev_factor)

    for control in SECURITY_CONTROLS:
        if getattr(exposure.controls, control):
            _relativity(component, tables, line, "security_control", control)
    level, when = _penetration_test_level(
        exposure.controls.last_penetration_test, ctx.submission.inception_date
    )
    freq_factor, sev_factor = tables.relativity(line, "penetration_test", level)
    pen_key = f"{line}/penetration_test/{level}"
    component.scale_frequency(f"penetration test {when}", "relativities", pen_key, freq_factor)
    component.scale_severity(f"penetration test {when}", "relativities", pen_key, sev_factor)

    # The strictest regime among the countries whose law applies sets the regulatory cost.
    regimes = {
        code: str(ctx.country(code, "cyber.countries")["data_protection_regime"])
        for code in exposure.countries
    }
    factors = {
        code: tables.relativity(line, "data_protection_regime", r)[1] for code, r in regimes.items()
    }
    strictest = max(factors, key=lambda c: factors[c])
    component.scale_severity(
        f"data-protection regime (strictest of {','.join(exposure.countries)})",
        "relativities",
        f"{line}/data_protection_regime/{regimes[strictest]} ({strictest})",
        factors[strictest],
    )
    ctx.apply_period(component)

    median = component.severity
    threshold = median * float(tail["threshold_over_median"])
    beta_tail = threshold * float(tail["beta_over_threshold"])
    xi = float(tail["xi"])
    component.note(
        "GPD tail: threshold = median x threshold_over_median", "severity_tail", key, threshold
    )
    component.note(
        f"GPD tail: xi = {xi:g}, beta = threshold x ratio", "severity_tail", key, beta_tail
    )
    severity = Spliced(
        body=_lognormal(median, float(sev["sigma"])),
        tail=GeneralizedPareto(xi=xi, beta=beta_tail),
        threshold=threshold,
    )
    return [_Rated(component, severity)], float(base["nb_beta"])


# --------------------------------------------------------------------------------------------
# operational liability


def _rate_operational_liability(ctx: _Context, exposure: Any) -> tuple[list[_Rated], float]:
    assert isinstance(exposure, OperationalLiabilityExposure)
    tables = ctx.tables
    line = "operational_liability"
    rated: list[_Rated] = []
    uof = "yes" if exposure.use_of_force_authorised else "no"
    detention = "yes" if exposure.detention_facilities > 0 else "no"

    def _finish_ol(component: _Component, sev: Mapping[str, Any]) -> Lognormal:
        key = f"{line}/{ctx.kind}/{component.name}"
        return _finish_lognormal(component, float(sev["sigma"]), "severity_base", key)

    def start(component_name: str) -> tuple[_Component, Mapping[str, Any], Mapping[str, Any]]:
        key = f"{line}/{ctx.kind}/{component_name}"
        base = tables.lookup(
            "frequency_base", line=line, insured_kind=ctx.kind, component=component_name
        )
        sev = tables.lookup(
            "severity_base", line=line, insured_kind=ctx.kind, component=component_name
        )
        component = _Component(
            ctx.sheet,
            line,
            component_name,
            frequency=float(base["frequency_per_unit"]),
            frequency_source=(f"base claims per {base['exposure_unit']}", "frequency_base", key),
            severity_parameter="median",
            severity=float(sev["median"]),
            severity_source=(f"base median ({sev['currency']})", "severity_base", key),
        )
        fx, fx_key = ctx.fx_factor(str(sev["currency"]))
        component.scale_severity("FX to submission currency", "fx", fx_key, fx)
        return component, base, sev

    # Personnel: role-weighted personnel-hours, then powers, then the insured's own experience.
    component, _, sev = start("personnel")
    unit = tables.parameter("personnel_hours_unit")
    weighted_hours = 0.0
    field_officer_hours = 0.0
    for group in exposure.personnel:
        role_factor, _ = tables.relativity(line, "role", group.role)
        weighted_hours += group.annual_hours * role_factor
        if group.role == "field_officer":
            field_officer_hours += group.annual_hours
        component.note(
            f"{group.role}: {group.headcount} x {group.annual_hours_per_person:g} h x role factor",
            "relativities",
            f"{line}/role/{group.role} ({role_factor:g})",
            group.annual_hours * role_factor,
        )
    component.scale_frequency(
        "exposure units = role-weighted hours / unit",
        "parameters",
        f"{weighted_hours:g} h / {unit:g}",
        weighted_hours / unit,
    )
    _relativity(component, tables, line, "use_of_force", uof)
    _relativity(component, tables, line, "detention", detention)
    _apply_claims_credibility(ctx, component, exposure.claims_last_five_years)
    ctx.apply_period(component)
    rated.append(_Rated(component, _finish_ol(component, sev)))

    for fleet, field_name, count in (
        ("vehicle", "vehicles", exposure.vehicles),
        ("vessel", "vessels", exposure.vessels),
        ("aircraft", "aircraft", exposure.aircraft),
    ):
        component, _, sev = start(fleet)
        component.scale_frequency(
            f"{field_name} operated",
            "submission",
            f"operational_liability.{field_name}",
            float(count),
        )
        ctx.apply_period(component)
        rated.append(_Rated(component, _finish_ol(component, sev)))

    component, _, sev = start("detention_class_action")
    component.scale_frequency(
        "detention facilities",
        "submission",
        "operational_liability.detention_facilities",
        float(exposure.detention_facilities),
    )
    _relativity(component, tables, line, "use_of_force", uof, severity=False)
    ctx.apply_period(component)
    rated.append(_Rated(component, _finish_ol(component, sev)))

    component, _, sev = start("use_of_force_class_action")
    hours_unit = tables.parameter("class_action_hours_unit")
    authorised = 1.0 if exposure.use_of_force_authorised else 0.0
    component.scale_frequency(
        "field-officer hours / unit",
        "parameters",
        f"{field_officer_hours:g} h / {hours_unit:g}",
        field_officer_hours / hours_unit,
    )
    component.scale_frequency(
        "use of force authorised (1 = yes, 0 = no)",
        "submission",
        "operational_liability.use_of_force_authorised",
        authorised,
    )
    ctx.apply_period(component)
    rated.append(_Rated(component, _finish_ol(component, sev)))
    beta = float(
        tables.lookup("frequency_base", line=line, insured_kind=ctx.kind, component="personnel")[
            "nb_beta"
        ]
    )
    return rated, beta


def _apply_claims_credibility(ctx: _Context, component: _Component, claims: int) -> None:
    """Poisson-gamma credibility of the personnel claim rate on the insured's own claims.

    With prior annual rate :math:`\\lambda` and a gamma prior of shape :math:`\\alpha` (mean
    :math:`\\lambda`), :math:`N` claims in :math:`T` years give the posterior mean
    :math:`(\\alpha + N)/(\\alpha/\\lambda + T)` (Bühlmann & Gisler 2005, §2.3): increasing in
    both :math:`\\lambda` and :math:`N`.
    """
    prior = component.frequency
    alpha = ctx.tables.parameter("claims_credibility_alpha")
    years = ctx.tables.parameter("claims_history_years")
    if prior == 0.0:
        component.note(
            "claims history: no personnel exposure, no credibility", "parameters", "", claims
        )
        return
    posterior = (alpha + claims) / (alpha / prior + years)
    component.scale_frequency(
        f"claims history: {claims} claims in {years:g} years, alpha = {alpha:g}",
        "parameters",
        "(alpha + N) / (alpha / lambda + T) / lambda",
        posterior / prior,
    )


# --------------------------------------------------------------------------------------------
# political risk


def _rate_political_risk(ctx: _Context, exposure: Any) -> tuple[list[_Rated], float]:
    assert isinstance(exposure, PoliticalRiskExposure)
    tables = ctx.tables
    line = "political_risk"
    minimum_term = tables.parameter("minimum_payment_term_years")
    rated: list[_Rated] = []
    for index, contract in enumerate(exposure.contracts):
        path = f"political_risk.contracts[{index}].host_country"
        country = ctx.country(contract.host_country, path)
        crc = int(country["oecd_crc"])
        values = {
            "assets_in_country": contract.assets_in_country,
            "contract_value": contract.contract_value,
            "annual_contract_payments": contract.contract_value
            / max(contract.remaining_term_years, minimum_term),
        }
        for peril in contract.perils:
            rate_row = tables.lookup("political_risk_rates", oecd_crc=crc, peril=peril)
            severity_row = tables.lookup("political_severity", peril=peril)
            basis = str(severity_row["value_basis"])
            value_at_risk = float(values[basis])
            component = _Component(
                ctx.sheet,
                line,
                f"{contract.contract_id}/{peril}",
                frequency=float(rate_row["frequency_per_contract_year"]),
                frequency_source=(
                    f"claims per contract-year, OECD class {crc} ({country['crc_basis']})",
                    "political_risk_rates",
                    f"{crc}/{peril} ({contract.host_country})",
                ),
                severity_parameter="median_loss_fraction",
                severity=float(severity_row["median_loss_fraction"]),
                severity_source=("median loss fraction", "political_severity", peril),
            )
            cp_factor = float(
                tables.lookup(
                    "political_counterparty", counterparty=contract.counterparty, peril=peril
                )["frequency_factor"]
            )
            component.scale_frequency(
                f"counterparty {contract.counterparty}",
                "political_counterparty",
                f"{contract.counterparty}/{peril}",
                cp_factor,
            )
            years_at_risk = min(contract.remaining_term_years, ctx.period)
            component.scale_frequency(
                "years at risk = min(remaining term, policy period)",
                "submission",
                f"min({contract.remaining_term_years:g}, {ctx.period:g})",
                years_at_risk,
            )
            component.rename_severity(
                "median",
                f"value at risk ({basis}), also the cap",
                "submission",
                f"{contract.contract_id}.{basis}",
                value_at_risk,
            )
            if value_at_risk == 0.0:
                component.scale_frequency(
                    "nothing at risk: no insured loss", "submission", contract.contract_id, 0.0
                )
                rated.append(_Rated(component, _ZERO_LINE_SEVERITY))
                continue
            sigma = float(severity_row["sigma"])
            base = _finish_lognormal(component, sigma, "political_severity", peril)
            rated.append(_Rated(component, Capped(base=base, cap=value_at_risk)))
    return rated, tables.parameter("political_risk_nb_beta")
