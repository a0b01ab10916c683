"""Triangle data object and the shipped sample triangles."""

from __future__ import annotations

import hashlib
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from xborder_risk.errors import ParameterError, XBorderRiskError
from xborder_risk.reserves import SAMPLES, Triangle, load_sample

NAN = np.nan

# Mack (1993), ASTIN Bulletin 23(2), Table 1: Taylor-Ashe incremental claims, origin 1 and the
# first development year of every origin (the published figures, not derived here).
GENINS_ORIGIN_1_INCREMENTAL = [
    357848,
    766940,
    610542,
    482940,
    527326,
    574398,
    146342,
    139950,
    227229,
    67948,
]
GENINS_FIRST_YEAR = [
    357848,
    352118,
    290507,
    310608,
    443160,
    396132,
    440832,
    359480,
    376686,
    344014,
]
# R ChainLadder RAA sample (Mack 1994): accident year 1981 cumulative, and the latest diagonal.
RAA_1981 = [5012, 8269, 10907, 11805, 13539, 16181, 18009, 18608, 18662, 18834]
RAA_LATEST = [18834, 16704, 23466, 27067, 26180, 15852, 12314, 13112, 5395, 2063]


def small() -> Triangle:
    return Triangle(
        [[100.0, 150.0, 160.0], [110.0, 170.0, NAN], [120.0, NAN, NAN]],
        origin=[2021, 2022, 2023],
        development=[12, 24, 36],
    )


class TestSamples:
    def test_genins_matches_mack_1993_table_1(self) -> None:
        genins = load_sample("genins")
        assert genins.shape == (10, 10)
        assert genins.is_cumulative
        incremental = genins.to_incremental().values
        np.testing.assert_array_equal(incremental[0], GENINS_ORIGIN_1_INCREMENTAL)
        np.testing.assert_array_equal(incremental[:, 0], GENINS_FIRST_YEAR)
        # R ChainLadder summary of GenIns: total latest 34,358,090
        assert genins.latest_diagonal.sum() == 34_358_090

    def test_raa_matches_published_triangle(self) -> None:
        raa = load_sample("RAA")
        assert raa.origin == tuple(range(1981, 1991))
        assert raa.development == tuple(range(1, 11))
        np.testing.assert_array_equal(raa.values[0], RAA_1981)
        np.testing.assert_array_equal(raa.latest_diagonal.to_numpy(), RAA_LATEST)
        assert raa.latest_diagonal.sum() == 160_987

    def test_shipped_files_match_manifest_checksums(self) -> None:
        for sample in SAMPLES.values():
            raw = resources.files("xborder_risk.reserves").joinpath("data", sample.file)
            assert hashlib.sha256(raw.read_bytes()).hexdigest() == sample.sha256

    def test_unknown_sample_is_rejected_naming_the_choices(self) -> None:
        with pytest.raises(ParameterError, match=r"name.*genins"):
            load_sample("abc")


class TestAccessors:
    def test_link_ratios(self) -> None:
        ratios = small().link_ratios
        assert list(ratios.columns) == ["12-24", "24-36"]
        assert ratios.loc[2021, "12-24"] == pytest.approx(1.5)
        assert ratios.loc[2022, "12-24"] == pytest.approx(170 / 110)
        assert np.isnan(ratios.loc[2022, "24-36"])
        assert np.isnan(ratios.loc[2023, "12-24"])

    def test_link_ratio_undefined_where_the_younger_amount_is_zero(self) -> None:
        tri = Triangle([[0.0, 10.0], [5.0, NAN]])
        assert np.isnan(tri.link_ratios.iloc[0, 0])

    def test_latest_diagonal(self) -> None:
        latest = small().latest_diagonal
        assert latest.to_dict() == {2021: 160.0, 2022: 170.0, 2023: 120.0}
        assert latest.index.name == "origin"

    def test_cumulative_incremental_round_trip(self) -> None:
        tri = small()
        incremental = tri.to_incremental()
        assert not incremental.is_cumulative
        np.testing.assert_array_equal(incremental.values[0], [100.0, 50.0, 10.0])
        assert incremental.to_cumulative() == tri
        assert tri.to_cumulative() is tri

    def test_incremental_input_gives_the_same_link_ratios(self) -> None:
        tri = small()
        from_incremental = Triangle(
            tri.to_incremental().values, tri.origin, tri.development, cumulative=False
        )
        pd.testing.assert_frame_equal(from_incremental.link_ratios, tri.link_ratios)

    def test_frame_round_trips(self) -> None:
        tri = small()
        frame = tri.to_frame()
        assert Triangle.from_frame(frame) == tri
        long = frame.stack().rename("value").reset_index()
        assert Triangle.from_long(long) == tri

    def test_from_frame_reads_csv_headers_as_integers(self) -> None:
        frame = pd.DataFrame([[1.0, 2.0], [3.0, NAN]], columns=["12", "24"], index=[1, 2])
        assert Triangle.from_frame(frame).development == (12, 24)

    def test_values_are_read_only(self) -> None:
        with pytest.raises(ValueError, match="read-only"):
            small().values[0, 0] = 5.0


class TestValidation:
    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ([[1.0, np.inf], [1.0, NAN]], r"values\[origin=1, development=2\].*finite"),
            ([[1.0, NAN], [1.0, NAN]], r"values\[origin=1\].*all 2 development ages"),
            ([[1.0, 2.0, 3.0], [NAN, 2.0, NAN], [1.0, NAN, NAN]], r"origin=2, development=1"),
            ([[1.0, 2.0, 3.0], [1.0, NAN, 3.0], [1.0, NAN, NAN]], r"origin=2, development=2"),
            ([[1.0, 2.0, 3.0], [1.0, NAN, NAN], [1.0, 2.0, NAN]], r"values\[origin=3\]"),
            ([[1.0, 2.0], [NAN, NAN]], r"values\[origin=2\].*at least one"),
            ([1.0, 2.0], "values"),
            ([["a", "b"]], "values"),
            ([[True, False]], "values"),
        ],
    )
    def test_bad_values_are_rejected_naming_the_cell(self, values: object, field: str) -> None:
        with pytest.raises(ParameterError, match=field):
            Triangle(values)  # type: ignore[arg-type]

    def test_label_rules(self) -> None:
        with pytest.raises(ParameterError, match=r"origin.*unique"):
            Triangle([[1.0, 2.0], [1.0, NAN]], origin=[1, 1])
        with pytest.raises(ParameterError, match=r"development.*2 labels"):
            Triangle([[1.0, 2.0], [1.0, NAN]], development=[1])

    def test_repeated_long_rows_are_rejected(self) -> None:
        long = pd.DataFrame(
            {"origin": [1, 1, 1], "development": [1, 1, 2], "value": [1.0, 1.0, 2.0]}
        )
        with pytest.raises(ParameterError, match="origin=1, development=1"):
            Triangle.from_long(long)

    def test_non_numeric_frame_cell_is_named(self) -> None:
        frame = pd.DataFrame([[1.0, "x"], [2.0, None]], index=[1, 2], columns=[1, 2])
        with pytest.raises(ParameterError, match=r"origin=1, development=2.*number"):
            Triangle.from_frame(frame)

    def test_errors_are_value_errors(self) -> None:
        assert issubclass(ParameterError, XBorderRiskError)
        with pytest.raises(ValueError):
            Triangle([[1.0, np.inf], [1.0, NAN]])


class TestRealData:
    """Issue 14: negative amounts and blank (zero) young ages are data, not errors."""

    def test_negative_incrementals_and_cumulatives_are_kept(self) -> None:
        tri = Triangle([[-5.0, 10.0, 8.0], [3.0, -1.0, NAN], [2.0, NAN, NAN]])
        np.testing.assert_array_equal(tri.values[0], [-5.0, 10.0, 8.0])
        np.testing.assert_array_equal(tri.to_incremental().values[0], [-5.0, 15.0, -2.0])
        # a ratio from a negative or zero amount is undefined, not a sign flip
        assert np.isnan(tri.link_ratios.iloc[0, 0])

    def test_blank_is_zero_fills_the_observed_region_only(self) -> None:
        values = [[NAN, 5.0, 7.0], [NAN, NAN, NAN], [NAN, NAN, NAN]]
        with pytest.raises(ParameterError, match="origin=1, development=1"):
            Triangle(values)
        tri = Triangle(values, blank_is_zero=True)
        np.testing.assert_array_equal(tri.values[0], [0.0, 5.0, 7.0])
        np.testing.assert_array_equal(tri.values[1], [0.0, 0.0, NAN])
        np.testing.assert_array_equal(tri.values[2], [0.0, NAN, NAN])

    def test_blank_is_zero_must_be_a_bool(self) -> None:
        with pytest.raises(ParameterError, match="blank_is_zero"):
            Triangle([[1.0]], blank_is_zero="yes")  # type: ignore[arg-type]
