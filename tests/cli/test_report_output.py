"""The quote report: content, escaping of user strings, self-contained HTML, PNG, CSV safety."""

from __future__ import annotations

import base64
import csv
import io
import math
import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xborder_risk import Quote, Submission, quote
from xborder_risk.errors import ParameterError
from xborder_risk.quote import QuoteBasis as PricingBasis
from xborder_risk.report import (
    csv_safe_frame,
    escape_csv_cell,
    format_amount,
    parse_formats,
    quote_tables,
    render_html,
    render_markdown,
    summary_frame,
    summary_text,
    write_csv,
    write_report,
)
from xborder_risk.report._format import format_percent, markdown_text
from xborder_risk.report.chart import chart_return_periods, ep_chart_png
from xborder_risk.report.sections import build_sections, describe_basis
from xborder_risk.reserves import ReservingBasis

REPO = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class _Tags(HTMLParser):
    """Collect every tag and attribute of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(document: str) -> _Tags:
    parser = _Tags()
    parser.feed(document)
    parser.close()
    return parser


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "nav", "a", "section",
    "dl", "dt", "dd", "table", "caption", "thead", "tbody", "tr", "th", "td", "img", "ul", "li",
    "div",
}  # fmt: skip


# --------------------------------------------------------------------------------------------
# escaping of user strings


def test_html_has_no_unescaped_user_string(
    hostile_quote: Quote, hostile_strings: tuple[str, str]
) -> None:
    name, notes = hostile_strings
    document = render_html(hostile_quote, chart_png=ep_chart_png(hostile_quote))
    parsed = parse(document)
    # Only the report's own tags: the hostile <script>, <img onerror> and <a> are text.
    assert set(parsed.tags) <= ALLOWED_TAGS
    assert "script" not in parsed.tags
    assert parsed.tags.count("img") == 1  # the chart, nothing else
    assert parsed.tags.count("a") == len(build_sections(hostile_quote))  # the navigation only
    for tag, attribute, value in parsed.attributes:
        assert not attribute.startswith("on"), (tag, attribute)
        assert "javascript:" not in value.lower()
    # ... and the strings survive, decoded, as the text the underwriter reads.
    text = "".join(parsed.text)
    assert name in text
    for line in notes.splitlines():
        assert line in text
    assert "&lt;script&gt;" in document


def test_markdown_has_no_raw_html_from_user(
    hostile_quote: Quote, hostile_strings: tuple[str, str]
) -> None:
    document = render_markdown(hostile_quote, chart_file="chart.png")
    # Every '<' is backslash-escaped (CommonMark renders "\\<" as a literal '<'): no tag can
    # open, and no HTML entity stands in the file for the text.
    assert re.findall(r"(?<!\\)<", document) == []
    assert "\\<script>" in document
    assert "&lt;" not in document and "&gt;" not in document
    # The '|' in the name cannot break a table: within each table every row has as many
    # unescaped cell separators as the header.
    tables: list[list[str]] = []
    previous = ""
    for line in document.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(line)
        previous = line
    assert len(tables) >= 8
    for rows in tables:
        counts = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(counts) == 1, rows[0]
    name_line = next(line for line in document.splitlines() if line.startswith("# Quote:"))
    assert "\\|" in name_line and "\\*bold\\*" in name_line and "\\[link\\]" in name_line


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", "a\\|b"),
        ("<b>", "\\<b>"),
        ("x & y", "x & y"),
        ("&amp;", "\\&amp;"),  # would render as '&' otherwise
        ("USD->EUR", "USD->EUR"),
        ("> quote", "\\> quote"),
        ("tech_failure", "tech_failure"),  # intraword '_' is never emphasis in CommonMark
        ("_x_", "\\_x\\_"),
        ("[a](b)", "\\[a\\](b)"),
        ("line\nbreak", "line break"),
    ],
)
def test_markdown_text(raw: str, escaped: str) -> None:
    assert markdown_text(raw) == escaped


def test_html_is_self_contained(egates_quote: Quote) -> None:
    chart = ep_chart_png(egates_quote)
    document = render_html(egates_quote, chart_png=chart)
    parsed = parse(document)
    for tag, attribute, value in parsed.attributes:
        if attribute in {"src", "href"}:
            assert value.startswith(("data:image/png;base64,", "#")), (tag, value)
    assert "<link" not in document and "@import" not in document and "url(" not in document
    source = next(v for t, a, v in parsed.attributes if t == "img" and a == "src")
    assert base64.b64decode(source.split(",", 1)[1]) == chart
    csp = next(v for t, a, v in parsed.attributes if a == "content" and "default-src" in v)
    assert "script-src" not in csp and "default-src 'none'" in csp


# --------------------------------------------------------------------------------------------
# content


def test_report_content_matches_the_quote(egates_quote: Quote) -> None:
    q = egates_quote
    document = render_markdown(q, chart_file="c.png")
    table = q.to_frame()
    assert f"EUR {format_amount(table.loc['total', 'gross_premium'])}" in document
    for label in ("Technology failure", "Cyber", "Operational liability", "Political risk"):
        assert f"| {label} |" in document
    for line in q.lines:
        row = table.loc[line]
        # premium by line, the risk measures with their standard errors, the reserves
        for column in ("gross_premium", "var_99_5", "var_99_5_se", "tvar_99_se", "scr"):
            assert format_amount(row[column]) in document, (line, column)
    for step in q.premium_build_up["amount"]:
        assert format_amount(step) in document
    assert "![Exceedance-probability chart" in document and "(c.png)" in document
    for heading in (
        "Premium by line",
        "Loadings",
        "Risk measures",
        "Exceedance probability",
        "Reserves",
        "Rating worksheet",
        "Notes for the underwriter",
        "Provenance",
    ):
        assert f"## {heading}" in document
    assert q.provenance.submission_sha256 in document
    for message in q.messages:
        assert markdown_text(message) in document


def test_reserves_section_names_the_risk_adjustment_technique_and_its_level(
    egates_quote: Quote,
) -> None:
    q = egates_quote
    section = next(s for s in build_sections(q) if s.anchor == "reserves")
    text = section.paragraphs[0]
    assert "its CTE 75% (conditional tail expectation" in text and "quantile" not in text
    equivalent = q.reserves["risk_adjustment_confidence_equivalent"]
    assert f"corresponds to a {format_percent(equivalent['total'])} confidence level" in text
    table = section.tables[0]
    assert "RA confidence level" in table.columns
    column = table.columns.index("RA confidence level")
    assert [row[column] for row in table.rows] == [format_percent(x) for x in equivalent]
    assert [row[table.columns.index("Risk adjustment")] for row in table.rows] == [
        format_amount(x) for x in q.reserves["risk_adjustment"]
    ]
    for document in (render_markdown(q, chart_file="c.png"), render_html(q, chart_png=None)):
        assert "CTE 75%" in document and "RA confidence level" in document
    old = quote(
        Submission.from_file(REPO / "examples/submissions/eu_egates_contractor.yaml"),
        n_years=1000,
        seed=7,
        basis=PricingBasis(risk_adjustment_technique="quantile"),
    )
    text = next(s for s in build_sections(old) if s.anchor == "reserves").paragraphs[0]
    assert "its 75% quantile minus the mean" in text and "CTE" not in text


def test_loadings_line_names_the_premium_tax_rate_and_its_country(egates_quote: Quote) -> None:
    # The e-gates insured is Norwegian: no row in premium_tax.csv, no tax, said so.
    _, loadings = describe_basis(egates_quote)
    assert "premium tax 0.00% (NO, the insured's home country: no row in premium_tax.csv" in (
        loadings
    )
    gb = quote(
        Submission.from_file(REPO / "examples/submissions/agency_traveller_data_platform.yaml"),
        n_years=1000,
        seed=7,
    )
    _, loadings = describe_basis(gb)
    assert (
        "premium tax 12.00% (GB, the insured's home country: Insurance Premium Tax standard "
        "rate, premium_tax.csv)"
    ) in loadings
    assert loadings in render_markdown(gb, chart_file="c.png")


def test_build_up_adds_up(egates_quote: Quote) -> None:
    steps = egates_quote.premium_build_up.set_index("step")["amount"]
    parts = steps.drop("gross_premium").sum()
    assert parts == pytest.approx(steps["gross_premium"], rel=1e-12)


def test_worksheet_section_has_every_row(egates_quote: Quote) -> None:
    section = next(s for s in build_sections(egates_quote) if s.anchor == "worksheet")
    assert len(section.tables[0].rows) == len(egates_quote.worksheet)


def test_summary_frame_and_text(egates_quote: Quote) -> None:
    frame = summary_frame(egates_quote)
    assert list(frame.index) == [
        "Technology failure",
        "Cyber",
        "Operational liability",
        "Political risk",
        "Total",
    ]
    np.testing.assert_array_equal(
        frame["Gross premium"].to_numpy(), egates_quote.to_frame()["gross_premium"].to_numpy()
    )
    text = summary_text(egates_quote)
    assert "amounts in EUR" in text and "Nordgate Biometrics AS" in text
    assert format_amount(frame.loc["Total", "Gross premium"]) in text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1805724.4, "1,805,724"),
        (1805724.5, "1,805,724"),  # round half to even, as Python's format
        (-54788.75, "-54,789"),
        (-0.3, "0"),
        (0.0, "0"),
        (math.inf, "unlimited"),
        (math.nan, "n/a"),
    ],
)
def test_format_amount(value: float, text: str) -> None:
    assert format_amount(value) == text


# --------------------------------------------------------------------------------------------
# chart


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])  # IHDR follows the signature
    return width, height


def test_chart_png(egates_quote: Quote) -> None:
    first = ep_chart_png(egates_quote)
    width, height = png_size(first)
    assert width > 600 and height > 300
    assert ep_chart_png(egates_quote) == first  # no timestamp: byte-identical


def test_chart_return_periods() -> None:
    periods = chart_return_periods(100_000)
    assert periods[0] == 2.0 and periods[-1] == pytest.approx(10_000.0)
    assert np.all(np.diff(periods) > 0)
    assert chart_return_periods(5).tolist() == [2.0]


# --------------------------------------------------------------------------------------------
# CSV injection


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_escape_text_cells_with_formula_triggers(trigger: str) -> None:
    cell = f'{trigger}HYPERLINK("http://x")'
    assert escape_csv_cell(cell) == "'" + cell


@pytest.mark.parametrize("value", ["plain", "", "1,234", "'=already", -5.0, -5, 0.0, None, True])
def test_other_cells_untouched(value: object) -> None:
    assert escape_csv_cell(value) is value


def test_csv_numbers_stay_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "name": ["=cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "+1", "safe", "\tx"],
            "amount": [-1250.5, -3.0, 0.0, 7.0, -0.25, 1e6],
            "count": [-1, 2, 3, -4, 5, 6],
        },
        index=pd.Index(["=a", "b", "c", "d", "e", "f"], name="@idx"),
    )
    path = write_csv(frame, tmp_path / "t.csv", index=True)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0] == ["'@idx", "name", "amount", "count"]
    for row in rows[1:]:
        assert not row[0].startswith(TRIGGERS) and not row[1].startswith(TRIGGERS)
    back = pd.read_csv(path)
    np.testing.assert_array_equal(back["amount"].to_numpy(), frame["amount"].to_numpy())
    np.testing.assert_array_equal(back["count"].to_numpy(), frame["count"].to_numpy())
    assert back["name"].tolist() == ["'" + s if s[0] in "=+-@\t" else s for s in frame["name"]]
    assert frame["name"].iloc[0] == "=cmd|' /C calc'!A0"  # the input frame is not modified


def test_csv_safe_frame_leaves_numeric_columns_alone() -> None:
    frame = pd.DataFrame({"x": [-1.0, 2.0], "flag": [True, False], "s": ["-a", "b"]})
    safe = csv_safe_frame(frame)
    assert safe["x"].tolist() == [-1.0, 2.0]
    assert safe["s"].tolist() == ["'-a", "b"]


def test_quote_csv_export_is_safe_and_exact(egates_quote: Quote, tmp_path: Path) -> None:
    files = write_report(egates_quote, tmp_path, stem="q", formats="csv")["csv"]
    tables = quote_tables(egates_quote)
    assert {p.name for p in files} == {f"q_{name}.csv" for name in tables}
    for path in files:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    if cell.startswith(TRIGGERS):
                        float(cell)  # only numbers may start with '-' (or '+')
    reserves = pd.read_csv(tmp_path / "q_reserves.csv")
    # A negative SCR (losses rarer than 1 in 200 years: political risk, VaR 99.5 % = 0
    # below the mean) is shown as 0 by default.
    expected = tables["reserves"]["scr"].to_numpy()
    assert (expected == 0).any() and (expected >= 0).all()
    np.testing.assert_allclose(reserves["scr"].to_numpy(), expected, rtol=1e-15)
    for column in ("risk_adjustment", "risk_adjustment_confidence_equivalent"):
        np.testing.assert_allclose(
            reserves[column].to_numpy(), tables["reserves"][column].to_numpy(), rtol=1e-15
        )


# --------------------------------------------------------------------------------------------
# write_report


def test_write_report_markdown_brings_its_chart(egates_quote: Quote, tmp_path: Path) -> None:
    written = write_report(egates_quote, tmp_path, stem="only-md", formats=["md"])
    assert set(written) == {"md", "png"}
    md = written["md"][0].read_text(encoding="utf-8")
    assert "(only-md_ep_curves.png)" in md
    assert (tmp_path / "only-md_ep_curves.png").stat().st_size > 0


def test_parse_formats() -> None:
    assert parse_formats(" HTML, md ,md") == ("md", "html")
    with pytest.raises(ParameterError, match="formats"):
        parse_formats("md,pdf")
    with pytest.raises(ParameterError, match="formats"):
        parse_formats("")


@pytest.mark.parametrize("stem", ["../evil", "a/b", "", ".hidden", "x" * 101])
def test_unsafe_stem_refused(egates_quote: Quote, tmp_path: Path, stem: str) -> None:
    with pytest.raises(ParameterError, match="stem"):
        write_report(egates_quote, tmp_path, stem=stem, formats="json")
    assert list(tmp_path.iterdir()) == []


def test_markdown_table_cell_with_pipe_keeps_its_columns() -> None:
    from xborder_risk.report.markdown import _table
    from xborder_risk.report.sections import Table

    table = Table(columns=("a", "b"), rows=(("x|y", "<i>1</i>"),), numeric=(False, True))
    header, rule, row, _ = _table(table)
    assert len(re.findall(r"(?<!\\)\|", row)) == len(re.findall(r"\|", header)) == 3
    assert row == "| x\\|y | \\<i>1\\</i> |"
    assert rule == "|:---|---:|"


def test_negative_amounts_in_the_csv_stay_numbers(tmp_path: Path) -> None:
    # Without the SCR floor the political-risk SCR is negative: a number, not a formula.
    # (Seed 24: a year with a political-risk claim among the 2,000, so its mean exceeds its
    # VaR 99.5 % of 0; the line claims once in about 6,000 years.)
    egates = Submission.from_file(REPO / "examples/submissions/eu_egates_contractor.yaml")
    raw = quote(egates, n_years=2_000, seed=24, reserving=ReservingBasis(floor_scr=False))
    write_report(raw, tmp_path, stem="raw", formats="csv")
    reserves = pd.read_csv(tmp_path / "raw_reserves.csv")
    expected = raw.reserves["scr"].to_numpy()
    assert (expected < 0).any()
    np.testing.assert_allclose(reserves["scr"].to_numpy(), expected, rtol=1e-15)
