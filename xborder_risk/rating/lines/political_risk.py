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
from typing import Final

from xborder_risk.engine import Layer
from xborder_risk.exposure import Line, PoliticalRiskExposure, Submission
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
        of capped lognormal severities) and its worksheet rows.
    """
    tables = context.tables
    sheet = LineSheet(LINE)
    minimum_term = tables.parameter("minimum_payment_term_years")
    rated: list[Rated] = []
    for index, contract in enumerate(exposure.contracts):
        path = f"{LINE}.contracts[{index}].host_country"
        country = context.country(contract.host_country, path)
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
            component = Component(
                sheet,
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
            years_at_risk = min(contract.remaining_term_years, context.period)
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
            if value_at_risk == 0.0:
                component.scale_frequency(
                    "nothing at risk: no insured loss", "submission", contract.contract_id, 0.0
                )
                rated.append(Rated(component, ZERO_LINE_SEVERITY))
                continue
            sigma = float(severity_row["sigma"])
            base = finish_lognormal(component, sigma, "political_severity", peril)
            rated.append(Rated(component, Capped(base=base, cap=value_at_risk)))
    return context.finish(sheet, rated, tables.parameter("political_risk_nb_beta"))


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
