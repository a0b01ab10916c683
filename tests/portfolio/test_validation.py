"""Bad inputs to the portfolio and to the shock tables are refused, naming what is wrong."""

import shutil

import pytest

from xborder_risk.errors import ParameterError, RatingTableError, SimulationSizeError
from xborder_risk.portfolio import CommonShocks, Portfolio, shipped_shocks_location
from xborder_risk.portfolio.shocks import OECD_CLASSES


def test_shipped_shock_tables_load():
    shocks = CommonShocks.load()
    assert len(shocks.country_event_probability) == len(OECD_CLASSES)
    assert shocks.enabled
    assert shocks.political_damage_mean == pytest.approx(0.2)
    assert shocks.cyber_damage_mean == pytest.approx(0.25)
    assert not CommonShocks.none().enabled


GOOD = {
    "country_event_probability": (0.0, 0.01, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1),
    "political_damage_alpha": 2.0,
    "political_damage_beta": 8.0,
    "cyber_event_probability": 0.02,
    "cyber_damage_alpha": 2.0,
    "cyber_damage_beta": 6.0,
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("country_event_probability", (0.1,) * 7),
        ("country_event_probability", "0.1"),
        ("country_event_probability", (0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1)),
        ("country_event_probability", (1.0,) * 8),
        ("country_event_probability", (-0.1,) + (0.1,) * 7),
        ("country_event_probability", (float("nan"),) * 8),
        ("political_damage_alpha", 0.0),
        ("political_damage_beta", float("inf")),
        ("cyber_event_probability", 1.0),
        ("cyber_event_probability", True),
        ("cyber_damage_alpha", -1.0),
        ("cyber_damage_beta", "6"),
    ],
)
def test_bad_shock_parameters(field, value):
    with pytest.raises(ParameterError, match=f"'{field}'"):
        CommonShocks(**{**GOOD, field: value})


def _copy_tables(tmp_path):
    root = shipped_shocks_location()
    for name in ("country_event_rates.csv", "shock_parameters.csv"):
        (tmp_path / name).write_text(root.joinpath(name).read_text(encoding="utf-8"))
    return tmp_path


@pytest.mark.parametrize(
    ("file_name", "old", "new", "message"),
    [
        ("country_event_rates.csv", "7,0.100", "8,0.100", "row 9, column 'oecd_crc'"),
        ("country_event_rates.csv", "7,0.100", "6,0.100", "appears twice"),
        ("country_event_rates.csv", "3,0.010", "3,abc", "row 5, column 'annual_probability'"),
        ("country_event_rates.csv", "3,0.010", "3,inf", "not finite"),
        ("country_event_rates.csv", "5,0.035", "5,0.5", "non-decreasing"),
        ("country_event_rates.csv", "oecd_crc,", "crc,", "header"),
        ("shock_parameters.csv", "cyber_damage_beta,6.0", "cyber_damage_gamma,6.0", "unknown"),
        ("shock_parameters.csv", "cyber_damage_beta,6.0", "cyber_damage_alpha,6.0", "twice"),
        (
            "shock_parameters.csv",
            "cyber_event_probability,0.02",
            "cyber_event_probability,2",
            "must",
        ),
        (
            "shock_parameters.csv",
            "political_damage_alpha,2.0,,",
            "political_damage_alpha,2.0,",
            "cells",
        ),
    ],
)
def test_bad_shock_tables_name_file_row_and_column(tmp_path, file_name, old, new, message):
    root = _copy_tables(tmp_path)
    path = root / file_name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(RatingTableError, match=message):
        CommonShocks.load(root)


def test_missing_shock_table(tmp_path):
    _copy_tables(tmp_path)
    (tmp_path / "shock_parameters.csv").unlink()
    with pytest.raises(RatingTableError, match=r"shock_parameters\.csv"):
        CommonShocks.load(tmp_path)
    shutil.rmtree(tmp_path)
    with pytest.raises(RatingTableError, match=r"country_event_rates\.csv"):
        CommonShocks.load(tmp_path)


def test_bad_portfolio_arguments(small_book, tables):
    with pytest.raises(ParameterError, match="'submissions'"):
        Portfolio([], tables)
    with pytest.raises(ParameterError, match="'submissions'"):
        Portfolio(small_book[0], tables)
    with pytest.raises(ParameterError, match="'submissions'"):
        Portfolio([small_book[0], "policy.yaml"], tables)
    with pytest.raises(ParameterError, match="'tables'"):
        Portfolio(small_book, tables="rating_tables")
    with pytest.raises(ParameterError, match="'shocks'"):
        Portfolio(small_book, tables, shocks={"cyber": 0.1})
    with pytest.raises(ParameterError, match="'policy_ids'"):
        Portfolio([small_book[0], small_book[0]], tables)
    with pytest.raises(ParameterError, match="'policy_ids'"):
        Portfolio(small_book, tables, policy_ids=["a", "b"])
    with pytest.raises(ParameterError, match="'policy_ids'"):
        Portfolio(small_book[:2], tables, policy_ids=["a", ""])
    with pytest.raises(ParameterError, match="'currency'"):
        Portfolio(small_book, tables, currency="XXX")
    # The same submission twice is fine under distinct ids (distinct streams).
    twice = Portfolio([small_book[0], small_book[0]], tables, policy_ids=["a", "b"])
    result = twice.simulate(2_000, seed=1)
    assert (result.annual[:, 0] != result.annual[:, 1]).any()
    with pytest.raises(ParameterError, match="'policy'"):
        twice.models("c")
    with pytest.raises(ParameterError, match="'policy'"):
        result.policy_annual(5)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n_years": 0, "seed": 1}, "n_years"),
        ({"n_years": 10.5, "seed": 1}, "n_years"),
        ({"n_years": 10, "seed": -1}, "seed"),
        ({"n_years": 10, "seed": "1"}, "seed"),
        ({"n_years": 10, "seed": 1, "chunk_years": 0}, "chunk_years"),
        ({"n_years": 10, "seed": 1, "keep_occurrences": "yes"}, "keep_occurrences"),
        ({"n_years": 10, "seed": 1, "max_memory_bytes": 0}, "max_memory_bytes"),
        ({"n_years": 10, "seed": 1, "backend": "spark"}, "backend"),
        ({"n_years": 10, "seed": 1, "backend": None}, "backend"),
        ({"n_years": 10, "seed": 1, "client": "tcp://scheduler:8786"}, "client"),
    ],
)
def test_bad_simulate_arguments(small_book, tables, kwargs, field):
    book = Portfolio(small_book, tables)
    with pytest.raises(ParameterError, match=f"'{field}'"):
        book.simulate(**kwargs)


def test_oversize_simulation_is_refused_before_allocating(small_book, tables):
    book = Portfolio(small_book, tables)
    with pytest.raises(SimulationSizeError, match="max_memory_bytes"):
        book.simulate(10**9, seed=1)
    with pytest.raises(SimulationSizeError, match="max_memory_bytes"):
        book.simulate(10_000, seed=1, max_memory_bytes=10_000)
