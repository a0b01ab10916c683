"""Every CLI command on every example submission; exit codes; errors without tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from xborder_risk import Submission, cli, quote
from xborder_risk.exposure import load_yaml_text
from xborder_risk.rating import RatingTables
from xborder_risk.report import format_amount
from xborder_risk.report.chart import ep_chart_png

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "submissions"
SUBMISSIONS = sorted(EXAMPLES.glob("*.yaml"))
BAD_CASES = REPO / "tests" / "bad_inputs" / "cases"
EXPECTED_BAD = yaml.safe_load((BAD_CASES / "expected.yaml").read_text(encoding="utf-8"))
YEARS = "5000"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

runner = CliRunner()


def invoke(*args: str | Path) -> object:
    return runner.invoke(cli.app, [str(a) for a in args], catch_exceptions=True)


def assert_clean(result: object) -> None:
    """No Python traceback reached the user, and no exception escaped the command."""
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]
    exc = result.exception  # type: ignore[attr-defined]
    assert exc is None or isinstance(exc, SystemExit), repr(exc)


@pytest.fixture(autouse=True)
def not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run with or without a terminal; make the default deterministic (no progress bar).
    monkeypatch.setattr(cli, "_is_interactive", lambda: False)


def test_at_least_four_example_submissions() -> None:
    assert len(SUBMISSIONS) >= 4


# --------------------------------------------------------------------------------------------
# quote


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: p.stem)
def test_quote_every_example(path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(
        "quote", path, "--years", YEARS, "--seed", "3", "--out", out, "-f", "md,html,png,json,csv"
    )
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""

    # The printed table holds the same numbers as the Python API with the same seed.
    expected = quote(Submission.from_file(path), n_years=int(YEARS), seed=3)
    total = expected.to_frame().loc["total"]
    # The table leads with what an underwriter reads first; columns further right may be
    # left out of a narrow terminal, so they are checked in the JSON record below.
    assert format_amount(total["gross_premium"]) in result.stdout
    assert expected.currency in result.stdout
    assert "Total" in result.stdout

    stem = path.stem
    for name in (f"{stem}.md", f"{stem}.html", f"{stem}.json", f"{stem}_ep_curves.png"):
        assert (out / name).stat().st_size > 0, name
    assert (out / f"{stem}_ep_curves.png").read_bytes().startswith(PNG_SIGNATURE)
    assert (out / f"{stem}_ep_curves.png").read_bytes() == ep_chart_png(expected)
    record = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
    for column in ("expected_loss", "technical_premium", "gross_premium"):
        assert record["quote"]["total"][column] == pytest.approx(total[column])
    assert record["provenance"]["seed"] == 3
    assert len(list(out.glob(f"{stem}_*.csv"))) == 6


def test_quote_default_formats_and_name(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = invoke("quote", SUBMISSIONS[0], "-n", "2000", "-o", out, "--name", "renewal-2026")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "renewal-2026.html",
        "renewal-2026.json",
        "renewal-2026.md",
        "renewal-2026_ep_curves.png",
    ]


def test_quote_with_tables_and_valuation_date(tmp_path: Path) -> None:
    tables = tmp_path / "tables"
    shutil.copytree(REPO / "rating_tables", tables)
    path = EXAMPLES / "eu_egates_contractor.yaml"
    result = invoke(
        "quote", path, "-n", "2000", "--tables", tables, "-o", tmp_path / "o",
        "-f", "json", "--valuation-date", "2026-10-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "o" / "eu_egates_contractor.json").read_text("utf-8"))
    assert record["provenance"]["valuation_date"] == "2026-10-01"
    assert record["provenance"]["tables_source"] == str(tables)


# --------------------------------------------------------------------------------------------
# validate, tables check, schema


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: p.stem)
def test_validate_every_example(path: Path) -> None:
    result = invoke("validate", path)
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK:")
    assert Submission.from_file(path).insured.name in " ".join(result.stdout.split())


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: p.stem)
def test_schema_describes_every_example(path: Path) -> None:
    result = invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    data = load_yaml_text(path.read_text(encoding="utf-8"))
    # Every top-level field of the example is a property of the schema, and every required
    # property is present in the example.
    assert set(data) <= set(schema["properties"])
    assert set(schema["required"]) <= set(data)
    assert schema["additionalProperties"] is False


def test_tables_check_shipped_and_directory(tmp_path: Path) -> None:
    shipped = invoke("tables", "check")
    assert shipped.exit_code == 0, shipped.output
    n_tables = len(RatingTables.load().table_names)
    assert f"OK: {n_tables} tables valid." in shipped.stdout
    copy = tmp_path / "tables"
    shutil.copytree(REPO / "rating_tables", copy)
    result = invoke("tables", "check", copy)
    assert result.exit_code == 0, result.output
    assert "tables valid" in result.stdout


def test_tables_check_corrupted_is_one_line_exit_2(tmp_path: Path) -> None:
    copy = tmp_path / "tables"
    shutil.copytree(REPO / "rating_tables", copy)
    fx = copy / "fx.csv"
    fx.write_text(fx.read_text(encoding="utf-8").replace("1.0389", "-1.0389"), encoding="utf-8")
    result = invoke("tables", "check", copy)
    assert_clean(result)
    assert result.exit_code == cli.EXIT_INVALID_INPUT
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert "fx" in lines[0]


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("xborder-risk ")


# --------------------------------------------------------------------------------------------
# invalid input: exit 2 with every field listed


BAD_SAMPLE = [
    "negative_count.json",
    "duplicate_key.yaml",
    "python_object_tag.yaml",
    "yes_for_boolean.yaml",
    "unknown_country_code.yaml",
    "terms_for_absent_line.yaml",
    "json_syntax_error.json",
    "deductible_above_limit.yaml",
]


@pytest.mark.parametrize("name", sorted(EXPECTED_BAD), ids=str)
def test_validate_bad_input_catalogue(name: str) -> None:
    expected = EXPECTED_BAD[name]
    result = invoke("validate", BAD_CASES / name)
    assert_clean(result)
    assert result.exit_code == cli.EXIT_INVALID_INPUT, result.output
    assert result.stderr.startswith("error: ")
    if expected["path"]:
        assert f"- {expected['path']}:" in result.stderr
    if expected.get("message"):
        assert expected["message"] in result.stderr


@pytest.mark.parametrize("name", BAD_SAMPLE, ids=str)
def test_quote_bad_input(name: str, tmp_path: Path) -> None:
    result = invoke("quote", BAD_CASES / name, "-n", "100", "-o", tmp_path / "out")
    assert_clean(result)
    assert result.exit_code == cli.EXIT_INVALID_INPUT
    path = EXPECTED_BAD[name]["path"]
    if path:
        assert path in result.stderr
    assert not (tmp_path / "out").exists()  # nothing written for an invalid submission


def test_every_error_listed_with_its_field(tmp_path: Path) -> None:
    data = load_yaml_text((EXAMPLES / "eu_egates_contractor.yaml").read_text(encoding="utf-8"))
    data["insured"]["headcount"] = -3
    data["currency"] = "eur"
    data["cyber"]["pii_records"] = "many"
    data["tech_failure"]["systems"][1]["redundancy"] = "triple"
    bad = tmp_path / "four_errors.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = invoke("validate", bad)
    assert_clean(result)
    assert result.exit_code == 2
    for field in (
        "insured.headcount",
        "currency",
        "cyber.pii_records",
        "tech_failure.systems[1].redundancy",
    ):
        assert f"- {field}:" in result.stderr, field
    assert "4 errors" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--years", "0"),
        ("--seed", "-1"),
        ("--format", "md,pdf"),
        ("--valuation-date", "2026-13-01"),
        ("--valuation-date", "2020-01-01"),  # before inception
        ("--unknown-option",),
    ],
    ids=["years", "seed", "format", "date-syntax", "date-before-inception", "unknown"],
)
def test_bad_options_exit_2(args: tuple[str, ...], tmp_path: Path) -> None:
    result = invoke("quote", EXAMPLES / "eu_egates_contractor.yaml", "-o", tmp_path, *args)
    assert_clean(result)
    assert result.exit_code == cli.EXIT_INVALID_INPUT, result.output


def test_bad_tables_directory_exit_2(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke("quote", EXAMPLES / "eu_egates_contractor.yaml", "--tables", empty)
    assert_clean(result)
    assert result.exit_code == cli.EXIT_INVALID_INPUT
    assert len(result.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------------------------
# other errors: exit 1, one line


def test_missing_file_one_line(tmp_path: Path) -> None:
    result = invoke("quote", tmp_path / "nowhere.yaml")
    assert_clean(result)
    assert result.exit_code == cli.EXIT_ERROR
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "nowhere.yaml" in lines[0]


def test_oversize_simulation_refused_one_line(tmp_path: Path) -> None:
    result = invoke("quote", SUBMISSIONS[0], "--years", str(10**13), "-o", tmp_path)
    assert_clean(result)
    assert result.exit_code == cli.EXIT_ERROR
    assert len(result.stderr.strip().splitlines()) == 1


def test_unwritable_output_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory", encoding="utf-8")
    result = invoke("quote", SUBMISSIONS[0], "-n", "500", "-o", blocker / "sub")
    assert_clean(result)
    assert result.exit_code == cli.EXIT_ERROR
    assert len(result.stderr.strip().splitlines()) == 1


def test_unexpected_error_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "make_quote", broken)
    result = invoke("quote", SUBMISSIONS[0], "-n", "100")
    assert_clean(result)
    assert result.exit_code == cli.EXIT_ERROR
    assert "internal error (RuntimeError: boom)" in result.stderr
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    debug = invoke("quote", SUBMISSIONS[0], "-n", "100")
    assert isinstance(debug.exception, RuntimeError)


# --------------------------------------------------------------------------------------------
# progress bar: only on a terminal


def test_progress_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(cli, "_is_interactive", lambda: True)
    result = invoke("quote", SUBMISSIONS[0], "-n", "3000", "-o", tmp_path, "-f", "json")
    assert result.exit_code == 0, result.output
    assert "Simulating" in result.stderr
    assert "Simulating" not in result.stdout  # the table on stdout stays clean for pipes


def test_silent_without_a_terminal(tmp_path: Path) -> None:
    result = invoke("quote", SUBMISSIONS[0], "-n", "3000", "-o", tmp_path, "-f", "json")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "\x1b[" not in result.stdout  # no colour or cursor codes in a pipe


def test_console_script_in_a_subprocess(tmp_path: Path) -> None:
    """The real entry point, stdout and stderr pipes (not terminals): silent stderr."""
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "xborder_risk.cli", "quote", str(SUBMISSIONS[0]), "-n", "2000",
         "-o", str(tmp_path), "-f", "md"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "Total" in done.stdout
    bad_file = str(BAD_CASES / "negative_count.json")
    bad = subprocess.run(
        [sys.executable, "-m", "xborder_risk.cli", "validate", bad_file],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert bad.returncode == 2
    assert "cyber.pii_records" in bad.stderr
    assert "Traceback" not in bad.stderr


# --------------------------------------------------------------------------------------------
# hostile strings reach the terminal as text


def test_hostile_name_printed_literally(
    hostile_file: Path, hostile_strings: tuple[str, str], tmp_path: Path
) -> None:
    result = invoke("quote", hostile_file, "-n", "500", "-o", tmp_path, "-f", "html")
    assert result.exit_code == 0, result.output
    # rich must not interpret [link](y) or markup-like text: the name appears verbatim.
    assert hostile_strings[0] in " ".join(result.stdout.split())


def test_narrow_terminal_drops_columns_not_digits(tmp_path: Path) -> None:
    result = runner.invoke(
        cli.app,
        ["quote", str(SUBMISSIONS[0]), "-n", "2000", "-o", str(tmp_path), "-f", "json"],
        env={"COLUMNS": "70"},
    )
    assert result.exit_code == 0, result.output
    assert all(len(line) <= 70 for line in result.stdout.splitlines())
    assert "terminal too narrow" in result.stdout
    expected = quote(Submission.from_file(SUBMISSIONS[0]), n_years=2000, seed=2026)
    # The columns shown are complete numbers (limit, deductible, share and gross premium
    # come first: what an underwriter reads first).
    assert format_amount(expected.to_frame().loc["total", "gross_premium"]) in result.stdout


# --------------------------------------------------------------------------------------------
# the basis file


def test_quote_with_a_basis_file(tmp_path: Path) -> None:
    basis = REPO / "examples" / "bases" / "target_loss_ratio.json"
    out = tmp_path / "out"
    result = invoke(
        "quote", SUBMISSIONS[0], "-n", "2000", "--basis", basis, "-o", out, "-f", "json"
    )
    assert_clean(result)
    assert result.exit_code == 0, result.output
    (written,) = out.glob("*.json")
    record = json.loads(written.read_text())
    assert record["provenance"]["basis"]["principle"]["type"] == "TargetLossRatio"
    # what the underwriter reads first is in the terminal
    for heading in ("Limit", "Share", "Gross"):
        assert heading in result.stdout


def test_a_bad_basis_file_exits_2_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "basis.yaml"
    bad.write_text("allocation_level: 1.5\n")
    result = invoke("quote", SUBMISSIONS[0], "-n", "100", "--basis", bad, "-o", tmp_path)
    assert_clean(result)
    assert result.exit_code == 2
    assert "allocation_level" in result.stderr and str(bad) in " ".join(result.stderr.split())


def test_schema_of_the_basis_file() -> None:
    result = invoke("schema", "--basis")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    example = json.loads((REPO / "examples" / "bases" / "target_loss_ratio.json").read_text())
    assert set(example) <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_referrals_are_printed_in_the_terminal(tmp_path: Path) -> None:
    path = EXAMPLES / "eu_egates_contractor.yaml"  # its political-risk line is referred
    result = invoke("quote", path, "-n", "2000", "-o", tmp_path, "-f", "json")
    assert result.exit_code == 0, result.output
    q = quote(Submission.from_file(path), n_years=2000, seed=2026)
    assert q.referrals
    text = " ".join(result.stdout.split())
    for referral in q.referrals:
        assert " ".join(referral.reason.split())[:60] in text
