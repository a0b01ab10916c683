"""The international programme: each line's premium by country, local taxes, placement rules.

A quoted line's premium before tax is allocated to the countries of its exposure with the
line's allocation key (:func:`xborder_risk.exposure.programme.allocation_key`), in whole cents
by the largest-remainder method, so the countries sum exactly to the line's premium rounded to
the cent.  Each country's share is taxed at its own premium tax and insured-borne levies
(``programme_tax.csv``, ``premium_levies.csv``), converted to the country's currency with the
dated FX table, and checked against the admitted-cover table.  Countries under comprehensive
sanctions (``sanctions.csv``) are refused before anything is priced (:func:`screen_sanctions`).
Method and sources: ``docs/programme.md``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

import pandas as pd

from xborder_risk.errors import ParameterError
from xborder_risk.exposure import Submission
from xborder_risk.exposure.programme import allocation_key, line_countries
from xborder_risk.pricing.lines import PricingResult
from xborder_risk.pricing.loadings import PremiumBuildUp
from xborder_risk.pricing.market import Referral
from xborder_risk.rating import RatingTables

__all__ = [
    "ADMITTED_TABLE",
    "EEA",
    "LEVIES_TABLE",
    "PROGRAMME_COLUMNS",
    "SANCTIONS_TABLE",
    "TAX_TABLE",
    "ProgrammeResult",
    "SanctionsError",
    "allocate_cents",
    "build_programme",
    "screen_sanctions",
    "with_programme_tax",
]

ADMITTED_TABLE: Final[str] = "admitted_cover"
LEVIES_TABLE: Final[str] = "premium_levies"
SANCTIONS_TABLE: Final[str] = "sanctions"
TAX_TABLE: Final[str] = "programme_tax"

#: The European Economic Area: the 27 EU member states and Iceland, Liechtenstein and Norway
#: (EEA Agreement), where an insurer authorised in one state may cover risks in another under
#: the freedom to provide services (Directive 2009/138/EC Art. 145-152).
EEA: Final[frozenset[str]] = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO".split()
)

#: Columns of :attr:`ProgrammeResult.table` (one row per line and country).
PROGRAMME_COLUMNS: Final[tuple[str, ...]] = (
    "line",
    "country",
    "placement",
    "allocation_weight",
    "allocation_share",
    "premium",
    "premium_tax_rate",
    "premium_tax",
    "levies",
    "insurer_levies",
    "total_payable",
    "local_currency",
    "fx_rate",
    "fx_as_of",
    "local_premium",
    "local_total_payable",
    "local_limit",
    "local_deductible",
    "master_dil",
    "tax_status",
    "tax_source",
)


class SanctionsError(ParameterError):
    """The submission has exposure in a jurisdiction under comprehensive sanctions."""


@dataclass(frozen=True)
class ProgrammeResult:
    """The programme of a quote: the premium of every line by country, its taxes and rules.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per line and country (:data:`PROGRAMME_COLUMNS`).  Amounts in the
        submission's currency per policy period, in whole cents, except ``local_premium`` and
        ``local_total_payable`` (the country's currency, ``local_currency``).  ``placement``:
        ``master`` (the insured's home country), ``local`` (a local admitted policy),
        ``freedom_of_services`` (covered from an EEA master in another EEA state) or
        ``non_admitted``.  ``total_payable`` = premium + premium_tax + levies (insured-borne);
        ``insurer_levies`` are paid out of the premium and not added.  ``master_dil``: the
        master's limit above the local limit (difference in limits), 0 without a local limit.
    bases : mapping of str to str
        Per line, the allocation key in words.
    referrals : tuple of Referral
        Countries placed non-admitted whose law requires admitted cover.
    notes : tuple of str
        Countries without a tax row or an FX rate, and what was assumed.
    """

    table: pd.DataFrame
    bases: Mapping[str, str]
    referrals: tuple[Referral, ...] = ()
    notes: tuple[str, ...] = ()

    def line_totals(self) -> pd.DataFrame:
        """Premium, premium tax, levies and total payable summed per line (exact cents)."""
        amounts = ["premium", "premium_tax", "levies", "insurer_levies", "total_payable"]
        return self.table.groupby("line", sort=False)[amounts].sum()


# --- cents ---------------------------------------------------------------------------------


def _cents(amount: float | Decimal) -> int:
    """An amount rounded half up to whole cents."""
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def allocate_cents(total_cents: int, weights: Sequence[float]) -> list[int]:
    """Split ``total_cents`` in proportion to ``weights`` by the largest-remainder method.

    Each part gets the floor of its exact quota; the cents left over go one each to the parts
    with the largest remainders (ties to the earlier part).  The parts sum to
    ``total_cents`` exactly (Hamilton's method).

    Parameters
    ----------
    total_cents : int
        The amount to split, whole cents, ``>= 0``.
    weights : sequence of float
        Finite weights ``>= 0`` with a positive sum.
    """
    if total_cents < 0:
        raise ParameterError("allocate_cents", "total_cents", total_cents, "must be >= 0")
    floats = [float(w) for w in weights]
    if not floats or any(not math.isfinite(w) or w < 0 for w in floats) or sum(floats) <= 0:
        raise ParameterError(
            "allocate_cents", "weights", list(weights), "must be finite, >= 0, sum > 0"
        )
    exact = [Decimal(str(w)) for w in floats]
    whole = sum(exact)
    quotas = [Decimal(total_cents) * w / whole for w in exact]
    parts = [int(q) for q in quotas]
    left = total_cents - sum(parts)
    order = sorted(range(len(parts)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


# --- screening -----------------------------------------------------------------------------


def _country_fields(data: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every country code in the submission's data with its dotted path."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(value, str) and "country" in str(key):
                yield where, value
            elif key == "countries" and isinstance(value, list):
                for index, code in enumerate(value):
                    yield f"{where}[{index}]", str(code)
            elif key == "allocation" and isinstance(value, Mapping):
                for code in value:
                    yield f"{where}.{code}", str(code)
            else:
                yield from _country_fields(value, where)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _country_fields(item, f"{path}[{index}]")


def screen_sanctions(submission: Submission, tables: RatingTables) -> None:
    """Refuse a submission with any country under comprehensive sanctions.

    Every country of the submission is screened: the insured's home country, every line's
    countries and host countries, and the programme's countries.  Tables without the
    ``sanctions`` table screen nothing.

    Raises
    ------
    SanctionsError
        Naming the first field whose country is listed, the sanctions regime and its source.
    """
    if not tables.has_table(SANCTIONS_TABLE):
        return
    listed = {str(row["country"]): row for row in tables.table(SANCTIONS_TABLE).to_dict("records")}
    data = submission.model_dump(mode="json")
    for path, code in _country_fields(data):
        row = listed.get(code)
        if row is not None:
            raise SanctionsError(
                "quote",
                path,
                code,
                f"is a jurisdiction under {row['regime']} sanctions ({row['authorities']}: "
                f"{row['basis']}; {tables.manifest['tables'][SANCTIONS_TABLE]['file']}): "
                "cover there is refused",
            )


# --- the programme -------------------------------------------------------------------------


def _placement(home: str, country: str, local: bool) -> str:
    if local:
        return "local"
    if country == home:
        return "master"
    if home in EEA and country in EEA:
        return "freedom_of_services"
    return "non_admitted"


def _admitted_rule(tables: RatingTables, country: str, line: str) -> Mapping[str, Any] | None:
    if not tables.has_table(ADMITTED_TABLE):
        return None
    frame = tables.table(ADMITTED_TABLE)
    for key in ((country, line), ("*", line), (country, "*")):
        rows = frame[(frame["country"] == key[0]) & (frame["line"] == key[1])]
        if len(rows):
            return dict(rows.iloc[0])
    return None


def _levies(tables: RatingTables, country: str, placement: str) -> list[Mapping[str, Any]]:
    if not tables.has_table(LEVIES_TABLE):
        return []
    frame = tables.table(LEVIES_TABLE)
    rows = frame[frame["country"] == country].to_dict("records")
    return [
        {str(k): v for k, v in row.items()}
        for row in rows
        if row["applies_to"] == "all" or placement == "local"
    ]


def build_programme(
    submission: Submission,
    tables: RatingTables,
    premiums: Mapping[str, float],
    limits: Mapping[str, float] | None = None,
) -> ProgrammeResult:
    """Allocate each line's premium before tax to its countries and tax it there.

    Parameters
    ----------
    submission : Submission
        The quoted submission (its ``programme`` gives the local policies; without one every
        country is covered from the master).
    tables : RatingTables
        The rating tables (``programme_tax``, ``premium_levies``, ``admitted_cover``, ``fx``).
    premiums : mapping of str to float
        Each line's premium before tax, in the submission's currency per policy period.
    limits : mapping of str to float, optional
        Each line's master per-occurrence limit (``submission.terms`` by default).

    Returns
    -------
    ProgrammeResult
        The country x line table, whose ``premium`` sums per line to the line's premium
        rounded to the cent, with referrals and notes.
    """
    currency = submission.currency
    home = submission.insured.home_country
    terms = {str(k): v for k, v in submission.terms.items()}
    programme = {str(k): v for k, v in (submission.programme or {}).items()}
    rows: list[dict[str, Any]] = []
    bases: dict[str, str] = {}
    referrals: list[Referral] = []
    notes: list[str] = []
    missing_tax: set[str] = set()
    taxes: dict[str, dict[str, Any]] = {}
    if tables.has_table(TAX_TABLE):
        for row in tables.table(TAX_TABLE).to_dict("records"):
            taxes[str(row["country"])] = {str(k): v for k, v in row.items()}
    missing_fx: set[str] = set()
    for line, premium in premiums.items():
        key = allocation_key(submission, line)
        bases[line] = key.basis
        countries = line_countries(submission, line)
        weights = [key.weights[code] for code in countries]
        parts = allocate_cents(_cents(premium), weights)
        total_weight = sum(weights)
        placement_of = programme.get(line)
        master_limit = float(terms[line].limit) if limits is None else float(limits[line])
        for code, weight, cents in zip(countries, weights, parts, strict=True):
            policy = None if placement_of is None else placement_of.local_policy(code)
            placement = _placement(home, code, policy is not None)
            tax = taxes.get(code)
            if tax is None:
                missing_tax.add(code)
            rate = 0.0 if tax is None else float(tax["premium_tax_rate"])
            tax_cents = _cents(Decimal(cents) * Decimal(str(rate)) / 100)
            insured_levies = insurer_levies = 0
            for levy in _levies(tables, code, placement):
                amount = _cents(Decimal(cents) * Decimal(str(float(levy["rate"]))) / 100)
                if levy["borne_by"] == "insured":
                    insured_levies += amount
                else:
                    insurer_levies += amount
            payable = cents + tax_cents + insured_levies
            local_currency = currency if tax is None else str(tax["currency"])
            try:
                fx = tables.convert(1.0, currency, local_currency)
                as_of = str(tables.fx_date(local_currency))
            except Exception:  # no FX rate for the local currency: amounts stay in ours
                missing_fx.add(local_currency)
                local_currency, fx, as_of = currency, 1.0, str(tables.fx_date(currency))
            local_limit = None if policy is None else policy.limit
            rows.append(
                {
                    "line": line,
                    "country": code,
                    "placement": placement,
                    "allocation_weight": weight,
                    "allocation_share": weight / total_weight,
                    "premium": cents / 100,
                    "premium_tax_rate": rate,
                    "premium_tax": tax_cents / 100,
                    "levies": insured_levies / 100,
                    "insurer_levies": insurer_levies / 100,
                    "total_payable": payable / 100,
                    "local_currency": local_currency,
                    "fx_rate": fx,
                    "fx_as_of": as_of,
                    "local_premium": _cents(Decimal(cents) / 100 * Decimal(str(fx))) / 100,
                    "local_total_payable": _cents(Decimal(payable) / 100 * Decimal(str(fx))) / 100,
                    "local_limit": master_limit if local_limit is None else float(local_limit),
                    "local_deductible": (
                        float(terms[line].deductible)
                        if policy is None or policy.deductible is None
                        else float(policy.deductible)
                    ),
                    "master_dil": 0.0 if local_limit is None else master_limit - float(local_limit),
                    "tax_status": "no_row" if tax is None else str(tax.get("status", "")),
                    "tax_source": "" if tax is None else str(tax.get("source", "")),
                }
            )
            if placement == "non_admitted":
                rule = _admitted_rule(tables, code, line)
                if rule is not None and rule["requires_admitted"] == "yes":
                    referrals.append(
                        Referral(
                            line=line,
                            kind="admitted_cover_required",
                            reason=(
                                f"{line} in {code} is covered non-admitted from the master "
                                f"policy ({home}) but {code} requires locally admitted cover "
                                f"({rule['basis']}; status {rule['status']}): issue a local "
                                f"policy in {code} (programme.{line}.local_policies) or refer"
                            ),
                            figure=cents / 100,
                            source=f"{rule['source']} [{ADMITTED_TABLE}.csv]",
                        )
                    )
    if missing_tax:
        notes.append(
            "programme: no premium-tax row for "
            f"{', '.join(sorted(missing_tax))}: no tax charged there (rate 0)"
        )
    if missing_fx:
        notes.append(
            f"programme: no FX rate for {', '.join(sorted(missing_fx))}: local amounts shown "
            f"in {currency}"
        )
    table = pd.DataFrame(rows, columns=list(PROGRAMME_COLUMNS))
    table.attrs["currency"] = currency
    return ProgrammeResult(table=table, bases=bases, referrals=tuple(referrals), notes=tuple(notes))


def with_programme_tax(priced: PricingResult, programme: ProgrammeResult) -> PricingResult:
    """The pricing with each line's premium tax replaced by its programme's local charges.

    A line's ``premium_tax`` becomes the sum of its countries' premium taxes and insured-borne
    levies (whole cents) and its ``gross_premium`` the premium before tax plus that tax, so
    the quote's gross premium rounded to the cent equals the programme's total payable.  The
    total row and the build-up's ``premium_tax`` and ``gross_premium`` follow.
    """
    table = priced.table.copy()
    totals = programme.line_totals().to_dict(orient="index")
    lines = list(priced.lines)
    before_tax = {
        str(line): float(gross) - float(tax)
        for line, gross, tax in zip(
            table.index, table["gross_premium"], table["premium_tax"], strict=True
        )
    }
    taxes = {
        line: _cents(float(totals[line]["premium_tax"])) + _cents(float(totals[line]["levies"]))
        for line in lines
    }
    for line in lines:
        table.loc[line, "premium_tax"] = taxes[line] / 100
        table.loc[line, "gross_premium"] = before_tax[line] + taxes[line] / 100
    total_tax = sum(taxes.values()) / 100
    table.loc["total", "premium_tax"] = total_tax
    table.loc["total", "gross_premium"] = before_tax["total"] + total_tax
    build_up: PremiumBuildUp = dataclasses.replace(
        priced.build_up,
        premium_tax=total_tax,
        gross_premium=priced.build_up.premium_before_tax + total_tax,
    )
    return dataclasses.replace(priced, table=table, build_up=build_up)
