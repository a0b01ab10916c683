"""Cyber: breaches of traveller data and biometric templates, one component.

Formula: ``docs/rating.md`` ("Cyber").  Frequency: base incidents (by insured kind: public
sector or government contractor) x revenue / budget x reachable records x partner connections
x vendor access x security-control credits x policy period.  Severity: lognormal body with a
generalized Pareto tail; the median is a continuous cost curve of the records compromised
(first-party response and business interruption, third-party claims and regulatory costs
with biometric templates weighted), the strictest data-protection regime on the third-party
part, and the control credits with a floor on the combined credit.  Common shock: the systemic cyber
event of a shared traveller-data platform, for a policy with partner connections or a
traveller-data platform among its technology-failure systems.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Final

from xborder_risk.distributions import GeneralizedPareto, Lognormal, Spliced
from xborder_risk.engine import Layer
from xborder_risk.exposure import SECURITY_CONTROLS, CyberExposure, Line, Submission
from xborder_risk.rating._severities import DurationCost
from xborder_risk.rating.lines._base import (
    Component,
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


def _bi_factor(context: RatingContext) -> tuple[float, str]:
    """Share of the business-interruption cost still paid under the waiting / indemnity
    periods: E[min(max(D - w, 0), I - w)] / E[D] for the lognormal interruption D."""
    terms = context.submission.terms[LINE].business_interruption
    if terms is None:
        return 1.0, "no waiting or indemnity period"
    median, _ = context.tables.line_parameter(LINE, "bi_downtime_median_hours")
    sigma, _ = context.tables.line_parameter(LINE, "bi_downtime_sigma")
    downtime = Lognormal(mu=math.log(median), sigma=sigma)
    paid = DurationCost(
        duration=downtime,
        fixed=0.0,
        rates=(1.0,),
        spans=(terms.paid_span_hours,),
        wait=terms.waiting_period_hours,
    )
    key = (
        f"waiting {terms.waiting_period_hours:g} h, indemnity "
        f"{terms.indemnity_hours:g} h, downtime median {median:g} h sigma {sigma:g}"
    )
    return paid.mean() / downtime.mean(), key


def rate(context: RatingContext, exposure: CyberExposure) -> LineRating:
    """Rate a cyber exposure: one incident component, its cost split first / third party.

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

    Notes
    -----
    Median incident cost (``docs/rating.md``, "Cyber")::

        C(r) = C_ref x (max(r, r_min) / r_ref) ** b          (cost curve, IBM 2018 / 2024)
        R1 = reach x (pii + biometric),  R3 = reach x (pii + w_bio x biometric)
        median = C(f R1) x (s_resp + s_bi x bi_terms) + C(f R3) x s_3p x regime x public

    with ``f`` the median breached fraction (fitted to Cyentia IRIS 20/20), then the
    control credits (combined credit floored at ``control_credit_floor``).
    """
    tables = context.tables
    sheet = LineSheet(LINE)
    key = f"{LINE}/{context.kind}/incident"
    component, base, sev = context.base_component(sheet, "incident", "incidents")
    tail = tables.lookup(
        "severity_tail", line=LINE, insured_kind=context.kind, component="incident"
    )

    def par(name: str) -> tuple[float, tuple[str, str]]:
        return tables.line_parameter(LINE, name)

    # -- frequency: revenue / budget, records reachable, partners, vendors ---------------------
    revenue = (
        exposure.annual_revenue
        if exposure.annual_revenue is not None
        else context.submission.insured.annual_revenue
    )
    revenue_currency = (
        context.currency
        if exposure.annual_revenue is not None
        else context.submission.insured.currency
    )
    revenue_usd = revenue * tables.fx_rate(revenue_currency)
    reference, ref_prov = par("revenue_reference_usd")
    elasticity, el_prov = par("revenue_elasticity")
    component.scale_frequency(
        f"revenue / budget {revenue_usd:,.0f} USD: (revenue / {reference:g}) ** {elasticity:g}",
        "line_parameters",
        f"{LINE}/revenue_elasticity",
        (revenue_usd / reference) ** elasticity,
        el_prov if el_prov[1] != "verified" else ref_prov,
    )
    if exposure.controls.segmentation:
        reach, reach_prov = par("segmentation_reach_fraction")
        component.note(
            "share of records reachable (segmented network)",
            "line_parameters",
            f"{LINE}/segmentation_reach_fraction",
            reach,
            reach_prov,
        )
    else:
        reach = 1.0
        component.note(
            "share of records reachable (no segmentation: all)", "submission", "segmentation", 1.0
        )
    reach_records = reach * exposure.total_records
    ref_records, _ = par("cost_reference_records")
    minimum, _ = par("minimum_breach_records")
    rec_el, rec_el_prov = par("records_frequency_elasticity")
    component.scale_frequency(
        f"reachable records {reach_records:,.0f}: (records / 1M) ** {rec_el:g}",
        "line_parameters",
        f"{LINE}/records_frequency_elasticity",
        (max(reach_records, minimum) / ref_records) ** rec_el,
        rec_el_prov,
    )
    connections = float(exposure.partner_connections)
    freq_factor, _, band = tables.band(LINE, "partner_connections", connections)
    component.scale_frequency(
        f"partner_connections={connections:g}",
        "bands",
        f"{LINE}/partner_connections/{band}",
        freq_factor,
    )
    coefficient, vendor_prov = par("vendor_access_coefficient")
    component.scale_frequency(
        f"vendor_access={exposure.vendor_access}: 1 + {coefficient:g} ln(1 + vendors)",
        "line_parameters",
        f"{LINE}/vendor_access_coefficient",
        1.0 + coefficient * math.log1p(exposure.vendor_access),
        vendor_prov,
    )

    # -- severity: cost curve of records, first- and third-party parts -------------------------
    slope, slope_prov = par("cost_records_slope")
    fraction, fraction_prov = par("median_breached_fraction")
    weight, weight_prov = par("biometric_third_party_weight")
    first_records = reach * (exposure.pii_records + exposure.biometric_records)
    third_records = reach * (exposure.pii_records + weight * exposure.biometric_records)

    def curve(records: float) -> float:
        return (max(fraction * records, minimum) / ref_records) ** slope

    component.note(
        "cost curve exponent b (C(r) = C(1M) x (r / 1M) ** b)",
        "line_parameters",
        f"{LINE}/cost_records_slope",
        slope,
        slope_prov,
    )
    component.note(
        "median breached fraction f of reachable records",
        "line_parameters",
        f"{LINE}/median_breached_fraction",
        fraction,
        fraction_prov,
    )
    component.note(
        f"third-party records = reach x (pii + {weight:g} x biometric)",
        "line_parameters",
        f"{LINE}/biometric_third_party_weight",
        third_records,
        weight_prov,
    )
    response_share, response_prov = par("response_share")
    bi_share, bi_prov = par("business_interruption_share")
    third_share, third_prov = par("third_party_share")
    bi_factor, bi_key = _bi_factor(context)
    regimes = {
        code: str(context.country(code, "cyber.countries")["data_protection_regime"])
        for code in exposure.countries
    }
    factors = {
        code: tables.relativity(LINE, "data_protection_regime", r)[1] for code, r in regimes.items()
    }
    strictest = max(factors, key=lambda c: factors[c])
    regime_factor = factors[strictest]
    regime_row = tables.lookup(
        "relativities", line=LINE, factor="data_protection_regime", level=regimes[strictest]
    )
    public = _public_fine_factor(component, context, exposure.countries)
    component.note(
        f"data-protection regime on the third-party part (strictest of "
        f"{','.join(exposure.countries)})",
        "relativities",
        f"{LINE}/data_protection_regime/{regimes[strictest]} ({strictest})",
        regime_factor,
        tables.row_provenance("relativities", regime_row),
    )
    response_part = response_share * curve(first_records)
    bi_part = bi_share * curve(first_records) * bi_factor
    third_part = third_share * curve(third_records) * regime_factor * public
    component.note(
        "first party: response (share x curve)",
        "line_parameters",
        f"{LINE}/response_share",
        response_part,
        response_prov,
    )
    component.note(
        f"first party: business interruption (share x curve x BI terms {bi_factor:.4g})",
        "line_parameters",
        f"{LINE}/business_interruption_share; {bi_key}",
        bi_part,
        bi_prov,
    )
    component.note(
        "third party: claims and regulatory (share x curve x regime x public)",
        "line_parameters",
        f"{LINE}/third_party_share",
        third_part,
        third_prov,
    )
    component.scale_severity(
        "records: first-party + third-party parts of the cost curve",
        "line_parameters",
        f"{LINE}/cost curve",
        response_part + bi_part + third_part,
        provenance=slope_prov if slope_prov[1] == "judgement" else third_prov,
    )

    # -- controls: credits with a documented floor on the combined credit ----------------------
    before_freq, before_sev = component.frequency, component.severity
    for control in SECURITY_CONTROLS:
        if getattr(exposure.controls, control):
            relativity(component, tables, LINE, "security_control", control)
    level, when = _penetration_test_level(
        exposure.controls.last_penetration_test, context.submission.inception_date
    )
    pen_row = tables.lookup("relativities", line=LINE, factor="penetration_test", level=level)
    pen_prov = tables.row_provenance("relativities", pen_row)
    pen_key = f"{LINE}/penetration_test/{level}"
    component.scale_frequency(
        f"penetration test {when}",
        "relativities",
        pen_key,
        float(pen_row["frequency_factor"]),
        pen_prov,
    )
    component.scale_severity(
        f"penetration test {when}",
        "relativities",
        pen_key,
        float(pen_row["severity_factor"]),
        provenance=pen_prov,
    )
    # The combined credit is floored at control_credit_floor by flooring the frequency credit
    # and the severity credit each at its square root: each floor keeps its part monotone, so
    # an added control can never raise the layer loss (a single floor on the product would
    # trade severity for frequency and could).
    floor, floor_prov = par("control_credit_floor")
    part_floor = math.sqrt(floor)
    # A zero running value (an exposure that underflows to no claims) has no credit to floor.
    frequency_credit = component.frequency / before_freq if before_freq > 0.0 else 1.0
    severity_credit = component.severity / before_sev if before_sev > 0.0 else 1.0
    if frequency_credit < part_floor:
        component.scale_frequency(
            f"frequency credit {frequency_credit:.4g} floored at sqrt({floor:g})",
            "line_parameters",
            f"{LINE}/control_credit_floor",
            part_floor / frequency_credit,
            floor_prov,
        )
    if severity_credit < part_floor:
        component.scale_severity(
            f"severity credit {severity_credit:.4g} floored at sqrt({floor:g})",
            "line_parameters",
            f"{LINE}/control_credit_floor",
            part_floor / severity_credit,
            provenance=floor_prov,
        )
    for condition in ("mfa", "offline_backups"):
        if not getattr(exposure.controls, condition):
            message = (
                f"cyber: {condition} is absent; the market usually makes it a condition of "
                "cover (refer)"
            )
            if message not in context.messages:
                context.messages.append(message)
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


def _public_fine_factor(
    component: Component, context: RatingContext, countries: Sequence[str]
) -> float:
    """Factor on the third-party part for the public-sector fine rules of ``countries``.

    For an insured of kind ``agency`` (a public authority) the regulatory-fine share g of the
    third-party part is scaled by the mean over the insured's countries (each equally likely
    to be the regulator of a breach) of ``public_sector_fines.fine_factor`` (``default`` row
    for a country without one); GDPR Art. 83(7) leaves fines on public authorities to each
    member state.  Factor = (1 - g) + g x mean fine factor, dimensionless; 1 for a contractor.
    One worksheet row per country with its row's source and status.
    """
    if context.kind != "agency":
        return 1.0
    tables = context.tables
    share, share_prov = tables.line_parameter(LINE, "regulatory_fine_share")
    keys = set(tables.table("public_sector_fines")["jurisdiction"])
    factors = []
    for code in countries:
        key = code if code in keys else "default"
        row = tables.lookup("public_sector_fines", jurisdiction=key)
        factor = float(row["fine_factor"])
        factors.append(factor)
        cap = float(row["cap_eur"])
        cap_text = "" if math.isinf(cap) or cap == 0.0 else f", cap EUR {cap:,.0f}"
        component.note(
            f"public authority in {code}: fines on public bodies "
            f"{row['fines_on_public_bodies']}{cap_text} (GDPR Art. 83(7))",
            "public_sector_fines",
            f"{key} ({code})" if key != code else key,
            factor,
            tables.row_provenance("public_sector_fines", row),
        )
    mean = sum(factors) / len(factors)
    factor = (1.0 - share) + share * mean
    component.note(
        f"public authority: regulatory share {share:g} of the third-party part x mean fine "
        f"factor {mean:.4g} over {len(factors)} countries",
        "line_parameters",
        f"{LINE}/regulatory_fine_share",
        factor,
        share_prov,
    )
    return factor
