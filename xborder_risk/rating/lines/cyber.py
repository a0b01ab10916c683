"""Cyber: breaches of traveller data and biometric templates, one component.

Formula: ``docs/rating.md`` ("Cyber").  Frequency: base incidents x records and partner-connection
bands x security-control and penetration-test credits x policy period.  Severity: lognormal body
with a generalized Pareto tail, median raised by the bands, the controls and the strictest
data-protection regime among the countries whose law applies.  Common shock: the systemic cyber
event of a shared traveller-data platform, for a policy with partner connections or a
traveller-data platform among its technology-failure systems.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from xborder_risk.distributions import GeneralizedPareto, Spliced
from xborder_risk.engine import Layer
from xborder_risk.exposure import SECURITY_CONTROLS, CyberExposure, Line, Submission
from xborder_risk.rating.lines._base import (
    LineRater,
    LineRating,
    LineSheet,
    Rated,
    RatingContext,
    ShockExposure,
    lognormal,
    relativity,
)

__all__ = ["RATER", "rate", "shock_exposure"]

LINE: Final[Line] = "cyber"


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


def rate(context: RatingContext, exposure: CyberExposure) -> LineRating:
    """Rate a cyber exposure: one incident component.

    Parameters
    ----------
    context : RatingContext
        The submission being rated and its tables.
    exposure : CyberExposure
        The submission's cyber exposure.

    Returns
    -------
    LineRating
        The line's loss model (negative binomial count, lognormal body spliced to a generalized
        Pareto tail) and its worksheet rows.
    """
    tables = context.tables
    sheet = LineSheet(LINE)
    key = f"{LINE}/{context.kind}/incident"
    component, base, sev = context.base_component(sheet, "incident", "incidents")
    tail = tables.lookup(
        "severity_tail", line=LINE, insured_kind=context.kind, component="incident"
    )

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
        freq_factor, sev_factor, band = tables.band(LINE, variable, amount)
        band_key = f"{LINE}/{variable}/{band}"
        component.scale_frequency(
            f"{variable}={amount:g} (frequency)", "bands", band_key, freq_factor
        )
        component.scale_severity(f"{variable}={amount:g} (severity)", "bands", band_key, sev_factor)

    for control in SECURITY_CONTROLS:
        if getattr(exposure.controls, control):
            relativity(component, tables, LINE, "security_control", control)
    level, when = _penetration_test_level(
        exposure.controls.last_penetration_test, context.submission.inception_date
    )
    freq_factor, sev_factor = tables.relativity(LINE, "penetration_test", level)
    pen_key = f"{LINE}/penetration_test/{level}"
    component.scale_frequency(f"penetration test {when}", "relativities", pen_key, freq_factor)
    component.scale_severity(f"penetration test {when}", "relativities", pen_key, sev_factor)

    # The strictest regime among the countries whose law applies sets the regulatory cost.
    regimes = {
        code: str(context.country(code, "cyber.countries")["data_protection_regime"])
        for code in exposure.countries
    }
    factors = {
        code: tables.relativity(LINE, "data_protection_regime", r)[1] for code, r in regimes.items()
    }
    strictest = max(factors, key=lambda c: factors[c])
    component.scale_severity(
        f"data-protection regime (strictest of {','.join(exposure.countries)})",
        "relativities",
        f"{LINE}/data_protection_regime/{regimes[strictest]} ({strictest})",
        factors[strictest],
    )
    context.apply_period(component)

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
        body=lognormal(median, float(sev["sigma"])),
        tail=GeneralizedPareto(xi=xi, beta=beta_tail),
        threshold=threshold,
    )
    return context.finish(sheet, [Rated(component, severity)], float(base["nb_beta"]))


def shock_exposure(submission: Submission, exposure: CyberExposure, layer: Layer) -> ShockExposure:
    """The systemic cyber event, for a policy connected to the shared platform.

    Connected means partner connections (``exposure.partner_connections > 0``) or a
    traveller-data platform among the submission's technology-failure systems; the exposed
    amount is the layer's exhaustion point ``deductible + limit``.
    """
    technology = submission.tech_failure
    connected = exposure.partner_connections > 0 or (
        technology is not None
        and any(system.system_type == "traveller_data_platform" for system in technology.systems)
    )
    if not connected:
        return ShockExposure()
    return ShockExposure(systemic_cyber=layer.deductible + layer.limit)


RATER: LineRater[CyberExposure] = LineRater(
    name=LINE,
    label="Cyber",
    exposure_model=CyberExposure,
    rate_exposure=rate,
    shock_exposure_of=shock_exposure,
    accumulates_to_countries=False,
)
