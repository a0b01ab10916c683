"""Every example script runs as an underwriter or actuary would run it; every example
submission describes its scenario and rates."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from xborder_risk import Submission
from xborder_risk.rating import RatingTables, rate

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
SUBMISSIONS = sorted((EXAMPLES / "submissions").glob("*.yaml"))
QUOTE_SCRIPTS = sorted(EXAMPLES.glob("quote_*.py"))
OTHER_SCRIPTS = sorted(set(EXAMPLES.glob("*.py")) - {*QUOTE_SCRIPTS, EXAMPLES / "actuary_api.py"})
YEARS = "5000"


def run_script(script: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XBORDER_RISK_YEARS": YEARS}
    env.pop("MPLBACKEND", None)  # the report must not depend on the user's backend
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_quote_script_for_every_submission() -> None:
    assert {p.stem.removeprefix("quote_") for p in QUOTE_SCRIPTS} == {p.stem for p in SUBMISSIONS}


@pytest.mark.parametrize("script", QUOTE_SCRIPTS, ids=lambda p: p.stem)
def test_quote_script_runs_as_is(script: Path, tmp_path: Path) -> None:
    done = run_script(script, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    stem = script.stem.removeprefix("quote_")
    submission = Submission.from_file(EXAMPLES / "submissions" / f"{stem}.yaml")
    assert f"amounts in {submission.currency}" in done.stdout
    assert "Total" in done.stdout
    out = tmp_path / "quote_out"
    for name in (f"{stem}.md", f"{stem}.html", f"{stem}.json", f"{stem}_ep_curves.png"):
        assert (out / name).stat().st_size > 0, name
        assert str(Path("quote_out") / name) in done.stdout


@pytest.mark.parametrize("script", OTHER_SCRIPTS, ids=lambda p: p.stem)
def test_other_example_scripts_run(script: Path, tmp_path: Path) -> None:
    done = run_script(script, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.strip()


def test_actuary_api_shows_each_part(tmp_path: Path) -> None:
    done = run_script(EXAMPLES / "actuary_api.py", tmp_path)
    assert done.returncode == 0, done.stderr
    for step in ("1. Quote", "2. MFA credit", "3. Cyber deductible", "4. Year-loss", "5. Cyber"):
        assert step in done.stdout
    # The custom-table what-if changes only the MFA frequency credit: the exact ratio of the
    # rated expected layer losses is 0.90 / 0.75.
    assert "exact ratio of the rated expected layer losses 1.200" in done.stdout
    assert list(tmp_path.iterdir()) == []  # the scratch tables were cleaned up


# --------------------------------------------------------------------------------------------
# the example submissions


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: p.stem)
def test_submission_describes_its_scenario(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    comment = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comment.append(line)
    assert comment and comment[0].startswith("# Scenario")
    assert len(" ".join(comment).split()) >= 40  # a real description, not a label
    assert "illustrative" in text.lower()


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: p.stem)
def test_submission_rates_every_line(path: Path) -> None:
    submission = Submission.from_file(path)
    rated = rate(submission)
    summary = rated.summary().set_index("line")
    assert tuple(summary.index) == submission.lines
    assert (summary["expected_claims"] > 0).all()
    assert (summary["expected_layer_loss"] > 0).all()


def test_scenarios_are_the_four_of_the_issue() -> None:
    tables = RatingTables.load()
    by_name = {p.stem: Submission.from_file(p) for p in SUBMISSIONS}

    egates = by_name["eu_egates_contractor"]
    assert {s.system_type for s in egates.tech_failure.systems} >= {"e_gate", "biometric_matching"}

    land = by_name["land_border_surveillance"]
    assert land.insured.kind == "contractor"
    assert {s.system_type for s in land.tech_failure.systems} >= {
        "surveillance_sensors",
        "drone_aerial",
    }
    field = {g.role: g.headcount for g in land.operational_liability.personnel}
    assert field["field_officer"] > 0 and land.operational_liability.vehicles > 0

    agency = by_name["agency_traveller_data_platform"]
    assert agency.insured.kind == "agency" and agency.cyber is not None
    assert agency.cyber.partner_connections > 0
    rated = rate(agency).summary().set_index("line")["expected_layer_loss"]
    assert rated["cyber"] == rated.max()  # cyber-heavy

    risky = by_name["high_risk_infrastructure"]
    perils = {p for c in risky.political_risk.contracts for p in c.perils}
    assert "currency_inconvertibility" in perils
    classes = [tables.country(c.host_country)["oecd_crc"] for c in risky.political_risk.contracts]
    assert min(classes) >= 6  # OECD country risk class 6-7: high political risk


def test_simulate_line_prints_probabilities_as_probabilities(tmp_path: Path) -> None:
    done = run_script(EXAMPLES / "simulate_line.py", tmp_path)
    assert done.returncode == 0, done.stderr
    table = done.stdout.split("exceedance probability (AEP):")[1]
    rows = [line.split() for line in table.strip().splitlines()[1:]]
    probabilities = {row[2]: row[3] for row in rows}
    # The 1-in-200 row reads 0.005, not a probability rounded to 0 by the loss format.
    assert probabilities["200"] == "0.005", table
    assert probabilities["10,000"] == "0.0001", table
