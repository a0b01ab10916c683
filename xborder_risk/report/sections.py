"""The content of a quote report, independent of its format.

:func:`build_sections` turns a :class:`~xborder_risk.quote.Quote` into a list of
:class:`Section` objects holding plain, *unescaped* text and pre-formatted numbers; the
Markdown and HTML writers only lay them out and escape every string.  Keeping the content in
one place means both formats always say the same thing.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from xborder_risk.errors import ParameterError
from xborder_risk.measures import level_label
from xborder_risk.pricing.market import Referral
from xborder_risk.quote import Quote
from xborder_risk.rating.lines._base import UNVERIFIED_SHARE_FACTOR
from xborder_risk.report._format import (
    STEP_LABELS,
    format_amount,
    format_factor,
    format_percent,
    humanise,
    line_label,
    period_unit,
)
from xborder_risk.report.chart import chart_return_periods

__all__ = [
    "Section",
    "Table",
    "build_sections",
    "describe_basis",
    "referral_text",
    "summary_cells",
    "summary_frame",
]

TOTAL = "total"
#: Levels of VaR and TVaR in the risk-measures section (the same for both measures).
RISK_LEVELS: tuple[float, ...] = (0.99, 0.995)


@dataclass(frozen=True)
class Table:
    """A table of already formatted cells.

    Attributes
    ----------
    columns : tuple of str
        Column headings.
    rows : tuple of tuple of str
        Cell text, row by row (unescaped).
    numeric : tuple of bool
        Whether each column holds numbers (right-aligned).
    total_row : bool
        Whether the last row is a total (shown in bold).
    caption : str
        A short caption, may be empty.
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    total_row: bool = False
    caption: str = ""

    def __post_init__(self) -> None:
        width = len(self.columns)
        if len(self.numeric) != width or any(len(row) != width for row in self.rows):
            raise ParameterError(
                "Table",
                "rows",
                self.rows,
                f"and 'numeric' must have one entry per column ({width})",
            )


@dataclass(frozen=True)
class Section:
    """One section of the report.

    Attributes
    ----------
    anchor : str
        A fixed identifier (letters, digits, hyphens) for links.
    title : str
        Heading.
    facts : tuple of (str, str)
        Label-value pairs shown as a definition list.
    paragraphs : tuple of str
        Explanatory text before the tables.
    tables : tuple of Table
        Tables, in order.
    bullets : tuple of str
        A bulleted list after the tables.
    chart : bool
        Whether the exceedance-probability chart belongs in this section.
    """

    anchor: str
    title: str
    facts: tuple[tuple[str, str], ...] = ()
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    bullets: tuple[str, ...] = ()
    chart: bool = False


def _rows(frame: pd.DataFrame, formatters: Sequence[object]) -> tuple[tuple[str, ...], ...]:
    rows = []
    for values in frame.itertuples(index=False, name=None):
        rows.append(
            tuple(
                fmt(value) if callable(fmt) else str(value)
                for fmt, value in zip(formatters, values, strict=True)
            )
        )
    return tuple(rows)


def _period_text(quote: Quote) -> str:
    submission = quote.submission
    years = submission.policy_period_years
    plural = "" if math.isclose(years, 1.0) else "s"
    return (
        f"{submission.inception_date.isoformat()} to {submission.expiry_date.isoformat()} "
        f"({years:g} year{plural})"
    )


def describe_basis(quote: Quote) -> tuple[str, str]:
    """The premium principle and the loadings of a quote, in words.

    Returns
    -------
    (str, str)
        The principle with its parameters, and the loadings.
    """
    principle = quote.basis.principle
    name = humanise(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", type(principle).__name__).lower())
    parameters: dict[str, object] = (
        dataclasses.asdict(principle) if dataclasses.is_dataclass(principle) else {}
    )
    shown = ", ".join(
        f"{key.replace('_', ' ')} {value:g}"
        if isinstance(value, float)
        else f"{key.replace('_', ' ')} {value}"
        for key, value in parameters.items()
    )
    principle_text = f"{name} ({shown})" if shown else name
    loadings = quote.loadings
    if quote.market_terms:
        per_line = "; ".join(
            f"{line_label(line)}: commission {format_percent(terms.commission)}, expenses "
            f"{format_percent(terms.expense_ratio)}, profit {format_percent(terms.profit_margin)}"
            f", minimum premium {quote.currency} {format_amount(terms.minimum_premium)} a year, "
            f"minimum rate on line {format_percent(terms.minimum_rate_on_line, 2)} ({terms.source})"
            for line, terms in quote.market_terms.items()
        )
        return principle_text, (
            f"per line, of the premium before tax: {per_line}; premium tax "
            f"{format_percent(loadings.tax_rate, 2)} ({_premium_tax_source(quote)}); fixed "
            f"expense {quote.currency} {format_amount(loadings.fixed_expense)} per policy"
        )
    loadings_text = (
        f"variable expenses {format_percent(loadings.expense_ratio)}, "
        f"commission {format_percent(loadings.commission)}, "
        f"profit margin {format_percent(loadings.profit_margin)} of the premium before tax; "
        f"premium tax {format_percent(loadings.tax_rate, 2)} ({_premium_tax_source(quote)}); "
        f"fixed expense {quote.currency} {format_amount(loadings.fixed_expense)}; "
        f"minimum premium {quote.currency} {format_amount(loadings.minimum_premium)}"
    )
    return principle_text, loadings_text


def _premium_tax_source(quote: Quote) -> str:
    """Where the premium tax rate came from, in words (country and table, or the loadings)."""
    record = quote.premium_tax
    country, file = record.get("country"), record.get("file")
    status = record.get("status")
    if status == "table_row":
        return f"{country}, the insured's home country: {record.get('basis')}, {file}"
    if status == "no_row":
        return f"{country}, the insured's home country: no row in {file}, no tax charged"
    if status == "no_table":
        return f"{country}, the insured's home country: no premium-tax table, no tax charged"
    return "loadings.tax_rate as given"


#: How the minimum that set a line's premium reads in a table.
MINIMUM_LABELS: dict[str, str] = {
    "none": "-",
    "minimum_premium": "min premium",
    "minimum_rate_on_line": "min rate on line",
    "policy_minimum_premium": "policy minimum",
    "": "",
}
#: Columns of :func:`summary_frame` that are proportions, and the digits they show.
PERCENT_COLUMNS: dict[str, int] = {"Share": 0, "Rate on line": 3, "Expected loss ratio": 1}
#: Columns of :func:`summary_frame` that are text.
TEXT_COLUMNS: tuple[str, ...] = ("Minimum applied",)


def summary_frame(quote: Quote) -> pd.DataFrame:
    """The compact quote table an underwriter reads first.

    Returns
    -------
    pandas.DataFrame
        Index: human-readable line names and ``Total``.  Columns, most important first:
        limit, deductible, share, gross premium, rate on line (gross premium per year /
        (limit x share)), expected loss ratio (expected loss / gross premium), technical
        premium, expected loss, the minimum applied, VaR 99.5 %, TVaR 99.5 % (both at the
        same level) and best-estimate reserve; amounts in the quote's currency per policy period
        (``frame.attrs["currency"]``). :func:`summary_cells` formats it.
    """
    table = quote.to_frame()
    tail = quote.simulation.summary(levels=(RISK_LEVELS[-1],))
    frame = pd.DataFrame(
        {
            "Limit": table["limit"],
            "Deductible": table["deductible"],
            "Share": table["share"],
            "Gross premium": table["gross_premium"],
            "Rate on line": table["rate_on_line"],
            "Expected loss ratio": table["expected_loss_ratio"],
            "Technical premium": table["technical_premium"],
            "Expected loss": table["expected_loss"],
            "Minimum applied": [
                MINIMUM_LABELS.get(str(x), str(x)) for x in table["minimum_applied"]
            ],
            "VaR 99.5%": table["var_99_5"],
            "TVaR 99.5%": tail["tvar_99_5"].reindex(table.index).to_numpy(),
            "Best-estimate reserve": table["best_estimate_reserve"],
        }
    )
    frame.index = pd.Index([line_label(str(line)) for line in table.index], name="Line")
    frame.attrs["currency"] = quote.currency
    return frame


def summary_cells(frame: pd.DataFrame) -> list[list[str]]:
    """The cells of :func:`summary_frame` as text: amounts, percentages, labels; a total's
    limit, share or rate on line (not defined for the policy) blank."""
    cells = []
    for _, row in frame.iterrows():
        line = []
        for column, value in row.items():
            if column in TEXT_COLUMNS:
                line.append(str(value))
            elif isinstance(value, float) and math.isnan(value):
                line.append("")
            elif column in PERCENT_COLUMNS:
                line.append(format_percent(float(value), PERCENT_COLUMNS[str(column)]))
            else:
                line.append(format_amount(float(value)))
        cells.append(line)
    return cells


def referral_text(referral: Referral) -> str:
    """One referral as the underwriter reads it: the line, then the reason."""
    return f"{line_label(referral.line)}: {referral.reason}"


def _underwriting(quote: Quote) -> Section:
    frame = summary_frame(quote)
    keep = [
        "Limit",
        "Deductible",
        "Share",
        "Gross premium",
        "Rate on line",
        "Expected loss ratio",
        "Technical premium",
        "Minimum applied",
    ]
    frame = frame[keep]
    cells = summary_cells(frame)
    rows = tuple((str(label), *row) for label, row in zip(frame.index, cells, strict=True))
    referrals = tuple(referral_text(r) for r in quote.referrals)
    paragraphs = (
        f"Per line, in {quote.currency} for the policy period {_period_text(quote)}: the rate "
        "on line is the gross premium per year over limit x share; the expected loss ratio "
        "is expected loss over gross premium. A line's premium is at least its minimum "
        "premium and its minimum rate on line (market terms, docs/pricing.md); the last "
        "column names the minimum that set it.",
        (
            f"{len(referrals)} referral(s): a price at or above what the policy can pay is "
            "not a quote (refer/decline); a figure outside its market band is referred with "
            "the band and its source."
            if referrals
            else "No referrals: every line's price is below what it can pay and inside its "
            "market bands."
        ),
    )
    return Section(
        anchor="underwriting",
        title="What the underwriter reads first",
        paragraphs=paragraphs,
        bullets=referrals,
        tables=(
            Table(
                columns=("Line", *keep),
                rows=rows,
                numeric=(False, *([True] * (len(keep) - 1)), False),
                total_row=True,
            ),
        ),
    )


def _header(quote: Quote) -> Section:
    submission = quote.submission
    insured = submission.insured
    table = quote.to_frame()
    total = {
        column: float(value)
        for column, value in zip(table.columns, table.to_numpy()[-1], strict=True)
        if not isinstance(value, str)
    }  # the total row is last
    facts = (
        ("Insured", insured.name),
        ("Kind", "border agency" if insured.kind == "agency" else "contractor"),
        ("Home country", insured.home_country),
        ("Submission", submission.submission_id or "(no reference)"),
        ("Policy period", _period_text(quote)),
        ("Currency", f"{quote.currency} (every amount in this report)"),
        ("Lines quoted", ", ".join(line_label(line) for line in quote.lines)),
        ("Gross premium", f"{quote.currency} {format_amount(total['gross_premium'])}"),
        (
            "Technical premium",
            f"{quote.currency} {format_amount(total['technical_premium'])}",
        ),
        (
            "Expected loss",
            f"{quote.currency} {format_amount(total['expected_loss'])} "
            f"(± {format_amount(total['expected_loss_se'])} Monte Carlo standard error)",
        ),
        (
            "Simulation",
            f"{quote.simulation.n_years:,} simulated policy periods, seed {quote.provenance.seed}",
        ),
        ("Reserves valued at", quote.valuation_date.isoformat()),
    )
    return Section(anchor="summary", title="Summary", facts=facts)


def _change(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{100 * value:+,.1f}%"


def _renewal(quote: Quote) -> Section | None:
    table = quote.renewal
    if table is None:
        return None
    frame = pd.DataFrame(
        {
            "line": [line_label(str(x)) for x in table.index],
            **{column: table[column].to_numpy() for column in table.columns},
        }
    )
    return Section(
        anchor="renewal",
        title="Renewal: rate change",
        paragraphs=(
            f"Against the expiring policy, per year ({quote.currency}). The rate change is the "
            "change in gross premium; the risk-adjusted rate change is the change in premium "
            "per unit of expected loss, the expiring expected loss being that of the expiring "
            "exposure and terms by this quote's model, tables and random numbers, so that "
            "changes of exposure and terms are not read as price changes. A positive "
            "risk-adjusted change means the price is more adequate than it was (no claims "
            "inflation allowed for between the two periods: judgement).",
        ),
        tables=(
            Table(
                columns=(
                    "Line",
                    "Expiring premium",
                    "Gross premium",
                    "Expiring expected loss",
                    "Expected loss",
                    "Rate change",
                    "Exposure and terms change",
                    "Risk-adjusted rate change",
                ),
                rows=_rows(
                    frame,
                    (str, *([format_amount] * 4), _change, _change, _change),
                ),
                numeric=(False, *([True] * 7)),
                total_row=True,
            ),
        ),
    )


def renewal_text(quote: Quote) -> str | None:
    """One line for the terminal: the total's rate change and risk-adjusted rate change."""
    table = quote.renewal
    if table is None:
        return None
    total = {str(k): float(v) for k, v in table.loc["total"].to_dict().items()}
    return (
        f"Renewal: rate change {_change(total['rate_change'])}, risk-adjusted rate "
        f"change {_change(total['risk_adjusted_rate_change'])} (exposure and terms "
        f"{_change(total['exposure_change'])} in expected loss per year)."
    )


def _premium(quote: Quote) -> Section:
    table = quote.to_frame()
    frame = pd.DataFrame(
        {
            "line": [line_label(str(x)) for x in table.index],
            "expected_loss": table["expected_loss"].to_numpy(),
            "se": table["expected_loss_se"].to_numpy(),
            "risk_load": table["risk_load"].to_numpy(),
            "technical": table["technical_premium"].to_numpy(),
            "gross": table["gross_premium"].to_numpy(),
        }
    )
    gross_total = float(table["gross_premium"].to_numpy()[-1])  # the total row is last
    frame["loss_ratio"] = [
        el / gp if gp > 0 else math.nan
        for el, gp in zip(frame["expected_loss"], frame["gross"], strict=True)
    ]
    frame["share"] = frame["gross"] / gross_total if gross_total > 0 else math.nan
    columns = (
        "Line",
        "Expected loss",
        "± s.e.",
        "Risk load",
        "Technical premium",
        "Gross premium",
        "Expected loss ratio",
        "Share of gross premium",
    )
    formatters = (str, *([format_amount] * 5), format_percent, format_percent)
    principle, _ = describe_basis(quote)
    book = quote.provenance.book
    if book is not None:
        # Marginal capital: each line against the reference book, not a share of the policy.
        risk_load = (
            f"The risk load is the margin of the premium principle ({principle}) on each "
            f"line's own contribution to the capital of the reference book {book.name!r} "
            "(co-TVaR at the margin of the book, held over the line's run-off)."
        )
    else:
        risk_load = (
            f"The risk load is the margin of the premium principle ({principle}) on the total, "
            "allocated to the lines by their contribution to the tail (co-TVaR)."
        )
    paragraphs: tuple[str, ...] = (
        f"Amounts in {quote.currency} for the policy period {_period_text(quote)}, after each "
        "line's deductibles, limits and share.",
        f"Expected loss is the mean of {quote.simulation.n_years:,} simulated policy periods, "
        f"shown with its Monte Carlo standard error (± s.e.). {risk_load} "
        "Technical premium = expected loss + risk load; "
        "gross premium adds expenses, commission, profit and tax. The expected loss ratio is "
        "expected loss / gross premium.",
    )
    negative = [
        str(x) for x, load in zip(frame["line"], frame["risk_load"], strict=True) if load < 0
    ]
    if negative:
        paragraphs += (
            f"A negative risk load ({', '.join(negative)}) means the line loses less than its "
            "average in the total's worst periods: it diversifies the policy.",
        )
    return Section(
        anchor="premium",
        title="Premium by line",
        paragraphs=paragraphs,
        tables=(
            Table(
                columns=columns,
                rows=_rows(frame, formatters),
                numeric=(False, *([True] * 7)),
                total_row=True,
            ),
        ),
    )


def _build_up(quote: Quote) -> Section:
    build_up = quote.premium_build_up
    gross = float(build_up.loc[build_up["step"] == "gross_premium", "amount"].iloc[0])
    rows = tuple(
        (
            STEP_LABELS.get(str(step), humanise(str(step))),
            format_amount(float(amount)),
            format_percent(float(amount) / gross) if gross > 0 else "n/a",
        )
        for step, amount in build_up[["step", "amount"]].itertuples(index=False, name=None)
    )
    principle, loadings = describe_basis(quote)
    return Section(
        anchor="loadings",
        title="Loadings: from technical to gross premium",
        paragraphs=(
            f"How the total technical premium grows into the gross premium ({quote.currency}).",
        ),
        facts=(("Premium principle", principle), ("Loadings", loadings)),
        tables=(
            Table(
                columns=("Step", "Amount", "Share of gross premium"),
                rows=rows,
                numeric=(False, True, True),
                total_row=True,
            ),
        ),
    )


def _risk(quote: Quote) -> Section:
    table = quote.to_frame()
    summary = quote.simulation.summary(levels=RISK_LEVELS).reindex(table.index)
    labels = [line_label(str(x)) for x in table.index]
    columns: list[str] = ["Line", "Expected loss", "Standard deviation"]
    values: dict[str, object] = {
        "line": labels,
        "mean": table["expected_loss"].to_numpy(),
        "std": table["std"].to_numpy(),
    }
    # VaR and TVaR at the same levels, each with its Monte Carlo standard error.
    for measure, label in (("var", "VaR"), ("tvar", "TVaR")):
        for level in RISK_LEVELS:
            key = f"{measure}_{level_label(level)}"
            values[key] = summary[key].to_numpy()
            values[f"{key}_se"] = summary[f"{key}_se"].to_numpy()
            columns += [f"{label} {100 * level:g}%", "± s.e."]
    frame = pd.DataFrame(values)
    n = len(columns) - 1
    levels = " and ".join(f"{100 * level:g}%" for level in RISK_LEVELS)
    return Section(
        anchor="risk",
        title="Risk measures",
        paragraphs=(
            f"Loss to this policy in one policy period ({quote.currency}), VaR and TVaR both "
            f"at {levels}. VaR 99.5% is the loss exceeded once in 200 periods; TVaR 99.5% is "
            "the average loss in the worst 0.5% of periods (TVaR 99% in the worst 1%). Each "
            "is shown with its Monte Carlo standard error (± s.e.). The total row is the "
            "total loss (lines added year by year), so it is less than the sum of the lines' "
            "figures when the lines diversify.",
        ),
        tables=(
            Table(
                columns=tuple(columns),
                rows=_rows(frame, (str, *([format_amount] * n))),
                numeric=(False, *([True] * n)),
                total_row=True,
            ),
        ),
    )


def _exceedance(quote: Quote) -> Section:
    n_years = quote.simulation.n_years
    unit = period_unit(quote.submission.policy_period_years)
    curves = quote.ep_curves()
    periods = sorted(set(curves["return_period"].tolist()))
    lines = (*quote.lines, TOTAL)
    columns = [
        f"Return period ({unit})",
        "Probability per period",
        *(f"{line_label(line)} (AEP)" for line in lines),
        "Total (OEP)",
    ]
    lookup = {
        (str(kind), str(line), float(period)): float(loss)
        for kind, line, period, loss in curves[
            ["kind", "line", "return_period", "loss"]
        ].itertuples(index=False, name=None)
    }
    rows = tuple(
        (
            f"{period:,.0f}",
            format_percent(1.0 / period, 2),
            *(format_amount(lookup[("aep", line, period)]) for line in lines),
            format_amount(lookup[("oep", TOTAL, period)]),
        )
        for period in periods
    )
    reliable = chart_return_periods(n_years)[-1]
    return Section(
        anchor="exceedance",
        title="Exceedance probability (AEP and OEP)",
        paragraphs=(
            "The loss exceeded with a given probability in one policy period: AEP for the "
            "period's aggregate loss, OEP for its largest single occurrence, in "
            f"{quote.currency}. The chart plots return periods up to {reliable:,.0f} {unit} "
            f"(one tenth of the {n_years:,} simulated periods); figures beyond that rest on "
            "fewer than ten simulated periods and are indicative only.",
        ),
        chart=True,
        tables=(
            Table(
                columns=tuple(columns),
                rows=rows,
                numeric=tuple([True] * len(columns)),
            ),
        ),
    )


def _risk_adjustment_text(quote: Quote) -> str:
    """How the risk adjustment was measured, and the confidence level it corresponds to."""
    basis = quote.basis
    level = format_percent(basis.risk_adjustment_level, 0)
    tail = format_percent(1.0 - basis.risk_adjustment_level, 0)
    if basis.risk_adjustment_technique == "cte":
        text = (
            f"the risk adjustment (IFRS 17) is its CTE {level} (conditional tail expectation: "
            f"the average unpaid loss in the worst {tail} of periods) minus the mean"
        )
    else:
        text = f"the risk adjustment (IFRS 17) is its {level} quantile minus the mean"
    column = "risk_adjustment_confidence_equivalent"
    if column in quote.reserves.columns:
        equivalent = format_percent(quote.reserves[column].to_dict()[TOTAL], 1)
        text += (
            f", which for the total corresponds to a {equivalent} confidence level "
            "(IFRS 17 §119: the probability that the unpaid loss does not exceed the best "
            "estimate plus the risk adjustment; per line in the table)"
        )
    return text


def _reserves(quote: Quote) -> Section:
    table = quote.to_frame()
    reserves = quote.reserves
    frame = pd.DataFrame({"line": [line_label(str(x)) for x in table.index]})
    columns = ["Line"]
    formatters: list[object] = [str]
    for source, column in (("paid", "Paid"), ("case", "Case reserves"), ("ibnr", "IBNR")):
        if source in reserves.columns:
            frame[source] = reserves[source].reindex(table.index).to_numpy()
            columns.append(column)
            formatters.append(format_amount)
    for source, column in (
        ("best_estimate_reserve", "Best-estimate reserve"),
        ("risk_adjustment", "Risk adjustment"),
        ("risk_adjustment_confidence_equivalent", "RA confidence level"),
        ("scr", "SCR"),
        ("risk_margin", "Risk margin"),
    ):
        if source == "risk_adjustment_confidence_equivalent":
            if source not in reserves.columns:
                continue
            frame[source] = reserves[source].reindex(table.index).to_numpy()
            formatters.append(format_percent)
        else:
            frame[source] = table[source].to_numpy()
            formatters.append(format_amount)
        columns.append(column)
    basis = quote.basis
    return Section(
        anchor="reserves",
        title="Reserves",
        paragraphs=(
            f"Reserves for this policy valued at {quote.valuation_date.isoformat()} "
            f"({quote.currency}). The best-estimate reserve is the expected unpaid loss; "
            f"{_risk_adjustment_text(quote)}; "
            f"the SCR is the {format_percent(basis.scr_level)} one-year loss above the mean "
            "(Solvency II); the risk margin is the cost of holding that capital at "
            f"{format_percent(basis.coc_rate, 0)} a year until the losses are paid. See "
            "docs/reserves.md.",
            *_scr_floor_text(quote),
        ),
        tables=(
            Table(
                columns=tuple(columns),
                rows=_rows(frame, formatters),
                numeric=(False, *([True] * (len(columns) - 1))),
                total_row=True,
            ),
        ),
    )


def _scr_floor_text(quote: Quote) -> tuple[str, ...]:
    zero = [line_label(str(x)) for x, v in quote.reserves["scr"].items() if v == 0.0]
    if not zero or not quote.basis.floor_scr:
        return ()
    return (
        f"An SCR of 0 ({', '.join(zero)}) is shown as 0, not as a negative capital: the "
        f"{format_percent(quote.basis.scr_level)} quantile of the loss is below its mean "
        "(losses rarer than that level), so no capital is required at this level (notes "
        "below).",
    )


def _terms(quote: Quote) -> Section:
    rows = []
    for line in quote.lines:
        layer = quote.submission.layer_terms(line)
        terms = quote.submission.terms[line]  # type: ignore[index]
        rows.append(
            (
                line_label(line),
                format_amount(terms.deductible),
                format_amount(layer["limit"]),
                format_amount(layer["aggregate_deductible"]),
                format_amount(layer["aggregate_limit"]),
                format_percent(terms.share, 0),
            )
        )
    tables = [
        Table(
            columns=(
                "Line",
                "Deductible",
                "Limit",
                "Aggregate deductible",
                "Aggregate limit",
                "Share",
            ),
            rows=tuple(rows),
            numeric=(False, True, True, True, True, True),
        )
    ]
    if not quote.tower.empty:
        tables.append(_tower_table(quote))
    return Section(
        anchor="terms",
        title="Policy terms",
        paragraphs=(
            f"As submitted, in {quote.currency}: each occurrence pays above the deductible up "
            "to the limit; a period's payments are capped by the aggregate limit; the insurer "
            "takes its share of the result.",
        ),
        tables=tuple(tables),
        bullets=tuple(text for line in quote.lines for text in terms_in_model(quote, line)),
    )


def terms_in_model(quote: Quote, line: str) -> list[str]:
    """How each term of ``line`` beyond the layer and share entered the model (report text)."""
    terms = quote.submission.terms[line]  # type: ignore[index]
    label = line_label(line)
    out = []
    if terms.attachment is not None:
        out.append(
            f"{label}: excess layer {format_amount(terms.limit)} xs "
            f"{format_amount(terms.attachment)} (ground-up; the insured's deductible "
            f"{format_amount(terms.deductible)} lies below): each occurrence pays above the "
            "attachment."
        )
    if terms.coinsurance:
        out.append(
            f"{label}: coinsurance {format_percent(terms.coinsurance, 0)} kept by the insured; "
            f"the insurer pays share x (1 - coinsurance) = "
            f"{format_percent(terms.share * (1 - terms.coinsurance), 1)} of the layer."
        )
    if terms.exclusions:
        out.append(
            f"{label}: exclusions applied: {', '.join(terms.exclusions)} (each scales the "
            "expected claims of the components it names, rating table exclusions; the "
            "worksheet rows 'exclusion ...')."
        )
    if terms.basis == "claims_made":
        retro = terms.retroactive_date or quote.submission.inception_date
        sheet = quote.worksheet
        rows = sheet[(sheet["line"] == line) & (sheet["factor"] == "claims-made basis")]
        factor = f" x {float(rows['value'].iloc[0]):.4f}" if not rows.empty else ""
        out.append(
            f"{label}: claims-made, retroactive date {retro}, extended reporting "
            f"{terms.extended_reporting_years:g} years: the expected claims are those reported "
            f"in the period from acts after the retroactive date{factor} of the occurrence "
            "policy's (the line's reporting pattern; worksheet row 'claims-made basis'); the "
            "reserves develop from the report."
        )
    for component, amount in terms.sublimits.items():
        out.append(
            f"{label}: sub-limit {format_amount(amount)} on {component}: its occurrences are "
            "capped at deductible + sub-limit before the line's limit (worksheet rows "
            "'sub-limit' or 'split')."
        )
    return out


def _tower_table(quote: Quote) -> Table:
    tower = quote.tower
    return Table(
        columns=(
            "Line",
            "Layer",
            "Limit xs attachment",
            "Share",
            "Expected loss",
            "Expected loss on line",
            "Standalone rate on line",
        ),
        rows=tuple(
            (
                line_label(str(row["line"])),
                str(row["layer"]),
                f"{format_amount(row['limit'])} xs {format_amount(row['attachment'])}",
                format_percent(row["share"], 0),
                format_amount(row["expected_loss"]),
                format_percent(row["expected_loss_rate_on_line"], 3),
                format_percent(row["standalone_rate_on_line"], 3),
            )
            for row in tower.to_dict(orient="records")
        ),
        numeric=(False, False, True, True, True, True, True),
        caption=(
            "Each layer of the tower on the same simulated ground-up losses; standalone = "
            "the policy's premium principle on the layer alone"
        ),
    )


def _programme(quote: Quote) -> Section:
    frame = quote.programme
    result = quote.programme_result
    assert result is not None
    rows = [
        (
            line_label(str(row["line"])),
            str(row["country"]),
            str(row["placement"]).replace("_", " "),
            format_percent(float(row["allocation_share"])),
            f"{float(row['premium']):,.2f}",
            format_percent(float(row["premium_tax_rate"]), 2),
            f"{float(row['premium_tax']) + float(row['levies']):,.2f}",
            f"{float(row['total_payable']):,.2f}",
            f"{row['local_currency']} {float(row['local_total_payable']):,.2f}",
            format_amount(float(row["local_limit"])),
            format_amount(float(row["master_dil"])),
        )
        for row in frame.to_dict("records")
    ]
    rows.append(
        (
            "Total",
            "",
            "",
            "",
            f"{frame['premium'].sum():,.2f}",
            "",
            f"{frame['premium_tax'].sum() + frame['levies'].sum():,.2f}",
            f"{frame['total_payable'].sum():,.2f}",
            "",
            "",
            "",
        )
    )
    sources = sorted(
        {
            f"{row['country']}: {row['tax_source']} ({row['tax_status']})"
            for row in frame.to_dict("records")
        }
    )
    return Section(
        anchor="programme",
        title="International programme",
        paragraphs=(
            f"Each line's premium before tax is allocated to the countries of its exposure in "
            f"whole cents (largest remainder) and taxed where it is allocated; amounts in "
            f"{quote.currency} unless marked, local amounts converted with the dated FX table. "
            "Placement: master (home country), local (admitted local policy), freedom of "
            "services (from an EEA master in another EEA state) or non-admitted. The master "
            "pays the difference in limits (DIL) above a local limit. Tax and levy rates "
            "marked judgement are not verified against the law (docs/programme.md).",
        ),
        tables=(
            Table(
                columns=(
                    "Line",
                    "Country",
                    "Placement",
                    "Share",
                    "Premium",
                    "Tax rate",
                    "Tax and levies",
                    "Payable",
                    "Payable (local)",
                    "Local limit",
                    "Master DIL",
                ),
                rows=tuple(rows),
                numeric=(False, False, False, True, True, True, True, True, True, True, True),
                total_row=True,
                caption="Premium by country and line, per policy period",
            ),
        ),
        bullets=(
            *(f"{line_label(line)}: allocated by {basis}" for line, basis in result.bases.items()),
            *(f"Tax source {text}" for text in sources),
        ),
    )


def _worksheet(quote: Quote) -> Section:
    sheet = quote.worksheet
    rows = tuple(
        (
            line_label(str(row["line"])),
            str(row["component"]),
            str(row["factor"]),
            str(row["table"]),
            str(row["key"]),
            format_factor(float(row["value"])),
            format_factor(float(row["frequency"])),
            f"{row['severity_parameter']} = {format_factor(float(row['severity']))}",
            str(row.get("status") or ""),
        )
        for row in sheet.to_dict(orient="records")
    )
    shares = [
        f"{line_label(str(row['line']))} {float(row['value']):.0%}"
        for row in sheet.to_dict(orient="records")
        if row["factor"] == UNVERIFIED_SHARE_FACTOR
    ]
    return Section(
        anchor="worksheet",
        title="Rating worksheet",
        paragraphs=(
            "How each line's claim frequency and severity were built from the submission and "
            "the rating tables, one factor per row: the factor's value, the expected number "
            "of claims after it, and the severity parameter after it. Amounts in "
            f"{quote.currency} unless the factor says otherwise.",
            "Status is each parameter's provenance: verified (against the primary source), "
            "secondary (from a secondary source) or judgement (illustrative); empty for "
            "submission data. Share of each line's expected loss resting on parameters not "
            "verified: " + ("; ".join(shares) if shares else "not stated") + ".",
        ),
        tables=(
            Table(
                columns=(
                    "Line",
                    "Component",
                    "Factor",
                    "Table",
                    "Key",
                    "Value",
                    "Expected claims",
                    "Severity",
                    "Status",
                ),
                rows=rows,
                numeric=(False, False, False, False, False, True, True, False, False),
            ),
        ),
    )


def _messages(quote: Quote) -> Section:
    bullets = quote.messages or ("No notes: every figure passed the library's checks.",)
    paragraphs: tuple[str, ...] = ()
    if quote.submission.notes:
        paragraphs = (f"Submission notes: {quote.submission.notes}",)
    return Section(
        anchor="messages",
        title="Notes for the underwriter",
        paragraphs=paragraphs,
        bullets=tuple(bullets),
    )


def _provenance(quote: Quote) -> Section:
    record = quote.provenance.to_record()
    facts = tuple(
        # Counts with a thousands separator; the seed is an identifier, typed back as printed.
        (
            label,
            f"{record[key]:,}"
            if isinstance(record[key], int) and key != "seed"
            else str(record[key]),
        )
        for key, label in (
            ("library_version", "xborder_risk version"),
            ("numpy_version", "numpy version"),
            ("seed", "Seed"),
            ("n_years", "Simulated periods"),
            ("valuation_date", "Valuation date"),
            ("tables_source", "Rating tables"),
            ("submission_sha256", "Submission sha256"),
            ("created", "Created (UTC)"),
        )
        if key in record
    )
    versions = record.get("table_versions", {})
    checksums = record.get("table_checksums", {})
    rows = tuple(
        (str(name), str(versions.get(name, "")), str(checksums.get(name, "")))
        for name in sorted(set(versions) | set(checksums))
    )
    return Section(
        anchor="provenance",
        title="Provenance",
        paragraphs=(
            "What reproduces this quote bit for bit: the same submission, rating tables, "
            "seed, number of simulated periods and pricing basis "
            "(xborder_risk.quote.reproduce with the JSON record of this quote).",
        ),
        facts=facts,
        tables=(
            Table(
                columns=("Rating table", "Version", "sha256"),
                rows=rows,
                numeric=(False, False, False),
            ),
        )
        if rows
        else (),
    )


def build_sections(quote: Quote) -> list[Section]:
    """The sections of a quote report, in reading order.

    Parameters
    ----------
    quote : Quote
        The quote to report.

    Returns
    -------
    list of Section
        Summary, premium by line, loadings, risk measures, exceedance probability,
        reserves, policy terms, notes, rating worksheet, provenance.  Text is unescaped.
    """
    renewal = _renewal(quote)
    return [
        _header(quote),
        _underwriting(quote),
        _premium(quote),
        *([renewal] if renewal is not None else []),
        _build_up(quote),
        _risk(quote),
        _exceedance(quote),
        _reserves(quote),
        _terms(quote),
        *([] if quote.programme_result is None else [_programme(quote)]),
        _messages(quote),
        _worksheet(quote),
        _provenance(quote),
    ]
