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

from collections.abc import Mapping
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

__all__ = ["RATER", "rate", "shock_exposure"]

LINE: Final[Line] = "operational_liability"


def rate(context: RatingContext, exposure: OperationalLiabilityExposure) -> LineRating:
    """Rate an operational-liability exposure: personnel, fleets and class actions.

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
        mixture of the components' lognormal severities) and its worksheet rows.
    """
    tables = context.tables
    sheet = LineSheet(LINE)
    rated: list[Rated] = []
    uof = "yes" if exposure.use_of_force_authorised else "no"
    detention = "yes" if exposure.detention_facilities > 0 else "no"

    def finish(component: Component, sev: Mapping[str, Any]) -> Rated:
        key = f"{LINE}/{context.kind}/{component.name}"
        severity = finish_lognormal(component, float(sev["sigma"]), "severity_base", key)
        return Rated(component, severity)

    # Personnel: role-weighted personnel-hours, then powers.
    component, personnel_base, sev = context.base_component(sheet, "personnel", "claims")
    unit = tables.parameter("personnel_hours_unit")
    weighted_hours = 0.0
    field_officer_hours = 0.0
    for group in exposure.personnel:
        role_factor, _ = tables.relativity(LINE, "role", group.role)
        weighted_hours += group.annual_hours * role_factor
        if group.role == "field_officer":
            field_officer_hours += group.annual_hours
        component.note(
            f"{group.role}: {group.headcount} x {group.annual_hours_per_person:g} h x role factor",
            "relativities",
            f"{LINE}/role/{group.role} ({role_factor:g})",
            group.annual_hours * role_factor,
        )
    component.scale_frequency(
        "exposure units = role-weighted hours / unit",
        "parameters",
        f"{weighted_hours:g} h / {unit:g}",
        weighted_hours / unit,
    )
    relativity(component, tables, LINE, "use_of_force", uof)
    relativity(component, tables, LINE, "detention", detention)
    if exposure.claims_last_five_years is not None:
        context.messages.append(
            "operational_liability.claims_last_five_years is no longer rated (one count has no "
            "exposure, amounts or claim threshold to compare like with like); give "
            "loss_history.operational_liability for experience rating (docs/experience.md)"
        )
    context.apply_period(component)
    rated.append(finish(component, sev))

    for fleet, field_name, count in (
        ("vehicle", "vehicles", exposure.vehicles),
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
        context.apply_period(component)
        rated.append(finish(component, sev))

    component, _, sev = context.base_component(sheet, "detention_class_action", "claims")
    component.scale_frequency(
        "detention facilities",
        "submission",
        f"{LINE}.detention_facilities",
        float(exposure.detention_facilities),
    )
    relativity(component, tables, LINE, "use_of_force", uof, severity=False)
    context.apply_period(component)
    rated.append(finish(component, sev))

    component, _, sev = context.base_component(sheet, "use_of_force_class_action", "claims")
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
        f"{LINE}.use_of_force_authorised",
        authorised,
    )
    context.apply_period(component)
    rated.append(finish(component, sev))
    # One count for the line: the components share the personnel row's beta (checked on load).
    beta = float(personnel_base["nb_beta"])
    return context.finish(sheet, rated, beta)


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
