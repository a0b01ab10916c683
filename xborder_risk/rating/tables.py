"""Rating tables: loading, validation and look-ups.

The tables are CSV files described by one ``manifest.yaml`` (schema, version, effective date,
units, currency, key, sources with their verification status, sha256 checksum).  The shipped
tables live in ``rating_tables/`` at the repository root and are mapped into the wheel as
``xborder_risk/_rating_tables``; an actuary's own directory in the same layout loads the same way.

Every problem found on load raises :class:`~xborder_risk.errors.RatingTableError` naming the
file, the row (1-based data row, with its line number in the file) and the column.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from importlib.resources.abc import Traversable
from io import BytesIO
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import yaml

from xborder_risk._validation import check_real, check_text
from xborder_risk.distributions import (
    GeneralizedPareto,
    Lognormal,
    NegativeBinomial,
    Poisson,
    Spliced,
)
from xborder_risk.errors import ParameterError, RatingTableError, XBorderRiskWarning

# The vocabulary (lines, kinds, system types, perils, ...) is the exposure models'; the tables
# must hold a row for every value of it (REDUNDANCY_LEVELS is ordered: more redundancy later).
from xborder_risk.exposure import (
    COUNTERPARTIES,
    COUNTRY_CODES,
    CURRENCY_CODES,
    INSURED_KINDS,
    LINES,
    PERILS,
    REDUNDANCY_LEVELS,
    ROLES,
    SECURITY_CONTROLS,
    SYSTEM_TYPES,
    VENDOR_SUPPORT_LEVELS,
)

__all__ = [
    "LINES",
    "PERILS",
    "SECURITY_CONTROLS",
    "SYSTEM_TYPES",
    "RatingTables",
    "refresh_checksums",
    "shipped_tables_location",
]

MANIFEST_NAME = "manifest.yaml"
#: The optional table of country premium taxes (``premium_tax.csv``): not required by the rater.
PREMIUM_TAX_TABLE = "premium_tax"
#: The optional tables of market terms (minimums, commission, expenses, profit per line) and
#: of the market bands of loss ratio and rate on line: not required by the rater.
MARKET_TERMS_TABLE = "market_terms"
MARKET_BANDS_TABLE = "market_bands"
#: The optional table of experience-rating parameters per line (needed for a loss history).
EXPERIENCE_TABLE = "experience"

PENETRATION_TEST_LEVELS = ("within_12_months", "within_24_months", "older_or_never")
DATA_PROTECTION_REGIMES = ("gdpr", "adequate", "comprehensive", "partial", "none")
YES_NO = ("yes", "no")
OL_COMPONENTS = (
    "personnel",
    "vehicles",
    "vessel",
    "aircraft",
    "detention_class_action",
    "use_of_force_class_action",
)
PARAMETER_NAMES = (
    "biometric_record_weight",
    "personnel_hours_unit",
    "class_action_hours_unit",
    "political_risk_nb_beta",
    "default_oecd_crc",
    "minimum_payment_term_years",
)
#: Scalars of line_parameters.csv each line's rater reads.
LINE_PARAMETER_NAMES = {
    "cyber": (
        "cost_records_slope",
        "cost_reference_records",
        "median_breached_fraction",
        "minimum_breach_records",
        "response_share",
        "business_interruption_share",
        "third_party_share",
        "biometric_third_party_weight",
        "segmentation_reach_fraction",
        "revenue_reference_usd",
        "revenue_elasticity",
        "records_frequency_elasticity",
        "vendor_access_coefficient",
        "control_credit_floor",
        "regulatory_fine_share",
        "bi_downtime_median_hours",
        "bi_downtime_sigma",
    ),
    "tech_failure": (
        "outage_fixed_cost_usd",
        "hardware_damage_rate",
        "hardware_damage_median_ratio",
        "hardware_damage_sigma",
        "common_vendor_event_rate",
        "common_vendor_duration_median_hours",
        "common_vendor_duration_sigma",
    ),
}
# Banded variables whose factors must not fall as the variable grows (more exposure).
MONOTONE_BAND_VARIABLES = ("weighted_records", "partner_connections")
BAND_VARIABLES = {
    "tech_failure": ("system_age_years",),
    "cyber": ("weighted_records", "partner_connections"),
}

_MANIFEST_FIELDS = ("manifest_version", "title", "base_currency", "tables")
_OPTIONAL_TABLE_FIELDS = ("notes",)
# A manifest is a few dozen KiB; a cap bounds the parse of a hostile one.
MAX_MANIFEST_BYTES = 1 << 20
_TABLE_FIELDS = (
    "file",
    "sha256",
    "version",
    "effective_date",
    "units",
    "currency",
    "key",
    "illustrative",
    "description",
    "sources",
    "columns",
)
_COLUMN_TYPES = ("str", "int", "float", "date", "country", "currency")
_COLUMN_FIELDS = (
    "name",
    "type",
    "description",
    "min",
    "max",
    "min_exclusive",
    "max_exclusive",
    "allow_inf",
    "allowed",
)
_SOURCE_STATUSES = ("V", "S", "U")
#: Per-row provenance: a table may declare optional ``source`` and ``status`` columns; a row's
#: status is one of these (verified against the primary source, from a secondary source, or
#: our illustrative judgement).  See :meth:`RatingTables.row_provenance`.
ROW_STATUSES = ("verified", "secondary", "judgement")
# The table-level status a row without its own ``status`` column inherits from the manifest's
# sources: all V -> verified, any U -> judgement, otherwise secondary.
_TABLE_STATUS = {"V": "verified", "S": "secondary", "U": "judgement"}
_INT_RE = re.compile(r"[+-]?[0-9]+")
_COUNTRY_RE = re.compile(r"[A-Z]{2}")
_CURRENCY_RE = re.compile(r"[A-Z]{3}")
_SHA_RE = re.compile(r"[0-9a-f]{64}")


# --------------------------------------------------------------------------------------------
# locating the shipped tables


def shipped_tables_location() -> Traversable:
    """Return the directory of the shipped rating tables.

    An installed wheel carries them as the package resource ``xborder_risk/_rating_tables``; in
    a source or editable checkout they are ``rating_tables/`` at the repository root.

    Raises
    ------
    RatingTableError
        If neither location holds a ``manifest.yaml``.
    """
    packaged = resources.files("xborder_risk").joinpath("_rating_tables")
    if packaged.joinpath(MANIFEST_NAME).is_file():
        return packaged
    source_tree = Path(__file__).resolve().parents[2] / "rating_tables"
    if (source_tree / MANIFEST_NAME).is_file():
        return source_tree
    raise RatingTableError(
        "shipped rating tables not found: neither the package resource "
        "'xborder_risk/_rating_tables' nor the source directory "
        f"'{source_tree}' holds {MANIFEST_NAME}"
    )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------------------------
# the loaded object


@dataclass(frozen=True, eq=False)
class RatingTables:
    """A validated, read-only set of rating tables.

    Build it with :meth:`load`.  Each table is available as a pandas DataFrame (a fresh copy on
    every access, so callers cannot change the loaded rates) through a typed property, e.g.
    :attr:`countries` or :attr:`fx`.

    Attributes
    ----------
    source : str
        Where the tables were read from (directory path or package resource).
    manifest : Mapping
        The parsed manifest, read-only.
    """

    source: str
    manifest: Mapping[str, Any]
    _frames: Mapping[str, pd.DataFrame] = field(repr=False)
    _index: Mapping[str, Mapping[tuple[Any, ...], Mapping[str, Any]]] = field(repr=False)

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path | None = None) -> RatingTables:
        """Load and validate rating tables.

        Parameters
        ----------
        path : str or Path, optional
            A directory holding ``manifest.yaml`` and the CSV files it lists.  ``None`` (the
            default) loads the tables shipped with the library.

        Returns
        -------
        RatingTables

        Raises
        ------
        RatingTableError
            On any invalid manifest entry or table (see Notes), naming file, row and column.

        Warns
        -----
        XBorderRiskWarning
            For a CSV file in the directory that the manifest does not list (it is ignored).

        Notes
        -----
        Checks, in order: manifest fields; each listed file exists; its sha256 equals the
        manifest's (a mismatch is an error: rates that change silently must not price business;
        after a deliberate edit run :func:`refresh_checksums`); columns exactly as declared;
        no empty cell; each value parses as its declared type (CSV read as text with
        ``keep_default_na=False`` so that ``NA`` -- Namibia -- is never NaN; ``nan`` and
        infinities are refused unless a column allows ``inf``); bounds and allowed values;
        unique keys; country codes present in ``countries.csv`` and currencies in ``fx.csv``;
        completeness against the shared vocabulary (the rater's tables: ``premium_tax`` is
        optional and checked only if the manifest lists it); and the table-specific rules
        (patterns non-decreasing and ending at 1, bands contiguous, credits ``<= 1``,
        political-risk frequency non-decreasing in the OECD class).
        """
        if path is None:
            return _load_shipped()
        root = Path(path)
        if not root.is_dir():
            raise RatingTableError(f"rating tables directory '{root}' does not exist")
        return _load_from(root, str(root))

    # -- provenance ----------------------------------------------------------------------------

    @property
    def table_names(self) -> tuple[str, ...]:
        """Names of the loaded tables, in manifest order."""
        return tuple(self._frames)

    @property
    def versions(self) -> dict[str, str]:
        """Version string of every table, by table name."""
        return {name: str(self.manifest["tables"][name]["version"]) for name in self._frames}

    @property
    def checksums(self) -> dict[str, str]:
        """sha256 of every table file (verified on load), by table name."""
        return {name: str(self.manifest["tables"][name]["sha256"]) for name in self._frames}

    @property
    def base_currency(self) -> str:
        """Currency of the FX table's rates (amounts per one unit of a currency)."""
        return str(self.manifest["base_currency"])

    def table(self, name: str) -> pd.DataFrame:
        """Return a copy of table ``name``.

        Raises
        ------
        RatingTableError
            If there is no such table.
        """
        try:
            return self._frames[name].copy()
        except KeyError:
            raise RatingTableError(
                f"no rating table named '{name}'; tables: {', '.join(self._frames)}"
            ) from None

    # -- typed accessors -----------------------------------------------------------------------

    @property
    def countries(self) -> pd.DataFrame:
        """``countries.csv``: code, name, oecd_crc, crc_basis, sovereign, data_protection_regime."""
        return self.table("countries")

    @property
    def fx(self) -> pd.DataFrame:
        """``fx.csv``: currency, rate_to_usd (USD per unit), as_of."""
        return self.table("fx")

    @property
    def frequency_base(self) -> pd.DataFrame:
        """``frequency_base.csv``: base frequency per exposure unit and NB beta."""
        return self.table("frequency_base")

    @property
    def severity_base(self) -> pd.DataFrame:
        """``severity_base.csv``: lognormal median (currency units) and sigma per component."""
        return self.table("severity_base")

    @property
    def severity_tail(self) -> pd.DataFrame:
        """``severity_tail.csv``: GPD tail spliced onto the cyber body."""
        return self.table("severity_tail")

    @property
    def outage_duration(self) -> pd.DataFrame:
        """``outage_duration.csv``: lognormal outage duration (hours) by system type."""
        return self.table("outage_duration")

    @property
    def relativities(self) -> pd.DataFrame:
        """``relativities.csv``: frequency and severity factors by line, factor and level."""
        return self.table("relativities")

    @property
    def bands(self) -> pd.DataFrame:
        """``bands.csv``: banded factors for system age, weighted records, partner connections."""
        return self.table("bands")

    @property
    def political_risk_rates(self) -> pd.DataFrame:
        """``political_risk_rates.csv``: claims per contract-year by OECD class and peril."""
        return self.table("political_risk_rates")

    @property
    def political_counterparty(self) -> pd.DataFrame:
        """``political_counterparty.csv``: frequency factor by counterparty and peril."""
        return self.table("political_counterparty")

    @property
    def political_severity(self) -> pd.DataFrame:
        """``political_severity.csv``: value basis and lognormal loss fraction by peril."""
        return self.table("political_severity")

    @property
    def parameters(self) -> pd.DataFrame:
        """``parameters.csv``: scalar rating parameters."""
        return self.table("parameters")

    @property
    def patterns(self) -> pd.DataFrame:
        """``patterns.csv``: cumulative reported and paid proportions by line and month."""
        return self.table("patterns")

    @property
    def premium_tax(self) -> pd.DataFrame:
        """``premium_tax.csv``: country, premium_tax_rate, basis.

        Raises
        ------
        RatingTableError
            If the tables have no premium-tax table (it is optional: see
            :attr:`has_premium_tax`).
        """
        return self.table(PREMIUM_TAX_TABLE)

    # -- look-ups used by the rater --------------------------------------------------------------

    def lookup(self, table: str, **key: object) -> Mapping[str, Any]:
        """Return the single row of ``table`` whose key columns equal ``key``.

        Returns
        -------
        Mapping
            Column name to value (read-only).

        Raises
        ------
        RatingTableError
            If the key is not the table's key or no row matches.
        """
        index = self._index.get(table)
        if index is None:
            raise RatingTableError(f"no rating table named '{table}'")
        key_columns = list(self.manifest["tables"][table]["key"])
        if sorted(key) != sorted(key_columns):
            raise RatingTableError(
                f"{self._file(table)}: look-up by {sorted(key)} but the key is {key_columns}"
            )
        row = index.get(tuple(key[column] for column in key_columns))
        if row is None:
            raise RatingTableError(f"{self._file(table)}: no row for key {_fmt_key(key)}")
        return row

    def parameter(self, name: str) -> float:
        """Value of the scalar parameter ``name`` from ``parameters.csv``."""
        return float(self.lookup("parameters", name=name)["value"])

    # -- per-parameter provenance ------------------------------------------------------------

    def table_provenance(self, table: str) -> tuple[str, str]:
        """``(source, status)`` of a table as a whole, from its manifest sources.

        The status is ``verified`` when every source is ``V``, ``judgement`` when any is ``U``
        (or the table has no source), ``secondary`` otherwise; the source names the manifest.
        """
        entry = self.manifest["tables"].get(table)
        if entry is None:
            return "", ""
        statuses = [str(src["status"]) for src in entry["sources"]]
        if not statuses or "U" in statuses:
            status = _TABLE_STATUS["U"]
        elif all(s == "V" for s in statuses):
            status = _TABLE_STATUS["V"]
        else:
            status = _TABLE_STATUS["S"]
        return f"manifest.yaml: {table} sources", status

    def row_provenance(self, table: str, row: Mapping[str, Any]) -> tuple[str, str]:
        """``(source, status)`` of one row: its own ``source``/``status`` columns if the table
        has them, else the table's (:meth:`table_provenance`)."""
        if "status" in row:
            status = str(row["status"])
            return str(row.get("source", "")), _TABLE_STATUS.get(status, status)
        return self.table_provenance(table)

    def line_parameter(self, line: str, name: str) -> tuple[float, tuple[str, str]]:
        """A scalar of ``line_parameters.csv`` and its ``(source, status)``."""
        row = self.lookup("line_parameters", line=line, name=name)
        return float(row["value"]), self.row_provenance("line_parameters", row)

    def fx_rate(self, currency: str) -> float:
        """Units of the base currency (USD) per one unit of ``currency``.

        Raises
        ------
        RatingTableError
            If ``fx.csv`` has no rate for ``currency``.
        """
        row = self._index["fx"].get((check_text("RatingTables.fx_rate", "currency", currency),))
        if row is None:
            raise RatingTableError(
                f"{self._file('fx')}: no exchange rate for currency '{currency}'; add a row "
                "'currency,rate_to_usd,as_of' for it or quote in a currency the table covers"
            )
        return float(row["rate_to_usd"])

    def fx_date(self, currency: str) -> date:
        """Date of the FX rate of ``currency``."""
        self.fx_rate(currency)
        value: date = self._index["fx"][(currency,)]["as_of"]
        return value

    def convert(self, amount: float, from_currency: str, to_currency: str) -> float:
        """Convert ``amount`` from one currency to another through the base currency.

        Notes
        -----
        ``amount * rate_to_usd[from] / rate_to_usd[to]``.
        """
        value = check_real("RatingTables.convert", "amount", amount, allow_inf=True)
        if from_currency == to_currency:
            return value
        return value * self.fx_rate(from_currency) / self.fx_rate(to_currency)

    def country(self, code: str) -> Mapping[str, Any]:
        """Row of ``countries.csv`` for ISO 3166-1 alpha-2 ``code``.

        Raises
        ------
        RatingTableError
            If the code has no row (a user table may cover fewer countries than ISO 3166-1).
        """
        row = self._index["countries"].get((check_text("RatingTables.country", "code", code),))
        if row is None:
            raise RatingTableError(
                f"{self._file('countries')}: country '{code}' has no row, so it has no "
                "political-risk class or data-protection regime to rate with"
            )
        return row

    @property
    def has_premium_tax(self) -> bool:
        """Whether the tables include the optional premium-tax table (``premium_tax``)."""
        return PREMIUM_TAX_TABLE in self._frames

    def premium_tax_for(self, code: str) -> Mapping[str, Any] | None:
        """Row of ``premium_tax.csv`` for country ``code``, or None if it has no row.

        A country without a row has no premium tax in the tables (rate 0); the caller
        (:func:`xborder_risk.quote.quote`) says so in a message.

        Returns
        -------
        Mapping or None
            ``country``, ``premium_tax_rate`` (fraction of the premium before tax, in
            [0, 1)) and ``basis`` (what the rate is), read-only.

        Raises
        ------
        RatingTableError
            If the tables have no premium-tax table (:attr:`has_premium_tax` is False).
        """
        index = self._index.get(PREMIUM_TAX_TABLE)
        if index is None:
            raise RatingTableError(
                f"the rating tables in '{self.source}' have no '{PREMIUM_TAX_TABLE}' table"
            )
        return index.get((check_text("RatingTables.premium_tax_for", "code", code),))

    def has_table(self, name: str) -> bool:
        """Whether the tables include the table ``name`` (e.g. an optional one)."""
        return name in self._frames

    def market_terms_for(self, line: str) -> Mapping[str, Any] | None:
        """Row of ``market_terms.csv`` for ``line``, or None (no table or no row).

        Returns
        -------
        Mapping or None
            ``line``, ``currency``, ``minimum_premium`` (per policy year, in ``currency``),
            ``minimum_rate_on_line``, ``commission``, ``expense_ratio``, ``profit_margin``
            (fractions of the premium before tax), read-only.

        Raises
        ------
        RatingTableError
            If commission + expenses + profit of the row is 1 or more (no premium covers a
            loss then).
        """
        index = self._index.get(MARKET_TERMS_TABLE)
        row = None if index is None else index.get((line,))
        if row is not None:
            loading = float(row["commission"] + row["expense_ratio"] + row["profit_margin"])
            if loading >= 1.0:
                raise RatingTableError(
                    f"{self._file(MARKET_TERMS_TABLE)}: line '{line}': commission + "
                    f"expense_ratio + profit_margin = {loading:g} must be < 1"
                )
        return row

    def experience_for(self, line: str) -> Mapping[str, Any] | None:
        """Row of ``experience.csv`` for ``line``, or None (no table or no row).

        Returns
        -------
        Mapping or None
            ``line``, ``annual_trend``, ``vhm``, ``max_credit``, ``max_debit``, ``source``,
            ``status``, read-only.
        """
        index = self._index.get(EXPERIENCE_TABLE)
        return None if index is None else index.get((line,))

    def market_bands_for(self, line: str) -> tuple[Mapping[str, Any], ...]:
        """Rows of ``market_bands.csv`` for ``line`` (none without the table).

        Raises
        ------
        RatingTableError
            If a band's ``lower`` is not below its ``upper``.
        """
        frame = self._frames.get(MARKET_BANDS_TABLE)
        if frame is None:
            return ()
        rows = tuple(
            MappingProxyType({str(k): _plain(v) for k, v in record.items()})
            for record in frame[frame["line"] == line].to_dict(orient="records")
        )
        for row in rows:
            if not row["lower"] < row["upper"]:
                raise RatingTableError(
                    f"{self._file(MARKET_BANDS_TABLE)}: line '{line}', measure "
                    f"'{row['measure']}': lower {row['lower']:g} must be below upper "
                    f"{row['upper']:g}"
                )
        return rows

    def relativity(self, line: str, factor: str, level: str) -> tuple[float, float]:
        """(frequency factor, severity factor) of ``relativities.csv`` for one level."""
        row = self.lookup("relativities", line=line, factor=factor, level=level)
        return float(row["frequency_factor"]), float(row["severity_factor"])

    def band(self, line: str, variable: str, value: float) -> tuple[float, float, str]:
        """(frequency factor, severity factor, band label) of the band holding ``value``.

        Bands are ``lower <= value < upper``.
        """
        value = check_real("RatingTables.band", "value", value, allow_inf=True)
        # A scan of the plain rows (a few dozen), in file order: the rater calls this once per
        # system of a schedule, and a pandas filter per call made rating 85,000 systems slow.
        row = next(
            (
                r
                for r in self._index["bands"].values()
                if r["line"] == line
                and r["variable"] == variable
                and r["lower"] <= value < r["upper"]
            ),
            None,
        )
        if row is None:
            raise RatingTableError(
                f"{self._file('bands')}: no band of ({line}, {variable}) holds the value {value!r}"
            )
        label = f"[{row['lower']:g}, {row['upper']:g})"
        return float(row["frequency_factor"]), float(row["severity_factor"]), label

    def _file(self, table: str) -> str:
        return str(self.manifest["tables"][table]["file"])


#: The shipped tables as last loaded, by where they were read from and their files' state.
_shipped_cache: dict[tuple[str, tuple[tuple[str, int, int | str], ...]], RatingTables] = {}


def _load_shipped() -> RatingTables:
    # One validated copy serves every caller while the files stay as they are.  The key holds
    # each file's name, size and modification time, so a table edited in a source checkout is
    # read (and its checksum checked) afresh rather than served from memory.
    root = shipped_tables_location()
    key = (str(root), _files_state(root))
    cached = _shipped_cache.get(key)
    if cached is None:
        cached = _load_from(root, str(root))
        _shipped_cache.clear()
        _shipped_cache[key] = cached
    return cached


def _files_state(root: Traversable) -> tuple[tuple[str, int, int | str], ...]:
    """Name, size and mtime (ns) of every file in ``root``, in name order.

    A resource that is not a file on disk (a zipped install) has no mtime: its sha256 stands in.
    """
    state: list[tuple[str, int, int | str]] = []
    for item in sorted(root.iterdir(), key=lambda entry: entry.name):
        if not item.is_file():
            continue
        if isinstance(item, Path):
            status = item.stat()
            state.append((item.name, status.st_size, status.st_mtime_ns))
        else:
            data = item.read_bytes()
            state.append((item.name, len(data), _sha256(data)))
    return tuple(state)


# --------------------------------------------------------------------------------------------
# loading and validation


class _ManifestLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` without aliases and without duplicate keys.

    An alias (``*name``) re-uses a node, so a few hundred bytes of nested aliases expand to
    billions of nodes ("billion laughs"); a manifest has no use for them.  A repeated key would
    silently replace the first entry (a second ``fx:`` table, a second ``sha256:``).
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                f"found an alias (*{event.anchor}): aliases and anchors are not allowed in "
                f"{MANIFEST_NAME}",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool | date):
                continue  # an unhashable key: the base class reports it
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _read_manifest(root: Traversable, source: str) -> Any:
    manifest_file = root.joinpath(MANIFEST_NAME)
    if not manifest_file.is_file():
        raise RatingTableError(f"{MANIFEST_NAME} not found in '{source}'")
    if isinstance(manifest_file, Path) and manifest_file.stat().st_size > MAX_MANIFEST_BYTES:
        raise RatingTableError(
            f"{MANIFEST_NAME} in '{source}': {manifest_file.stat().st_size} bytes is more than "
            f"the limit of {MAX_MANIFEST_BYTES} bytes"
        )
    data = manifest_file.read_bytes()
    if len(data) > MAX_MANIFEST_BYTES:
        raise RatingTableError(
            f"{MANIFEST_NAME} in '{source}': more than the limit of {MAX_MANIFEST_BYTES} bytes"
        )
    loader = _ManifestLoader(data)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise RatingTableError(f"{MANIFEST_NAME}: not valid YAML ({exc})") from None
    except RecursionError:
        raise RatingTableError(f"{MANIFEST_NAME}: nested too deeply") from None
    finally:
        loader.dispose()


def _load_from(root: Traversable, source: str) -> RatingTables:
    manifest = _read_manifest(root, source)
    _check_manifest(manifest)
    tables: dict[str, Any] = manifest["tables"]

    listed = {str(entry["file"]) for entry in tables.values()}
    for item in root.iterdir():
        if item.name.endswith(".csv") and item.name not in listed:
            warnings.warn(
                f"{item.name} in '{source}' is not listed in {MANIFEST_NAME}; it is ignored",
                XBorderRiskWarning,
                stacklevel=3,
            )

    frames: dict[str, pd.DataFrame] = {}
    for name, entry in tables.items():
        frames[name] = _read_table(root, name, entry)

    _check_references(frames, tables)
    _check_base_currency(frames, tables, str(manifest["base_currency"]))
    _check_rules(frames, tables)
    _check_distributions(frames, tables)
    frozen_manifest = _freeze(manifest)
    index = {name: _key_index(frame, tables[name]["key"]) for name, frame in frames.items()}
    return RatingTables(source, frozen_manifest, MappingProxyType(frames), MappingProxyType(index))


def _key_index(frame: pd.DataFrame, key: list[str]) -> Mapping[tuple[Any, ...], Mapping[str, Any]]:
    # Plain-Python rows by key: the rater looks up hundreds of rows per submission.
    records = frame.to_dict(orient="records")
    return MappingProxyType(
        {
            tuple(_plain(record[k]) for k in key): MappingProxyType(
                {str(column): _plain(value) for column, value in record.items()}
            )
            for record in records
        }
    )


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _check_manifest(manifest: object) -> None:
    if not isinstance(manifest, dict):
        raise RatingTableError(f"{MANIFEST_NAME}: expected a mapping at the top level")
    for top in ("manifest_version", "base_currency", "tables"):
        if top not in manifest:
            raise RatingTableError(f"{MANIFEST_NAME}: missing top-level field '{top}'")
    _refuse_unknown(MANIFEST_NAME, manifest, _MANIFEST_FIELDS)
    if manifest["base_currency"] not in CURRENCY_CODES:
        raise RatingTableError(
            f"{MANIFEST_NAME}: field 'base_currency' {manifest['base_currency']!r} is not an "
            "active ISO 4217 code"
        )
    tables = manifest["tables"]
    if not isinstance(tables, dict) or not tables:
        raise RatingTableError(f"{MANIFEST_NAME}: 'tables' must be a non-empty mapping")
    for required in ("countries", "fx"):
        if required not in tables:
            raise RatingTableError(f"{MANIFEST_NAME}: table '{required}' is required")
    for name, entry in tables.items():
        where = f"{MANIFEST_NAME}: table '{name}'"
        if not isinstance(entry, dict):
            raise RatingTableError(f"{where}: expected a mapping")
        for fld in _TABLE_FIELDS:
            if fld not in entry:
                raise RatingTableError(f"{where}: missing field '{fld}'")
        _refuse_unknown(where, entry, _TABLE_FIELDS + _OPTIONAL_TABLE_FIELDS)
        file_name = entry["file"]
        if not isinstance(file_name, str) or not re.fullmatch(r"[^/\\]+\.csv", file_name):
            raise RatingTableError(
                f"{where}: field 'file' must be the name of a .csv file in the tables' "
                f"directory (got {file_name!r})"
            )
        if not isinstance(entry["illustrative"], bool):
            raise RatingTableError(f"{where}: field 'illustrative' must be true or false")
        effective = entry["effective_date"]
        if not isinstance(effective, date):
            try:
                date.fromisoformat(str(effective))
            except ValueError:
                raise RatingTableError(
                    f"{where}: field 'effective_date' {effective!r} is not an ISO date (YYYY-MM-DD)"
                ) from None
        if entry["currency"] is not None and entry["currency"] not in CURRENCY_CODES:
            raise RatingTableError(
                f"{where}: field 'currency' {entry['currency']!r} is not an active ISO 4217 "
                "code (or null)"
            )
        if not isinstance(entry["sources"], list) or not entry["sources"]:
            raise RatingTableError(f"{where}: field 'sources' must be a non-empty list")
        for i, src in enumerate(entry["sources"], start=1):
            if not isinstance(src, dict) or "citation" not in src or "status" not in src:
                raise RatingTableError(f"{where}: source {i} needs 'citation' and 'status'")
            if src["status"] not in _SOURCE_STATUSES:
                raise RatingTableError(
                    f"{where}: source {i} status {src['status']!r} must be one of "
                    f"{', '.join(_SOURCE_STATUSES)}"
                )
        columns = entry["columns"]
        if not isinstance(columns, list) or not columns:
            raise RatingTableError(f"{where}: field 'columns' must be a non-empty list")
        names = []
        for spec in columns:
            if not isinstance(spec, dict) or "name" not in spec or "type" not in spec:
                raise RatingTableError(f"{where}: every column needs 'name' and 'type'")
            if spec["type"] not in _COLUMN_TYPES:
                raise RatingTableError(
                    f"{where}: column '{spec['name']}' has unknown type {spec['type']!r}"
                )
            _check_column_spec(where, spec)
            names.append(spec["name"])
        if len(set(names)) != len(names):
            raise RatingTableError(f"{where}: duplicate column names")
        key = entry["key"]
        if not isinstance(key, list) or not key or any(k not in names for k in key):
            raise RatingTableError(f"{where}: key {key!r} must list declared columns")


def _refuse_unknown(where: str, entry: Mapping[Any, Any], allowed: tuple[str, ...]) -> None:
    # A misspelt field ("sha265", "base_curency") would otherwise be ignored in silence.
    unknown = [k for k in entry if k not in allowed]
    if unknown:
        raise RatingTableError(
            f"{where}: unknown field(s) {', '.join(map(repr, unknown))} "
            f"(allowed: {', '.join(allowed)})"
        )


def _check_column_spec(where: str, spec: Mapping[str, Any]) -> None:
    """A column's bounds and allowed values must be well formed, or they would be misapplied."""
    column = f"{where}: column '{spec['name']}'"
    unknown = [k for k in spec if k not in _COLUMN_FIELDS]
    if unknown:
        raise RatingTableError(
            f"{column}: unknown field(s) {', '.join(map(repr, unknown))} "
            f"(allowed: {', '.join(_COLUMN_FIELDS)})"
        )
    for bound in ("min", "max"):
        value = spec.get(bound)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or math.isnan(value)
            or spec["type"] not in ("int", "float")
        ):
            raise RatingTableError(
                f"{column}: '{bound}' must be a number on an int or float column (got {value!r})"
            )
    for flag in ("min_exclusive", "max_exclusive", "allow_inf"):
        if flag in spec and not isinstance(spec[flag], bool):
            raise RatingTableError(f"{column}: '{flag}' must be true or false")
    if "allowed" in spec:
        allowed = spec["allowed"]
        if not isinstance(allowed, list) or not allowed:
            raise RatingTableError(f"{column}: 'allowed' must be a non-empty list")
        if spec["type"] in ("str", "country", "currency") and not all(
            isinstance(v, str) for v in allowed
        ):
            # YAML 1.1 reads unquoted yes / no / NO as booleans: quote such values.
            raise RatingTableError(
                f"{column}: every 'allowed' value of a text column must be a string (quote "
                f"values such as 'yes', 'no', 'NO'; got {allowed!r})"
            )


def _read_table(root: Traversable, name: str, entry: Mapping[str, Any]) -> pd.DataFrame:
    file_name = str(entry["file"])
    file = root.joinpath(file_name)
    if not file.is_file():
        raise RatingTableError(
            f"{MANIFEST_NAME}: table '{name}' lists file '{file_name}', which is missing"
        )
    data = file.read_bytes()
    expected = str(entry["sha256"])
    actual = _sha256(data)
    if actual != expected:
        raise RatingTableError(
            f"{file_name}: sha256 {actual} does not match the manifest's {expected!r}; if the "
            "edit is deliberate, update the manifest with refresh_checksums(directory)"
        )
    try:
        raw = pd.read_csv(
            BytesIO(data), dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8"
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise RatingTableError(f"{file_name}: cannot be read as CSV ({exc})") from None

    specs = list(entry["columns"])
    declared = [str(s["name"]) for s in specs]
    present = [str(c) for c in raw.columns]
    for column in declared:
        if column not in present:
            raise RatingTableError(f"{file_name}: missing column '{column}'")
    for column in present:
        if column not in declared:
            raise RatingTableError(
                f"{file_name}: column '{column}' is not declared in {MANIFEST_NAME}"
            )
    if raw.empty:
        raise RatingTableError(f"{file_name}: has no data rows")

    converted: dict[str, list[Any]] = {}
    for spec in specs:
        column = str(spec["name"])
        converted[column] = [
            _convert_cell(file_name, row, column, str(cell).strip(), spec)
            for row, cell in enumerate(raw[column].tolist(), start=1)
        ]
    frame = pd.DataFrame(converted, columns=declared)
    for spec in specs:
        if spec["type"] == "float":
            frame[spec["name"]] = frame[spec["name"]].astype("float64")
        elif spec["type"] == "int":
            frame[spec["name"]] = frame[spec["name"]].astype("int64")

    if "status" in declared:
        for row, value in enumerate(frame["status"].tolist(), start=1):
            if value not in ROW_STATUSES and value not in _TABLE_STATUS:
                raise RatingTableError(
                    f"{_where(file_name, row, 'status')}: {value!r} is not one of "
                    f"{', '.join(ROW_STATUSES)} (or the manifest's V, S, U)"
                )
    key = [str(k) for k in entry["key"]]
    duplicated = frame.duplicated(subset=key, keep=False)
    if duplicated.any():
        rows = [int(i) + 1 for i in frame.index[duplicated]]
        first = frame.loc[frame.index[duplicated][0], key].to_dict()
        raise RatingTableError(
            f"{file_name}: rows {rows} repeat the key {_fmt_key(first)} "
            f"(key columns {', '.join(key)})"
        )
    return frame


def _where(file_name: str, row: int, column: str) -> str:
    # Data row 1 is line 2 of the file, after the header.
    return f"{file_name}, row {row} (line {row + 1}), column '{column}'"


def _convert_cell(file_name: str, row: int, column: str, text: str, spec: Mapping[str, Any]) -> Any:
    where = _where(file_name, row, column)
    kind = spec["type"]
    if text == "":
        raise RatingTableError(f"{where}: empty value")
    value: Any
    if kind == "str":
        value = text
    elif kind == "country":
        if not _COUNTRY_RE.fullmatch(text):
            raise RatingTableError(
                f"{where}: {text!r} is not an ISO 3166-1 alpha-2 code (two upper-case letters)"
            )
        value = text
    elif kind == "currency":
        if not _CURRENCY_RE.fullmatch(text):
            raise RatingTableError(
                f"{where}: {text!r} is not an ISO 4217 code (three upper-case letters)"
            )
        value = text
    elif kind == "date":
        try:
            value = date.fromisoformat(text)
        except ValueError:
            raise RatingTableError(f"{where}: {text!r} is not an ISO date (YYYY-MM-DD)") from None
    elif kind == "int":
        if not _INT_RE.fullmatch(text):
            raise RatingTableError(f"{where}: {text!r} is not an integer")
        value = int(text)
    else:  # float
        try:
            value = float(text)
        except ValueError:
            raise RatingTableError(f"{where}: {text!r} is not a number") from None
        if math.isnan(value):
            raise RatingTableError(f"{where}: NaN is not allowed")
        if math.isinf(value) and not (spec.get("allow_inf", False) and value > 0):
            raise RatingTableError(f"{where}: {text!r} is not finite")
    if kind in ("int", "float"):
        lower = spec.get("min")
        if lower is not None:
            exclusive = bool(spec.get("min_exclusive", False))
            if value < lower or (exclusive and value == lower):
                rule = f"> {lower}" if exclusive else f">= {lower}"
                raise RatingTableError(f"{where}: {text!r} must be {rule}")
        upper = spec.get("max")
        if upper is not None:
            exclusive = bool(spec.get("max_exclusive", False))
            if value > upper or (exclusive and value == upper):
                rule = f"< {upper}" if exclusive else f"<= {upper}"
                raise RatingTableError(f"{where}: {text!r} must be {rule}")
    allowed = spec.get("allowed")
    if allowed is not None and value not in allowed:
        raise RatingTableError(f"{where}: {text!r} is not one of {', '.join(map(str, allowed))}")
    return value


def _check_references(frames: Mapping[str, pd.DataFrame], tables: Mapping[str, Any]) -> None:
    country_codes = frozenset(frames["countries"]["code"])
    currencies = frozenset(frames["fx"]["currency"])
    for name, entry in tables.items():
        file_name = str(entry["file"])
        frame = frames[name]
        for spec in entry["columns"]:
            column = str(spec["name"])
            if spec["type"] == "country":
                if name == "countries" and column == "code":
                    known, what = COUNTRY_CODES, "the ISO 3166-1 alpha-2 list"
                else:
                    known, what = country_codes, "countries.csv"
            elif spec["type"] == "currency":
                if name == "fx" and column == "currency":
                    known, what = CURRENCY_CODES, "the active ISO 4217 list"
                else:
                    known, what = currencies, "fx.csv (no exchange rate)"
            else:
                continue
            for row, value in enumerate(frame[column].tolist(), start=1):
                if value not in known:
                    raise RatingTableError(
                        f"{_where(file_name, row, column)}: {value!r} is not in {what}"
                    )


def _check_base_currency(
    frames: Mapping[str, pd.DataFrame], tables: Mapping[str, Any], base: str
) -> None:
    # fx.csv holds amounts of the base currency per unit of each currency: the base's own
    # rate must be there and be 1, or every conversion is off by its rate.
    fx = frames["fx"]
    rows = fx.index[fx["currency"] == base].tolist()
    file_name = str(tables["fx"]["file"])
    if not rows:
        raise RatingTableError(
            f"{MANIFEST_NAME}: field 'base_currency' {base!r} has no row in {file_name}"
        )
    rate = float(fx.loc[rows[0], "rate_to_usd"])
    if rate != 1.0:
        raise RatingTableError(
            f"{_where(file_name, int(rows[0]) + 1, 'rate_to_usd')}: the base currency {base} "
            f"must have rate 1 (rates are {base} per unit of each currency; got {rate:g})"
        )


def _require_keys(
    frames: Mapping[str, pd.DataFrame],
    tables: Mapping[str, Any],
    table: str,
    required: Iterator[dict[str, object]],
) -> None:
    if table not in frames:
        raise RatingTableError(f"{MANIFEST_NAME}: table '{table}' is required by the rater")
    frame = frames[table]
    key = [str(k) for k in tables[table]["key"]]
    present = set(map(tuple, frame[key].itertuples(index=False, name=None)))
    for values in required:
        wanted = tuple(values[k] for k in key)
        if wanted not in present:
            missing = dict(zip(key, wanted, strict=True))
            raise RatingTableError(
                f"{tables[table]['file']}: missing row for key {_fmt_key(missing)}"
            )


def _product(**axes: tuple[object, ...]) -> Iterator[dict[str, object]]:
    keys = list(axes)
    combos: list[dict[str, object]] = [{}]
    for k in keys:
        combos = [{**c, k: v} for c in combos for v in axes[k]]
    return iter(combos)


def _check_rules(frames: Mapping[str, pd.DataFrame], tables: Mapping[str, Any]) -> None:
    """Completeness against the shared vocabulary and the table-specific rules."""
    for table in (
        "parameters",
        "frequency_base",
        "relativities",
        "bands",
        "patterns",
        "line_parameters",
    ):
        if table not in frames:
            raise RatingTableError(f"{MANIFEST_NAME}: table '{table}' is required by the rater")
    _require_keys(frames, tables, "parameters", _product(name=PARAMETER_NAMES))
    for line, names in LINE_PARAMETER_NAMES.items():
        _require_keys(frames, tables, "line_parameters", _product(line=(line,), name=names))
    components = {
        "tech_failure": ("outage",),
        "cyber": ("incident",),
        "operational_liability": OL_COMPONENTS,
    }
    for line, comps in components.items():
        _require_keys(
            frames,
            tables,
            "frequency_base",
            _product(line=(line,), insured_kind=INSURED_KINDS, component=comps),
        )
        if line != "tech_failure":
            _require_keys(
                frames,
                tables,
                "severity_base",
                _product(line=(line,), insured_kind=INSURED_KINDS, component=comps),
            )
    _require_keys(
        frames,
        tables,
        "severity_tail",
        _product(line=("cyber",), insured_kind=INSURED_KINDS, component=("incident",)),
    )
    _require_keys(frames, tables, "outage_duration", _product(system_type=SYSTEM_TYPES))
    relativity_levels = {
        ("tech_failure", "system_type"): SYSTEM_TYPES,
        ("tech_failure", "redundancy"): REDUNDANCY_LEVELS,
        ("tech_failure", "vendor_support"): VENDOR_SUPPORT_LEVELS,
        ("cyber", "security_control"): SECURITY_CONTROLS,
        ("cyber", "penetration_test"): PENETRATION_TEST_LEVELS,
        ("cyber", "data_protection_regime"): DATA_PROTECTION_REGIMES,
        ("operational_liability", "role"): ROLES,
        ("operational_liability", "use_of_force"): YES_NO,
        ("operational_liability", "detention"): YES_NO,
    }
    for (line, factor), levels in relativity_levels.items():
        _require_keys(
            frames,
            tables,
            "relativities",
            _product(line=(line,), factor=(factor,), level=levels),
        )
    _require_keys(
        frames,
        tables,
        "political_risk_rates",
        _product(oecd_crc=tuple(range(8)), peril=PERILS),
    )
    _require_keys(
        frames,
        tables,
        "political_counterparty",
        _product(counterparty=COUNTERPARTIES, peril=PERILS),
    )
    _require_keys(frames, tables, "political_severity", _product(peril=PERILS))

    _check_relativity_rules(frames["relativities"], str(tables["relativities"]["file"]))
    _check_band_rules(frames["bands"], str(tables["bands"]["file"]))
    _check_patterns(frames["patterns"], str(tables["patterns"]["file"]))
    _check_political_monotone(
        frames["political_risk_rates"], str(tables["political_risk_rates"]["file"])
    )
    _check_nb_beta_shared(frames["frequency_base"], str(tables["frequency_base"]["file"]))


def _check_relativity_rules(frame: pd.DataFrame, file_name: str) -> None:
    # Credits: a control that is present, or a more recent test, must never raise the loss.
    credit_rows = frame[
        (frame["line"] == "cyber") & frame["factor"].isin(["security_control", "penetration_test"])
    ]
    for index, row in credit_rows.iterrows():
        for column in ("frequency_factor", "severity_factor"):
            if row[column] > 1.0:
                raise RatingTableError(
                    f"{_where(file_name, int(str(index)) + 1, column)}: the credit for "
                    f"{row['factor']} '{row['level']}' must be <= 1 (got {row[column]:g})"
                )
    _check_ordered(frame, file_name, "tech_failure", "redundancy", REDUNDANCY_LEVELS)
    _check_ordered(frame, file_name, "cyber", "penetration_test", PENETRATION_TEST_LEVELS)


def _check_ordered(
    frame: pd.DataFrame, file_name: str, line: str, factor: str, levels: tuple[str, ...]
) -> None:
    """Factors must move one way along ``levels``.

    Redundancy (``none`` -> ``n_plus_1`` -> ``geo_redundant``) must never raise a factor; the
    penetration-test levels (most recent first) must never lower one.
    """
    rows = frame[(frame["line"] == line) & (frame["factor"] == factor)]
    by_level = {str(r["level"]): (int(str(i)) + 1, r) for i, r in rows.iterrows()}
    ordered = [lvl for lvl in levels if lvl in by_level]
    rising_allowed = factor == "penetration_test"
    for column in ("frequency_factor", "severity_factor"):
        for previous, current in itertools.pairwise(ordered):
            a = float(by_level[previous][1][column])
            row_number, row = by_level[current]
            b = float(row[column])
            if (rising_allowed and b < a) or (not rising_allowed and b > a):
                direction = "fall" if rising_allowed else "rise"
                raise RatingTableError(
                    f"{_where(file_name, row_number, column)}: {factor} factors must not "
                    f"{direction} along {' -> '.join(ordered)} ({previous} {a:g}, "
                    f"{current} {b:g})"
                )


def _check_band_rules(frame: pd.DataFrame, file_name: str) -> None:
    for rated_line, rated_variables in BAND_VARIABLES.items():
        for rated in rated_variables:
            if not ((frame["line"] == rated_line) & (frame["variable"] == rated)).any():
                raise RatingTableError(f"{file_name}: no bands for ({rated_line}, {rated})")
    for (band_line, variable), group in frame.groupby(["line", "variable"], sort=False):
        line = str(band_line)
        allowed = BAND_VARIABLES.get(str(line), ())
        first_row = int(str(group.index[0])) + 1
        if variable not in allowed:
            raise RatingTableError(
                f"{_where(file_name, first_row, 'variable')}: variable '{variable}' is not "
                f"rated for line '{line}' (allowed: {', '.join(allowed) or 'none'})"
            )
        ordered = group.sort_values("lower")
        rows = [int(str(i)) + 1 for i in ordered.index]
        lowers = ordered["lower"].tolist()
        uppers = ordered["upper"].tolist()
        if lowers[0] != 0.0:
            raise RatingTableError(
                f"{_where(file_name, rows[0], 'lower')}: bands of ({line}, {variable}) must "
                f"start at 0 (got {lowers[0]:g})"
            )
        for k, row in enumerate(rows):
            if uppers[k] <= lowers[k]:
                raise RatingTableError(
                    f"{_where(file_name, row, 'upper')}: upper {uppers[k]:g} must exceed "
                    f"lower {lowers[k]:g}"
                )
            if k + 1 < len(rows) and lowers[k + 1] != uppers[k]:
                raise RatingTableError(
                    f"{_where(file_name, rows[k + 1], 'lower')}: bands of ({line}, {variable}) "
                    f"must be contiguous: lower {lowers[k + 1]:g} != previous upper {uppers[k]:g}"
                )
        if not math.isinf(uppers[-1]):
            raise RatingTableError(
                f"{_where(file_name, rows[-1], 'upper')}: the last band of ({line}, {variable}) "
                f"must end at inf (got {uppers[-1]:g})"
            )
        if variable in MONOTONE_BAND_VARIABLES:
            for column in ("frequency_factor", "severity_factor"):
                values = ordered[column].tolist()
                for k in range(1, len(values)):
                    if values[k] < values[k - 1]:
                        raise RatingTableError(
                            f"{_where(file_name, rows[k], column)}: factors of ({line}, "
                            f"{variable}) must not fall as the variable grows "
                            f"({values[k - 1]:g} then {values[k]:g})"
                        )


def _check_patterns(frame: pd.DataFrame, file_name: str) -> None:
    for line in LINES:
        if not (frame["line"] == line).any():
            raise RatingTableError(f"{file_name}: no pattern for line '{line}'")
    for pattern_line, group in frame.groupby("line", sort=False):
        line = str(pattern_line)
        ordered = group.sort_values("development_months")
        rows = [int(str(i)) + 1 for i in ordered.index]
        reported = ordered["cumulative_reported"].tolist()
        paid = ordered["cumulative_paid"].tolist()
        for k, row in enumerate(rows):
            if paid[k] > reported[k]:
                raise RatingTableError(
                    f"{_where(file_name, row, 'cumulative_paid')}: paid {paid[k]:g} exceeds "
                    f"reported {reported[k]:g} for line '{line}'"
                )
            if k > 0:
                for column, values in (
                    ("cumulative_reported", reported),
                    ("cumulative_paid", paid),
                ):
                    if values[k] < values[k - 1]:
                        raise RatingTableError(
                            f"{_where(file_name, row, column)}: pattern of '{line}' falls from "
                            f"{values[k - 1]:g} to {values[k]:g}; it must be non-decreasing"
                        )
        for column, values in (("cumulative_reported", reported), ("cumulative_paid", paid)):
            if values[-1] != 1.0:
                raise RatingTableError(
                    f"{_where(file_name, rows[-1], column)}: pattern of '{line}' must end at 1 "
                    f"(got {values[-1]:g})"
                )


def _check_political_monotone(frame: pd.DataFrame, file_name: str) -> None:
    # A worse OECD class must never lower the political-risk frequency of any peril.
    for peril, group in frame.groupby("peril", sort=False):
        ordered = group.sort_values("oecd_crc")
        rows = [int(str(i)) + 1 for i in ordered.index]
        values = ordered["frequency_per_contract_year"].tolist()
        classes = ordered["oecd_crc"].tolist()
        for k in range(1, len(values)):
            if values[k] < values[k - 1]:
                raise RatingTableError(
                    f"{_where(file_name, rows[k], 'frequency_per_contract_year')}: frequency of "
                    f"'{peril}' falls from class {classes[k - 1]} ({values[k - 1]:g}) to class "
                    f"{classes[k]} ({values[k]:g}); it must be non-decreasing in the class"
                )


def _check_nb_beta_shared(frame: pd.DataFrame, file_name: str) -> None:
    # Components of one line are summed into one negative binomial, exact only for a shared beta.
    for (line, kind), group in frame.groupby(["line", "insured_kind"], sort=False):
        betas = group["nb_beta"].tolist()
        if any(b != betas[0] for b in betas):
            row = int(str(group.index[[b != betas[0] for b in betas].index(True)])) + 1
            raise RatingTableError(
                f"{_where(file_name, row, 'nb_beta')}: all components of ({line}, {kind}) must "
                f"share one nb_beta (found {sorted(set(betas))})"
            )


def _row_distribution(
    file_name: str, row: int, columns: dict[str, str], build: Any, *args: Any, context: str = ""
) -> Any:
    """``build(*args)``, its ParameterError turned into one naming file, row and column.

    ``columns`` maps the distribution's parameter names to the table columns they come from.
    """
    try:
        return build(*args)
    except ParameterError as exc:
        named = [c for p, c in columns.items() if p in exc.name.split(", ")]
        column = ", ".join(dict.fromkeys(named)) or ", ".join(dict.fromkeys(columns.values()))
        what = f"this value {context}" if context else "these values"
        raise RatingTableError(
            f"{_where(file_name, row, column)}: {what} cannot price: {exc}"
        ) from None


def _check_distributions(frames: Mapping[str, pd.DataFrame], tables: Mapping[str, Any]) -> None:
    """Build, for every row, the distribution the rater builds from it at unit exposure.

    The rows then pass the domains of :mod:`xborder_risk.distributions` (numpy's sampling
    limits, no overflowing quantile or mean), so a table that ``tables check`` accepts does not
    fail the quote later on an unnamed parameter.  Relativities and bands multiply these
    bases per submission; a product that leaves the domain is refused when rating, naming the
    line (see docs/rating.md).
    """

    def counts(frequency: float, beta: float) -> Poisson | NegativeBinomial | None:
        if frequency == 0.0:
            return None
        if beta == 0.0:
            return Poisson(lam=frequency)
        return NegativeBinomial(r=frequency / beta, beta=beta)

    def lognormal(median: float, sigma: float) -> Lognormal:
        return Lognormal(mu=math.log(median), sigma=sigma)

    frequency_columns = {"lam": "frequency_per_unit", "r": "frequency_per_unit", "beta": "nb_beta"}
    file_name = str(tables["frequency_base"]["file"])
    for i, r in enumerate(frames["frequency_base"].to_dict(orient="records"), start=1):
        args = (float(r["frequency_per_unit"]), float(r["nb_beta"]))
        _row_distribution(file_name, i, frequency_columns, counts, *args)

    bodies: dict[tuple[Any, ...], tuple[Lognormal, float]] = {}
    if "severity_base" in frames:
        file_name = str(tables["severity_base"]["file"])
        for i, r in enumerate(frames["severity_base"].to_dict(orient="records"), start=1):
            args = (float(r["median"]), float(r["sigma"]))
            columns = {"mu": "median", "sigma": "sigma"}
            key = (r["line"], r["insured_kind"], r["component"])
            bodies[key] = (_row_distribution(file_name, i, columns, lognormal, *args), args[0])

    if "severity_tail" in frames:
        file_name = str(tables["severity_tail"]["file"])

        def spliced(body: Lognormal, median: float, ratio: float, xi: float, scale: float) -> Any:
            threshold = median * ratio
            tail = GeneralizedPareto(xi=xi, beta=threshold * scale)
            return Spliced(body=body, tail=tail, threshold=threshold)

        columns = {
            "xi": "xi",
            "beta": "beta_over_threshold",
            "threshold": "threshold_over_median",
        }
        for i, r in enumerate(frames["severity_tail"].to_dict(orient="records"), start=1):
            key = (r["line"], r["insured_kind"], r["component"])
            if key not in bodies:
                continue  # completeness is _check_rules' job
            tail_args = (
                *bodies[key],
                float(r["threshold_over_median"]),
                float(r["xi"]),
                float(r["beta_over_threshold"]),
            )
            _row_distribution(file_name, i, columns, spliced, *tail_args)

    for table, median_column in (
        ("outage_duration", "median_hours"),
        ("political_severity", "median_loss_fraction"),
    ):
        if table in frames:
            file_name = str(tables[table]["file"])
            columns = {"mu": median_column, "sigma": "sigma"}
            for i, r in enumerate(frames[table].to_dict(orient="records"), start=1):
                args = (float(r[median_column]), float(r["sigma"]))
                _row_distribution(file_name, i, columns, lognormal, *args)

    _check_factor_rows(frames, tables, counts, lognormal, frequency_columns)

    if "political_risk_rates" in frames:
        names = frames["parameters"]["name"].tolist()
        beta = (
            float(frames["parameters"]["value"].iloc[names.index("political_risk_nb_beta")])
            if "political_risk_nb_beta" in names
            else 0.0
        )
        file_name = str(tables["political_risk_rates"]["file"])
        columns = {
            "lam": "frequency_per_contract_year",
            "r": "frequency_per_contract_year",
            "beta": "frequency_per_contract_year (with parameters.csv political_risk_nb_beta)",
        }
        for i, r in enumerate(frames["political_risk_rates"].to_dict(orient="records"), start=1):
            args = (float(r["frequency_per_contract_year"]), beta)
            _row_distribution(file_name, i, columns, counts, *args)


def _check_factor_rows(
    frames: Mapping[str, pd.DataFrame],
    tables: Mapping[str, Any],
    counts: Any,
    lognormal: Any,
    frequency_columns: dict[str, str],
) -> None:
    """A relativity or band factor applied alone to its line's base rows must still price.

    A factor of 1e300 would otherwise pass every bound and fail the first quote that uses it.
    (Several factors multiply; their product is checked when a submission is rated.)
    """
    bases = frames["frequency_base"].to_dict(orient="records")
    severities = (
        frames["severity_base"].to_dict(orient="records") if "severity_base" in frames else []
    )
    for table in ("relativities", "bands"):
        file_name = str(tables[table]["file"])
        for i, r in enumerate(frames[table].to_dict(orient="records"), start=1):
            frequency_factor = float(r["frequency_factor"])
            severity_factor = float(r["severity_factor"])
            for base in (b for b in bases if b["line"] == r["line"]):
                frequency = float(base["frequency_per_unit"]) * frequency_factor
                # nb_beta is the base row's; the factor is what this row contributes.
                columns = dict.fromkeys(frequency_columns, "frequency_factor")
                context = f"times the base frequency of ({r['line']}, {base['component']})"
                args = (frequency, float(base["nb_beta"]))
                _row_distribution(file_name, i, columns, counts, *args, context=context)
            for base in (b for b in severities if b["line"] == r["line"]):
                median = float(base["median"]) * severity_factor
                columns = {"mu": "severity_factor", "sigma": "severity_factor"}
                context = f"times the base median of ({r['line']}, {base['component']})"
                args = (median, float(base["sigma"]))
                _row_distribution(file_name, i, columns, lognormal, *args, context=context)


def _fmt_key(key: Mapping[str, object]) -> str:
    return "(" + ", ".join(f"{k}={v!r}" for k, v in key.items()) + ")"


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


# --------------------------------------------------------------------------------------------
# maintenance


def refresh_checksums(path: str | Path) -> dict[str, str]:
    """Rewrite the ``sha256`` of every table in ``path/manifest.yaml`` from the files on disk.

    Use it after a deliberate edit of a CSV file, then review the diff: the manifest's other
    fields (version, effective date, sources) usually need updating by hand as well.

    Parameters
    ----------
    path : str or Path
        Directory holding ``manifest.yaml`` and the tables.

    Returns
    -------
    dict
        The new checksum of every table, by table name.

    Notes
    -----
    Only the ``sha256:`` line of each table entry changes; comments and layout are kept.
    """
    root = Path(path)
    manifest_path = root / MANIFEST_NAME
    text = manifest_path.read_text(encoding="utf-8")
    manifest = yaml.safe_load(text)
    tables = manifest.get("tables", {}) if isinstance(manifest, dict) else {}
    new: dict[str, str] = {}
    lines = text.splitlines(keepends=True)
    current: str | None = None
    in_tables = False
    for i, line in enumerate(lines):
        stripped = line.rstrip("\n")
        if stripped.startswith("tables:"):
            in_tables = True
            continue
        if in_tables and re.fullmatch(r"  [A-Za-z0-9_]+:\s*", stripped):
            current = stripped.strip()[:-1]
            continue
        match = re.fullmatch(r"(    sha256:\s*)(\S*)(\s*)", stripped)
        if in_tables and current is not None and current in tables and match:
            digest = _sha256((root / str(tables[current]["file"])).read_bytes())
            new[current] = digest
            ending = line[len(stripped) :]
            lines[i] = f"{match.group(1)}{digest}{ending}"
    missing = sorted(set(tables) - set(new))
    if missing:
        raise RatingTableError(
            f"{MANIFEST_NAME}: no 'sha256:' line found for table(s) {', '.join(missing)}"
        )
    manifest_path.write_text("".join(lines), encoding="utf-8")
    return new
