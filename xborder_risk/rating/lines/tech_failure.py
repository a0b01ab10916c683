"""Technology failure: outages of the insured's border systems, hardware damage, common vendors.

Formula: ``docs/rating.md`` ("Technology failure").  Per system, once (a system serving several
countries has one outage rate: its daily cost already covers all its contracts):

* outages -- base outages per system-year x system-type, redundancy, age and vendor-support
  factors x policy period; cost per outage = fixed response cost + hourly cost (``daily_outage_cost
  / 24``) x paid hours, where the duration is lognormal (sigma fitted to Uptime Institute 2024),
  the paid hours start after the waiting period and stop at the indemnity period
  (:class:`~xborder_risk.exposure.BusinessInterruptionTerms`) and at the liquidated-damages cap;
* hardware damage -- ``replacement_value`` x a lognormal damage ratio capped at 1;

and per named vendor shared by two or more systems, a common-vendor event (a faulty update, as
on 19 July 2024) stopping all of them for one common duration.  No common-shock exposure of its
own in a book (a traveller-data platform connects the policy's cyber line to the systemic cyber
event, see :mod:`xborder_risk.rating.lines.cyber`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Final

from xborder_risk.distributions import Lognormal
from xborder_risk.engine import Layer
from xborder_risk.exposure import BorderSystem, Line, Submission, TechFailureExposure
from xborder_risk.rating._severities import DurationCost
from xborder_risk.rating.lines._base import (
    ZERO_LINE_SEVERITY,
    Component,
    LineRater,
    LineRating,
    LineSheet,
    Rated,
    RatingContext,
    ShockExposure,
    relativity,
)

__all__ = ["RATER", "rate", "shock_exposure"]

LINE: Final[Line] = "tech_failure"


def _paid_span(context: RatingContext, component: Component, system: BorderSystem) -> float:
    """Longest paid outage hours after the waiting period: indemnity period and LD cap."""
    terms = context.submission.terms[LINE].business_interruption
    span = math.inf if terms is None else terms.paid_span_hours
    rate = system.daily_outage_cost / 24.0
    if system.liquidated_damages_cap is not None:
        cap_hours = system.liquidated_damages_cap / rate
        component.note(
            "liquidated-damages cap reached after (hours paid)",
            "submission",
            f"{system.system_id}.liquidated_damages_cap={system.liquidated_damages_cap:g}",
            cap_hours,
        )
        span = min(span, cap_hours)
    return span


def _waiting_hours(context: RatingContext) -> float:
    terms = context.submission.terms[LINE].business_interruption
    return 0.0 if terms is None else terms.waiting_period_hours


def _outage(context: RatingContext, sheet: LineSheet, system: BorderSystem, fixed: float) -> Rated:
    tables = context.tables
    base = tables.lookup("frequency_base", line=LINE, insured_kind=context.kind, component="outage")
    duration = tables.lookup("outage_duration", system_type=system.system_type)
    component = Component(
        sheet,
        system.system_id,
        frequency=float(base["frequency_per_unit"]),
        frequency_source=(
            f"base outages per {base['exposure_unit']}",
            "frequency_base",
            f"{LINE}/{context.kind}/outage",
        ),
        severity_parameter="median_hours",
        severity=float(duration["median_hours"]),
        severity_source=("median outage duration (hours)", "outage_duration", system.system_type),
        frequency_provenance=tables.row_provenance("frequency_base", base),
        severity_provenance=tables.row_provenance("outage_duration", duration),
    )
    component.note(
        "countries served (one outage rate per system, not per country)",
        "submission",
        ",".join(system.countries),
        float(len(system.countries)),
    )
    relativity(component, tables, LINE, "system_type", system.system_type, severity=False)
    relativity(component, tables, LINE, "redundancy", system.redundancy)
    age_freq, age_sev, band = tables.band(LINE, "system_age_years", system.age_years)
    key = f"{LINE}/system_age_years/{band}"
    component.scale_frequency(f"age {system.age_years:g} years (frequency)", "bands", key, age_freq)
    component.scale_severity(f"age {system.age_years:g} years (severity)", "bands", key, age_sev)
    relativity(component, tables, LINE, "vendor_support", system.vendor_support)
    context.apply_period(component)
    if system.daily_outage_cost == 0.0:
        component.scale_frequency(
            "no outage cost: no insured loss", "submission", system.system_id, 0.0
        )
        return Rated(component, ZERO_LINE_SEVERITY)
    rate = system.daily_outage_cost / 24.0
    component.note(
        "hourly outage cost (daily_outage_cost / 24)",
        "submission",
        f"{system.system_id}.daily_outage_cost={system.daily_outage_cost:g}",
        rate,
    )
    sigma = float(duration["sigma"])
    component.note(
        "lognormal duration sigma (Uptime 2024 fit)",
        "outage_duration",
        system.system_type,
        sigma,
        tables.row_provenance("outage_duration", duration),
    )
    wait = _waiting_hours(context)
    span = _paid_span(context, component, system)
    component.note("waiting period (hours)", "submission terms", "business_interruption", wait)
    component.note("paid hours after the waiting period (max)", "submission terms", "", span)
    severity = DurationCost(
        duration=Lognormal(mu=component.log_severity, sigma=sigma),
        fixed=fixed,
        rates=(rate,),
        spans=(span,),
        wait=wait,
    )
    return Rated(component, severity)


def _hardware(context: RatingContext, sheet: LineSheet, system: BorderSystem) -> Rated:
    tables = context.tables
    damage_rate, rate_prov = tables.line_parameter(LINE, "hardware_damage_rate")
    ratio, ratio_prov = tables.line_parameter(LINE, "hardware_damage_median_ratio")
    sigma, sigma_prov = tables.line_parameter(LINE, "hardware_damage_sigma")
    component = Component(
        sheet,
        f"{system.system_id}/hardware",
        frequency=damage_rate,
        frequency_source=(
            "hardware damage events per system-year",
            "line_parameters",
            f"{LINE}/hardware_damage_rate",
        ),
        severity_parameter="median_damage_ratio",
        severity=ratio,
        severity_source=(
            "median damage / replacement_value",
            "line_parameters",
            f"{LINE}/hardware_damage_median_ratio",
        ),
        frequency_provenance=rate_prov,
        severity_provenance=ratio_prov,
    )
    context.apply_period(component)
    component.note(
        "replacement_value (damage capped at it)",
        "submission",
        f"{system.system_id}.replacement_value={system.replacement_value:g}",
        system.replacement_value,
    )
    component.note(
        "lognormal damage-ratio sigma",
        "line_parameters",
        f"{LINE}/hardware_damage_sigma",
        sigma,
        sigma_prov,
    )
    severity = DurationCost(
        duration=Lognormal(mu=math.log(ratio), sigma=sigma),
        fixed=0.0,
        rates=(system.replacement_value,),
        spans=(1.0,),
        wait=0.0,
    )
    return Rated(component, severity)


def _common_vendor(
    context: RatingContext,
    sheet: LineSheet,
    vendor: str,
    systems: list[BorderSystem],
    fixed: float,
) -> Rated:
    tables = context.tables
    event_rate, rate_prov = tables.line_parameter(LINE, "common_vendor_event_rate")
    median, median_prov = tables.line_parameter(LINE, "common_vendor_duration_median_hours")
    sigma, sigma_prov = tables.line_parameter(LINE, "common_vendor_duration_sigma")
    component = Component(
        sheet,
        f"vendor:{vendor}",
        frequency=event_rate,
        frequency_source=(
            "common-vendor events per vendor-year",
            "line_parameters",
            f"{LINE}/common_vendor_event_rate",
        ),
        severity_parameter="median_hours",
        severity=median,
        severity_source=(
            "median common-vendor outage (hours)",
            "line_parameters",
            f"{LINE}/common_vendor_duration_median_hours",
        ),
        frequency_provenance=rate_prov,
        severity_provenance=median_prov,
    )
    context.apply_period(component)
    ids = ",".join(s.system_id for s in systems)
    component.note(
        "systems stopped together (redundancy does not help)",
        "submission",
        ids,
        float(len(systems)),
    )
    component.note(
        "lognormal duration sigma",
        "line_parameters",
        f"{LINE}/common_vendor_duration_sigma",
        sigma,
        sigma_prov,
    )
    rates = tuple(s.daily_outage_cost / 24.0 for s in systems)
    spans = tuple(_paid_span(context, component, s) for s in systems)
    component.note("sum of hourly outage costs", "submission", ids, math.fsum(rates))
    severity = DurationCost(
        duration=Lognormal(mu=math.log(median), sigma=sigma),
        fixed=fixed * len(systems),
        rates=rates,
        spans=spans,
        wait=_waiting_hours(context),
    )
    return Rated(component, severity)


def rate(context: RatingContext, exposure: TechFailureExposure) -> LineRating:
    """Rate a technology-failure exposure: outages and hardware damage per system, and one
    common-vendor component per vendor shared by two or more systems.

    Parameters
    ----------
    context : RatingContext
        The submission being rated and its tables.
    exposure : TechFailureExposure
        The submission's technology-failure exposure.

    Returns
    -------
    LineRating
        The line's loss model (negative binomial count with the table's ``nb_beta``, mixture of
        the components' :class:`~xborder_risk.rating._severities.DurationCost` severities) and
        its worksheet rows.
    """
    tables = context.tables
    sheet = LineSheet(LINE)
    base = tables.lookup("frequency_base", line=LINE, insured_kind=context.kind, component="outage")
    fixed_usd, _ = tables.line_parameter(LINE, "outage_fixed_cost_usd")
    fx, _ = context.fx_factor("USD")
    fixed = fixed_usd * fx
    rated: list[Rated] = []
    by_vendor: dict[str, list[BorderSystem]] = defaultdict(list)
    for system in exposure.systems:
        rated_outage = _outage(context, sheet, system, fixed)
        if system.daily_outage_cost > 0.0:
            fixed_prov = tables.line_parameter(LINE, "outage_fixed_cost_usd")[1]
            rated_outage.component.note(
                "fixed response cost per outage (USD converted)",
                "line_parameters",
                f"{LINE}/outage_fixed_cost_usd",
                fixed,
                fixed_prov,
            )
        rated.append(rated_outage)
        if system.replacement_value > 0.0:
            rated.append(_hardware(context, sheet, system))
        if system.vendor is not None and system.daily_outage_cost > 0.0:
            by_vendor[system.vendor].append(system)
    for vendor in sorted(by_vendor):
        if len(by_vendor[vendor]) >= 2:
            rated.append(_common_vendor(context, sheet, vendor, by_vendor[vendor], fixed))
    return context.finish(sheet, rated, float(base["nb_beta"]))


def shock_exposure(
    submission: Submission, exposure: TechFailureExposure, layer: Layer
) -> ShockExposure:
    """The common-vendor events of the vendors its systems name (one per vendor).

    An outage of the insured's own systems is not a common shock of the book; a named vendor's
    faulty update is (every insured naming the vendor is hit in the same year).  The exposed
    amount is the layer's exhaustion point ``deductible + limit``, as for the systemic cyber
    event.
    """
    vendors = sorted({s.vendor for s in exposure.systems if s.vendor is not None})
    return ShockExposure(
        vendor_events=tuple((vendor, layer.deductible + layer.limit) for vendor in vendors)
    )


RATER: LineRater[TechFailureExposure] = LineRater(
    name=LINE,
    label="Technology failure",
    exposure_model=TechFailureExposure,
    rate_exposure=rate,
    shock_exposure_of=shock_exposure,
    accumulates_to_countries=False,
)
