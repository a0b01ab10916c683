"""The quote report as one self-contained HTML file.

No external asset: the style sheet is inline and the exceedance-probability chart is a
base64 ``data:`` image.  Every string passes through :func:`html.escape` (via
:func:`~xborder_risk.report._format.html_text`), and a Content-Security-Policy that allows no
script is declared as a second line of defence.
"""

from __future__ import annotations

import base64

from xborder_risk.quote import Quote
from xborder_risk.report._format import html_text
from xborder_risk.report.sections import Section, Table, build_sections

__all__ = ["render_html"]

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1b1b1b;
       max-width: 1180px; margin: 2em auto; padding: 0 1.2em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.8em; }
p.lead { color: #555; margin-top: 0; }
nav { font-size: 0.92em; margin: 1em 0; }
nav a { margin-right: 1em; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15em 1.2em; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
div.table-scroll { max-width: 100%; overflow-x: auto; }
p, dd, li, caption { overflow-wrap: anywhere; }
th, td { border-bottom: 1px solid #e2e2e2; padding: 0.28em 0.7em; text-align: left;
         vertical-align: top; }
th { background: #f3f5f7; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 700; border-top: 2px solid #999; }
caption { text-align: left; font-style: italic; }
img.chart { max-width: 100%; height: auto; border: 1px solid #eee; }
.worksheet table { font-size: 0.8em; }
ul.messages li { margin-bottom: 0.3em; }
"""

# No script, no remote resource: only inline style and data: images.
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _table(table: Table) -> list[str]:
    # A wide table (the rating worksheet) scrolls inside its own box so the page never
    # scrolls sideways on a narrow window; tabindex lets a keyboard user scroll it.
    label = html_text(table.caption or "table")
    out = [f'<div class="table-scroll" role="region" tabindex="0" aria-label="{label}">', "<table>"]
    if table.caption:
        out.append(f"<caption>{html_text(table.caption)}</caption>")
    head = "".join(
        f'<th class="num">{html_text(c)}</th>' if num else f"<th>{html_text(c)}</th>"
        for c, num in zip(table.columns, table.numeric, strict=True)
    )
    out.append(f"<thead><tr>{head}</tr></thead><tbody>")
    last = len(table.rows) - 1
    for i, row in enumerate(table.rows):
        cells = "".join(
            f'<td class="num">{html_text(c)}</td>' if num else f"<td>{html_text(c)}</td>"
            for c, num in zip(row, table.numeric, strict=True)
        )
        css = ' class="total"' if table.total_row and i == last else ""
        out.append(f"<tr{css}>{cells}</tr>")
    out.append("</tbody></table></div>")
    return out


def _section(section: Section, chart_png: bytes | None) -> list[str]:
    css = f' class="{html_text(section.anchor)}"'
    out = [f'<section id="{html_text(section.anchor)}"{css}>']
    out.append(f"<h2>{html_text(section.title)}</h2>")
    if section.facts:
        out.append('<dl class="facts">')
        out += [f"<dt>{html_text(k)}</dt><dd>{html_text(v)}</dd>" for k, v in section.facts]
        out.append("</dl>")
    out += [f"<p>{html_text(p)}</p>" for p in section.paragraphs]
    if section.chart and chart_png is not None:
        data = base64.b64encode(chart_png).decode("ascii")
        out.append(
            f'<img class="chart" src="data:image/png;base64,{data}" '
            'alt="Exceedance-probability chart: AEP and OEP by line">'
        )
    for table in section.tables:
        out += _table(table)
    if section.bullets:
        out.append('<ul class="messages">')
        out += [f"<li>{html_text(b)}</li>" for b in section.bullets]
        out.append("</ul>")
    out.append("</section>")
    return out


def render_html(quote: Quote, chart_png: bytes | None = None) -> str:
    """The quote report as a self-contained HTML document.

    Parameters
    ----------
    quote : Quote
        The quote to report.
    chart_png : bytes, optional
        The exceedance-probability chart (:func:`~xborder_risk.report.ep_chart_png`),
        embedded as a base64 data URI; no chart if omitted.

    Returns
    -------
    str
        UTF-8 HTML5 text.
    """
    sections = build_sections(quote)
    name = quote.submission.insured.name
    version = quote.provenance.library_version
    nav = " ".join(f'<a href="#{html_text(s.anchor)}">{html_text(s.title)}</a>' for s in sections)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Quote: {html_text(name)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>Quote: {html_text(name)}</h1>",
        f'<p class="lead">Prepared by xborder_risk {html_text(version)}. Illustrative rating '
        "tables: a technical price for the underwriter's judgement, not a binding offer.</p>",
        f"<nav>{nav}</nav>",
    ]
    for section in sections:
        out += _section(section, chart_png)
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
