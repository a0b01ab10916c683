"""Technology failure: outages of the insured's border systems, one component per system.

Formula: ``docs/rating.md`` ("Technology failure").  Frequency: base outages per
system-country-year x deployment countries x system-type, redundancy, age and vendor-support
factors x policy period.  Severity: lognormal outage cost, median = median outage hours (by system
type) x hourly outage cost (``daily_outage_cost / 24``).  No common-shock exposure of its own (a
traveller-data platform connects the policy's cyber line to the systemic cyber event, see
:mod:`xborder_risk.rating.lines.cyber`).
"""

from __future__ import annotations

import math
from typing import Final

from xborder_risk.engine import Layer
from xborder_risk.exposure import Line, Submission, TechFailureExposure
from xborder_risk.rating.lines._base import (
    ZERO_LINE_SEVERITY,
    Component,
    LineRater,
    LineRating,
    LineSheet,
    Rated,
    RatingContext,
    ShockExposure,
    finish_lognormal,
    relativity,
    safe_log,
)

__all__ = ["RATER", "rate", "shock_exposure"]

LINE: Final[Line] = "tech_failure"


def rate(context: RatingContext, exposure: TechFailureExposure) -> LineRating:
    """Rate a technology-failure exposure: one component per system.

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
        the systems' lognormal outage costs) and its worksheet rows.
    """
    tables = context.tables
    sheet = LineSheet(LINE)
    base = tables.lookup("frequency_base", line=LINE, insured_kind=context.kind, component="outage")
    rated: list[Rated] = []
    for system in exposure.systems:
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
        relativity(component, tables, LINE, "system_type", system.system_type, severity=False)
        relativity(component, tables, LINE, "redundancy", system.redundancy)
        age_freq, age_sev, band = tables.band(LINE, "system_age_years", system.age_years)
        key = f"{LINE}/system_age_years/{band}"
        component.scale_frequency(
            f"age {system.age_years:g} years (frequency)", "bands", key, age_freq
        )
        component.scale_severity(
            f"age {system.age_years:g} years (severity)", "bands", key, age_sev
        )
        relativity(component, tables, LINE, "vendor_support", system.vendor_support)
        context.apply_period(component)
        component.rename_severity(
            "median",
            "hourly outage cost (daily_outage_cost / 24)",
            "submission",
            f"{system.system_id}.daily_outage_cost={system.daily_outage_cost:g}",
            system.daily_outage_cost / 24.0,
            safe_log(system.daily_outage_cost) - math.log(24.0),
        )
        if system.daily_outage_cost == 0.0:
            component.scale_frequency(
                "no outage cost: no insured loss", "submission", system.system_id, 0.0
            )
            rated.append(Rated(component, ZERO_LINE_SEVERITY))
            continue
        sigma = float(duration["sigma"])
        severity = finish_lognormal(component, sigma, "outage_duration", system.system_type)
        rated.append(Rated(component, severity))
    return context.finish(sheet, rated, float(base["nb_beta"]))


def shock_exposure(
    submission: Submission, exposure: TechFailureExposure, layer: Layer
) -> ShockExposure:
    """None: an outage of the insured's own systems is not a common shock of the book."""
    return ShockExposure()


RATER: LineRater[TechFailureExposure] = LineRater(
    name=LINE,
    label="Technology failure",
    exposure_model=TechFailureExposure,
    rate_exposure=rate,
    shock_exposure_of=shock_exposure,
    accumulates_to_countries=False,
)
