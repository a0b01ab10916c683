"""Triangles from a claims file (issue 14 item 1): aggregation, validation, exclusions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xborder_risk.errors import ParameterError
from xborder_risk.reserves import read_claims

NAN = np.nan
HEADER = "policy,line,accident_date,report_date,transaction_date,paid,case,currency"
GOOD = [
    "P1,cyber,2021-03-01,2021-04-01,2021-05-01,100,50,USD",
    "P1,cyber,2021-03-01,2021-04-01,2022-02-01,30,-50,USD",
    "P2,cyber,2022-06-01,2022-07-01,2022-08-01,200,0,USD",
    "P3,liability,2021-01-10,2022-01-10,2022-03-01,10,90,USD",
    "P4,liability,2023-02-01,2023-02-02,2023-12-31,5,5,USD",
]


def write(tmp_path: Path, rows: list[str], name: str = "claims.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def test_paid_incurred_and_count_triangles_by_line(tmp_path: Path) -> None:
    data = read_claims(write(tmp_path, GOOD))
    assert data.exclusions.empty
    assert data.lines == ("cyber", "liability")
    assert data.valuation_date == pd.Timestamp("2023-12-31")
    paid = data.triangle("cyber")
    assert paid.origin == (2021, 2022, 2023)
    assert paid.development == (12, 24, 36)
    np.testing.assert_array_equal(
        paid.values, [[100.0, 130.0, 130.0], [200.0, 200.0, NAN], [0.0, NAN, NAN]]
    )
    incurred = data.triangle("cyber", basis="incurred")
    np.testing.assert_array_equal(incurred.values[0], [150.0, 130.0, 130.0])
    both = data.triangle(basis="incurred")
    np.testing.assert_array_equal(both.values[0], [150.0, 230.0, 230.0])  # + liability 2021
    counts = data.triangle("liability", basis="count")
    np.testing.assert_array_equal(counts.values[:, 0], [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(counts.values[0], [0.0, 1.0, 1.0])  # reported a year late
    by_report = data.triangle("liability", origin="report")
    assert by_report.values[1, 0] == 10.0
    quarterly = data.triangle("cyber", grain="quarter")
    assert quarterly.origin[0] == "2021Q1"
    assert quarterly.development[:2] == (3, 6)
    assert quarterly.values[0, 1] == 100.0  # paid in 2021Q2, the second quarter of 2021Q1
    assert set(data.triangles()) == {"cyber", "liability"}


def test_bad_rows_are_listed_with_row_column_and_rule(tmp_path: Path) -> None:
    bad = [
        *GOOD,
        "P5,cyber,2021-13-45,2021-04-01,2021-05-01,1,0,USD",  # row 6
        "P6,cyber,2021-03-01,2021-02-01,2021-05-01,1,0,USD",  # row 7: report before accident
        "P7,cyber,2021-03-01,2021-04-01,2021-05-01,abc,0,USD",  # row 8
        GOOD[0],  # row 9: duplicate of row 1
        "P8,cyber,2021-03-01,2021-04-01,2021-03-15,1,0,USD",  # row 10: paid before report
        "P9,,2021-03-01,2021-04-01,2021-05-01,1,0,USD",  # row 11: blank line
    ]
    data = read_claims(write(tmp_path, bad))
    listed = data.exclusions.set_index("row")
    assert list(listed.index) == [6, 7, 8, 9, 10, 11]
    assert listed.loc[6, "column"] == "accident_date"
    assert "unparseable" in listed.loc[6, "rule"]
    assert listed.loc[7, "column"] == "report_date"
    assert "before accident_date" in listed.loc[7, "rule"]
    assert listed.loc[8, "column"] == "paid"
    assert listed.loc[8, "value"] == "abc"
    assert "duplicates" in listed.loc[9, "rule"]
    assert listed.loc[10, "column"] == "transaction_date"
    assert listed.loc[11, "column"] == "line"
    assert (data.exclusions["file"] == "claims.csv").all()
    # the kept rows give the same triangle as the clean file
    np.testing.assert_array_equal(
        data.triangle("cyber").values,
        read_claims(write(tmp_path, GOOD, "g.csv")).triangle("cyber").values,
    )
    with pytest.raises(ParameterError, match=r"claims.csv, row 6, column 'accident_date'"):
        read_claims(write(tmp_path, bad), on_bad_row="raise")


def test_missing_columns_and_mixed_currencies_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("policy,line\nP1,cyber\n")
    with pytest.raises(ParameterError, match=r"short.csv, columns.*accident_date"):
        read_claims(path)
    mixed = write(tmp_path, [*GOOD, "P9,cyber,2021-03-01,2021-04-01,2021-05-01,10,0,EUR"])
    with pytest.raises(ParameterError, match=r"currency.*exchange rates"):
        read_claims(mixed)
    data = read_claims(mixed, currency="USD", rates={"EUR": 1.1})
    assert data.triangle("cyber").values[0, 0] == pytest.approx(111.0)
    gbp = write(tmp_path, [*GOOD, "P9,cyber,2021-03-01,2021-04-01,2021-05-01,10,0,GBP"], "g.csv")
    listed = read_claims(gbp, currency="USD", rates={"EUR": 1.1}).exclusions
    assert listed["rule"].iloc[0] == "has no exchange rate to USD"


def test_valuation_date_cuts_and_lists_later_transactions(tmp_path: Path) -> None:
    data = read_claims(write(tmp_path, GOOD), valuation_date="2022-12-31")
    assert list(data.exclusions["row"]) == [5]
    assert data.triangle("cyber").shape == (2, 2)


def test_dataframe_and_parquet_inputs(tmp_path: Path) -> None:
    frame = pd.read_csv(write(tmp_path, GOOD))
    from_frame = read_claims(frame)
    assert from_frame.source == "<DataFrame>"
    pytest.importorskip("pyarrow", reason="Parquet needs pyarrow")
    frame.to_parquet(tmp_path / "c.parquet")
    np.testing.assert_array_equal(
        read_claims(tmp_path / "c.parquet").triangle().values, from_frame.triangle().values
    )
