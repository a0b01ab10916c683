"""Small things a reader notices: the seed as typed, VaR and TVaR at the same levels."""

from __future__ import annotations

from pathlib import Path

import pytest

from xborder_risk import Submission, quote
from xborder_risk.report import summary_frame
from xborder_risk.report.markdown import render_markdown
from xborder_risk.report.sections import RISK_LEVELS, build_sections

EXAMPLE = Path(__file__).resolve().parents[2] / "examples/submissions/eu_egates_contractor.yaml"


@pytest.fixture(scope="module")
def egates():  # type: ignore[no-untyped-def]
    return quote(Submission.from_file(EXAMPLE), n_years=3000, seed=20261123)


def test_seed_prints_without_thousands_separator(egates) -> None:  # type: ignore[no-untyped-def]
    provenance = next(s for s in build_sections(egates) if s.anchor == "provenance")
    assert ("Seed", "20261123") in provenance.facts
    assert ("Simulated periods", "3,000") in provenance.facts
    assert "20,261,123" not in render_markdown(egates, chart_file="c.png")


def test_var_and_tvar_at_the_same_levels(egates) -> None:  # type: ignore[no-untyped-def]
    risk = next(s for s in build_sections(egates) if s.anchor == "risk")
    columns = [c for c in risk.tables[0].columns if "VaR" in c]
    var_levels = {c.removeprefix("VaR ") for c in columns if c.startswith("VaR")}
    tvar_levels = {c.removeprefix("TVaR ") for c in columns if c.startswith("TVaR")}
    assert var_levels == tvar_levels == {f"{100 * level:g}%" for level in RISK_LEVELS}
    summary = summary_frame(egates)
    assert [c for c in summary.columns if "VaR" in c] == ["VaR 99.5%", "TVaR 99.5%"]
    total = egates.simulation
    assert summary["TVaR 99.5%"].iloc[-1] == total.tvar(0.995)
    assert summary["TVaR 99.5%"].iloc[-1] >= summary["VaR 99.5%"].iloc[-1]


def test_no_html_entities_in_the_markdown(egates) -> None:  # type: ignore[no-untyped-def]
    document = render_markdown(egates, chart_file="c.png")
    assert "&gt;" not in document and "&amp;" not in document and "&lt;" not in document
