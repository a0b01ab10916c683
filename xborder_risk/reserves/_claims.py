"""Triangles from a claims (transactions) file: read, validate row by row, aggregate.

Nothing is dropped silently: every row left out is listed in :attr:`ClaimsData.exclusions`
with its row, column, value and the rule it broke; a file that cannot be read as a whole
(a missing column, mixed currencies without rates) is an error naming the file and column.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from xborder_risk._validation import check_choice
from xborder_risk.errors import ParameterError
from xborder_risk.reserves._triangle import Triangle

__all__ = [
    "BASES",
    "GRAINS",
    "ORIGINS",
    "REQUIRED_COLUMNS",
    "ClaimsData",
    "read_claims",
]

_OWNER = "read_claims"
REQUIRED_COLUMNS: tuple[str, ...] = (
    "policy",
    "line",
    "accident_date",
    "report_date",
    "transaction_date",
    "paid",
    "case",
    "currency",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("claim", "country", "underwriting_date", "transaction_id")
_DATES = ("accident_date", "report_date", "transaction_date", "underwriting_date")
BASES: tuple[str, ...] = ("paid", "incurred", "count")
ORIGINS: tuple[str, ...] = ("accident", "underwriting", "report")
GRAINS: tuple[str, ...] = ("year", "quarter", "month")
_MONTHS = {"year": 12, "quarter": 3, "month": 1}
_EXCLUSION_COLUMNS = ["file", "row", "column", "value", "rule"]

Basis = Literal["paid", "incurred", "count"]
Origin = Literal["accident", "underwriting", "report"]
Grain = Literal["year", "quarter", "month"]


def _period(dates: pd.Series, grain: str) -> NDArray[np.int64]:
    """Integer period number of each date: years, quarters or months since year 0."""
    year = dates.dt.year.to_numpy(dtype=np.int64)
    month = dates.dt.month.to_numpy(dtype=np.int64) - 1
    if grain == "year":
        return year
    if grain == "quarter":
        return year * 4 + month // 3
    return year * 12 + month


def _period_label(period: int, grain: str) -> int | str:
    if grain == "year":
        return int(period)
    if grain == "quarter":
        return f"{period // 4}Q{period % 4 + 1}"
    return f"{period // 12}-{period % 12 + 1:02d}"


@dataclass(frozen=True)
class ClaimsData:
    """A validated claims listing, ready to be cut into triangles.

    Attributes
    ----------
    source : str
        The file name (or ``"<DataFrame>"``) used in messages.
    frame : pandas.DataFrame
        The rows kept, dates parsed, amounts in the reporting currency, with the 1-based
        ``row`` of the file they came from.
    exclusions : pandas.DataFrame
        One row per (row, rule) left out: ``file, row, column, value, rule``.
    currency : str
        The currency of every amount in ``frame``.
    valuation_date : pandas.Timestamp
        Transactions after it were excluded; triangles are cut at it.
    """

    source: str
    frame: pd.DataFrame
    exclusions: pd.DataFrame
    currency: str
    valuation_date: pd.Timestamp

    @property
    def lines(self) -> tuple[str, ...]:
        """The lines present in the kept rows, sorted."""
        return tuple(sorted(self.frame["line"].astype(str).unique()))

    def triangle(
        self,
        line: str | None = None,
        *,
        basis: Basis = "paid",
        origin: Origin = "accident",
        grain: Grain = "year",
    ) -> Triangle:
        """The cumulative triangle of one line (or of all lines when ``line`` is None).

        Parameters
        ----------
        line : str, optional
            A line in :attr:`lines`; None sums all lines.
        basis : {"paid", "incurred", "count"}
            Paid amounts, incurred (paid + case reserve movements) or the number of claims
            reported (a claim counts once, at its report date).
        origin : {"accident", "underwriting", "report"}
            Which date defines the origin period (underwriting needs the
            ``underwriting_date`` column).
        grain : {"year", "quarter", "month"}
            Length of origin and development periods. Development ages are labelled in
            months at the end of each period (12, 24, ... for years).

        Returns
        -------
        Triangle
            Origins from the first period in the data to the valuation period; cells after
            the valuation date are NaN, observed cells with no transaction are 0.
        """
        owner = "ClaimsData.triangle"
        basis = check_choice(owner, "basis", basis, BASES)  # type: ignore[assignment]
        origin = check_choice(owner, "origin", origin, ORIGINS)  # type: ignore[assignment]
        grain = check_choice(owner, "grain", grain, GRAINS)  # type: ignore[assignment]
        rows = self.frame
        if line is not None:
            if line not in self.lines:
                raise ParameterError(owner, "line", line, f"must be one of {list(self.lines)}")
            rows = rows[rows["line"].astype(str) == line]
        origin_column = f"{origin}_date"
        if origin_column not in rows.columns:
            raise ParameterError(
                owner, "origin", origin, f"needs the column {origin_column!r} in {self.source}"
            )
        valuation = int(_period(pd.Series([self.valuation_date]), grain)[0])
        all_origins = _period(self.frame[origin_column], grain)
        first = int(all_origins.min())
        n = valuation - first + 1
        if basis == "count":
            key = ["claim"]
            claims = rows.sort_values("report_date").drop_duplicates(subset=key)
            o = _period(claims[origin_column], grain)
            d = _period(claims["report_date"], grain) - o
            amount = np.ones(len(claims))
        else:
            o = _period(rows[origin_column], grain)
            d = _period(rows["transaction_date"], grain) - o
            amount = rows["paid"].to_numpy(dtype=np.float64)
            if basis == "incurred":
                amount = amount + rows["case"].to_numpy(dtype=np.float64)
        incremental = np.zeros((n, n))
        np.add.at(incremental, (o - first, d), amount)
        cumulative = np.cumsum(incremental, axis=1)
        unobserved = np.arange(n)[None, :] >= (n - np.arange(n))[:, None]
        cumulative[unobserved] = np.nan
        months = _MONTHS[grain]
        return Triangle(
            cumulative,
            origin=[_period_label(first + i, grain) for i in range(n)],
            development=[months * (k + 1) for k in range(n)],
        )

    def triangles(
        self, *, basis: Basis = "paid", origin: Origin = "accident", grain: Grain = "year"
    ) -> dict[str, Triangle]:
        """One triangle per line (same origins and ages for every line)."""
        return {
            line: self.triangle(line, basis=basis, origin=origin, grain=grain)
            for line in self.lines
        }


class _Rows:
    """Collects the bad rows of a listing: (row index, column, value, rule)."""

    def __init__(self, source: str, frame: pd.DataFrame, strict: bool) -> None:
        self.source = source
        self.frame = frame
        self.strict = strict
        self.records: list[tuple[int, str, object, str]] = []
        self.bad = np.zeros(len(frame), dtype=bool)

    def flag(self, mask: NDArray[np.bool_], column: str, rule: str) -> None:
        mask = mask & ~self.bad  # one reason per row: the first rule it broke
        if not mask.any():
            return
        positions = np.flatnonzero(mask)
        values = self.frame[column].to_numpy(dtype=object)[positions] if column else None
        for j, p in enumerate(positions):
            self.records.append((int(p) + 1, column, None if values is None else values[j], rule))
        self.bad |= mask

    def raise_first(self) -> None:
        """With ``on_bad_row="raise"``: raise for the first bad row of the file."""
        if self.strict and self.records:
            row, column, value, rule = min(self.records, key=lambda r: r[0])
            raise ParameterError(
                _OWNER, f"{self.source}, row {row}, column {column!r}", value, rule
            )

    def report(self) -> pd.DataFrame:
        records = sorted(self.records)
        return pd.DataFrame(
            [(self.source, r, c, v, rule) for r, c, v, rule in records],
            columns=_EXCLUSION_COLUMNS,
        )


def _load(path: str | os.PathLike[str] | pd.DataFrame) -> tuple[str, pd.DataFrame]:
    if isinstance(path, pd.DataFrame):
        return "<DataFrame>", path.reset_index(drop=True)
    if not isinstance(path, str | os.PathLike):
        raise ParameterError(_OWNER, "path", type(path).__name__, "must be a file path")
    p = Path(path)
    if not p.is_file():
        raise ParameterError(_OWNER, "path", str(p), "must be an existing file")
    suffix = p.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return p.name, pd.read_parquet(p)
    if suffix in (".csv", ".txt"):
        return p.name, pd.read_csv(p, dtype=str, keep_default_na=False)
    raise ParameterError(_OWNER, "path", p.name, "must be a .csv or .parquet file")


def read_claims(
    path: str | os.PathLike[str] | pd.DataFrame,
    *,
    currency: str | None = None,
    rates: Mapping[str, float] | None = None,
    valuation_date: str | pd.Timestamp | None = None,
    on_bad_row: Literal["exclude", "raise"] = "exclude",
) -> ClaimsData:
    """Read and validate a claims / transactions listing (CSV, Parquet or a DataFrame).

    Columns (names exact, in any order): ``policy, line, accident_date, report_date,
    transaction_date, paid, case, currency``; optional ``claim`` (claim identifier; default
    policy + line + accident date), ``country``, ``underwriting_date``, ``transaction_id``.
    ``paid`` is the payment made in the transaction and ``case`` the movement of the case
    reserve it records (both in ``currency``, either sign), so incurred to date is the sum
    of both.

    Parameters
    ----------
    path : path or DataFrame
        The listing. Rows are numbered from 1 (the first record; in a CSV, line ``row + 1``).
    currency : str, optional
        Reporting currency. Needed with ``rates``; without rates the file must hold one
        currency, which becomes the reporting one.
    rates : mapping of str to float, optional
        Units of the reporting currency per unit of each file currency.
    valuation_date : date, optional
        Cut-off; default the latest transaction date.
    on_bad_row : {"exclude", "raise"}, default "exclude"
        Exclude a bad row and list it in :attr:`ClaimsData.exclusions`, or raise at the first.

    Row rules (each an exclusion naming row, column and value): a blank or unparseable date;
    a blank or non-numeric amount; a report date before the accident date; a transaction date
    before the report date; a transaction after the valuation date; a currency without a
    rate; a duplicated transaction (same ``transaction_id``, or the same whole row when the
    file has none; the first copy is kept).

    Raises
    ------
    ParameterError
        Naming the file and column: a missing column, mixed currencies without ``rates``,
        a file with no valid row; or, with ``on_bad_row="raise"``, the first bad row.
    """
    on_bad_row = check_choice(_OWNER, "on_bad_row", on_bad_row, ("exclude", "raise"))  # type: ignore[assignment]
    source, raw = _load(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise ParameterError(
            _OWNER,
            f"{source}, columns",
            list(map(str, raw.columns)),
            f"must include {missing} (required: {list(REQUIRED_COLUMNS)})",
        )
    keep = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in raw.columns]
    frame = raw[keep].copy()
    rows = _Rows(source, frame, strict=on_bad_row == "raise")

    def blank(column: str) -> NDArray[np.bool_]:
        text = frame[column].astype(str).str.strip()
        return np.asarray(
            frame[column].isna() | (text == "") | text.str.lower().isin(["nan", "nat", "none"])
        )

    for column in ("policy", "line", "currency"):
        rows.flag(blank(column), column, "must not be blank")
    parsed: dict[str, pd.Series] = {}
    for column in (c for c in _DATES if c in frame.columns):
        empty = blank(column)
        rows.flag(empty, column, "must be a date (blank)")
        values = pd.to_datetime(frame[column].where(~empty), errors="coerce", format="mixed")
        rows.flag(np.asarray(values.isna()) & ~empty, column, "must be a date (unparseable)")
        parsed[column] = values
    amounts: dict[str, NDArray[np.float64]] = {}
    for column in ("paid", "case"):
        empty = blank(column)
        rows.flag(empty, column, "must be a number (blank)")
        numbers = pd.to_numeric(frame[column].where(~empty), errors="coerce")
        bad = np.asarray(numbers.isna() | ~np.isfinite(numbers.fillna(0.0))) & ~empty
        rows.flag(bad, column, "must be a finite number")
        amounts[column] = numbers.to_numpy(dtype=np.float64, na_value=np.nan)

    accident, report, transaction = (
        parsed["accident_date"],
        parsed["report_date"],
        parsed["transaction_date"],
    )
    rows.flag(np.asarray(report < accident), "report_date", "must not be before accident_date")
    rows.flag(
        np.asarray(transaction < report), "transaction_date", "must not be before report_date"
    )
    if "underwriting_date" in parsed:
        rows.flag(
            np.asarray(accident < parsed["underwriting_date"]),
            "accident_date",
            "must not be before underwriting_date",
        )
    if valuation_date is None:
        valid_dates = transaction[~rows.bad]
        valuation = valid_dates.max() if len(valid_dates) else pd.NaT
    else:
        valuation = pd.Timestamp(valuation_date)
        rows.flag(
            np.asarray(transaction > valuation),
            "transaction_date",
            f"must not be after the valuation date {valuation.date()}",
        )

    rows.raise_first()
    codes = frame["currency"].astype(str).str.strip().str.upper()
    factor: NDArray[np.float64] = np.ones(len(frame), dtype=np.float64)
    if rates is None:
        present = sorted(set(codes[~rows.bad]))
        if len(present) > 1:
            raise ParameterError(
                _OWNER,
                f"{source}, column 'currency'",
                present,
                "mixed currencies need exchange rates (rates=, --rate CUR=x)",
            )
        reporting = present[0] if present else (currency or "")
        if currency is not None and present and currency.upper() != reporting:
            raise ParameterError(
                _OWNER,
                "currency",
                currency,
                f"the file is in {reporting}; give rates= to convert",
            )
    else:
        if currency is None:
            raise ParameterError(_OWNER, "currency", None, "must be given with rates")
        reporting = currency.upper()
        table = {str(k).upper(): float(v) for k, v in rates.items()}
        table.setdefault(reporting, 1.0)
        for code, rate in table.items():
            if not np.isfinite(rate) or rate <= 0.0:
                raise ParameterError(_OWNER, f"rates[{code!r}]", rate, "must be finite and > 0")
        known = codes.isin(list(table))
        rows.flag(np.asarray(~known), "currency", f"has no exchange rate to {reporting}")
        factor = np.asarray(codes.map(table).fillna(1.0), dtype=np.float64)

    identity = ["transaction_id"] if "transaction_id" in frame.columns else list(frame.columns)
    duplicated = np.asarray(frame.astype(str).duplicated(subset=identity, keep="first"))
    rows.flag(duplicated, identity[0] if len(identity) == 1 else "", "duplicates an earlier row")

    rows.raise_first()
    kept = ~rows.bad
    if not kept.any():
        raise ParameterError(_OWNER, source, f"{len(frame)} rows", "has no valid row")
    clean = pd.DataFrame(
        {
            "row": np.arange(1, len(frame) + 1)[kept],
            "policy": frame["policy"].astype(str).str.strip()[kept].to_numpy(),
            "line": frame["line"].astype(str).str.strip()[kept].to_numpy(),
            "accident_date": accident[kept].to_numpy(),
            "report_date": report[kept].to_numpy(),
            "transaction_date": transaction[kept].to_numpy(),
            "paid": (amounts["paid"] * factor)[kept],
            "case": (amounts["case"] * factor)[kept],
        }
    )
    if "underwriting_date" in parsed:
        clean["underwriting_date"] = parsed["underwriting_date"][kept].to_numpy()
    if "country" in frame.columns:
        clean["country"] = frame["country"].astype(str)[kept].to_numpy()
    if "claim" in frame.columns:
        clean["claim"] = frame["claim"].astype(str)[kept].to_numpy()
    else:
        clean["claim"] = (
            clean["policy"] + "|" + clean["line"] + "|" + clean["accident_date"].astype(str)
        )
    return ClaimsData(
        source=source,
        frame=clean,
        exclusions=rows.report(),
        currency=reporting,
        valuation_date=cast(pd.Timestamp, valuation),
    )
