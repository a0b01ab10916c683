"""The book's results in the Oasis ORD layout (issue 16 item 5)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from xborder_risk import measures
from xborder_risk.errors import ParameterError
from xborder_risk.portfolio import Portfolio, synthetic_book
from xborder_risk.portfolio.ord import ord_tables, write_ord
from xborder_risk.portfolio.results import PortfolioResult


@functools.cache
def _result() -> PortfolioResult:
    return Portfolio(synthetic_book(4, seed=3)).simulate(3_000, seed=9, keep_occurrences=True)


def test_alt_and_ept_of_the_total_are_the_library_measures():
    result = _result()
    tables = ord_tables(result, return_periods=[10, 100, 1000])
    alt = tables["palt"]
    assert list(alt.columns) == ["SummaryId", "SampleType", "MeanLoss", "SDLoss"]
    assert alt["MeanLoss"].iloc[0] == result.total.mean()
    assert alt["SDLoss"].iloc[0] == pytest.approx(result.total.std(ddof=1), rel=1e-12)
    ept = tables["ept"].set_index(["EPType", "ReturnPeriod"])["Loss"]
    assert set(tables["ept"]["EPCalc"]) == {2}
    for period in (10.0, 100.0, 1000.0):
        level = 1.0 - 1.0 / period
        assert ept[(3, period)] == measures.value_at_risk(result.total, level)
        assert ept[(4, period)] == measures.tvar(result.total, level)
        assert ept[(1, period)] == measures.value_at_risk(result.max_event, level)
        assert ept[(2, period)] == measures.tvar(result.max_event, level)


def test_plt_lists_every_occurrence_by_period():
    result = _result()
    splt = ord_tables(result)["splt"]
    assert list(splt.columns) == [
        "Period",
        "PeriodWeight",
        "EventId",
        "SummaryId",
        "SampleId",
        "Loss",
    ]
    assert splt["EventId"].is_unique and splt["Period"].between(1, result.n_years).all()
    by_period = (
        splt.groupby("Period")["Loss"].sum().reindex(range(1, result.n_years + 1), fill_value=0.0)
    )
    np.testing.assert_allclose(by_period.to_numpy(), result.total, rtol=1e-9, atol=1e-6)
    assert splt["PeriodWeight"].iloc[0] == 1.0 / result.n_years


def test_summaries_by_line_and_country():
    result = _result()
    by_line = ord_tables(result, summary_by="line")
    assert len(by_line["palt"]) == len(result.lines) and "splt" not in by_line
    np.testing.assert_allclose(by_line["palt"]["MeanLoss"], result.line_annual().mean(axis=0))
    by_country = ord_tables(result, summary_by="country")
    assert set(by_country["ept"]["EPType"]) == {3, 4}  # a country has no OEP of its own
    assert list(by_country["summary_info"]["label"]) == list(result.countries)


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_files_round_trip(tmp_path, file_format):
    result = _result()
    paths = write_ord(result, tmp_path / "out", file_format=file_format)
    assert [p.name for p in paths] == [
        f"il_S1_{name}.{file_format}" for name in ("palt", "ept", "summary_info", "splt")
    ]
    read = pd.read_csv if file_format == "csv" else pd.read_parquet
    again = read(paths[1])
    pd.testing.assert_frame_equal(again, ord_tables(result)["ept"], check_exact=False, rtol=1e-12)


def test_bad_arguments_name_the_field(tmp_path):
    with pytest.raises(ParameterError) as info:
        ord_tables(_result(), summary_by="policy")
    assert info.value.name == "summary_by"
    with pytest.raises(ParameterError) as info:
        write_ord(_result(), tmp_path, file_format="xlsx")
    assert info.value.name == "file_format"
    with pytest.raises(ParameterError) as info:
        ord_tables("not a result")
    assert info.value.name == "result"
