"""The quote: rate -> simulate -> price -> reserve, with its provenance.

>>> from xborder_risk import quote, Submission
>>> sub = Submission.from_file("examples/submissions/eu_egates_contractor.yaml")  # doctest: +SKIP
>>> q = quote(sub, n_years=100_000, seed=2026)  # doctest: +SKIP
>>> q.to_frame()[["expected_loss", "gross_premium", "best_estimate_reserve"]]  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import xborder_risk
from xborder_risk import measures, pricing
from xborder_risk._validation import check_int, check_probability, check_real
from xborder_risk.engine import SimulationResult, simulate
from xborder_risk.errors import ParameterError, XBorderRiskError, XBorderRiskWarning
from xborder_risk.exposure import Submission
from xborder_risk.pricing import (
    CostOfCapital,
    Loadings,
    PremiumBuildUp,
    PremiumPrinciple,
    price_lines,
)
from xborder_risk.rating import RatedSubmission, RatingTables, rate
from xborder_risk.rating.tables import PREMIUM_TAX_TABLE
from xborder_risk.reserves import PaymentPattern, reserve_lines
from xborder_risk.reserves._unpaid import check_technique

__all__ = [
    "DEFAULT_N_YEARS",
    "DEFAULT_SEED",
    "QUOTE_COLUMNS",
    "PricingBasis",
    "Quote",
    "ReproducibilityError",
    "quote",
    "reproduce",
]

DEFAULT_N_YEARS = 100_000
DEFAULT_SEED = 2026

#: Columns of :meth:`Quote.to_frame`, in order (currency units per policy period).
QUOTE_COLUMNS: tuple[str, ...] = (
    "expected_loss",
    "expected_loss_se",
    "std",
    "var_99_5",
    "var_99_5_se",
    "tvar_99",
    "tvar_99_se",
    "risk_load",
    *PremiumBuildUp.STEPS,
    "best_estimate_reserve",
    "risk_adjustment",
    "scr",
    "risk_margin",
)
_PRICING_COLUMNS = ("risk_load", *PremiumBuildUp.STEPS)


class ReproducibilityError(XBorderRiskError):
    """A quote record does not match the submission or tables it is re-run with."""


@dataclass(frozen=True)
class PricingBasis:
    """How a quote turns simulated losses into premium and reserves.

    Parameters
    ----------
    principle : PremiumPrinciple, optional
        Premium principle applied to the policy's total loss over the policy period.
        Default (None): cost of capital at 10 % a year on TVaR 99 % minus the mean, held
        over the policy period, ``CostOfCapital(period_years=P)`` with ``P`` the
        submission's ``policy_period_years`` (illustrative market-typical figures);
        :func:`quote` makes it concrete (:meth:`for_submission`). An explicit
        :class:`~xborder_risk.pricing.CostOfCapital` is used as given, so set its
        ``period_years`` for a policy period other than one year.
    loadings : Loadings
        Expenses, commission, profit margin, tax and minimum premium. Default: 12 %
        expenses, 10 % commission, 5 % profit (illustrative, not from a market study).
        Its ``tax_rate`` must be 0 while ``country_premium_tax`` is True.
    allocation_level : float
        Level of the co-TVaR allocation of the risk load to lines.
    risk_adjustment_confidence : float
        Confidence level of the IFRS 17 risk adjustment on the unpaid losses.
    risk_adjustment_technique : {"cte", "quantile"}
        Technique of the risk adjustment: ``"cte"`` (default), TVaR at the confidence level
        minus the mean, never negative; ``"quantile"``, the quantile minus the mean, negative
        for a line loss-free in most years (:meth:`UnpaidResult.risk_adjustment
        <xborder_risk.reserves.UnpaidResult.risk_adjustment>`, docs/reserves.md).
    scr_level : float
        Level of the one-year SCR quantile (Solvency II: 99.5 %).
    coc_rate : float
        Cost-of-capital rate of the risk margin (Solvency II: 6 %).
    country_premium_tax : bool
        True (default): :func:`quote` takes the premium tax from the rating tables'
        ``premium_tax`` table for the insured's home country (``insured.home_country``: for
        risks other than buildings, vehicles and travel the risk is situated where the
        policyholder is established, Directive 2009/138/EC Art. 13(13)(d)) and uses it as
        ``loadings.tax_rate``; a country without a row, or tables without the table, give no
        tax and a message. False: ``loadings.tax_rate`` is used as given.

    Raises
    ------
    ParameterError
        On a parameter outside its domain, or if ``country_premium_tax`` is True and
        ``loadings.tax_rate`` is not 0 (give one or the other).
    """

    principle: PremiumPrinciple | None = None
    loadings: Loadings = field(
        default_factory=lambda: Loadings(expense_ratio=0.12, commission=0.10, profit_margin=0.05)
    )
    allocation_level: float = 0.99
    risk_adjustment_confidence: float = 0.75
    risk_adjustment_technique: str = "cte"
    scr_level: float = 0.995
    coc_rate: float = 0.06
    country_premium_tax: bool = True

    def __post_init__(self) -> None:
        if self.principle is not None and not isinstance(self.principle, PremiumPrinciple):
            raise ParameterError(
                "PricingBasis", "principle", self.principle, "must be a PremiumPrinciple"
            )
        if not isinstance(self.loadings, Loadings):
            raise ParameterError("PricingBasis", "loadings", self.loadings, "must be Loadings")
        for name in ("allocation_level", "risk_adjustment_confidence", "scr_level"):
            object.__setattr__(
                self, name, check_probability("PricingBasis", name, getattr(self, name))
            )
        check_technique("PricingBasis", "risk_adjustment_technique", self.risk_adjustment_technique)
        object.__setattr__(
            self,
            "coc_rate",
            check_real("PricingBasis", "coc_rate", self.coc_rate, lower=0.0, upper=1.0),
        )
        if not isinstance(self.country_premium_tax, bool):
            raise ParameterError(
                "PricingBasis",
                "country_premium_tax",
                self.country_premium_tax,
                "must be True or False",
            )
        if self.country_premium_tax and self.loadings.tax_rate != 0.0:
            raise ParameterError(
                "PricingBasis",
                "country_premium_tax / loadings.tax_rate",
                self.loadings.tax_rate,
                "conflict: give one or the other. country_premium_tax=True takes the premium "
                "tax from the rating tables (insured's home country) and needs "
                "loadings.tax_rate=0; set country_premium_tax=False to use loadings.tax_rate",
            )

    def for_submission(self, submission: Submission) -> PricingBasis:
        """This basis with the default principle made concrete for ``submission``.

        The default cost of capital holds the capital over the whole policy period:
        ``CostOfCapital(period_years=submission.policy_period_years)`` (docs/pricing.md).
        A basis with a principle is returned unchanged.
        """
        if self.principle is not None:
            return self
        period = submission.policy_period_years
        return dataclasses.replace(self, principle=CostOfCapital(period_years=period))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record from which :meth:`from_dict` rebuilds the basis."""
        return {
            "principle": None
            if self.principle is None
            else {
                "type": type(self.principle).__name__,
                "parameters": dataclasses.asdict(self.principle),  # type: ignore[call-overload]
            },
            "loadings": dataclasses.asdict(self.loadings),
            "allocation_level": self.allocation_level,
            "risk_adjustment_confidence": self.risk_adjustment_confidence,
            "risk_adjustment_technique": self.risk_adjustment_technique,
            "scr_level": self.scr_level,
            "coc_rate": self.coc_rate,
            "country_premium_tax": self.country_premium_tax,
        }

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> PricingBasis:
        """Rebuild a basis from :meth:`to_dict` output (only the library's principles).

        A record without ``country_premium_tax`` predates the country premium tax: its
        quote used ``loadings.tax_rate`` as given, so the field is read as False. A record
        without ``risk_adjustment_technique`` predates the technique choice: its risk
        adjustment was the quantile minus the mean, so the field is read as ``"quantile"``.
        """
        principle_record = record["principle"]
        principle: PremiumPrinciple | None = None
        if principle_record is not None:
            principle_type = getattr(pricing, str(principle_record["type"]), None)
            if not (
                isinstance(principle_type, type) and issubclass(principle_type, PremiumPrinciple)
            ):
                raise ReproducibilityError(
                    f"unknown premium principle {principle_record['type']!r} in the quote record"
                )
            principle = principle_type(**principle_record["parameters"])
        return cls(
            principle=principle,
            loadings=Loadings(**record["loadings"]),
            allocation_level=record["allocation_level"],
            risk_adjustment_confidence=record["risk_adjustment_confidence"],
            risk_adjustment_technique=record.get("risk_adjustment_technique", "quantile"),
            scr_level=record["scr_level"],
            coc_rate=record["coc_rate"],
            country_premium_tax=record.get("country_premium_tax", False),
        )


def submission_sha256(submission: Submission) -> str:
    """sha256 of the submission's canonical JSON (sorted keys, no whitespace)."""
    canonical = json.dumps(
        json.loads(submission.to_json(indent=None)), sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True, eq=False)
class Quote:
    """Premium and reserve estimates for one submission.

    Attributes
    ----------
    submission : Submission
        What was quoted.
    rated : RatedSubmission
        The loss models per line and the rating worksheet.
    simulation : SimulationResult
        The simulated year-loss table (currency units per policy period).
    pricing : PricingResult
        Premium per line and total.
    reserves : pandas.DataFrame
        Reserves per line and total at :attr:`valuation_date`.
    valuation_date : datetime.date
        Date of the reserve valuation (inception by default).
    basis : PricingBasis
        The pricing and reserving parameters as given, with the default principle made
        concrete for the submission's policy period (:meth:`PricingBasis.for_submission`).
        With ``country_premium_tax`` its ``loadings.tax_rate`` is 0: the applied loadings,
        tax rate included, are :attr:`loadings`.
    provenance : dict
        What reproduces the quote bit for bit (see :func:`reproduce`).
    """

    submission: Submission
    rated: RatedSubmission
    simulation: SimulationResult
    pricing: pricing.PricingResult
    reserves: pd.DataFrame
    valuation_date: dt.date
    basis: PricingBasis
    provenance: dict[str, Any]

    @property
    def currency(self) -> str:
        """ISO 4217 currency of every amount."""
        return self.rated.currency

    @property
    def lines(self) -> tuple[str, ...]:
        """The quoted lines."""
        return self.simulation.lines

    @property
    def loadings(self) -> Loadings:
        """The loadings applied in the gross-up, with the premium tax rate actually used."""
        return self.pricing.loadings

    @property
    def premium_tax(self) -> Mapping[str, Any]:
        """Where the premium tax rate came from (also ``provenance["premium_tax"]``).

        Keys: ``rate`` (fraction of the premium before tax), ``status`` (``table_row``: the
        rating tables' rate for ``country``; ``no_row``: the table has no row for
        ``country``, rate 0; ``no_table``: the tables have no premium-tax table, rate 0;
        ``loadings``: ``loadings.tax_rate`` as given, ``country_premium_tax=False``),
        ``country``, ``table``, ``file``, ``key``, ``table_version`` and ``basis`` (what the
        rate is, from the table's ``basis`` column), None where they do not apply.
        """
        record: Mapping[str, Any] = self.provenance["premium_tax"]
        return record

    @property
    def worksheet(self) -> pd.DataFrame:
        """The rating worksheet: how every frequency and severity figure was built."""
        return self.rated.worksheet

    @property
    def messages(self) -> tuple[str, ...]:
        """Notes for the underwriter from rating and from the Monte Carlo checks."""
        return self.rated.messages + tuple(self.provenance.get("warnings", ()))

    @property
    def premium_build_up(self) -> pd.DataFrame:
        """The total's gross-up from technical to gross premium, step by step."""
        return self.pricing.build_up.to_frame()

    def to_frame(self) -> pd.DataFrame:
        """One row per line and a ``total`` row; columns :data:`QUOTE_COLUMNS`.

        Amounts in :attr:`currency` per policy period. ``_se`` columns are Monte Carlo
        standard errors. The total's VaR, TVaR, SCR and risk adjustment are of the total
        loss (diversified), not sums of the lines; its premiums are sums of the lines.
        """
        summary = self.simulation.summary(levels=(0.99, 0.995))
        prices = self.pricing.table
        frame = pd.DataFrame(index=pd.Index([*self.lines, "total"], name="line"))
        frame["expected_loss"] = prices["expected_loss"]
        frame["expected_loss_se"] = summary["mean_se"]
        frame["std"] = summary["std"]
        for column in ("var_99_5", "var_99_5_se", "tvar_99", "tvar_99_se"):
            frame[column] = summary[column]
        for column in _PRICING_COLUMNS:
            frame[column] = prices[column]
        for column in ("best_estimate_reserve", "risk_adjustment", "scr", "risk_margin"):
            frame[column] = self.reserves[column]
        frame.attrs["currency"] = self.currency
        return frame[list(QUOTE_COLUMNS)]

    def ep_curves(self, return_periods: tuple[float, ...] | None = None) -> pd.DataFrame:
        """AEP and OEP curves of every line and the total (long format)."""
        curves = [
            self.simulation.ep_curve(kind, line, return_periods)
            for kind in ("aep", "oep")
            for line in (*self.lines, None)
        ]
        return pd.concat(curves, ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record: the quote table, build-up, reserves, messages, provenance.

        ``reserves`` is the whole reserve table (paid, case, IBNR, quantiles, risk
        adjustment, SCR, risk margin per line and total), ``quote`` the columns of
        :meth:`to_frame`.
        """
        table = self.to_frame()
        return {
            "currency": self.currency,
            "lines": list(self.lines),
            "quote": {
                line: {k: _json_number(v) for k, v in row.items()}
                for line, row in table.to_dict(orient="index").items()
            },
            "reserves": {
                str(line): {str(k): _json_number(v) for k, v in row.items()}
                for line, row in self.reserves.to_dict(orient="index").items()
            },
            "premium_build_up": [
                {"step": str(step), "amount": _json_number(amount)}
                for step, amount in self.premium_build_up.itertuples(index=False)
            ],
            "messages": list(self.messages),
            "provenance": self.provenance,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent)


def _json_number(value: object) -> float | str | None:
    number = float(value)  # type: ignore[arg-type]
    if math.isnan(number):
        return None
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return number


def _patterns(tables: RatingTables, lines: tuple[str, ...]) -> dict[str, PaymentPattern]:
    frame = tables.patterns
    return {line: PaymentPattern.from_frame(frame, line) for line in lines}


def _premium_tax(
    basis: PricingBasis, submission: Submission, tables: RatingTables
) -> tuple[Loadings, dict[str, Any], str | None]:
    """The loadings with the premium tax rate to apply, its record and a message (or None).

    With ``basis.country_premium_tax`` the rate is the rating tables' ``premium_tax`` rate of
    the insured's home country (Directive 2009/138/EC Art. 13(13)(d): the risk is situated
    where the policyholder is established); no row or no table gives 0 and a message.
    """
    country = submission.insured.home_country
    record: dict[str, Any] = {
        "rate": basis.loadings.tax_rate,
        "status": "loadings",
        "country": None,
        "table": None,
        "file": None,
        "key": None,
        "table_version": None,
        "basis": None,
    }
    if not basis.country_premium_tax:
        return basis.loadings, record, None
    record["country"] = country
    rule = (
        "the insured's home country, where the risk is situated for this cover "
        "(Directive 2009/138/EC Art. 13(13)(d))"
    )
    fallback = (
        "if a premium tax is due, add a row for it to the premium-tax table or quote with "
        "PricingBasis(country_premium_tax=False, loadings=Loadings(..., tax_rate=...))"
    )
    if not tables.has_premium_tax:
        record.update(rate=0.0, status="no_table")
        note = (
            f"premium tax: the rating tables ({tables.source}) have no premium-tax table "
            f"({PREMIUM_TAX_TABLE}), so no premium tax is charged for {country}, {rule}; "
            f"{fallback}"
        )
        return dataclasses.replace(basis.loadings, tax_rate=0.0), record, note
    entry = tables.manifest["tables"][PREMIUM_TAX_TABLE]
    record.update(
        table=PREMIUM_TAX_TABLE,
        file=str(entry["file"]),
        key={"country": country},
        table_version=str(entry["version"]),
    )
    row = tables.premium_tax_for(country)
    if row is None:
        record.update(rate=0.0, status="no_row")
        note = (
            f"premium tax: {record['file']} has no row for {country}, {rule}: no premium "
            f"tax is charged (rate 0); {fallback}"
        )
        return dataclasses.replace(basis.loadings, tax_rate=0.0), record, note
    rate = float(row["premium_tax_rate"])
    record.update(rate=rate, status="table_row", basis=str(row["basis"]))
    note = (
        f"premium tax: {rate:.2%} of the premium before tax ({row['basis']}; "
        f"{record['file']}, country={country}, version {record['table_version']}), "
        f"{rule}; the tabulated rates are illustrative and not verified against the law"
    )
    return dataclasses.replace(basis.loadings, tax_rate=rate), record, note


def _monte_carlo_warnings(result: SimulationResult) -> list[str]:
    """Flag figures whose Monte Carlo error is large relative to the figure."""
    warnings = []
    for line in (*result.lines, "total"):
        x = result.total if line == "total" else result.annual[:, result.lines.index(line)]
        mean = float(x.mean())
        if mean <= 0:
            continue
        relative = measures.mean_standard_error(x) / mean
        if relative > 0.02:
            warnings.append(
                f"{line}: Monte Carlo standard error of the expected loss is "
                f"{relative:.1%} of it; simulate more years for a stable figure"
            )
        tail = measures.tvar_standard_error(x, 0.99) / max(measures.tvar(x, 0.99), 1e-300)
        if tail > 0.05:
            warnings.append(
                f"{line}: TVaR 99% has a Monte Carlo error of {tail:.1%}; the tail is "
                "heavy or the run short"
            )
    return warnings


def quote(
    submission: Submission,
    n_years: int = DEFAULT_N_YEARS,
    seed: int = DEFAULT_SEED,
    tables: RatingTables | None = None,
    valuation_date: dt.date | str | None = None,
    basis: PricingBasis | None = None,
    *,
    chunk_years: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Quote:
    """Rate, simulate, price and reserve a submission.

    Parameters
    ----------
    submission : Submission
        The validated submission (``Submission.from_file(path)``).
    n_years : int
        Simulated policy periods, ``>= 1``.
    seed : int
        Root seed (``>= 0``); with the same submission, tables and basis the quote is
        bit-identical.
    tables : RatingTables, optional
        Rating tables; the shipped ones by default.
    valuation_date : datetime.date or ISO str, optional
        Reserve valuation date, on or after inception; inception by default (then the
        reserve is the whole expected loss).
    basis : PricingBasis, optional
        Premium principle, loadings and reserving parameters; :class:`PricingBasis` defaults.
        With ``basis.country_premium_tax`` (the default) the premium tax rate is that of
        ``submission.insured.home_country`` in the tables' ``premium_tax`` table (0, with a
        message, for a country without a row or tables without the table); see
        :attr:`Quote.premium_tax`.
    chunk_years : int, optional
        Compute chunk of the simulation (never changes the result).
    progress : callable, optional
        ``progress(years_done, n_years)``, e.g. to drive a progress bar.

    Returns
    -------
    Quote
        Amounts in the submission's currency per policy period.
    """
    if not isinstance(submission, Submission):
        raise ParameterError("quote", "submission", submission, "must be a Submission")
    n_years = check_int("quote", "n_years", n_years, lower=1)
    seed = check_int("quote", "seed", seed, lower=0)
    if tables is None:
        tables = RatingTables.load()
    elif not isinstance(tables, RatingTables):
        raise ParameterError("quote", "tables", tables, "must be RatingTables")
    basis = PricingBasis() if basis is None else basis
    if not isinstance(basis, PricingBasis):
        raise ParameterError("quote", "basis", basis, "must be a PricingBasis")
    basis = basis.for_submission(submission)
    principle = basis.principle
    assert principle is not None  # for_submission makes the default concrete
    valuation = _valuation_date(submission, valuation_date)
    loadings, premium_tax, premium_tax_note = _premium_tax(basis, submission, tables)

    with warnings.catch_warnings(record=True) as caught_rating:
        warnings.simplefilter("always", XBorderRiskWarning)
        rated = rate(submission, tables)
    simulation = simulate(
        rated.models,
        n_years,
        seed=seed,
        chunk_years=chunk_years,
        progress=progress,
        # pricing, reserving and the EP curves hold about five float64 copies of every
        # year-loss column at once: counted by the memory guard (tests/engine/test_memory_guard.py)
        analysis_copies=5,
    )
    priced = price_lines(
        simulation.annual,
        simulation.lines,
        principle,
        loadings,
        basis.allocation_level,
    )
    with warnings.catch_warnings(record=True) as caught:
        # Reserve warnings (a quantile risk adjustment below zero for a heavy right tail, an
        # SCR below zero for rare losses) belong in the quote's messages, where the
        # underwriter reads them, not on stderr.
        warnings.simplefilter("always", XBorderRiskWarning)
        reserves = reserve_lines(
            simulation.annual,
            simulation.lines,
            _patterns(tables, simulation.lines),
            submission.inception_date,
            submission.policy_period_years,
            valuation,
            confidence=basis.risk_adjustment_confidence,
            risk_adjustment_technique=basis.risk_adjustment_technique,
            scr_level=basis.scr_level,
            coc_rate=basis.coc_rate,
        )
    notes = [
        str(w.message)
        for w in (*caught_rating, *caught)
        if issubclass(w.category, XBorderRiskWarning) and str(w.message) not in rated.messages
    ] + _monte_carlo_warnings(simulation)
    if premium_tax_note is not None:
        notes.append(premium_tax_note)
    provenance = {
        "library_version": xborder_risk.__version__,
        "numpy_version": np.__version__,
        "submission_sha256": submission_sha256(submission),
        "table_versions": dict(rated.table_versions),
        "table_checksums": dict(rated.table_checksums),
        "tables_source": rated.tables_source,
        "seed": seed,
        "n_years": n_years,
        "valuation_date": valuation.isoformat(),
        "basis": basis.to_dict(),
        "premium_tax": premium_tax,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "warnings": notes,
    }
    return Quote(
        submission=submission,
        rated=rated,
        simulation=simulation,
        pricing=priced,
        reserves=reserves,
        valuation_date=valuation,
        basis=basis,
        provenance=provenance,
    )


def _valuation_date(submission: Submission, value: dt.date | str | None) -> dt.date:
    if value is None:
        return submission.inception_date
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ParameterError(
                "quote", "valuation_date", value, "must be an ISO date (YYYY-MM-DD)"
            ) from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ParameterError("quote", "valuation_date", value, "must be a date")
    if value < submission.inception_date:
        raise ParameterError(
            "quote",
            "valuation_date",
            value.isoformat(),
            f"must not be before inception ({submission.inception_date.isoformat()})",
        )
    return value


def reproduce(
    provenance: Mapping[str, Any], submission: Submission, tables: RatingTables | None = None
) -> Quote:
    """Re-run a quote from its provenance record, checking it is the same case.

    Raises
    ------
    ReproducibilityError
        If the submission's hash or a rating table's checksum differs from the record,
        or the record names a principle the library does not have.
    """
    if submission_sha256(submission) != provenance["submission_sha256"]:
        raise ReproducibilityError("the submission differs from the one quoted (sha256 mismatch)")
    tables = RatingTables.load() if tables is None else tables
    recorded = provenance["table_checksums"]
    changed = sorted(
        name for name, digest in recorded.items() if tables.checksums.get(name) != digest
    )
    if changed:
        raise ReproducibilityError(f"rating tables changed since the quote: {changed}")
    return quote(
        submission,
        n_years=int(provenance["n_years"]),
        seed=int(provenance["seed"]),
        tables=tables,
        valuation_date=str(provenance["valuation_date"]),
        basis=PricingBasis.from_dict(provenance["basis"]),
    )
