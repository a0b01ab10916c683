"""The reading limits: regular files only, size before reading, values and list items capped."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from xborder_risk.exposure import InvalidSubmissionError, Submission
from xborder_risk.exposure._loading import (
    MAX_INT_DIGITS,
    MAX_LIST_ITEMS,
    MAX_NODES,
    DocumentTooLargeError,
    InputFileError,
    OversizedNumber,
    load_json_text,
    load_yaml_text,
    read_regular_file,
)

EXAMPLE = Path(__file__).parents[2] / "examples" / "submissions" / "eu_egates_contractor.yaml"


def test_read_regular_file_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"x" * 100)
    assert read_regular_file(path, 100) == b"x" * 100
    with pytest.raises(InputFileError, match="101 bytes exceeds the 100-byte limit"):
        path.write_bytes(b"x" * 101)
        read_regular_file(path, 100)


@pytest.mark.parametrize(
    ("kind", "words"),
    [("fifo", "FIFO"), ("directory", "a directory"), ("device", "a device")],
)
def test_only_regular_files_are_read_and_at_once(tmp_path: Path, kind: str, words: str) -> None:
    path = tmp_path / "sub.yaml"
    if kind == "fifo":
        os.mkfifo(path)  # no writer: a blocking open or read would wait forever
    elif kind == "directory":
        path.mkdir()
    else:
        path.symlink_to("/dev/zero")  # endless: an unbounded read would never return
    start = time.monotonic()
    with pytest.raises(InputFileError, match=words):
        read_regular_file(path, 2**20)
    with pytest.raises(InvalidSubmissionError, match=words):
        Submission.from_file(path)
    assert time.monotonic() - start < 5


def test_a_missing_file_is_still_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Submission.from_file(tmp_path / "absent.yaml")


def test_list_items_capped_exactly() -> None:
    at_cap = "[" + "0, " * (MAX_LIST_ITEMS - 1) + "0]"
    assert len(load_yaml_text(at_cap)) == MAX_LIST_ITEMS
    assert len(load_json_text(at_cap)) == MAX_LIST_ITEMS
    over = "[" + "0, " * MAX_LIST_ITEMS + "0]"
    for load in (load_yaml_text, load_json_text):
        with pytest.raises(DocumentTooLargeError, match="more than 10,000 items"):
            load(over)


def test_values_capped_with_aliases_counted_expanded() -> None:
    # 700 lists of 300 items (211,400 values): every list under the item cap, the whole over.
    rows = "".join(f"k{i}: [{', '.join(['1'] * 300)}]\n" for i in range(700))
    with pytest.raises(DocumentTooLargeError, match="more than 200,000 values"):
        load_yaml_text(rows)
    with pytest.raises(DocumentTooLargeError, match="more than 200,000 values"):
        load_json_text(json.dumps({f"k{i}": [1] * 300 for i in range(700)}))
    # A few bytes of aliases that would expand to 10**9 values.
    laughs = "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10)
    )
    with pytest.raises(DocumentTooLargeError, match="200,000 values"):
        load_yaml_text(laughs)
    # Aliases are fine while the expanded document stays under the cap.
    small = "a: &a [1, 2, 3]\nb: *a\nc: *a\n"
    assert load_yaml_text(small) == {"a": [1, 2, 3], "b": [1, 2, 3], "c": [1, 2, 3]}
    assert MAX_NODES == 200_000


def test_a_huge_yaml_list_is_refused_fast() -> None:
    # The 14.7 MB YAML list took 254 s and 5.1 GB to validate; refused after 10,001 items.
    text = "systems:\n" + "".join(f"  - {{system_id: s{i}, n: {i}}}\n" for i in range(300_000))
    start = time.monotonic()
    with pytest.raises(InvalidSubmissionError, match="10,000 items"):
        Submission.from_yaml(text)
    assert time.monotonic() - start < 15


@pytest.mark.parametrize("digits", [MAX_INT_DIGITS, MAX_INT_DIGITS + 1, 5000, 100_000])
def test_long_integers_never_reach_int_conversion(digits: int) -> None:
    literal = "9" * digits
    for value in (load_yaml_text(f"x: {literal}")["x"], load_json_text(f'{{"x": {literal}}}')["x"]):
        if digits <= MAX_INT_DIGITS:
            assert value == int(literal)
        else:
            assert isinstance(value, OversizedNumber)
            assert repr(value) == f"<integer of {digits:,} digits>"


def test_a_long_integer_names_its_field() -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "annual_revenue: 1450000000", "annual_revenue: -" + "1" * 5000
    )
    with pytest.raises(InvalidSubmissionError) as info:
        Submission.from_yaml(text)
    assert info.value.paths == ("insured.annual_revenue",)
    assert "integer of 5,000 digits" in str(info.value)
