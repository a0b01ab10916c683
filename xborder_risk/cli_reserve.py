"""``xborder-risk reserve CLAIMS_FILE``: reserves from a claims file, by several methods.

Writes, into ``--out``:

* ``reserves.csv`` - one row per origin (and ``Total``) and method: latest, ultimate, IBNR,
  with Mack's and the Merz-Wüthrich one-year standard errors and the bootstrap mean,
  standard error and percentiles where the method has them;
* ``triangle.csv`` - the cumulative triangle used; ``exclusions.csv`` - every row of the
  claims file left out, with its row, column, value and rule;
* ``reserves.md`` and ``actual_vs_expected.png`` - the report: the triangle, the link ratios,
  the reserve table and the actual vs expected development of the last calendar period.

Exit status as the other commands: 0 done, 1 a file could not be written, 2 invalid input.
"""

from __future__ import annotations

import contextlib
import math
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer

from xborder_risk.errors import XBorderRiskError
from xborder_risk.reserves import (
    Benktander,
    BootstrapODP,
    BornhuetterFerguson,
    CapeCod,
    Chainladder,
    MackChainladder,
    MerzWuthrich,
    Triangle,
    read_claims,
)

__all__ = ["METHODS", "reserve_command", "reserve_table"]

METHODS = ("cl", "mack", "bf", "cape-cod", "benktander", "bootstrap")
_OWNER = "xborder-risk reserve"


def _fail(message: str, code: int) -> typer.Exit:
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(code)


def _by_origin(path_or_value: str, tri: Triangle, name: str) -> float | pd.Series:
    """A number, or a CSV with columns ``origin`` and one value column."""
    try:
        return float(path_or_value)
    except ValueError:
        pass
    path = Path(path_or_value)
    if not path.is_file():
        raise XBorderRiskError(f"--{name} {path_or_value!r}: neither a number nor a CSV file")
    frame = pd.read_csv(path)
    if "origin" not in frame.columns or frame.shape[1] != 2:
        raise XBorderRiskError(
            f"--{name} {path.name}: needs two columns, 'origin' and the value "
            f"(got {list(frame.columns)})"
        )
    value_column = next(c for c in frame.columns if c != "origin")
    labels = {str(o): o for o in tri.origin}
    series = pd.Series(
        frame[value_column].to_numpy(dtype=float),
        index=[labels.get(str(o), o) for o in frame["origin"]],
    )
    return series


def reserve_table(
    tri: Triangle,
    methods: list[str],
    *,
    prior: float | pd.Series | None = None,
    premium: float | pd.Series | None = None,
    development: Chainladder | None = None,
    decay: float = 1.0,
    n_sims: int = 10_000,
    seed: int = 0,
) -> pd.DataFrame:
    """The reserve table: one row per (method, origin) with its figures (currency).

    ``prior`` is the BF / Benktander a-priori: an expected loss ratio when ``premium`` is
    given, else the expected ultimate; Cape Cod needs ``premium``.
    """
    development = development if development is not None else Chainladder()
    rows: list[pd.DataFrame] = []

    def add(method: str, frame: pd.DataFrame) -> None:
        frame = frame.copy()
        frame.index = frame.index.map(str)
        frame.insert(0, "method", method)
        rows.append(frame)

    def simple(method: str, latest: pd.Series, ultimate: pd.Series) -> pd.DataFrame:
        frame = pd.DataFrame(
            {"latest": latest.to_numpy(), "ultimate": ultimate.to_numpy()}, index=latest.index
        )
        frame["ibnr"] = frame["ultimate"] - frame["latest"]
        frame.loc["Total"] = frame.sum()
        return frame

    for method in methods:
        if method == "cl":
            fitted = Chainladder(
                average=development.average,  # type: ignore[arg-type]
                exclude=development.exclude,
                tail=development.tail,  # type: ignore[arg-type]
            ).fit(tri)
            add(method, simple(method, fitted.latest_, fitted.ultimate_))
        elif method == "mack":
            mack = MackChainladder(
                average=development.average,  # type: ignore[arg-type]
                exclude=development.exclude,
                tail=development.tail,  # type: ignore[arg-type]
            ).fit(tri)
            frame = mack.summary_[["latest", "ultimate", "ibnr", "mack_std_err"]].copy()
            frame["cdr_std_err"] = math.nan  # the Merz-Wüthrich view: square, no tail
            if development.tail is None:
                with contextlib.suppress(XBorderRiskError):  # not a square triangle
                    frame["cdr_std_err"] = (
                        MerzWuthrich().fit(tri).summary_["cdr_std_err"].to_numpy()
                    )
            add(method, frame)
        elif method in ("bf", "benktander"):
            if prior is None:
                raise XBorderRiskError(f"--method {method} needs --prior")
            model = (
                BornhuetterFerguson(development) if method == "bf" else Benktander(2, development)
            )
            fitted_bf = model.fit(tri, apriori=prior, exposure=premium)
            add(method, simple(method, fitted_bf.latest_, fitted_bf.ultimate_))
        elif method == "cape-cod":
            if premium is None:
                raise XBorderRiskError("--method cape-cod needs --premium")
            cc = CapeCod(decay, development).fit(tri, exposure=premium)
            add(method, simple(method, cc.latest_, cc.ultimate_))
        elif method == "bootstrap":
            boot = BootstrapODP(n_sims=n_sims, seed=seed).fit(tri)
            frame = boot.summary_.rename(columns={"mean": "bootstrap_mean"}).copy()
            frame["ultimate"] = frame["latest"] + frame["ibnr"]
            frame = frame.rename(columns={"std_err": "bootstrap_std_err"})
            add(method, frame)
        else:
            raise XBorderRiskError(f"--method {method!r}: must be one of {list(METHODS)}")
    table = pd.concat(rows)
    table.index.name = "origin"
    return table.reset_index()


def _actual_vs_expected(tri: Triangle, fitted: Chainladder) -> pd.DataFrame:
    """Per origin: the development of the last calendar period, actual vs chain ladder."""
    c = tri.to_cumulative().values
    latest = tri.latest_index
    factors = fitted.ldf_.to_numpy()
    records = []
    for i, k in enumerate(latest):
        if k == 0:
            continue
        before = c[i, k - 1]
        records.append(
            {
                "origin": str(tri.origin[i]),
                "actual": c[i, k] - before,
                "expected": before * (factors[k - 1] - 1.0),
            }
        )
    return pd.DataFrame(records)


def _plot(ave: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.5))
    x = np.arange(len(ave))
    ax.bar(x - 0.2, ave["actual"], 0.4, label="actual")
    ax.bar(x + 0.2, ave["expected"], 0.4, label="expected (chain ladder)")
    ax.set_xticks(x, ave["origin"], rotation=45)
    ax.set_title("Development in the last calendar period: actual vs expected")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _markdown(frame: pd.DataFrame, digits: int = 0) -> str:
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * frame.shape[1]
    lines = [head, rule]
    for row in frame.itertuples(index=False):
        cells = [
            f"{v:,.{digits}f}"
            if isinstance(v, float | np.floating) and np.isfinite(v)
            else ("" if isinstance(v, float | np.floating) else str(v))
            for v in row
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def reserve_command(
    claims_file: Annotated[Path, typer.Argument(help="Claims listing (.csv or .parquet).")],
    method: Annotated[
        list[str] | None,
        typer.Option("--method", "-m", help=f"Reserving method, repeatable: {', '.join(METHODS)}."),
    ] = None,
    prior: Annotated[
        str | None,
        typer.Option(
            help="BF / Benktander a-priori: a loss ratio (with --premium) or an "
            "expected ultimate, as a number or a CSV (origin, value)."
        ),
    ] = None,
    premium: Annotated[
        str | None, typer.Option(help="Earned premium: a number or a CSV (origin, premium).")
    ] = None,
    line: Annotated[str | None, typer.Option(help="One line (default: all lines).")] = None,
    basis: Annotated[str, typer.Option(help="paid, incurred or count.")] = "paid",
    origin: Annotated[str, typer.Option(help="accident, underwriting or report.")] = "accident",
    grain: Annotated[str, typer.Option(help="year, quarter or month.")] = "year",
    average: Annotated[str, typer.Option(help="volume, simple or regression.")] = "volume",
    tail: Annotated[
        str | None, typer.Option(help="Tail factor: a number, exponential or inverse_power.")
    ] = None,
    decay: Annotated[float, typer.Option(help="Cape Cod decay in [0, 1].")] = 1.0,
    n_sims: Annotated[int, typer.Option(help="Bootstrap samples.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    valuation_date: Annotated[str | None, typer.Option(help="Cut-off date (YYYY-MM-DD).")] = None,
    currency: Annotated[str | None, typer.Option(help="Reporting currency.")] = None,
    rate: Annotated[
        list[str] | None, typer.Option(help="Exchange rate CUR=x (repeatable), with --currency.")
    ] = None,
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("reserves"),
) -> None:
    """Reserve a book from its claims file: reserve table, triangle, exclusions and report."""
    methods = method or ["cl", "mack"]
    try:
        rates = None
        if rate:
            rates = {}
            for item in rate:
                code, _, value = item.partition("=")
                try:
                    rates[code.strip()] = float(value)
                except ValueError:
                    raise XBorderRiskError(f"--rate {item!r}: must be CUR=number") from None
        data = read_claims(
            claims_file, currency=currency, rates=rates, valuation_date=valuation_date
        )
        tri = data.triangle(line, basis=basis, origin=origin, grain=grain)  # type: ignore[arg-type]
        tail_value: float | str | None = tail
        if tail is not None:
            try:
                tail_value = float(tail)
            except ValueError:
                tail_value = tail
        development = Chainladder(average=average, tail=tail_value)  # type: ignore[arg-type]
        prior_value = None if prior is None else _by_origin(prior, tri, "prior")
        premium_value = None if premium is None else _by_origin(premium, tri, "premium")
        table = reserve_table(
            tri,
            methods,
            prior=prior_value,
            premium=premium_value,
            development=development,
            decay=decay,
            n_sims=n_sims,
            seed=seed,
        )
        ave = _actual_vs_expected(tri, development.fit(tri))
    except XBorderRiskError as error:
        raise _fail(str(error), 2) from None
    try:
        out.mkdir(parents=True, exist_ok=True)
        table.to_csv(out / "reserves.csv", index=False)
        frame = pd.DataFrame(tri.values, index=tri.origin, columns=tri.development)
        frame.index.name = "origin"
        frame.to_csv(out / "triangle.csv")
        data.exclusions.to_csv(out / "exclusions.csv", index=False)
        _plot(ave, out / "actual_vs_expected.png")
        ratios = tri.link_ratios.reset_index()
        ratios["origin"] = ratios["origin"].astype(str)
        shown = frame.reset_index()
        shown["origin"] = shown["origin"].astype(str)
        text = "\n\n".join(
            [
                f"# Reserves from {data.source}",
                f"Line: {line or 'all lines'}; basis {basis}; origin {origin} by {grain}; "
                f"valuation {data.valuation_date.date()}; currency {data.currency}. "
                f"Rows excluded from the claims file: {len(data.exclusions)} "
                "(listed in exclusions.csv).",
                "## Triangle (cumulative)",
                _markdown(shown),
                "## Link ratios",
                _markdown(ratios, 3),
                "## Reserve table",
                _markdown(table),
                "## Actual vs expected, last calendar period",
                "![actual vs expected](actual_vs_expected.png)",
                _markdown(ave),
                "Methods and sources: docs/reserves.md.",
            ]
        )
        (out / "reserves.md").write_text(text + "\n", encoding="utf-8")
    except OSError as error:
        raise _fail(f"could not write to {out}: {error}", 1) from None
    print(f"reserves: {out / 'reserves.csv'}, report: {out / 'reserves.md'}")
