"""--format xlsx (numbers as numbers, currency formats) and --format ylt (issue 15 items 4, 7)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xborder_risk import Quote, Submission, quote
from xborder_risk.report import write_report, ylt_frame
from xborder_risk.report.excel import EXCEL_SHEETS

EXAMPLE = Path(__file__).resolve().parents[2] / "examples/submissions/eu_egates_contractor.yaml"


@pytest.fixture(scope="module")
def small() -> Quote:
    data = Submission.from_file(EXAMPLE).model_dump(mode="json")
    data["insured"]["name"] = '=HYPERLINK("http://x")'
    return quote(Submission.from_data(data), n_years=800, seed=9)


def test_workbook_numbers_are_numbers_with_currency_formats(small: Quote, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    files = write_report(small, tmp_path, stem="q", formats="xlsx")
    workbook = openpyxl.load_workbook(files["xlsx"][0])
    assert sorted(workbook.sheetnames) == sorted(EXCEL_SHEETS.values())
    sheet = workbook["Premium"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    premium = rows["cyber"][header.index("gross_premium")]
    assert isinstance(premium.value, float)
    # openpyxl writes 15 significant digits (what Excel keeps).
    assert premium.value == pytest.approx(small.to_frame().loc["cyber", "gross_premium"], rel=1e-14)
    assert premium.number_format == '#,##0 "EUR";-#,##0 "EUR"'
    assert rows["cyber"][header.index("share")].number_format == "0.00%"
    # The EP table and the worksheet are there, as numbers.
    ep = workbook["EP table"]
    assert all(isinstance(ep.cell(row=r, column=5).value, int | float) for r in range(2, 10))
    assert ep.cell(row=2, column=5).number_format == '#,##0 "EUR";-#,##0 "EUR"'
    provenance = {r[0].value: r[1].value for r in workbook["Provenance"].iter_rows(min_row=2)}
    assert provenance["seed"] == "9"
    # A hostile text cell is text, not a formula.
    assert all(
        not str(cell.value).startswith("=")
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    )


def test_year_loss_table(small: Quote, tmp_path: Path) -> None:
    frame = ylt_frame(small)
    assert len(frame) == 800 and frame["period"].tolist() == list(range(1, 801))
    lines = list(small.lines)
    np.testing.assert_array_equal(frame[lines].sum(axis=1), frame["total"])
    assert frame["total"].mean() == pytest.approx(small.simulation.mean(), rel=1e-12)
    assert (frame["max_occurrence"] <= frame["total"] + 1e-6).all()
    files = write_report(small, tmp_path, stem="q", formats="ylt")
    names = sorted(path.name for path in files["ylt"])
    assert "q_ylt.csv" in names
    from_csv = pd.read_csv(tmp_path / "q_ylt.csv")
    np.testing.assert_array_equal(from_csv["total"].to_numpy(), frame["total"].to_numpy())
    if "q_ylt.parquet" in names:
        pq = pytest.importorskip("pyarrow.parquet")
        table = pq.read_table(tmp_path / "q_ylt.parquet")
        assert table.schema.metadata[b"xborder_risk.currency"] == b"EUR"
        np.testing.assert_array_equal(table.column("total").to_numpy(), frame["total"].to_numpy())
