"""The workflow commands end to end: init, compare, quote --register, history, show,
reproduce (issue 15 items 1, 3, 5), with their exit statuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from xborder_risk import Submission
from xborder_risk.cli import app
from xborder_risk.exposure import LINES
from xborder_risk.exposure.template import submission_template
from xborder_risk.rating import RatingTables, rate

REPO = Path(__file__).resolve().parents[2]
EGATES = str(REPO / "examples" / "submissions" / "eu_egates_contractor.yaml")
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("kind", ["agency", "contractor"])
@pytest.mark.parametrize("lines", [None, *([line] for line in LINES), list(LINES)])
def test_template_validates_and_rates_as_written(kind: str, lines: list[str] | None) -> None:
    text = submission_template(kind, lines)  # type: ignore[arg-type]
    submission = Submission.from_yaml(text)
    if lines is not None:
        assert submission.lines == tuple(lines)
    assert submission.insured.kind == kind
    # Commented throughout: every field but the line names under terms has its comment.
    rows = [row.strip() for row in text.splitlines() if row.strip()]
    fields = [i for i, row in enumerate(rows) if not row.startswith("#")]
    uncommented = [rows[i] for i in fields if not rows[i - 1].startswith("#")]
    assert all(row.rstrip(":") in LINES for row in uncommented), uncommented
    rate(submission, RatingTables.load())


def test_init_writes_a_file_that_validates(tmp_path: Path) -> None:
    target = tmp_path / "new.yaml"
    code, out, _ = run("init", "--kind", "agency", "--lines", "cyber,political_risk", str(target))
    assert code == 0 and "wrote" in out
    assert Submission.from_file(target).lines == ("cyber", "political_risk")
    code, out, _ = run("validate", str(target))
    assert code == 0, out
    before = target.read_bytes()
    code, _, err = run("init", str(target))
    assert code == 2 and "--force" in err
    assert target.read_bytes() == before
    code, _, err = run("init", "--lines", "motor", str(tmp_path / "x.yaml"))
    assert code == 2 and "lines" in err
    code, _, err = run("init", "--kind", "bank", str(tmp_path / "x.yaml"))
    assert code == 2 and not (tmp_path / "x.yaml").exists()


def test_compare_prints_every_option(tmp_path: Path) -> None:
    options = tmp_path / "options.yaml"
    options.write_text("smaller cyber limit:\n  terms.cyber.limit: 1.0e+7\n", encoding="utf-8")
    code, out, err = run(
        "compare",
        EGATES,
        "-n",
        "500",
        "--option",
        "higher retention: terms.cyber.deductible=1e6",
        "--options",
        str(options),
    )
    assert code == 0, err
    for text in ("base", "higher retention", "smaller cyber limit", "Change vs base", "Cyber"):
        assert text in out
    assert "1,000,000" in out and "10,000,000" in out


@pytest.mark.parametrize(
    "option",
    [
        "x: terms.cyber.deductibel=1",
        "x: terms.cyber.limit=lots",
        "x: nothing",
        "x: terms.motor.a=1",
    ],
)
def test_compare_bad_option_exits_2_naming_the_path(option: str) -> None:
    code, _, err = run("compare", EGATES, "-n", "100", "--option", option)
    assert code == 2
    assert err.startswith("error:")
    path = option.split(": ", 1)[1].split("=")[0]
    assert path in err


def test_register_history_show_reproduce(tmp_path: Path) -> None:
    register = str(tmp_path / "quotes.db")
    code, out, err = run(
        "quote", EGATES, "-n", "300", "-o", str(tmp_path / "out"), "-f", "json",
        "--register", register,
    )  # fmt: skip
    assert code == 0, err
    assert f"registered as quote 1 in {register}" in out
    code, out, _ = run("history", "--register", register, "--insured", "nordgate")
    assert code == 0 and "Nordgate Biometrics AS" in out and "1 quote(s)." in out
    code, out, _ = run("history", "--register", register, "--insured", "nobody")
    assert code == 0 and "0 quote(s)." in out
    code, out, _ = run("show", "1", "--register", register)
    assert code == 0 and "Quote 1 for Nordgate Biometrics AS" in out and "seed 2026" in out
    code, out, _ = run("reproduce", "1", "--register", register)
    assert code == 0 and "reproduced bit for bit" in out
    code, _, err = run("show", "7", "--register", register)
    assert code == 2 and "has no quote 7" in err


def test_not_a_register_exits_2_and_is_left_alone(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database", encoding="utf-8")
    for args in (("history",), ("show", "1"), ("reproduce", "1")):
        code, _, err = run(*args, "--register", str(notes))
        assert code == 2 and "not a quote register" in err
    code, _, err = run(
        "quote", EGATES, "-n", "100", "-o", str(tmp_path / "o"), "-f", "json",
        "--register", str(notes),
    )  # fmt: skip
    assert code == 2 and "not a quote register" in err
    assert notes.read_text(encoding="utf-8") == "not a database"
    code, _, err = run("history", "--register", str(tmp_path / "missing.db"))
    assert code == 2 and "no such register" in err
    assert not (tmp_path / "missing.db").exists()
