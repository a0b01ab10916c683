"""The quote report as Markdown (GitHub-flavoured tables).

Every string from the submission, the rating tables or the quote passes through
:func:`~xborder_risk.report._format.markdown_text`: a Markdown viewer renders raw HTML, so an
insured called ``<script>...`` must arrive as text, not as a tag.
"""

from __future__ import annotations

import urllib.parse

from xborder_risk.quote import Quote
from xborder_risk.report._format import markdown_text
from xborder_risk.report.sections import Section, Table, build_sections

__all__ = ["render_markdown"]


def _table(table: Table) -> list[str]:
    out = []
    if table.caption:
        out += [f"*{markdown_text(table.caption)}*", ""]
    out.append("| " + " | ".join(markdown_text(c) for c in table.columns) + " |")
    out.append("|" + "|".join("---:" if num else ":---" for num in table.numeric) + "|")
    last = len(table.rows) - 1
    for i, row in enumerate(table.rows):
        cells = [markdown_text(cell) for cell in row]
        if table.total_row and i == last:
            cells = [f"**{cell}**" if cell else cell for cell in cells]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    return out


def _section(section: Section, chart_file: str | None) -> list[str]:
    out = [f"## {markdown_text(section.title)}", ""]
    if section.facts:
        out += [f"- **{markdown_text(k)}:** {markdown_text(v)}" for k, v in section.facts]
        out.append("")
    for paragraph in section.paragraphs:
        out += [markdown_text(paragraph), ""]
    if section.chart and chart_file is not None:
        target = urllib.parse.quote(chart_file)
        out += [
            f"![Exceedance-probability chart: AEP and OEP by line]({target})",
            "",
            f"Chart: [{markdown_text(chart_file)}]({target})",
            "",
        ]
    for table in section.tables:
        out += _table(table)
    if section.bullets:
        out += [f"- {markdown_text(b)}" for b in section.bullets]
        out.append("")
    return out


def render_markdown(quote: Quote, chart_file: str | None = None) -> str:
    """The quote report as Markdown text.

    Parameters
    ----------
    quote : Quote
        The quote to report.
    chart_file : str, optional
        Relative path of the exceedance-probability PNG to link from the report (written
        separately, e.g. by :func:`~xborder_risk.report.write_report`); no chart if omitted.

    Returns
    -------
    str
        The report, UTF-8 text ending with a newline.
    """
    sections = build_sections(quote)
    version = quote.provenance.library_version
    lines = [
        f"# Quote: {markdown_text(quote.submission.insured.name)}",
        "",
        markdown_text(
            f"Prepared by xborder_risk {version}. Illustrative rating tables: a technical "
            "price for the underwriter's judgement, not a binding offer."
        ),
        "",
    ]
    for section in sections:
        lines += _section(section, chart_file)
    return "\n".join(lines).rstrip("\n") + "\n"
