"""The quote report: Markdown, self-contained HTML, an EP-curve PNG, JSON and CSV.

>>> from xborder_risk import Submission, quote
>>> from xborder_risk.report import write_report
>>> sub = Submission.from_file("examples/submissions/eu_egates_contractor.yaml")  # doctest: +SKIP
>>> q = quote(sub, n_years=100_000, seed=2026)  # doctest: +SKIP
>>> write_report(q, "quote_out", stem="eu_egates_contractor")  # doctest: +SKIP
{'md': [...], 'html': [...], 'png': [...], 'json': [...]}
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from xborder_risk.errors import ParameterError
from xborder_risk.quote import Quote
from xborder_risk.report._format import (
    LINE_LABELS,
    format_amount,
    format_percent,
    line_label,
)
from xborder_risk.report.chart import ep_chart_png
from xborder_risk.report.csv import csv_safe_frame, escape_csv_cell, quote_tables, write_csv
from xborder_risk.report.html import render_html
from xborder_risk.report.markdown import render_markdown
from xborder_risk.report.sections import (
    Section,
    Table,
    build_sections,
    referral_text,
    summary_cells,
    summary_frame,
)

__all__ = [
    "DEFAULT_FORMATS",
    "LINE_LABELS",
    "REPORT_FORMATS",
    "Section",
    "Table",
    "build_sections",
    "csv_safe_frame",
    "ep_chart_png",
    "escape_csv_cell",
    "format_amount",
    "format_percent",
    "line_label",
    "parse_formats",
    "quote_tables",
    "referral_text",
    "render_html",
    "render_markdown",
    "summary_cells",
    "summary_frame",
    "summary_text",
    "write_csv",
    "write_report",
]

#: Every output format :func:`write_report` knows.
REPORT_FORMATS: Final[tuple[str, ...]] = ("md", "html", "png", "json", "csv")
#: What :func:`write_report` writes unless told otherwise.
DEFAULT_FORMATS: Final[tuple[str, ...]] = ("md", "html", "png", "json")

_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """Normalise a format list: ``"md,html"`` or ``["md", "html"]`` -> ``("md", "html")``.

    Case and spaces are ignored, duplicates dropped, the order of :data:`REPORT_FORMATS`
    kept.

    Raises
    ------
    ParameterError
        If a format is unknown or none is given.
    """
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = {str(item).strip().lower() for item in items if str(item).strip()}
    unknown = sorted(wanted - set(REPORT_FORMATS))
    if unknown:
        raise ParameterError(
            "write_report", "formats", ",".join(unknown), f"must be among {REPORT_FORMATS}"
        )
    if not wanted:
        raise ParameterError("write_report", "formats", formats, "must name at least one format")
    return tuple(f for f in REPORT_FORMATS if f in wanted)


def summary_text(quote: Quote) -> str:
    """The compact quote table as plain text, amounts with thousands separators.

    The first line names the insured, the currency and the policy period.
    """
    frame = summary_frame(quote)
    submission = quote.submission
    header = (
        f"Quote for {submission.insured.name} - amounts in {quote.currency}, policy period "
        f"{submission.inception_date.isoformat()} to {submission.expiry_date.isoformat()} "
        f"({quote.simulation.n_years:,} simulated periods)"
    )
    import pandas as pd

    text = pd.DataFrame(summary_cells(frame), index=frame.index, columns=frame.columns)
    body = text.to_string()
    referrals = "".join(f"{referral_text(r)}\n" for r in quote.referrals)
    return f"{header}\n{body}\n{referrals}"


def write_report(
    quote: Quote,
    out_dir: str | os.PathLike[str],
    *,
    stem: str = "quote",
    formats: str | Iterable[str] = DEFAULT_FORMATS,
) -> dict[str, list[Path]]:
    """Write the quote report files.

    Parameters
    ----------
    quote : Quote
        The quote to report.
    out_dir : str or path-like
        Directory for the files; created if missing.
    stem : str
        Base name of the files: letters, digits, ``_ . -`` (at most 100 characters).
    formats : str or iterable of str
        Any of ``md`` (Markdown, links the PNG, which is then written too), ``html``
        (self-contained, chart embedded), ``png`` (the exceedance-probability chart),
        ``json`` (:meth:`Quote.to_json`: tables, messages, provenance) and ``csv`` (one
        CSV per table, spreadsheet-safe).  Default: md, html, png, json.

    Returns
    -------
    dict of str to list of Path
        The files written, by format.

    Raises
    ------
    ParameterError
        For an unknown format or an unsafe stem.
    OSError
        If the directory or a file cannot be written.
    """
    wanted = parse_formats(formats)
    if not isinstance(stem, str) or not _STEM.match(stem):
        raise ParameterError(
            "write_report",
            "stem",
            stem,
            "must be 1-100 letters, digits or _ . - starting with a letter or digit",
        )
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[Path]] = {}
    chart_name = f"{stem}_ep_curves.png"
    chart = ep_chart_png(quote) if {"png", "md", "html"} & set(wanted) else None
    if chart is not None and ("png" in wanted or "md" in wanted):
        path = directory / chart_name
        path.write_bytes(chart)
        written["png"] = [path]
    if "md" in wanted:
        path = directory / f"{stem}.md"
        path.write_text(render_markdown(quote, chart_file=chart_name), encoding="utf-8")
        written["md"] = [path]
    if "html" in wanted:
        path = directory / f"{stem}.html"
        path.write_text(render_html(quote, chart_png=chart), encoding="utf-8")
        written["html"] = [path]
    if "json" in wanted:
        path = directory / f"{stem}.json"
        path.write_text(quote.to_json(indent=2) + "\n", encoding="utf-8")
        written["json"] = [path]
    if "csv" in wanted:
        written["csv"] = [
            write_csv(frame, directory / f"{stem}_{name}.csv")
            for name, frame in quote_tables(quote).items()
        ]
    return written
