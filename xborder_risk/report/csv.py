"""CSV export of the quote's tables, safe to open in a spreadsheet.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, so a
submission field such as ``=HYPERLINK(...)`` would run when an underwriter opens the export
("CSV injection", CWE-1236; OWASP, *CSV Injection*,
https://owasp.org/www-community/attacks/CSV_Injection).  Text cells that start with one of
those characters, or with a tab or carriage return, are prefixed with a single quote, which
spreadsheets read as "this is text" (OWASP ASVS 5.0, requirement 1.2.10).  Numeric cells are
left alone: ``-1250.5`` is a number, not a formula, and must stay one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import pandas as pd

from xborder_risk.quote import Quote

__all__ = [
    "CSV_TABLES",
    "FORMULA_TRIGGERS",
    "csv_safe_frame",
    "csv_text",
    "escape_csv_cell",
    "quote_tables",
    "write_csv",
]

#: The tables :func:`quote_tables` returns, in order (each written as ``STEM_<table>.csv``).
CSV_TABLES: Final[tuple[str, ...]] = (
    "quote",
    "premium_build_up",
    "reserves",
    "worksheet",
    "ep_curves",
    "programme",
)

#: First characters that make a spreadsheet evaluate a cell.
FORMULA_TRIGGERS: Final[tuple[str, ...]] = ("=", "+", "-", "@", "\t", "\r")


def escape_csv_cell(value: object) -> object:
    """Neutralise one cell: a string starting with a formula trigger gets a leading ``'``.

    Anything that is not a ``str`` (numbers, booleans, missing values) is returned as is.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells, column names and index labels are escaped.

    Numeric columns are untouched, so negative numbers stay numbers.
    """
    safe = frame.copy()
    for column in safe.columns:
        series = safe[column]
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            safe[column] = series.map(escape_csv_cell)
    safe.columns = pd.Index([escape_csv_cell(c) for c in safe.columns])
    if not pd.api.types.is_numeric_dtype(safe.index):
        safe.index = pd.Index([escape_csv_cell(i) for i in safe.index])
    # The index name becomes a header cell too.
    safe.index.names = [escape_csv_cell(name) for name in frame.index.names]
    return safe


def csv_text(frame: pd.DataFrame, *, index: bool = False) -> str:
    """``frame`` as CSV text after :func:`csv_safe_frame` (``\\n`` line ends)."""
    return str(csv_safe_frame(frame).to_csv(index=index, lineterminator="\n"))


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = False) -> Path:
    """Write ``frame`` as UTF-8 CSV after :func:`csv_safe_frame`; returns the path."""
    target = Path(path)
    target.write_text(csv_text(frame, index=index), encoding="utf-8", newline="")
    return target


def quote_tables(quote: Quote) -> dict[str, pd.DataFrame]:
    """The quote's tables in machine-readable form (raw numbers, line codes).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``quote`` (:meth:`Quote.to_frame`), ``premium_build_up``, ``reserves``,
        ``worksheet``, ``ep_curves`` and ``programme`` (:attr:`Quote.programme`: one row per
        line and country, header only without a programme), each with a plain column index
        (no row index to keep).  Amounts in the quote's currency per policy period.
    """
    quote_frame = quote.to_frame().reset_index()
    quote_frame.insert(1, "currency", quote.currency)
    tables = {
        "quote": quote_frame,
        "premium_build_up": quote.premium_build_up.reset_index(drop=True),
        "reserves": quote.reserves.reset_index(),
        "worksheet": quote.worksheet.reset_index(drop=True),
        "ep_curves": quote.ep_curves().reset_index(drop=True),
        "programme": quote.programme.reset_index(drop=True),
    }
    assert tuple(tables) == CSV_TABLES  # the file names are known before the quote
    return tables
