"""Political risk: expropriation, contract frustration, political violence, inconvertibility.

Formula: ``docs/rating.md`` ("Political risk").  One component per contract and covered peril:
frequency from the host country's OECD class and the peril, times the counterparty factor and the
years at risk; severity a lognormal loss fraction of the value at risk (assets or contract value,
by peril), capped at that value.  Common shock: the political event of each host country, on the
value there (assets + contract value); the line's losses are attributed to the host countries in
proportion to that value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from xborder_risk.engine import Layer
from xborder_risk.errors import RatingTableError
from xborder_risk.exposure import GovernmentContract, Line, PoliticalRiskExposure, Submission
from xborder_risk.rating._severities import Capped
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
)

__all__ = ["RATER", "rate", "shock_exposure"]

LINE: Final[Line] = "political_risk"


def rate(context: RatingContext, exposure: PoliticalRiskExposure) -> LineRating:
    """Rate a political-risk exposure: one component per contract and covered peril.

    Parameters
    ----------
    context : RatingContext
        The submission being rated and its tables.
    exposure : PoliticalRiskExposure
        The submission's political-risk exposure.

    Returns
    -------
    LineRating
        The line's loss model (negative binomial count with ``political_risk_nb_beta``, mixture
        of capped lognormal severities) and its worksheet rows, closed by each contract's
        minimum premium at the OECD minimum rate (``political_minimum_rate``).
    """
    tables = context.tables
    sheet = LineSheet(LINE)
    minimum_term = tables.parameter("minimum_payment_term_years")
    rated: list[Rated] = []
    floors: list[tuple[str, float, str]] = []
    for index, contract in enumerate(exposure.contracts):
        path = f"{LINE}.contracts[{index}].host_country"
        country = context.country(contract.host_country, path)
        crc = int(country["oecd_crc"])
        years_at_risk = min(contract.remaining_term_years, context.period)
        annual = contract.contract_value / max(contract.remaining_term_years, minimum_term)
        values = {
            "assets_in_country": contract.assets_in_country,
            "contract_value": contract.contract_value,
            "annual_contract_payments": annual,
            "payments_due_in_period": annual * years_at_risk,
        }
        for peril in contract.perils:
            severity_row = tables.lookup("political_severity", peril=peril)
            basis = str(severity_row["value_basis"])
            value_at_risk = float(values[basis])
            frequency, source = _base_frequency(context, contract, peril, crc, country)
            component = Component(
                sheet,
                f"{contract.contract_id}/{peril}",
                frequency=frequency,
                frequency_source=source,
                severity_parameter="median_loss_fraction",
                severity=float(severity_row["median_loss_fraction"]),
                severity_source=(
                    "median loss fraction",
                    "political_severity",
                    f"{peril} ({severity_row['source']}, {severity_row['status']})",
                ),
            )
            _apply_contract_factors(context, component, contract, peril)
            _apply_loss_basis(context, component, contract, peril, severity_row)
            component.scale_frequency(
                "years at risk = min(remaining term, policy period)",
                "submission",
                f"min({contract.remaining_term_years:g}, {context.period:g})",
                years_at_risk,
            )
            component.rename_severity(
                "median",
                f"value at risk ({basis}), also the cap",
                "submission",
                f"{contract.contract_id}.{basis}",
                value_at_risk,
            )
            # The occurrence is capped at the value at risk net of recoveries.
            cap = value_at_risk * (1.0 - float(severity_row["recovery_fraction"]))
            if cap == 0.0 or component.frequency == 0.0:
                component.scale_frequency(
                    "nothing at risk: no insured loss", "submission", contract.contract_id, 0.0
                )
                rated.append(Rated(component, ZERO_LINE_SEVERITY))
                continue
            sigma = float(severity_row["sigma"])
            base = finish_lognormal(component, sigma, "political_severity", peril)
            rated.append(Rated(component, Capped(base=base, cap=cap)))
        floors.append(_minimum_premium(context, contract, crc, values, years_at_risk))
    rating = context.finish(sheet, rated, tables.parameter("political_risk_nb_beta"))
    for contract_id, floor, key in floors:
        sheet.add(
            contract_id,
            "minimum premium = OECD minimum rate x value at risk x years (floor, not a loss)",
            "political_minimum_rate",
            key,
            floor,
            0.0,
            "premium",
            floor,
        )
    sheet.fill_provenance(tables)
    return LineRating(model=rating.model, rows=tuple(MappingProxyType(r) for r in sheet.rows))


def _base_frequency(
    context: RatingContext,
    contract: GovernmentContract,
    peril: str,
    crc: int,
    country: Mapping[str, Any],
) -> tuple[float, tuple[str, str, str]]:
    """Base claims per contract-year: the political-violence index, else the OECD class row.

    Political violence uses ``political_violence_index`` by (country, region), falling back to
    (country, ``all``) and then to the OECD class row of ``political_risk_rates``.
    """
    tables = context.tables
    if peril == "political_violence":
        for region in (contract.region, "all"):
            if region is None:
                continue
            try:
                row = tables.lookup(
                    "political_violence_index", country=contract.host_country, region=region
                )
            except RatingTableError:
                continue
            return float(row["frequency_per_contract_year"]), (
                f"political-violence incidents per contract-year, GPI {row['gpi_score']:g} "
                f"({row['score_year']}; {row['status']})",
                "political_violence_index",
                f"{contract.host_country}/{region} ({row['source']})",
            )
    row = tables.lookup("political_risk_rates", oecd_crc=crc, peril=peril)
    return float(row["frequency_per_contract_year"]), (
        f"claims per contract-year, OECD class {crc} ({country['crc_basis']}; {row['status']})",
        "political_risk_rates",
        f"{crc}/{peril} ({contract.host_country})",
    )


def _apply_contract_factors(
    context: RatingContext, component: Component, contract: GovernmentContract, peril: str
) -> None:
    """Counterparty (national / sub-national), sovereign guarantee and funding source."""
    tables = context.tables
    row = tables.lookup("political_counterparty", counterparty=contract.counterparty, peril=peril)
    component.scale_frequency(
        f"counterparty {contract.counterparty}",
        "political_counterparty",
        f"{contract.counterparty}/{peril} ({row['status']})",
        float(row["frequency_factor"]),
    )
    for factor, level in (
        ("sovereign_guarantee", "yes" if contract.sovereign_guarantee else "no"),
        ("funding_source", contract.funding_source),
    ):
        row = tables.lookup("political_contract_factors", factor=factor, level=level, peril=peril)
        component.scale_frequency(
            f"{factor} = {level}",
            "political_contract_factors",
            f"{factor}/{level}/{peril} ({row['status']})",
            float(row["frequency_factor"]),
        )


def _apply_loss_basis(
    context: RatingContext,
    component: Component,
    contract: GovernmentContract,
    peril: str,
    row: Mapping[str, Any],
) -> None:
    """Known arrears, the waiting period, the 72-hour clause and recoveries (issue 11 item 6).

    * arrears known at inception raise the frequency by ``arrears_factor_per_30_days`` per 30
      days; when they already exceed the peril's waiting period (and the peril responds to
      arrears) the loss is known before inception and excluded;
    * an event becomes a claim only if it is still uncured after the waiting period:
      frequency x ``0.5 ** (waiting_period_days / cure_half_life_days)``, the waiting period
      shortened by known arrears for a peril that responds to them;
    * ``incidents_per_occurrence`` incidents (the 72-hour clause) are one occurrence: the
      frequency falls and the median rises by that number, the ground-up mean is unchanged;
    * a paid loss is reduced by ``recovery_fraction`` (salvage, arrears paid late).
    """
    arrears_factor = float(row["arrears_factor_per_30_days"])
    waiting = float(row["waiting_period_days"])
    key = f"{peril} ({row['status']})"
    if arrears_factor > 0.0 and contract.arrears_days > 0:
        if waiting > 0.0 and contract.arrears_days >= waiting:
            component.scale_frequency(
                f"known arrears of {contract.arrears_days} days exceed the waiting period: "
                "a known loss, excluded",
                "political_severity",
                key,
                0.0,
            )
            message = (
                f"political_risk: contract {contract.contract_id} is {contract.arrears_days} "
                f"days in arrears at inception, beyond the {waiting:g}-day waiting period of "
                f"{peril}; the peril is excluded as a known circumstance"
            )
            if message not in context.messages:
                context.messages.append(message)
        else:
            component.scale_frequency(
                f"known arrears: 1 + {arrears_factor:g} x {contract.arrears_days} / 30",
                "political_severity",
                key,
                1.0 + arrears_factor * contract.arrears_days / 30.0,
            )
    half_life = float(row["cure_half_life_days"])
    if arrears_factor > 0.0:
        # Known arrears have already run part of the waiting period.
        waiting = max(waiting - contract.arrears_days, 0.0)
    component.scale_frequency(
        f"uncured after the waiting period: 0.5 ** ({waiting:g} d / {half_life:g} d)",
        "political_severity",
        key,
        0.5 ** (waiting / half_life),
    )
    grouped = float(row["incidents_per_occurrence"])
    if grouped != 1.0:
        component.scale_frequency(
            "72-hour clause: occurrences per incident", "political_severity", key, 1.0 / grouped
        )
        component.scale_severity(
            "72-hour clause: incidents per occurrence", "political_severity", key, grouped
        )
    recovery = float(row["recovery_fraction"])
    component.scale_severity(
        "net of recoveries: 1 - recovery fraction", "political_severity", key, 1.0 - recovery
    )


def _minimum_premium(
    context: RatingContext,
    contract: GovernmentContract,
    crc: int,
    values: Mapping[str, float],
    years_at_risk: float,
) -> tuple[str, float, str]:
    """The contract's minimum premium: OECD minimum rate x largest value at risk x years."""
    row = context.tables.lookup("political_minimum_rate", oecd_crc=crc)
    rate = float(row["minimum_annual_rate"])
    value = max(values["assets_in_country"], values["payments_due_in_period"])
    key = (
        f"class {crc}: {rate:g} x {value:g} x {years_at_risk:g} ({row['source']}, {row['status']})"
    )
    return contract.contract_id, rate * value * years_at_risk, key


def shock_exposure(
    submission: Submission, exposure: PoliticalRiskExposure, layer: Layer
) -> ShockExposure:
    """Each host country's political event, on the value there (assets + contract value).

    The line's losses are attributed to the host countries in proportion to that value (in
    equal shares when every value is zero).
    """
    values: dict[str, float] = {}
    for contract in exposure.contracts:
        values[contract.host_country] = values.get(contract.host_country, 0.0) + (
            contract.assets_in_country + contract.contract_value
        )
    total_value = math.fsum(values.values())
    hosts = sorted(values)
    return ShockExposure(
        country_events=tuple((code, values[code]) for code in hosts),
        attribution=tuple(
            (code, values[code] / total_value if total_value > 0 else 1 / len(values))
            for code in hosts
        ),
    )


RATER: LineRater[PoliticalRiskExposure] = LineRater(
    name=LINE,
    label="Political risk",
    exposure_model=PoliticalRiskExposure,
    rate_exposure=rate,
    shock_exposure_of=shock_exposure,
    accumulates_to_countries=True,
)
