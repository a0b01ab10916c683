"""The quote as an Excel workbook (``--format xlsx``), through pandas' Excel writer and
openpyxl (``pip install 'xborder-risk[excel]'``).

Sheets: Premium (the quote table), Premium build-up, Worksheet (the rating worksheet),
Reserves, EP table and Provenance.  Numbers are stored as numbers: amounts with a currency
number format (``#,##0 "EUR"``), ratios as percentages; text cells that a spreadsheet would
run as a formula are prefixed with ``'`` as in the CSV export.
"""

from __future__ import annotations

import importlib.util
import io
from typing import Final

import pandas as pd

from xborder_risk.quote import Quote
from xborder_risk.report.csv import csv_safe_frame, quote_tables

__all__ = ["EXCEL_SHEETS", "excel_available", "quote_workbook"]

#: Sheet name per table of :func:`quote_tables`, and the provenance.
EXCEL_SHEETS: Final[dict[str, str]] = {
    "quote": "Premium",
    "premium_build_up": "Premium build-up",
    "worksheet": "Worksheet",
    "reserves": "Reserves",
    "ep_curves": "EP table",
    "programme": "Programme",
    "provenance": "Provenance",
}
#: Columns shown as percentages.
_PERCENT: Final[frozenset[str]] = frozenset(
    {"share", "rate_on_line", "expected_loss_ratio", "exceedance_probability", "confidence"}
)
#: Columns that are not amounts although numeric.
_PLAIN: Final[frozenset[str]] = frozenset(
    {"step", "return_period", "frequency", "value", "risk_adjustment_confidence_equivalent"}
)


def excel_available() -> bool:
    """Whether openpyxl is installed."""
    return importlib.util.find_spec("openpyxl") is not None


def _provenance_frame(quote: Quote) -> pd.DataFrame:
    record = quote.provenance.to_record()
    rows = [
        (key, str(value))
        for key, value in record.items()
        if not isinstance(value, dict | list) and value is not None
    ]
    rows += [
        (f"table_checksums.{name}", str(digest))
        for name, digest in sorted(record.get("table_checksums", {}).items())
    ]
    return pd.DataFrame(rows, columns=["field", "value"])


def quote_workbook(quote: Quote) -> bytes:
    """The workbook as ``.xlsx`` bytes (see the module docstring)."""
    from openpyxl.utils import get_column_letter

    tables = {**quote_tables(quote), "provenance": _provenance_frame(quote)}
    amount_format = f'#,##0 "{quote.currency}";-#,##0 "{quote.currency}"'
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in tables.items():
            sheet_name = EXCEL_SHEETS[name]
            csv_safe_frame(frame).to_excel(writer, sheet_name=sheet_name, index=False)
            sheet = writer.sheets[sheet_name]
            sheet.freeze_panes = "A2"
            for j, column in enumerate(frame.columns, start=1):
                letter = get_column_letter(j)
                sheet.column_dimensions[letter].width = max(12, min(40, len(str(column)) + 2))
                series = frame[column]
                if not pd.api.types.is_numeric_dtype(series) or column in _PLAIN:
                    continue
                if pd.api.types.is_integer_dtype(series):
                    continue
                number_format = "0.00%" if column in _PERCENT else amount_format
                for row in range(2, len(frame) + 2):
                    sheet.cell(row=row, column=j).number_format = number_format
    return buffer.getvalue()
