"""The shipped tables are loaded once and kept only while their files are unchanged."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from xborder_risk.errors import RatingTableError
from xborder_risk.rating import RatingTables, refresh_checksums
from xborder_risk.rating import tables as tables_module

SHIPPED = Path(__file__).resolve().parents[2] / "rating_tables"


@pytest.fixture
def shipped_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped tables, standing in for them as the shipped location."""
    copy = tmp_path / "rating_tables"
    shutil.copytree(SHIPPED, copy)
    monkeypatch.setattr(tables_module, "shipped_tables_location", lambda: copy)
    return copy


def _set_parameter(root: Path, name: str, value: str) -> None:
    path = root / "parameters.csv"
    rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
    edited = [
        f"{name},{value},{row.split(',', 2)[2]}" if row.startswith(f"{name},") else row
        for row in rows
    ]
    assert edited != rows
    path.write_text("".join(edited), encoding="utf-8")


def test_unchanged_tables_are_loaded_once(shipped_copy: Path) -> None:
    first = RatingTables.load()
    assert first.source == str(shipped_copy)
    assert RatingTables.load() is first


def test_an_edited_table_is_read_afresh(shipped_copy: Path) -> None:
    before = RatingTables.load()
    assert before.parameter("biometric_record_weight") == 3.0
    _set_parameter(shipped_copy, "biometric_record_weight", "2.75")
    refresh_checksums(shipped_copy)
    after = RatingTables.load()
    assert after is not before
    assert after.parameter("biometric_record_weight") == 2.75
    assert before.parameter("biometric_record_weight") == 3.0  # the old copy is unchanged
    assert RatingTables.load() is after


def test_an_edit_without_new_checksums_is_refused_not_served_from_memory(
    shipped_copy: Path,
) -> None:
    RatingTables.load()
    _set_parameter(shipped_copy, "biometric_record_weight", "2.75")
    with pytest.raises(RatingTableError, match=r"parameters\.csv"):
        RatingTables.load()


def test_a_newer_file_of_the_same_size_is_read_afresh(shipped_copy: Path) -> None:
    # same size, same text: only the modification time tells (a coarse file-system clock or an
    # edit that keeps the length, e.g. 0.5 -> 0.6, looks like this)
    before = RatingTables.load()
    path = shipped_copy / "parameters.csv"
    status = path.stat()
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))
    assert RatingTables.load() is not before


def test_the_real_shipped_tables_are_still_cached() -> None:
    assert RatingTables.load() is RatingTables.load()
