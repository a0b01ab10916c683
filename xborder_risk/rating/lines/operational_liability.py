"""Operational liability: third-party claims from personnel, fleets, detention and use of force.

Formula: ``docs/rating.md`` ("Operational liability").  Components: personnel (role-weighted
hours, use-of-force and detention factors), the insured's own losses entering through the generic
experience rating (``rating/experience.py``),
vehicles, vessels, aircraft, detention class actions and use-of-force class actions, each a
lognormal severity from the tables.  Common shock: the political event of each country of
operation, on an equal share of the layer's exhaustion point; the line's losses are attributed to
those countries in equal shares.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Final

from xborder_risk.engine import Layer
from xborder_risk.exposure import Line, OperationalLiabilityExposure, Submission
from xborder_risk.rating.lines._base import (
    Component,
    LineRater,
    LineRating,
    LineSheet,
    Rated,
    RatingContext,
    ShockExposure,
    finish_lognormal,
    relativity,
)
from xborder_risk.rating.tables import RatingTables

__all__ = ["RATER", "rate", "shock_exposure"]

LINE: Final[Line] = "operational_liability"


def rate(context: RatingContext, exposure: OperationalLiabilityExposure) -> LineRating:
    """Rate an operational-liability exposure: personnel, fleets, drones, detention, class actions.

    Parameters
    ----------
    context : RatingContext
        The submission being rated and its tables.
    exposure : OperationalLiabilityExposure
        The submission's operational-liability exposure.

    Returns
    -------
    LineRating
        The line's loss model (negative binomial count with the personnel row's ``nb_beta``,
        mixture of the components' lognormal severities) and its worksheet rows.  The
        components ``vehicles`` and ``drones`` are named so that an exclusion can remove them.
    """
    tables = context.tables
    sheet = LineSheet(LINE)
    rated: list[Rated] = []
    uof = "yes" if exposure.use_of_force_authorised else "no"
    detention = "yes" if exposure.detention_facilities > 0 else "no"
    venue = _venue_factors(tables, exposure)
    indemnity = tables.lookup(
        "liability_factors", factor="government_indemnity", level=exposure.government_indemnity
    )

    def finish(component: Component, sev: Mapping[str, Any], table: str = "severity_base") -> Rated:
        key = f"{LINE}/{context.kind}/{component.name}"
        severity = finish_lognormal(component, float(sev["sigma"]), table, key)
        return Rated(component, severity)

    def apply_venue(component: Component) -> None:
        component.scale_frequency("venue (frequency)", "liability_venue", venue[2], venue[0])
        component.scale_severity("venue (severity)", "liability_venue", venue[2], venue[1])

    def apply_indemnity(component: Component) -> None:
        component.scale_frequency(
            f"government indemnity / immunity = {exposure.government_indemnity}",
            "liability_factors",
            f"government_indemnity/{exposure.government_indemnity}",
            float(indemnity["frequency_factor"]),
        )

    # Personnel: role-weighted personnel-hours (armed hours weighted up), then powers.
    component, personnel_base, sev = context.base_component(sheet, "personnel", "claims")
    unit = tables.parameter("personnel_hours_unit")
    armed = tables.lookup("liability_factors", factor="armed", level="yes")
    armed_freq, armed_sev = float(armed["frequency_factor"]), float(armed["severity_factor"])
    weighted_hours = 0.0
    armed_weighted_hours = 0.0
    field_officer_hours = 0.0
    for group in exposure.personnel:
        role_factor, _ = tables.relativity(LINE, "role", group.role)
        hours = group.annual_hours * role_factor
        armed_hours = hours * group.armed_share
        weighted_hours += hours - armed_hours + armed_hours * armed_freq
        armed_weighted_hours += armed_hours * armed_freq
        if group.role == "field_officer":
            field_officer_hours += group.annual_hours * (
                1.0 + (armed_freq - 1.0) * group.armed_share
            )
        component.note(
            f"{group.role}: {group.headcount} x {group.annual_hours_per_person:g} h x role factor"
            f", armed share {group.armed_share:g}",
            "relativities",
            f"{LINE}/role/{group.role} ({role_factor:g})",
            hours,
        )
    component.scale_frequency(
        "exposure units = role-weighted hours (armed hours x armed factor) / unit",
        "liability_factors",
        f"armed/yes ({armed_freq:g}); {weighted_hours:g} h / {unit:g}",
        weighted_hours / unit,
    )
    armed_claim_share = armed_weighted_hours / weighted_hours if weighted_hours > 0 else 0.0
    component.scale_severity(
        "armed: 1 + (severity factor - 1) x armed share of claims",
        "liability_factors",
        f"armed/yes ({armed_sev:g}), share {armed_claim_share:.4g}",
        1.0 + (armed_sev - 1.0) * armed_claim_share,
    )
    relativity(component, tables, LINE, "use_of_force", uof)
    relativity(component, tables, LINE, "detention", detention)
    apply_venue(component)
    apply_indemnity(component)
    if exposure.claims_last_five_years is not None:
        context.messages.append(
            "operational_liability.claims_last_five_years is no longer rated (one count has no "
            "exposure, amounts or claim threshold to compare like with like); give "
            "loss_history.operational_liability for experience rating (docs/experience.md)"
        )
    context.apply_period(component)
    rated.append(finish(component, sev))

    # Fleets: vehicles (the motor exclusion removes this component by name), vessels, aircraft.
    for fleet, field_name, count in (
        ("vehicles", "vehicles", exposure.vehicles),
        ("vessel", "vessels", exposure.vessels),
        ("aircraft", "aircraft", exposure.aircraft),
    ):
        component, _, sev = context.base_component(sheet, fleet, "claims")
        component.scale_frequency(
            f"{field_name} operated",
            "submission",
            f"{LINE}.{field_name}",
            float(count),
        )
        apply_venue(component)
        if fleet != "vehicles":
            apply_indemnity(component)
        context.apply_period(component)
        rated.append(finish(component, sev))

    rated.append(_drones(context, sheet, exposure, apply_venue))

    # Detainee claims: per custody-day, batched into one occurrence by a batch clause.
    component, row = _own_component(context, sheet, "detainee_claims")
    component.scale_frequency(
        "custody-days / unit",
        "submission",
        f"{LINE}.detainee_custody_days ({exposure.detainee_custody_days:g})",
        exposure.detainee_custody_days / float(row["units_per_exposure"]),
    )
    relativity(component, tables, LINE, "use_of_force", uof)
    apply_venue(component)
    apply_indemnity(component)
    _apply_batch_clause(component, row, exposure.batch_clause)
    context.apply_period(component)
    rated.append(finish(component, row, "liability_components"))

    component, _, sev = context.base_component(sheet, "detention_class_action", "claims")
    component.scale_frequency(
        "detention facilities",
        "submission",
        f"{LINE}.detention_facilities",
        float(exposure.detention_facilities),
    )
    relativity(component, tables, LINE, "use_of_force", uof, severity=False)
    apply_venue(component)
    apply_indemnity(component)
    context.apply_period(component)
    rated.append(finish(component, sev))

    component, _, sev = context.base_component(sheet, "use_of_force_class_action", "claims")
    hours_unit = tables.parameter("class_action_hours_unit")
    authorised = 1.0 if exposure.use_of_force_authorised else 0.0
    component.scale_frequency(
        "field-officer hours (armed hours x armed factor) / unit",
        "parameters",
        f"{field_officer_hours:g} h / {hours_unit:g}",
        field_officer_hours / hours_unit,
    )
    component.scale_frequency(
        "use of force authorised (1 = yes, 0 = no)",
        "submission",
        f"{LINE}.use_of_force_authorised",
        authorised,
    )
    apply_venue(component)
    apply_indemnity(component)
    context.apply_period(component)
    rated.append(finish(component, sev))
    # One count for the line: the components share the personnel row's beta (checked on load).
    beta = float(personnel_base["nb_beta"])
    return context.finish(sheet, rated, beta)


def _venue_factors(
    tables: RatingTables, exposure: OperationalLiabilityExposure
) -> tuple[float, float, str]:
    """Frequency and severity venue factors, the mean over the countries of operation.

    Each country uses its ``liability_venue`` row (or ``default``); with US litigation
    exposure each takes the larger of its own and the ``us_forum`` factors.  The exposure does
    not split staff by country, so the countries weigh equally.
    """
    rows = {str(row["venue"]): row for row in tables.table("liability_venue").to_dict("records")}
    forum = rows["us_forum"]
    freqs: list[float] = []
    sevs: list[float] = []
    keys: list[str] = []
    for code in sorted(exposure.countries):
        row = rows.get(code, rows["default"])
        freq, sev = float(row["frequency_factor"]), float(row["severity_factor"])
        name = code if code in rows else f"{code}->default"
        if exposure.us_litigation_exposure:
            freq = max(freq, float(forum["frequency_factor"]))
            sev = max(sev, float(forum["severity_factor"]))
            name += "+us_forum"
        freqs.append(freq)
        sevs.append(sev)
        keys.append(name)
    return (
        math.fsum(freqs) / len(freqs),
        math.fsum(sevs) / len(sevs),
        "mean of " + ", ".join(keys),
    )


def _own_component(
    context: RatingContext, sheet: LineSheet, name: str
) -> tuple[Component, Mapping[str, Any]]:
    """A component started on its ``liability_components`` row, median in submission currency."""
    row = context.tables.lookup("liability_components", component=name)
    component = Component(
        sheet,
        name,
        frequency=float(row["frequency_per_unit"]),
        frequency_source=(
            f"base claims per {row['exposure_unit']}",
            "liability_components",
            f"{name} ({row['source']}, {row['status']})",
        ),
        severity_parameter="median",
        severity=float(row["median"]),
        severity_source=(f"base median ({row['currency']})", "liability_components", name),
    )
    fx, fx_key = context.fx_factor(str(row["currency"]))
    component.scale_severity("FX to submission currency", "fx", fx_key, fx)
    return component, row


def _drones(
    context: RatingContext,
    sheet: LineSheet,
    exposure: OperationalLiabilityExposure,
    apply_venue: Callable[[Component], None],
) -> Rated:
    """The ``drones`` component: drone-years by mass class and operating category.

    Frequency: sum over groups of count x mass factor x category factor.  Severity median:
    the frequency-weighted mean of the groups' severity factors (one lognormal for the
    component, an approximation of the mixture of the groups).
    """
    tables = context.tables
    component, row = _own_component(context, sheet, "drones")
    weighted = 0.0
    severity_weight = 0.0
    for group in exposure.drones:
        mass = tables.lookup("liability_factors", factor="drone_mass", level=group.mass_class)
        category = tables.lookup(
            "liability_factors", factor="drone_category", level=group.operating_category
        )
        freq = group.count * float(mass["frequency_factor"]) * float(category["frequency_factor"])
        weighted += freq
        severity_weight += (
            freq * float(mass["severity_factor"]) * float(category["severity_factor"])
        )
        component.note(
            f"{group.count} drones {group.mass_class} / {group.operating_category}",
            "liability_factors",
            f"drone_mass/{group.mass_class}, drone_category/{group.operating_category}",
            freq,
        )
    component.scale_frequency(
        "drone-years weighted by mass and category", "submission", f"{LINE}.drones", weighted
    )
    component.scale_severity(
        "severity factor (frequency-weighted mean over groups)",
        "liability_factors",
        "drone_mass x drone_category",
        severity_weight / weighted if weighted > 0 else 1.0,
    )
    apply_venue(component)
    context.apply_period(component)
    key = f"{LINE}/{context.kind}/drones"
    return Rated(
        component, finish_lognormal(component, float(row["sigma"]), "liability_components", key)
    )


def _apply_batch_clause(component: Component, row: Mapping[str, Any], batch_clause: bool) -> None:
    """A batch clause makes ``batch_size`` claims of one cause one occurrence.

    The occurrence count falls by ``batch_size`` and the occurrence's median rises by it: the
    ground-up expected loss is unchanged, one deductible and one limit apply to the batch.
    """
    size = float(row["batch_size"]) if batch_clause else 1.0
    key = f"batch_size {row['batch_size']:g}" if batch_clause else "no batch clause"
    component.scale_frequency(
        "batch clause: occurrences per claim", "liability_components", key, 1.0 / size
    )
    component.scale_severity(
        "batch clause: claims per occurrence", "liability_components", key, size
    )


def shock_exposure(
    submission: Submission, exposure: OperationalLiabilityExposure, layer: Layer
) -> ShockExposure:
    """Each country of operation's political event, on an equal share of ``deductible + limit``.

    The exposure does not split staff by country, so each of the ``k`` countries of operation
    is exposed for ``(deductible + limit) / k`` and carries ``1 / k`` of the line's losses.
    """
    operated = sorted(exposure.countries)
    exhaustion = layer.deductible + layer.limit
    return ShockExposure(
        country_events=tuple((code, exhaustion / len(operated)) for code in operated),
        attribution=tuple((code, 1.0 / len(operated)) for code in operated),
    )


RATER: LineRater[OperationalLiabilityExposure] = LineRater(
    name=LINE,
    label="Operational liability",
    exposure_model=OperationalLiabilityExposure,
    rate_exposure=rate,
    shock_exposure_of=shock_exposure,
    accumulates_to_countries=True,
)
