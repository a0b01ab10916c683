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
import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from os import PathLike
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import pydantic
import yaml
from numpy.typing import NDArray
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from xborder_risk import measures, pricing
from xborder_risk._deprecation import warn_deprecated
from xborder_risk._validation import check_int
from xborder_risk._version import __version__
from xborder_risk.engine import Layer, SimulationResult, simulate
from xborder_risk.engine.rng import DEFAULT_STREAM_KEYS, StreamKeys
from xborder_risk.errors import ParameterError, XBorderRiskError, XBorderRiskWarning
from xborder_risk.exposure import Submission, load_json_text, load_yaml_text
from xborder_risk.portfolio.reference import ReferenceBook, book_totals, shock_overlay
from xborder_risk.pricing import (
    CostOfCapital,
    ExpectedValuePrinciple,
    Loadings,
    PremiumBuildUp,
    marginal_risk_loads,
    price_lines,
)
from xborder_risk.pricing import PricingBasis as _PricingBasis
from xborder_risk.pricing.market import (
    LineCover,
    MarketBand,
    MarketTerms,
    Referral,
    check_bands,
    check_cover,
    expected_loss_ratio,
    frame_columns,
    price_market,
    rate_on_line,
)
from xborder_risk.pricing.principles import TargetLossRatio
from xborder_risk.pricing.programme import (
    PROGRAMME_COLUMNS,
    ProgrammeResult,
    build_programme,
    screen_sanctions,
    with_programme_tax,
)
from xborder_risk.rating import RatedSubmission, RatingTables, expected_layer_loss, rate
from xborder_risk.rating.tables import MARKET_BANDS_TABLE, MARKET_TERMS_TABLE, PREMIUM_TAX_TABLE
from xborder_risk.reserves import (
    PaymentPattern,
    ReserveResult,
    ReservingBasis,
    Valuation,
    reserve,
    runoff_profile,
)

__all__ = [
    "DEFAULT_N_YEARS",
    "DEFAULT_SEED",
    "QUOTE_COLUMNS",
    "READ_FIRST_COLUMNS",
    "BookRecord",
    "PremiumTaxRecord",
    "Provenance",
    "Quote",
    "QuoteBasis",
    "ReproducibilityError",
    "ReproducibilityWarning",
    "SeedRecord",
    "quote",
    "reproduce",
]

DEFAULT_N_YEARS = 100_000
DEFAULT_SEED = 2026

#: Columns of :meth:`Quote.to_frame`, in order (currency units per policy period).
QUOTE_COLUMNS: tuple[str, ...] = (
    "limit",
    "deductible",
    "aggregate_limit",
    "share",
    "expected_loss",
    "expected_loss_se",
    "std",
    "var_99_5",
    "var_99_5_se",
    "tvar_99",
    "tvar_99_se",
    "risk_load",
    *PremiumBuildUp.STEPS,
    "rate_on_line",
    "expected_loss_ratio",
    "minimum_applied",
    "best_estimate_reserve",
    "risk_adjustment",
    "scr",
    "risk_margin",
)
_PRICING_COLUMNS = ("risk_load", *PremiumBuildUp.STEPS)
#: Columns of :meth:`Quote.to_frame` an underwriter reads first (:func:`frame_columns`).
READ_FIRST_COLUMNS = (
    "limit",
    "deductible",
    "aggregate_limit",
    "share",
    "rate_on_line",
    "expected_loss_ratio",
    "minimum_applied",
)
#: Quantile of a period's claim count that bounds what a policy without an aggregate limit
#: can pay (the SCR's level: Directive 2009/138/EC Art. 101(3)).
CLAIM_COUNT_LEVEL = 0.995


class ReproducibilityError(XBorderRiskError):
    """A quote record does not match the submission or tables it is re-run with, or is
    partial or invalid."""


class ReproducibilityWarning(XBorderRiskWarning):
    """A quote is re-run with another library or numpy version than it was made with."""


class QuoteBasis(_PricingBasis, ReservingBasis):
    """The pricing and the reserving basis of a quote, side by side (one flat record).

    Every field of :class:`~xborder_risk.pricing.PricingBasis` and
    :class:`~xborder_risk.reserves.ReservingBasis`; :attr:`Quote.basis` is one, and its
    ``model_dump(mode="json", by_alias=True)`` is ``provenance["basis"]``. Also the compatible
    path for callers of the old combined ``PricingBasis``: ``quote(sub, basis=QuoteBasis(...))``
    is ``quote(sub, basis=<its pricing basis>, reserving=<its reserving basis>)``.
    """

    @classmethod
    def of(cls, pricing_basis: _PricingBasis, reserving: ReservingBasis) -> QuoteBasis:
        """The two bases as one."""
        fields = {name: getattr(pricing_basis, name) for name in _PricingBasis.model_fields}
        fields |= {name: getattr(reserving, name) for name in ReservingBasis.model_fields}
        return cls(**fields)

    @property
    def pricing(self) -> _PricingBasis:
        """The pricing basis alone."""
        return _PricingBasis(**{name: getattr(self, name) for name in _PricingBasis.model_fields})

    @property
    def reserving(self) -> ReservingBasis:
        """The reserving basis alone."""
        return ReservingBasis(**{name: getattr(self, name) for name in ReservingBasis.model_fields})

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> QuoteBasis:
        """Read a basis file: YAML (``.yaml``/``.yml``) or JSON (``.json``).

        The file is a mapping of basis fields (those of :class:`PricingBasis` and
        :class:`ReservingBasis`; a principle as ``{type, parameters}``), read with the safe
        loaders of the submission files (no Python objects, no duplicate keys, YAML 1.2
        scalars); a field left out takes its default. ``xborder-risk schema basis`` prints
        its JSON Schema.

        Raises
        ------
        ParameterError
            Naming the file and the first invalid field (or the file's problem).
        OSError
            If the file cannot be read.
        """
        file = Path(path)
        owner = f"basis file {file}"
        suffix = file.suffix.lower()
        if suffix not in {".yaml", ".yml", ".json"}:
            raise ParameterError(owner, "<file>", suffix, "must be .yaml, .yml or .json")
        size = file.stat().st_size
        if size > _MAX_BASIS_BYTES:
            raise ParameterError(owner, "<file>", size, f"must be at most {_MAX_BASIS_BYTES} bytes")
        try:
            text = file.read_text(encoding="utf-8")
            data = load_json_text(text) if suffix == ".json" else load_yaml_text(text)
        except (UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
            raise ParameterError(owner, "<file>", file.name, f"cannot be read: {exc}") from None
        if not isinstance(data, Mapping):
            raise ParameterError(owner, "<file>", type(data).__name__, "must be a mapping")
        try:
            return cls.model_validate(dict(data))
        except ParameterError as exc:
            raise ParameterError(owner, exc.name, exc.value, exc.rule) from None

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema of a basis file (:meth:`from_file`)."""
        return _basis_schema()

    def for_submission(self, submission: Submission) -> QuoteBasis:
        """This basis with the default principle made concrete for ``submission``'s policy
        period (:meth:`PricingBasis.for_period <xborder_risk.pricing.PricingBasis.for_period>`)."""
        return self.for_period(submission.policy_period_years)


#: Largest basis file read (a basis is a few hundred bytes).
_MAX_BASIS_BYTES = 1 << 20


def _principle_schemas() -> list[dict[str, Any]]:
    schemas: list[dict[str, Any]] = []
    for name, cls in pricing.PRINCIPLES.items():
        if not dataclasses.is_dataclass(cls):  # every library principle is a dataclass
            continue
        fields = {item.name: _field_schema(item.type) for item in dataclasses.fields(cls)}
        schemas.append(
            {
                "type": "object",
                "title": name,
                "description": (cls.__doc__ or "").strip().splitlines()[0],
                "properties": {
                    "type": {"const": name},
                    "parameters": {
                        "type": "object",
                        "properties": fields,
                        "additionalProperties": False,
                    },
                },
                "required": ["type", "parameters"],
                "additionalProperties": False,
            }
        )
    return schemas


def _field_schema(annotation: object) -> dict[str, Any]:
    text = str(annotation)
    if "dict" in text:
        return {"type": "object", "additionalProperties": {"type": "number"}}
    if "Literal" in text or text == "str":
        return {"type": "string"}
    if "None" in text:
        return {"type": ["number", "null"]}
    return {"type": "number"}


def _basis_schema() -> dict[str, Any]:
    """JSON Schema of a basis file, from the fields of :class:`QuoteBasis`."""
    properties: dict[str, Any] = {}
    for name, info in QuoteBasis.model_fields.items():
        key = info.serialization_alias or name
        if name == "principle":
            schema: dict[str, Any] = {"oneOf": [{"type": "null"}, *_principle_schemas()]}
        elif name == "loadings":
            schema = {
                "type": "object",
                "properties": {
                    item.name: {"type": "number", "minimum": 0}
                    for item in dataclasses.fields(Loadings)
                },
                "additionalProperties": False,
            }
        else:
            annotation: Any = info.annotation  # every field of a basis is annotated
            schema = dict(pydantic.TypeAdapter(annotation).json_schema(mode="validation"))
            for meta in info.metadata:
                for bound, word in (
                    ("gt", "exclusiveMinimum"),
                    ("lt", "exclusiveMaximum"),
                    ("ge", "minimum"),
                    ("le", "maximum"),
                ):
                    if getattr(meta, bound, None) is not None:
                        schema[word] = getattr(meta, bound)
        default = info.get_default(call_default_factory=True)
        if default is None or isinstance(default, bool | int | float | str):
            schema["default"] = default
        properties[key] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "xborder_risk quote basis",
        "description": (
            "The pricing and reserving basis of a quote (xborder-risk quote --basis FILE): "
            "every field optional, defaults as shown. docs/pricing.md."
        ),
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


def __getattr__(name: str) -> Any:
    # The combined basis was xborder_risk.quote.PricingBasis up to release 0.1.0.
    if name == "PricingBasis":
        warn_deprecated(
            "xborder_risk.quote.PricingBasis (pricing and reserving in one)",
            "xborder_risk.pricing.PricingBasis with xborder_risk.reserves.ReservingBasis "
            "(quote(..., basis=..., reserving=...)), or xborder_risk.quote.QuoteBasis",
        )
        return QuoteBasis
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- the provenance record ---------------------------------------------------------------------

#: Basis fields an old record may lack, and the value its quote was priced with: records
#: written before the country premium tax priced with ``loadings.tax_rate`` as given, before
#: the risk-adjustment technique with the quantile technique, and before the capital method
#: with the policy's own (standalone) capital (``book_shocks`` is then unused).
LEGACY_BASIS_DEFAULTS: dict[str, object] = {
    "country_premium_tax": False,
    "risk_adjustment_technique": "quantile",
    "capital_method": "standalone",
    "book_shocks": True,
    # Before the market terms and the risk-load floor: the policy grossed up with its
    # loadings, and the allocated risk loads as computed.
    "market_terms": False,
    "floor_risk_load": False,
    "floor_scr": False,
}


def _basis_record_keys() -> list[str]:
    return [field.serialization_alias or name for name, field in QuoteBasis.model_fields.items()]


def _legacy_basis(value: object) -> object:
    if isinstance(value, Mapping):
        return {**LEGACY_BASIS_DEFAULTS, **value}
    return value


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


class SeedRecord(_Record):
    """A :class:`numpy.random.SeedSequence` root seed, as :func:`quote` was given it."""

    entropy: int | tuple[int, ...]
    spawn_key: tuple[int, ...] = ()
    pool_size: int = 4

    @classmethod
    def of(cls, seed: np.random.SeedSequence) -> SeedRecord:
        """The record of ``seed`` (what the engine's generators depend on)."""
        entropy = seed.entropy
        return cls(
            entropy=int(entropy)
            if isinstance(entropy, int | np.integer)
            else tuple(int(e) for e in entropy or ()),
            spawn_key=tuple(int(k) for k in seed.spawn_key or ()),
            pool_size=int(seed.pool_size),
        )

    def seed_sequence(self) -> np.random.SeedSequence:
        """The seed sequence again."""
        return np.random.SeedSequence(
            self.entropy, spawn_key=self.spawn_key, pool_size=self.pool_size
        )


class PremiumTaxRecord(_Record):
    """Where the premium tax rate came from (:attr:`Quote.premium_tax`)."""

    rate: float
    status: Literal["table_row", "no_row", "no_table", "loadings"]
    country: str | None
    table: str | None
    file: str | None
    key: dict[str, str] | None
    table_version: str | None
    basis: str | None


class BookRecord(_Record):
    """The reference book a quote's capital was priced against (:attr:`Provenance.book`)."""

    name: str
    location: str
    sha256: str
    currency: str
    seed: Annotated[int, Field(ge=0)]
    n_years: Annotated[int, Field(ge=1)]


class Provenance(_Record):
    """What reproduces a quote bit for bit (:func:`reproduce`); ``model_dump(mode="json",
    by_alias=True)`` is the record in ``Quote.to_dict()["provenance"]``."""

    library_version: str
    numpy_version: str
    submission_sha256: str
    table_versions: dict[str, str]
    table_checksums: dict[str, str]
    tables_source: str | None = None
    seed: Annotated[int, Field(ge=0)] | SeedRecord
    n_years: Annotated[int, Field(ge=1)]
    valuation_date: dt.date
    basis: Annotated[QuoteBasis, BeforeValidator(_legacy_basis)]
    premium_tax: PremiumTaxRecord | None = None
    book: BookRecord | None = None
    # How the lines' random streams were keyed (engine.simulate's ``stream_keys``): "name"
    # since issue 17; a record without the field was drawn with "position".
    stream_keys: StreamKeys = "position"
    created: str | None = None
    warnings: tuple[str, ...] = ()

    def root_seed(self) -> int | np.random.SeedSequence:
        """The seed to give :func:`quote` again."""
        return self.seed if isinstance(self.seed, int) else self.seed.seed_sequence()

    def to_record(self) -> dict[str, Any]:
        """The JSON-ready record (``model_dump(mode="json", by_alias=True)``)."""
        return self.model_dump(mode="json", by_alias=True)

    def __getitem__(self, key: str) -> Any:
        warn_deprecated("provenance[key] (provenance was a dict)", "provenance.<field>")
        return self.to_record()[key]

    @classmethod
    def read(cls, record: Mapping[str, Any] | Provenance) -> Provenance:
        """Read a record (a JSON mapping), with a :class:`ReproducibilityError` naming every
        missing field of a partial record, or the first invalid one."""
        if isinstance(record, Provenance):
            return record
        if not isinstance(record, Mapping):
            raise ReproducibilityError(
                f"a provenance record must be a mapping (got {type(record).__name__})"
            )
        missing = [
            name
            for name, field in cls.model_fields.items()
            if field.is_required() and name not in record
        ]
        basis = record.get("basis")
        if isinstance(basis, Mapping):
            missing += [
                f"basis.{key}"
                for key in _basis_record_keys()
                if key not in basis and key not in LEGACY_BASIS_DEFAULTS
            ]
        if missing:
            raise ReproducibilityError(
                f"the provenance record is partial: missing {missing}; a quote can only be "
                "reproduced from its whole record (Quote.to_dict()['provenance'])"
            )
        try:
            return cls.model_validate_json(json.dumps(dict(record)))
        except (TypeError, ValueError) as exc:
            detail = str(exc)
            if isinstance(exc, ValidationError):
                first = exc.errors(include_url=False)[0]
                where = ".".join(str(part) for part in first["loc"])
                detail = f"{where}: {first['msg']} (got {first.get('input')!r})"
            raise ReproducibilityError(f"invalid provenance record: {detail}") from None


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
    reserve_result : ReserveResult
        Reserves per line and total at :attr:`valuation_date` (:attr:`reserves` is its
        table).
    valuation_date : datetime.date
        Date of the reserve valuation (inception by default).
    basis : QuoteBasis
        The pricing and reserving bases as given, with the default principle made concrete
        for the submission's policy period (:meth:`QuoteBasis.for_submission`).
        With ``country_premium_tax`` its ``loadings.tax_rate`` is 0: the applied loadings,
        tax rate included, are :attr:`loadings`.
    provenance : Provenance
        What reproduces the quote bit for bit (see :func:`reproduce`).
    referrals : tuple of Referral
        Why a line is referred or declined: a price at or above the most the policy can
        pay, an expected loss ratio or rate on line outside the market band, a limit with
        no exposure (:class:`~xborder_risk.pricing.market.Referral`).
    covers : mapping of str to LineCover
        Limit, deductible, aggregate limit, share and the 99.5 % claim count per line.
    minimum_applied : mapping of str to str
        Per line, which minimum set its premium (``none``, ``minimum_premium``,
        ``minimum_rate_on_line`` or ``policy_minimum_premium``).
    market_terms : mapping of str to MarketTerms
        The commission, expenses, profit and minimums each line was grossed up with
        (empty when the policy was grossed up with the basis loadings as a whole).
    tower : pandas.DataFrame
        Every layer of each line whose terms have a ``tower``, the policy's layer included,
        quoted on the same simulated ground-up losses (:func:`tower_frame`); empty otherwise.

    A quote is immutable: :meth:`to_frame` is computed once.
    """

    submission: Submission
    rated: RatedSubmission
    simulation: SimulationResult
    pricing: pricing.PricingResult
    reserve_result: ReserveResult
    valuation_date: dt.date
    basis: QuoteBasis
    provenance: Provenance
    referrals: tuple[Referral, ...] = ()
    covers: Mapping[str, LineCover] = field(default_factory=dict, repr=False)
    minimum_applied: Mapping[str, str] = field(default_factory=dict)
    market_terms: Mapping[str, MarketTerms] = field(default_factory=dict)
    tower: pd.DataFrame = field(default_factory=lambda: tower_frame([]), repr=False)

    @property
    def exclusions(self) -> dict[str, tuple[str, ...]]:
        """The exclusions applied, by line (lines without any are left out)."""
        return {
            line: terms.exclusions
            for line, terms in self.submission.terms.items()
            if terms.exclusions
        }

    programme_result: ProgrammeResult | None = field(default=None, repr=False)

    @property
    def programme(self) -> pd.DataFrame:
        """The international programme, one row per line and country (docs/programme.md).

        Columns :data:`~xborder_risk.pricing.programme.PROGRAMME_COLUMNS`: placement, premium
        before tax, local premium tax and levies, total payable (submission currency, whole
        cents; per line they sum to the quote's figures to the cent) and the local amounts in
        the country's currency.  Empty when the submission has no ``programme``.
        """
        if self.programme_result is None:
            return pd.DataFrame(columns=list(PROGRAMME_COLUMNS))
        return self.programme_result.table.copy()

    #: For a renewal (``submission.renewal``): the expiring policy quoted by the same model
    #: and random numbers (:attr:`renewal`); None otherwise.
    expiring: Quote | None = field(default=None, repr=False)

    @property
    def renewal(self) -> pd.DataFrame | None:
        """Rate change and risk-adjusted rate change per line and total, for a renewal.

        Returns
        -------
        pandas.DataFrame or None
            None unless the submission is a renewal with the expiring premium. Index: the
            lines of both policies and ``total``; columns ``expiring_premium`` and
            ``gross_premium`` (per year), ``rate_change`` (their ratio - 1),
            ``expiring_expected_loss`` and ``expected_loss`` (per year, the expiring one on
            the expiring exposure and terms by this quote's model and random numbers),
            ``exposure_change`` (their ratio - 1) and ``risk_adjusted_rate_change``
            (``(P / EL) / (P0 / EL0) - 1``, ``exposure/renewal.py``).
        """
        renewal = self.submission.renewal
        if renewal is None or self.expiring is None or not renewal.expiring_premium:
            return None
        years = self.submission.policy_period_years
        years0 = self.expiring.submission.policy_period_years
        expiring_premium = {str(line): p for line, p in renewal.expiring_premium.items()}
        lines = [line for line in self.lines if line in expiring_premium]
        now, before = self.to_frame(), self.expiring.to_frame()
        now_premium = now["gross_premium"].to_dict()
        now_loss, before_loss = now["expected_loss"].to_dict(), before["expected_loss"].to_dict()

        def with_total(values: list[float], per: float) -> list[float]:
            return [*(value / per for value in values), sum(values) / per]

        frame = pd.DataFrame(index=pd.Index([*lines, "total"], name="line"))
        frame["expiring_premium"] = with_total([expiring_premium[x] for x in lines], years0)
        frame["gross_premium"] = with_total([float(now_premium[x]) for x in lines], years)
        frame["expiring_expected_loss"] = with_total([float(before_loss[x]) for x in lines], years0)
        frame["expected_loss"] = with_total([float(now_loss[x]) for x in lines], years)
        frame["rate_change"] = frame["gross_premium"] / frame["expiring_premium"] - 1.0
        frame["exposure_change"] = frame["expected_loss"] / frame["expiring_expected_loss"] - 1.0
        frame["risk_adjusted_rate_change"] = (1.0 + frame["rate_change"]) / (
            1.0 + frame["exposure_change"]
        ) - 1.0
        frame.attrs["currency"] = self.currency
        return frame

    @property
    def reserves(self) -> pd.DataFrame:
        """Reserves per line and total at :attr:`valuation_date` (``reserve_result.table``)."""
        return self.reserve_result.table

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
        record = self.provenance.premium_tax
        return {} if record is None else record.model_dump(mode="json")

    @property
    def worksheet(self) -> pd.DataFrame:
        """The rating worksheet: how every frequency and severity figure was built."""
        return self.rated.worksheet

    @property
    def messages(self) -> tuple[str, ...]:
        """Notes for the underwriter from rating and from the Monte Carlo checks."""
        return self.rated.messages + tuple(self.provenance.warnings)

    @property
    def premium_build_up(self) -> pd.DataFrame:
        """The total's gross-up from technical to gross premium, step by step."""
        return self.pricing.build_up.to_frame()

    def to_frame(self) -> pd.DataFrame:
        """One row per line and a ``total`` row; columns :data:`QUOTE_COLUMNS`.

        Amounts in :attr:`currency` per policy period. ``_se`` columns are Monte Carlo
        standard errors. The total's VaR, TVaR, SCR and risk adjustment are of the total
        loss (diversified), not sums of the lines; its premiums are sums of the lines.
        What an underwriter reads first (:data:`READ_FIRST_COLUMNS`): ``limit``,
        ``deductible`` (the attachment), ``aggregate_limit`` (``inf`` if none) and ``share``
        of the line's terms; ``rate_on_line`` = gross premium per year / (limit x share);
        ``expected_loss_ratio`` = expected loss / gross premium; ``minimum_applied``, the
        minimum that set the line's premium (text: ``none``, ``minimum_premium``,
        ``minimum_rate_on_line``, ``policy_minimum_premium``). The total row has no terms,
        rate on line or minimum (NaN, NaN, ``""``).
        Computed once (the quote is immutable); each call returns a copy.
        """
        return self._table.copy()

    @cached_property
    def _table(self) -> pd.DataFrame:
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
        first = frame_columns(
            self.pricing, self.covers, self.minimum_applied, self.submission.policy_period_years
        )
        for column in READ_FIRST_COLUMNS:
            frame[column] = first[column]
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
        return (
            {
                "currency": self.currency,
                "lines": list(self.lines),
                "quote": {
                    line: {k: v if isinstance(v, str) else _json_number(v) for k, v in row.items()}
                    for line, row in table.to_dict(orient="index").items()
                },
                "referrals": [referral.to_record() for referral in self.referrals],
                "reserves": {
                    str(line): {str(k): _json_number(v) for k, v in row.items()}
                    for line, row in self.reserves.to_dict(orient="index").items()
                },
                "premium_build_up": [
                    {"step": str(step), "amount": _json_number(amount)}
                    for step, amount in self.premium_build_up.itertuples(index=False)
                ],
                "messages": list(self.messages),
                "provenance": self.provenance.to_record(),
                **(
                    {}
                    if self.programme_result is None
                    else {"programme": json.loads(self.programme.to_json(orient="records"))}
                ),
            }
            | self._terms_record()
            | self._renewal_record()
        )

    def _terms_record(self) -> dict[str, Any]:
        # Exclusions applied and the tower's layers, only when the terms have them (older
        # records keep their keys).
        record: dict[str, Any] = {}
        if self.exclusions:
            record["exclusions"] = {line: list(names) for line, names in self.exclusions.items()}
        if not self.tower.empty:
            record["tower"] = [
                {k: v if isinstance(v, str) else _json_number(v) for k, v in row.items()}
                for row in self.tower.to_dict(orient="records")
            ]
        return record

    def _renewal_record(self) -> dict[str, Any]:
        renewal = self.renewal
        if renewal is None:
            return {}
        return {
            "renewal": {
                str(line): {str(k): _json_number(v) for k, v in row.items()}
                for line, row in renewal.to_dict(orient="index").items()
            }
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


def _patterns(
    tables: RatingTables, lines: tuple[str, ...], submission: Submission | None = None
) -> dict[str, PaymentPattern]:
    frame = tables.patterns
    patterns = {line: PaymentPattern.from_frame(frame, line) for line in lines}
    if submission is not None:
        for line in lines:
            terms = submission.terms.get(line)  # type: ignore[call-overload]
            if terms is not None and terms.basis == "claims_made":
                patterns[line] = claims_made_pattern(patterns[line])
    return patterns


def claims_made_pattern(pattern: PaymentPattern) -> PaymentPattern:
    r"""The reporting and payment pattern of a claims-made policy, from its line's pattern.

    A claims-made policy is triggered by the report: its claims develop from the report date,
    which falls in the policy period (or the extended reporting period).  Measured from the
    trigger, every claim is reported by the pattern's first development month (the
    notification allowance), and is paid after the occurrence pattern's payment lag less the
    mean reporting lag :math:`m = \int_0^\infty (1 - F_{rep}(u))\,du` months:
    :math:`P_{cm}(t) = P(t + m)`, 1 from the last development month on.  So the claims-made
    reserves carry little IBNR and more case reserve, and run off sooner.

    Parameters
    ----------
    pattern : PaymentPattern
        The line's occurrence-basis pattern (months from the occurrence).

    Returns
    -------
    PaymentPattern
        Months from the report, same development months, reported 1 at each.

    Notes
    -----
    Approximation: the paid lag after report is taken as the paid lag from occurrence shifted
    by the mean reporting lag (the tables give the marginal patterns, not their joint law).
    """
    months = np.asarray(pattern.development_months, dtype=np.float64)
    knots = np.concatenate(([0.0], months))
    reported = np.concatenate(([0.0], np.asarray(pattern.cumulative_reported)))
    mean_lag = float(np.sum(np.diff(knots) * (1.0 - (reported[:-1] + reported[1:]) / 2.0)))
    paid = pattern.paid_at(np.minimum(months + mean_lag, months[-1]))
    paid[-1] = 1.0
    return PaymentPattern(months, np.ones_like(months), paid, line=pattern.line)


def _premium_tax(
    basis: _PricingBasis, submission: Submission, tables: RatingTables
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
    seed: int | np.random.SeedSequence = DEFAULT_SEED,
    tables: RatingTables | None = None,
    valuation_date: dt.date | str | None = None,
    basis: _PricingBasis | None = None,
    *,
    reserving: ReservingBasis | None = None,
    chunk_years: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    book: ReferenceBook | str | PathLike[str] | None = None,
    stream_keys: StreamKeys = DEFAULT_STREAM_KEYS,
) -> Quote:
    """Rate, simulate, price and reserve a submission.

    Parameters
    ----------
    submission : Submission
        The validated submission (``Submission.from_file(path)``).
    n_years : int
        Simulated policy periods, ``>= 1``.
    seed : int or numpy.random.SeedSequence
        Root seed (an integer ``>= 0``, or a seed sequence as :func:`simulate` takes); with
        the same submission, tables and bases the quote is bit-identical, and the provenance
        records it (a seed sequence by its entropy, spawn key and pool size).
    tables : RatingTables, optional
        Rating tables; the shipped ones by default.
    valuation_date : datetime.date or ISO str, optional
        Reserve valuation date, on or after inception; inception by default (then the
        reserve is the whole expected loss).
    basis : PricingBasis, optional
        Premium principle, loadings and allocation level
        (:class:`~xborder_risk.pricing.PricingBasis` defaults). With
        ``basis.country_premium_tax`` (the default) the premium tax rate is that of
        ``submission.insured.home_country`` in the tables' ``premium_tax`` table (0, with a
        message, for a country without a row or tables without the table); see
        :attr:`Quote.premium_tax`. A :class:`QuoteBasis` (pricing and reserving in one, the
        old combined basis) gives both bases; then ``reserving`` must be None.
    reserving : ReservingBasis, optional
        Risk-adjustment level and technique, SCR level and cost-of-capital rate
        (:class:`~xborder_risk.reserves.ReservingBasis` defaults).
    chunk_years : int, optional
        Compute chunk of the simulation (never changes the result).
    progress : callable, optional
        ``progress(years_done, n_years)``, e.g. to drive a progress bar.
    book : ReferenceBook or path, optional
        The book whose capital each line is priced at the margin of (basis
        ``capital_method="marginal_book"`` with a cost-of-capital principle, the default):
        a :class:`~xborder_risk.portfolio.reference.ReferenceBook` or a book directory; the
        shipped illustrative book by default. Year t of the quote's simulation is added to
        year t of the book's (docs/pricing.md, "Capital against a book"); the provenance
        records the book's checksum.
    stream_keys : {"name", "position"}, default "name"
        How each line's random stream is keyed (:func:`~xborder_risk.engine.simulate`): by
        the line's name, so a line's simulated losses do not depend on the other lines of the
        submission; ``"position"`` only to reproduce a quote made before issue 17
        (:func:`reproduce` passes the record's). Recorded in the provenance.

    Returns
    -------
    Quote
        Amounts in the submission's currency per policy period.
    """
    if not isinstance(submission, Submission):
        raise ParameterError("quote", "submission", submission, "must be a Submission")
    n_years = check_int("quote", "n_years", n_years, lower=1)
    if not isinstance(seed, np.random.SeedSequence):
        seed = check_int("quote", "seed", seed, lower=0)
    if tables is None:
        tables = RatingTables.load()
    elif not isinstance(tables, RatingTables):
        raise ParameterError("quote", "tables", tables, "must be RatingTables")
    combined = _quote_basis(basis, reserving).for_submission(submission)
    principle = combined.principle
    assert principle is not None  # for_submission makes the default concrete
    valuation = _valuation_date(submission, valuation_date)
    loadings, premium_tax, premium_tax_note = _premium_tax(combined, submission, tables)
    screen_sanctions(submission, tables)

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
        stream_keys=stream_keys,
    )
    # Each line's reporting and payment pattern: its run-off holds the capital, and the
    # reserves are valued on it.
    patterns = _patterns(tables, simulation.lines, submission)
    reference, line_risk_loads, book_note = _book_risk_loads(
        book, combined, principle, submission, tables, rated, simulation, patterns
    )
    priced = price_lines(
        simulation.annual,
        simulation.lines,
        # A target loss ratio prices each line on its own (_market_pricing): the policy's
        # principle step then gives each line its expected loss and no load.
        ExpectedValuePrinciple(loading=0.0)
        if isinstance(principle, TargetLossRatio)
        else principle,
        loadings,
        combined.allocation_level,
        risk_loads=line_risk_loads,
    )
    covers = _covers(submission, rated)
    priced, minimum_applied, market_terms, market_notes = _market_pricing(
        combined, submission, tables, priced, covers, loadings
    )
    programme = None
    if submission.programme is not None:
        # Each country's share of a line's premium is taxed where it is allocated
        # (docs/programme.md); the home-country tax above is replaced.
        premiums = priced.table["gross_premium"] - priced.table["premium_tax"]
        programme = build_programme(
            submission, tables, {line: float(premiums[line]) for line in priced.lines}
        )
        priced = with_programme_tax(priced, programme)
        market_notes = [
            *market_notes,
            *programme.notes,
            "premium tax: an international programme is given, so each country's share of "
            "the premium is taxed at that country's rate (Quote.programme) instead of the "
            "home country's",
        ]
    referrals = _referrals(priced, covers, tables, submission)
    if programme is not None:
        referrals += programme.referrals
    with warnings.catch_warnings(record=True) as caught:
        # Reserve warnings (a quantile risk adjustment below zero for a heavy right tail, an
        # SCR below zero for rare losses) belong in the quote's messages, where the
        # underwriter reads them, not on stderr.
        warnings.simplefilter("always", XBorderRiskWarning)
        reserves = reserve(
            simulation.annual,
            simulation.lines,
            patterns,
            submission.inception_date,
            submission.policy_period_years,
            valuation,
            combined.reserving,
        )
    notes = [
        str(w.message)
        for w in (*caught_rating, *caught)
        if issubclass(w.category, XBorderRiskWarning) and str(w.message) not in rated.messages
    ] + _monte_carlo_warnings(simulation)
    if premium_tax_note is not None:
        notes.append(premium_tax_note)
    if book_note is not None:
        notes.append(book_note)
    notes += market_notes
    provenance = Provenance(
        library_version=__version__,
        numpy_version=np.__version__,
        submission_sha256=submission_sha256(submission),
        table_versions=dict(rated.table_versions),
        table_checksums=dict(rated.table_checksums),
        tables_source=rated.tables_source,
        seed=seed if isinstance(seed, int) else SeedRecord.of(seed),
        n_years=n_years,
        valuation_date=valuation,
        basis=combined,
        premium_tax=PremiumTaxRecord(**premium_tax),
        book=None if reference is None else BookRecord(**reference.record()),
        stream_keys=stream_keys,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        warnings=tuple(notes),
    )
    expiring = None
    if submission.renewal is not None and submission.renewal.expiring_premium:
        # The expiring policy by the same model, tables, bases and random numbers.
        expiring = quote(
            submission.with_changes({**submission.renewal.expiring_changes, "renewal": None}),
            n_years=n_years,
            seed=seed,
            tables=tables,
            basis=basis,
            reserving=reserving,
            book=reference,
            stream_keys=stream_keys,
        )
    return Quote(
        expiring=expiring,
        submission=submission,
        rated=rated,
        simulation=simulation,
        pricing=priced,
        reserve_result=reserves,
        valuation_date=valuation,
        basis=combined,
        provenance=provenance,
        referrals=tuple(referrals),
        covers=covers,
        minimum_applied=minimum_applied,
        market_terms=market_terms,
        tower=_tower(submission, rated, n_years, seed, stream_keys, principle, loadings, combined),
        programme_result=programme,
    )


#: Columns of :attr:`Quote.tower`.
TOWER_COLUMNS = (
    "line",
    "layer",
    "attachment",
    "limit",
    "share",
    "expected_claims_in_layer",
    "expected_loss",
    "expected_loss_exact",
    "standard_deviation",
    "standalone_technical_premium",
    "expected_loss_rate_on_line",
    "standalone_rate_on_line",
)


def tower_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The tower table from its rows (columns :data:`TOWER_COLUMNS`)."""
    return pd.DataFrame(rows, columns=list(TOWER_COLUMNS))


def _tower(
    submission: Submission,
    rated: RatedSubmission,
    n_years: int,
    seed: int | np.random.SeedSequence,
    stream_keys: StreamKeys,
    principle: Any,
    loadings: Loadings,
    combined: QuoteBasis,
) -> pd.DataFrame:
    """Each layer of every line with a tower, quoted on the same simulated ground-up losses.

    The line's model is simulated once per layer with that layer's terms; its random stream
    is keyed by the line (by name, or by position among the same models), so every layer sees
    the same ground-up occurrences and contiguous layers add up to the layer they span.  Each
    layer's ``standalone_technical_premium`` is the policy's principle on the layer alone (its
    own capital, not its margin on the reference book as the quote's lines; a target loss
    ratio: the expected loss), so the layers compare with each other, not with the quote
    table; the rates on line are per year over limit x share.
    """
    rows: list[dict[str, Any]] = []
    for position, model in enumerate(rated.models):
        terms = submission.terms[model.name]  # type: ignore[index]
        if not terms.tower:
            continue
        layers = [("policy", model.layer)] + [
            (f"tower {i + 1}", Layer(**kw)) for i, kw in enumerate(terms.tower_layer_kwargs())
        ]
        for label, layer in layers:
            layered = dataclasses.replace(model, layer=layer)
            models = list(rated.models) if stream_keys == "position" else [layered]
            if stream_keys == "position":
                models[position] = layered
            column = position if stream_keys == "position" else 0
            annual = simulate(models, n_years, seed=seed, stream_keys=stream_keys).annual[:, column]
            priced = price_lines(
                annual[:, None],
                (model.name,),
                ExpectedValuePrinciple(loading=0.0)
                if isinstance(principle, TargetLossRatio)
                else principle,
                loadings,
                combined.allocation_level,
            )
            technical = float(priced.table["technical_premium"].iloc[0])
            capacity = submission.policy_period_years * layer.limit * layer.share
            rows.append(
                {
                    "line": model.name,
                    "layer": label,
                    "attachment": layer.deductible,
                    "limit": layer.limit,
                    "share": layer.share,
                    "expected_claims_in_layer": float(
                        model.frequency.mean() * model.severity.sf(layer.deductible)
                    ),
                    "expected_loss": float(annual.mean()),
                    "expected_loss_exact": expected_layer_loss(layered),
                    "standard_deviation": float(annual.std(ddof=1)) if n_years > 1 else 0.0,
                    "standalone_technical_premium": technical,
                    "expected_loss_rate_on_line": float(annual.mean()) / capacity,
                    "standalone_rate_on_line": technical / capacity,
                }
            )
    return tower_frame(rows)


def _book_risk_loads(
    book: object,
    combined: QuoteBasis,
    principle: object,
    submission: Submission,
    tables: RatingTables,
    rated: RatedSubmission,
    simulation: SimulationResult,
    patterns: Mapping[str, PaymentPattern],
) -> tuple[ReferenceBook | None, NDArray[np.float64] | None, str | None]:
    """Each line's risk load at the margin of the reference book, the book and a note; or
    ``(None, None, None)`` when the basis prices the policy's own capital."""
    if combined.capital_method != "marginal_book" or not isinstance(principle, CostOfCapital):
        if book is not None:
            raise ParameterError(
                "quote",
                "book",
                book,
                "is only used with capital_method='marginal_book' and a CostOfCapital principle",
            )
        return None, None, None
    if isinstance(book, ReferenceBook):
        reference = book
    elif book is None or isinstance(book, str | PathLike):
        reference = ReferenceBook.load(book)
    else:
        raise ParameterError("quote", "book", book, "must be a ReferenceBook or a directory path")
    n_years = simulation.n_years
    fx = tables.fx_rate(reference.currency) / tables.fx_rate(submission.currency)
    totals = book_totals(reference, tables, n_years) * fx
    inception = submission.inception_date
    period = submission.policy_period_years
    runoff = [
        float(runoff_profile(pattern, Valuation(inception, inception, period)).sum())
        for pattern in patterns.values()
    ]
    # Year t of cover: the quote's own draw of year t (a 1/P slice of its period loss) plus
    # what the book's common shocks of year t add to the line, within the line's annual cap.
    per_year = simulation.annual / period
    if combined.book_shocks:
        lines, shocks = shock_overlay(submission, reference, tables, n_years)
        if lines != simulation.lines:  # pragma: no cover - both come from rate(submission)
            raise XBorderRiskError(f"shock overlay lines {lines} differ from {simulation.lines}")
        caps = np.array([model.layer.max_annual_loss for model in rated.models])
        per_year = np.minimum(per_year + shocks, caps)
    loads, _ = marginal_risk_loads(
        totals,
        per_year,
        runoff,
        rate=principle.rate,
        level=principle.level,
        measure=principle.measure,
        period_years=period,
    )
    note = (
        f"risk load: cost of capital {principle.rate:.0%} a year on each line's marginal "
        f"{principle.measure} {principle.level:g} capital against the reference book "
        f"{reference.name!r} ({reference.source}, {reference.status}), held over the line's "
        "run-off" + (", with the book's common shocks of each year" if combined.book_shocks else "")
    )
    return reference, loads, note


def _covers(submission: Submission, rated: RatedSubmission) -> dict[str, LineCover]:
    """Limit, attachment and share of every rated line, and its 99.5 % claim count."""
    covers = {}
    for model in rated.models:
        terms = submission.layer_terms(model.name)
        covers[model.name] = LineCover(
            limit=terms["limit"],
            deductible=terms["deductible"],
            share=terms["share"],
            aggregate_limit=terms["aggregate_limit"],
            claim_count_quantile=float(model.frequency.ppf(CLAIM_COUNT_LEVEL)),
        )
    return covers


def _market_terms(
    basis: _PricingBasis, submission: Submission, tables: RatingTables, loadings: Loadings
) -> tuple[dict[str, MarketTerms], list[str]]:
    """Each line's market terms from the tables, or the basis loadings (with a message)."""
    lines = tuple(submission.terms)
    if not basis.market_terms:
        return dict.fromkeys(lines, MarketTerms.of_loadings(loadings)), []
    terms: dict[str, MarketTerms] = {}
    notes = []
    version = (
        tables.manifest["tables"][MARKET_TERMS_TABLE]["version"]
        if tables.has_table(MARKET_TERMS_TABLE)
        else None
    )
    for line in lines:
        row = tables.market_terms_for(line)
        if row is None:
            terms[line] = MarketTerms.of_loadings(loadings)
            notes.append(
                f"{line}: market terms: the rating tables ({tables.source}) have no "
                f"{MARKET_TERMS_TABLE} row for the line, so it is grossed up with the basis "
                "loadings and has no minimum premium or minimum rate on line"
            )
            continue
        terms[line] = MarketTerms(
            minimum_premium=tables.convert(
                float(row["minimum_premium"]), str(row["currency"]), submission.currency
            ),
            minimum_rate_on_line=float(row["minimum_rate_on_line"]),
            commission=float(row["commission"]),
            expense_ratio=float(row["expense_ratio"]),
            profit_margin=float(row["profit_margin"]),
            source=f"{MARKET_TERMS_TABLE} (version {version}), line={line}",
        )
    return terms, notes


def _market_pricing(
    basis: QuoteBasis,
    submission: Submission,
    tables: RatingTables,
    priced: pricing.PricingResult,
    covers: Mapping[str, LineCover],
    loadings: Loadings,
) -> tuple[pricing.PricingResult, dict[str, str], dict[str, MarketTerms], list[str]]:
    """The pricing after each line's market terms and the risk-load floor, which minimum set
    each line's premium, and the notes for the underwriter."""
    principle = basis.principle
    if not (basis.market_terms or basis.floor_risk_load or isinstance(principle, TargetLossRatio)):
        # The policy grossed up with its loadings, as release 0.1.0 priced.
        binding = priced.build_up.minimum_premium_adjustment > 0.0
        which = "policy_minimum_premium" if binding else "none"
        return priced, dict.fromkeys(priced.lines, which), {}, []
    terms, notes = _market_terms(basis, submission, tables, loadings)
    allocated = priced.table["risk_load"]
    market = price_market(
        priced,
        terms,
        covers,
        submission.policy_period_years,
        fixed_expense=loadings.fixed_expense,
        tax_rate=loadings.tax_rate,
        policy_minimum_premium=loadings.minimum_premium,
        floor_risk_load=basis.floor_risk_load,
        principle=principle,
    )
    for line in market.floored:
        notes.append(
            f"{line}: the risk load allocated to the line was negative "
            f"({float(allocated[line]):,.0f}): floored at 0, so that its technical premium is "
            "not below its expected loss (PricingBasis.floor_risk_load); the line "
            "diversifies the policy, and the floor charges no credit for it"
        )
    return market.pricing, dict(market.minimum_applied), dict(market.terms), notes


def _referrals(
    priced: pricing.PricingResult,
    covers: Mapping[str, LineCover],
    tables: RatingTables,
    submission: Submission,
) -> list[Referral]:
    """The guards: price against cover, zero exposure, market bands."""
    referrals: list[Referral] = []
    table = priced.table
    years = submission.policy_period_years
    file = (
        tables.manifest["tables"][MARKET_BANDS_TABLE]["file"]
        if tables.has_table(MARKET_BANDS_TABLE)
        else None
    )
    for line, cover in covers.items():
        gross = float(table["gross_premium"][line])
        expected = float(table["expected_loss"][line])
        referrals += check_cover(line, gross, expected, cover, submission.currency)
        bands = [
            MarketBand(
                measure=row["measure"],
                lower=float(row["lower"]),
                upper=float(row["upper"]),
                source=f"{row['anchor']} [{row['source_key']}, status {row['status']}; {file}]",
            )
            for row in tables.market_bands_for(line)
        ]
        figures = {
            "expected_loss_ratio": expected_loss_ratio(expected, gross),
            "rate_on_line": rate_on_line(gross, cover.capacity, years),
        }
        referrals += check_bands(line, figures, bands)
    return referrals


def _quote_basis(basis: object, reserving: object) -> QuoteBasis:
    """The pricing and reserving bases of a quote as one."""
    if reserving is not None and not isinstance(reserving, ReservingBasis):
        raise ParameterError("quote", "reserving", reserving, "must be a ReservingBasis")
    if isinstance(basis, QuoteBasis):
        if reserving is not None:
            raise ParameterError(
                "quote",
                "reserving",
                reserving,
                "must be None when basis is a QuoteBasis (it carries the reserving basis)",
            )
        return basis
    if basis is not None and not isinstance(basis, _PricingBasis):
        raise ParameterError("quote", "basis", basis, "must be a PricingBasis")
    return QuoteBasis.of(
        _PricingBasis() if basis is None else basis,
        ReservingBasis() if reserving is None else reserving,
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


def _check_versions(record: Provenance, versions: str) -> None:
    """Compare the recorded library and numpy versions with the running ones."""
    differ = [
        f"{name} {recorded} (now {current})"
        for name, recorded, current in (
            ("xborder_risk", record.library_version, __version__),
            ("numpy", record.numpy_version, np.__version__),
        )
        if recorded != current
    ]
    if not differ or versions == "ignore":
        return
    message = (
        f"the quote was made with {' and '.join(differ)}: another version may draw other "
        "random numbers or compute otherwise, so the figures may differ from the record"
    )
    if versions == "error":
        raise ReproducibilityError(message)
    warnings.warn(message, ReproducibilityWarning, stacklevel=3)


def reproduce(
    provenance: Mapping[str, Any] | Provenance,
    submission: Submission,
    tables: RatingTables | None = None,
    *,
    versions: Literal["warn", "error", "ignore"] = "warn",
    book: ReferenceBook | str | PathLike[str] | None = None,
) -> Quote:
    """Re-run a quote from its provenance record, checking it is the same case.

    Parameters
    ----------
    provenance : mapping or Provenance
        ``Quote.to_dict()["provenance"]`` (also as read back from JSON), or
        ``Quote.provenance``. Records of earlier releases are read as they were priced.
    submission : Submission
        The submission quoted.
    tables : RatingTables, optional
        The rating tables (the shipped ones by default).
    versions : {"warn", "error", "ignore"}
        What a record made with another xborder_risk or numpy version gives: a
        :class:`ReproducibilityWarning` naming the version that differs (default), a
        :class:`ReproducibilityError`, or nothing.
    book : ReferenceBook or path, optional
        The reference book the quote was priced against (the shipped one by default); only
        used when the record names a book (``provenance.book``).

    Raises
    ------
    ReproducibilityError
        If the record is partial (naming every missing field) or invalid, the submission's
        hash or a rating table's checksum differs from the record, the record names a
        principle the library does not have, or (``versions="error"``) a version differs.
    """
    if versions not in ("warn", "error", "ignore"):
        raise ParameterError(
            "reproduce", "versions", versions, "must be 'warn', 'error' or 'ignore'"
        )
    record = Provenance.read(provenance)
    _check_versions(record, versions)
    if submission_sha256(submission) != record.submission_sha256:
        raise ReproducibilityError("the submission differs from the one quoted (sha256 mismatch)")
    tables = RatingTables.load() if tables is None else tables
    changed = sorted(
        name
        for name, digest in record.table_checksums.items()
        if tables.checksums.get(name) != digest
    )
    if changed:
        raise ReproducibilityError(f"rating tables changed since the quote: {changed}")
    reference = None
    if record.book is not None:
        if "stream_keys" not in record.model_fields_set:
            # A record from before issue 17: its book was simulated with each policy's lines
            # keyed by position, and a book is now only simulated with them keyed by name.
            raise ReproducibilityError(
                "the quote was priced against a reference book simulated before line streams "
                "were keyed by name (issue 17); the book's totals can no longer be reproduced"
            )
        reference = book if isinstance(book, ReferenceBook) else ReferenceBook.load(book)
        if reference.sha256 != record.book.sha256:
            raise ReproducibilityError(
                f"the reference book differs from the one the quote was priced against "
                f"({record.book.name!r}, sha256 {record.book.sha256[:12]}...; given "
                f"{reference.location}, sha256 {reference.sha256[:12]}...)"
            )
    return quote(
        submission,
        n_years=record.n_years,
        seed=record.root_seed(),
        tables=tables,
        valuation_date=record.valuation_date,
        basis=record.basis,
        book=reference,
        stream_keys=record.stream_keys,
    )
