"""Renewals: rate change and risk-adjusted rate change (issue 15 item 2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from xborder_risk import Submission, quote
from xborder_risk.cli import app
from xborder_risk.exposure import InvalidSubmissionError
from xborder_risk.report.sections import build_sections

EXAMPLE = Path(__file__).resolve().parents[2] / "examples/submissions/eu_egates_contractor.yaml"
YEARS, SEED = 1500, 4


@pytest.fixture(scope="module")
def base() -> Submission:
    return Submission.from_file(EXAMPLE)


@pytest.fixture(scope="module")
def base_premium(base: Submission) -> dict[str, float]:
    table = quote(base, n_years=YEARS, seed=SEED).to_frame()
    return {line: float(table.loc[line, "gross_premium"]) for line in base.lines}


def test_same_risk_same_premium_is_no_change(base: Submission, base_premium: dict) -> None:
    q = quote(
        base.with_changes({"renewal": {"expiring_premium": base_premium}}), n_years=YEARS, seed=SEED
    )
    table = q.renewal
    assert table is not None
    np.testing.assert_array_equal(table["rate_change"], 0.0)
    assert (table["exposure_change"].drop("political_risk") == 0.0).all()
    assert table.loc["total", "risk_adjusted_rate_change"] == 0.0
    assert q.to_dict()["renewal"]["total"]["rate_change"] == 0.0
    assert any(s.anchor == "renewal" for s in build_sections(q))


def test_higher_retention_is_not_read_as_a_price_cut(base: Submission, base_premium: dict) -> None:
    # Expiring: deductible 500,000 at the premium it cost; now 1,000,000.
    renewal = base.with_changes(
        {
            "terms.cyber.deductible": 1_000_000,
            "renewal": {
                "expiring_premium": base_premium,
                "expiring_changes": {"terms.cyber.deductible": 500_000},
            },
        }
    )
    q = quote(renewal, n_years=YEARS, seed=SEED)
    table = q.renewal
    assert table is not None
    cyber = table.loc["cyber"]
    assert cyber["exposure_change"] < 0  # less expected loss after the higher retention
    assert cyber["rate_change"] < 0  # and a lower premium
    expected = (1 + cyber["rate_change"]) / (1 + cyber["exposure_change"]) - 1
    assert cyber["risk_adjusted_rate_change"] == pytest.approx(expected, rel=1e-12)
    # Lines not changed: their expected loss is the same number (same random numbers).
    assert table.loc["operational_liability", "exposure_change"] == 0.0
    # One-year policies: the premium per year is the premium.
    assert table.loc["cyber", "expiring_premium"] == base_premium["cyber"]


def test_no_renewal_no_table(base: Submission) -> None:
    q = quote(base, n_years=200, seed=1)
    assert q.renewal is None and "renewal" not in q.to_dict()
    assert all(s.anchor != "renewal" for s in build_sections(q))


def test_a_renewal_needs_premium_or_quote_id(base: Submission) -> None:
    with pytest.raises(InvalidSubmissionError) as info:
        base.with_changes({"renewal": {}})
    assert [(e.path, e.rule) for e in info.value.errors] == [
        ("renewal.expiring_premium", "expiring_premium_or_quote")
    ]
    with pytest.raises(InvalidSubmissionError) as info:
        base.with_changes({"renewal": {"expiring_premium": {"cyber": -1}}})
    assert info.value.paths == ("renewal.expiring_premium.cyber",)


def test_the_expiring_quote_from_the_register(base: Submission, tmp_path: Path) -> None:
    runner = CliRunner()
    register = str(tmp_path / "q.db")
    args = ["-n", "400", "-o", str(tmp_path / "o"), "-f", "json", "--register", register]
    assert runner.invoke(app, ["quote", str(EXAMPLE), *args]).exit_code == 0
    renewal = tmp_path / "renewal.yaml"
    renewal.write_text(
        base.with_changes(
            {"terms.cyber.deductible": 1e6, "renewal": {"expiring_quote_id": 1}}
        ).to_yaml(),
        encoding="utf-8",
    )
    done = runner.invoke(app, ["quote", str(renewal), *args], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.stderr
    assert "Renewal: rate change" in done.stdout and "risk-adjusted rate change" in done.stdout
    assert "registered as quote 2" in done.stdout
    # Without a register: the path and the rule, exit 2.
    done = runner.invoke(app, ["quote", str(renewal), "-n", "100", "-o", str(tmp_path / "p")])
    assert done.exit_code == 2 and "renewal.expiring_quote_id" in done.stderr
