"""``xborder-risk reserve CLAIMS_FILE`` (issue 14 item 7)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from xborder_risk import cli
from xborder_risk.engine import SimulationResult
from xborder_risk.rating import RatingTables
from xborder_risk.reserves import BornhuetterFerguson, PaymentPattern, synthetic_claims

runner = CliRunner()


@pytest.fixture(scope="module")
def claims_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(3)
    annual = rng.gamma(20.0, 50_000.0, size=(10, 1))
    result = SimulationResult(
        lines=("cyber",),
        annual=annual,
        max_occurrence=annual.copy(),
        total=annual[:, 0].copy(),
        seed_sequence=np.random.SeedSequence(3),
        block_years=100,
    )
    pattern = PaymentPattern.from_frame(RatingTables.load().patterns, "cyber")
    book = synthetic_claims(result, "cyber", pattern, n_origin=5)
    path = tmp_path_factory.mktemp("claims") / "claims.csv"
    observed = book.observed().copy()
    for column in ("accident_date", "report_date", "transaction_date"):
        observed[column] = observed[column].dt.strftime("%Y-%m-%d")
    text = observed.to_csv(index=False)
    # one bad row: a report date before the accident date
    text += "BAD,cyber,2019-07-01,2018-01-01,2019-12-31,5,0,XXX\n"
    path.write_text(text)
    return path


def test_reserve_writes_table_triangle_exclusions_and_report(
    claims_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = [
        "reserve",
        str(claims_file),
        "-m",
        "cl",
        "-m",
        "mack",
        "-m",
        "bf",
        "-m",
        "cape-cod",
        "-m",
        "bootstrap",
        "--prior",
        "0.7",
        "--premium",
        "1400000",
        "--n-sims",
        "500",
        "--out",
        str(out),
    ]
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "reserves.csv")
    assert set(table["method"]) == {"cl", "mack", "bf", "cape-cod", "bootstrap"}
    totals = table[table["origin"] == "Total"].set_index("method")
    assert totals.loc["cl", "ibnr"] == pytest.approx(totals.loc["mack", "ibnr"])
    assert totals.loc["mack", "mack_std_err"] > 0.0
    assert totals.loc["mack", "cdr_std_err"] <= totals.loc["mack", "mack_std_err"]
    assert totals.loc["bootstrap", "p95"] > totals.loc["bootstrap", "bootstrap_mean"]
    tri = pd.read_csv(out / "triangle.csv", index_col="origin")
    from xborder_risk.reserves import Triangle

    expected_bf = BornhuetterFerguson().fit(
        Triangle.from_frame(tri), apriori=0.7, exposure=1_400_000.0
    )
    assert totals.loc["bf", "ibnr"] == pytest.approx(expected_bf.ibnr_.sum())
    exclusions = pd.read_csv(out / "exclusions.csv")
    assert list(exclusions["column"]) == ["report_date"]
    report = (out / "reserves.md").read_text()
    assert "## Reserve table" in report and "1 (listed in exclusions.csv)" in report
    assert (out / "actual_vs_expected.png").stat().st_size > 1000


def test_reserve_with_a_tail_gives_mack_with_the_tail(claims_file: Path, tmp_path: Path) -> None:
    """``--tail 1.05 -m mack``: Mack's standard error with the tail (Mack 1999), the same as the
    library's MackChainladder(tail=1.05) on the written triangle; no one-year view with a tail."""
    out = tmp_path / "out"
    args = ["reserve", str(claims_file), "-m", "cl", "-m", "mack", "--tail", "1.05"]
    result = runner.invoke(cli.app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "reserves.csv")
    totals = table[table["origin"] == "Total"].set_index("method")
    from xborder_risk.reserves import MackChainladder, Triangle

    tri = Triangle.from_frame(pd.read_csv(out / "triangle.csv", index_col="origin"))
    mack = MackChainladder(tail=1.05).fit(tri)
    assert totals.loc["mack", "ibnr"] == pytest.approx(mack.ibnr_.sum(), rel=1e-9)
    assert totals.loc["mack", "ibnr"] == pytest.approx(totals.loc["cl", "ibnr"], rel=1e-9)
    assert totals.loc["mack", "mack_std_err"] == pytest.approx(mack.total_std_err_, rel=1e-9)
    without = MackChainladder().fit(tri)
    assert mack.total_std_err_ > without.total_std_err_
    assert np.isnan(totals.loc["mack", "cdr_std_err"])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-m", "bf"], "needs --prior"),
        (["-m", "cape-cod"], "needs --premium"),
        (["-m", "magic"], "must be one of"),
        (["--basis", "gross"], "basis"),
        (["--prior", "nofile.csv", "-m", "bf"], "neither a number nor a CSV"),
    ],
)
def test_bad_options_exit_2_with_a_message(
    claims_file: Path, tmp_path: Path, extra: list[str], message: str
) -> None:
    result = runner.invoke(cli.app, ["reserve", str(claims_file), *extra, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.output


def test_missing_column_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "short.csv"
    bad.write_text("policy,line\nP1,cyber\n")
    result = runner.invoke(cli.app, ["reserve", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "short.csv" in result.output and "accident_date" in result.output
