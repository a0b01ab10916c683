"""Rating tables that cannot price are refused on load, naming file, row and column (issue 18).

Each case is a modified copy of the shipped tables: a row whose distribution would overflow
(checked with the same domains as the distributions it feeds), an unknown ``base_currency``,
unknown or duplicate manifest content, and a billion-laughs ``manifest.yaml``.  A quote with
such a directory fails with the same error (tests/reliability/attacks_tables.py runs the CLI).
"""

from __future__ import annotations

import shutil
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from xborder_risk.errors import RatingTableError
from xborder_risk.rating import RatingTables, refresh_checksums
from xborder_risk.rating.tables import MAX_MANIFEST_BYTES, shipped_tables_location

SHIPPED = Path(str(shipped_tables_location()))


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "tables"
    shutil.copytree(SHIPPED, target)
    return target


def _set_cell(directory: Path, file: str, row: int, column: str, value: str) -> None:
    path = directory / file
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[row].split(",")
    cells[header.index(column)] = value
    lines[row] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    refresh_checksums(directory)


CELL_CASES = [
    pytest.param(
        "frequency_base.csv",
        1,
        "frequency_per_unit",
        "1e308",
        r"frequency_base\.csv, row 1 \(line 2\), column 'frequency_per_unit'.*cannot price",
        id="frequency-1e308",
    ),
    pytest.param(
        "frequency_base.csv",
        1,
        "nb_beta",
        "1e300",
        r"frequency_base\.csv, row 1 \(line 2\), column '(frequency_per_unit, )?nb_beta'.*"
        r"cannot price",
        id="nb-beta-1e300",
    ),
    pytest.param(
        "frequency_base.csv",
        1,
        "nb_beta",
        "1e-12",
        r"frequency_base\.csv, row 1 \(line 2\), column 'nb_beta'.*>= 1e-06",
        id="nb-beta-below-numpy-precision",
    ),
    pytest.param(
        "severity_base.csv",
        1,
        "median",
        "1e305",
        r"severity_base\.csv, row 1 \(line 2\), column 'median, sigma'.*cannot price",
        id="severity-median-overflow",
    ),
    pytest.param(
        "severity_base.csv",
        1,
        "sigma",
        "90",
        r"severity_base\.csv, row 1 \(line 2\), column 'median, sigma'.*cannot price",
        id="severity-sigma-overflow",
    ),
    pytest.param(
        "outage_duration.csv",
        2,
        "sigma",
        "1e300",
        r"outage_duration\.csv, row 2 \(line 3\), column 'median_hours, sigma'.*cannot price",
        id="outage-sigma-1e300",
    ),
    pytest.param(
        "political_severity.csv",
        1,
        "sigma",
        "400",
        r"political_severity\.csv, row 1 \(line 2\), column 'median_loss_fraction, sigma'",
        id="political-severity-sigma",
    ),
]


@pytest.mark.parametrize(("file", "row", "column", "value", "message"), CELL_CASES)
def test_a_row_that_cannot_price_is_refused_naming_file_row_and_column(
    tmp_path: Path, file: str, row: int, column: str, value: str, message: str
) -> None:
    directory = _copy(tmp_path)
    _set_cell(directory, file, row, column, value)
    with pytest.raises(RatingTableError, match=message):
        RatingTables.load(directory)


def test_a_tail_that_overflows_is_refused_naming_the_tail_row(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    # The manifest bounds xi at 2; a user manifest may lift the bound, the domain still holds.
    manifest = yaml.safe_load((directory / "manifest.yaml").read_text())
    for spec in manifest["tables"]["severity_tail"]["columns"]:
        spec.pop("max", None)
    (directory / "manifest.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    _set_cell(directory, "severity_tail.csv", 2, "xi", "50")
    with pytest.raises(RatingTableError, match=r"severity_tail\.csv, row 2 \(line 3\), column"):
        RatingTables.load(directory)


def _edit_manifest(directory: Path, mutate: Callable[[dict], object]) -> None:
    manifest = yaml.safe_load((directory / "manifest.yaml").read_text())
    mutate(manifest)
    (directory / "manifest.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        pytest.param(
            lambda m: m.update(base_currency="XYZ"),
            r"manifest\.yaml: field 'base_currency' 'XYZ' is not an active ISO 4217 code",
            id="base-currency-unknown",
        ),
        pytest.param(
            lambda m: m.update(base_currency="EUR"),
            r"fx\.csv, row \d+ \(line \d+\), column 'rate_to_usd': the base currency EUR must "
            r"have rate 1",
            id="base-currency-not-the-fx-base",
        ),
        pytest.param(
            lambda m: m.update(base_curency="USD"),
            r"manifest\.yaml: unknown field\(s\) 'base_curency'",
            id="unknown-top-level-field",
        ),
        pytest.param(
            lambda m: m["tables"]["fx"].update(sha265="0" * 64),
            r"manifest\.yaml: table 'fx': unknown field\(s\) 'sha265'",
            id="unknown-table-field",
        ),
    ],
)
def test_unknown_manifest_content_is_refused(
    tmp_path: Path, mutate: Callable[[dict], object], message: str
) -> None:
    directory = _copy(tmp_path)
    _edit_manifest(directory, mutate)
    with pytest.raises(RatingTableError, match=message):
        RatingTables.load(directory)


def test_a_duplicate_manifest_key_is_refused(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "manifest.yaml"
    text = path.read_text()
    # A second base_currency line: safe_load would keep the last one in silence.
    path.write_text(
        text.replace("base_currency: USD\n", "base_currency: USD\nbase_currency: EUR\n")
    )
    with pytest.raises(RatingTableError, match=r"duplicate key 'base_currency'"):
        RatingTables.load(directory)


def test_a_duplicate_row_key_is_refused(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "outage_duration.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n")
    refresh_checksums(directory)
    with pytest.raises(RatingTableError, match=r"outage_duration\.csv: rows \[1, \d+\] repeat"):
        RatingTables.load(directory)


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
manifest_version: 1
base_currency: USD
tables: *i
"""


def test_a_billion_laughs_manifest_is_refused_quickly_and_small(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / "manifest.yaml").write_text(BILLION_LAUGHS)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(RatingTableError, match=r"alias.*not allowed"):
            RatingTables.load(directory)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - start < 5.0
    assert peak < 50 * 2**20


def test_an_oversized_manifest_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "manifest.yaml"
    path.write_text(path.read_text() + "#" * MAX_MANIFEST_BYTES + "\n")
    with pytest.raises(RatingTableError, match=r"more than the limit"):
        RatingTables.load(directory)


def test_the_shipped_tables_pass_the_pricing_checks() -> None:
    # Every shipped row builds its distribution (the check runs on every load).
    assert RatingTables.load(SHIPPED).table_names


@pytest.mark.parametrize(
    ("file", "row", "column", "message"),
    [
        pytest.param(
            "relativities.csv",
            1,
            "frequency_factor",
            r"relativities\.csv, row 1 \(line 2\), column 'frequency_factor': this value times "
            r"the base frequency of \(tech_failure, outage\) cannot price",
            id="relativity-frequency-1e300",
        ),
        pytest.param(
            "bands.csv",
            1,
            "frequency_factor",
            r"bands\.csv, row 1 \(line 2\), column 'frequency_factor'.*cannot price",
            id="band-frequency-1e300",
        ),
    ],
)
def test_a_factor_that_cannot_price_is_refused_naming_its_row(
    tmp_path: Path, file: str, row: int, column: str, message: str
) -> None:
    directory = _copy(tmp_path)
    _set_cell(directory, file, row, column, "1e300")
    with pytest.raises(RatingTableError, match=message):
        RatingTables.load(directory)


def test_a_severity_factor_that_cannot_price_is_refused_naming_its_row(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    lines = (directory / "relativities.csv").read_text().splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("cyber,data_protection"))
    _set_cell(directory, "relativities.csv", row, "severity_factor", "1e300")
    with pytest.raises(
        RatingTableError,
        match=rf"relativities\.csv, row {row} \(line {row + 1}\), column 'severity_factor': "
        r"this value times the base median of \(cyber, incident\) cannot price",
    ):
        RatingTables.load(directory)
