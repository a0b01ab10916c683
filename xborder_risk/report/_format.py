"""Number formatting, human-readable labels and escaping shared by the report writers."""

from __future__ import annotations

import html
import math
import re
from typing import Final

import numpy as np

from xborder_risk.exposure._types import escape_control_characters
from xborder_risk.rating import LINE_RATERS

__all__ = [
    "LINE_LABELS",
    "STEP_LABELS",
    "format_amount",
    "format_factor",
    "format_percent",
    "html_text",
    "humanise",
    "line_label",
    "markdown_text",
]

#: How a line of cover is named for the underwriter (each line's label in the rating registry).
LINE_LABELS: Final[dict[str, str]] = {
    **{line: rater.label for line, rater in LINE_RATERS.items()},
    "total": "Total",
}

#: How a step of the premium build-up is named for the underwriter.
STEP_LABELS: Final[dict[str, str]] = {
    "technical_premium": "Technical premium (expected loss + risk load)",
    "fixed_expense": "Fixed expense",
    "variable_expense": "Variable expenses",
    "commission": "Commission",
    "profit_margin": "Profit margin",
    "minimum_premium_adjustment": "Minimum premium adjustment",
    "premium_tax": "Premium tax",
    "gross_premium": "Gross premium",
}

# Characters Markdown gives a meaning to.  '_' is left alone between two word characters,
# where CommonMark never reads it as emphasis (spec 0.31, §6.2), so that names such as
# tech_failure stay readable in the raw file.
# '<' (which could open a raw HTML tag), '&' before what could be an entity, and '>' at the
# start (a block quote) are escaped too; elsewhere '>' and '&' mean nothing to Markdown.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]|#~<]|&(?=[#A-Za-z0-9])|^>|(?<!\w)_|_(?!\w))")


def humanise(name: str) -> str:
    """``"operational_liability"`` -> ``"Operational liability"``."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def line_label(line: str) -> str:
    """The underwriter's name of a line of cover (or ``"Total"``)."""
    return LINE_LABELS.get(line, humanise(line))


def format_amount(value: float) -> str:
    """A currency amount rounded to units with thousands separators: ``1,805,724``.

    ``inf`` prints as ``unlimited`` (an absent limit) and NaN as ``n/a``.
    """
    x = float(value)
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "unlimited" if x > 0 else "-unlimited"
    text = f"{x:,.0f}"
    return "0" if text == "-0" else text


def format_factor(value: float) -> str:
    """A rating factor or parameter: 4 significant figures, thousands separators above 1,000."""
    x = float(value)
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if abs(x) >= 1000:
        return format_amount(x)
    if x == 0:
        return "0"
    # Positional, never scientific: a claim rate of 0.00005 reads better than 5e-05.
    return str(np.format_float_positional(x, precision=4, unique=False, fractional=False, trim="-"))


def format_percent(value: float, digits: int = 1) -> str:
    """A proportion as a percentage: ``0.125`` -> ``12.5%``."""
    x = float(value)
    if not math.isfinite(x):
        return "n/a"
    return f"{100 * x:,.{digits}f}%"


def html_text(value: object) -> str:
    """Text safe to place in HTML element content or a quoted attribute."""
    return escape_control_characters(html.escape(str(value), quote=True), keep_line_breaks=True)


def markdown_text(value: object) -> str:
    """Text safe to place in a Markdown paragraph or table cell.

    Markdown punctuation is backslash-escaped (CommonMark 0.31, "Backslash escapes"), ``<``
    and an ``&`` that could start an entity included: a Markdown viewer renders raw HTML, so
    a ``<script>`` in an insured's name reaches it as the text ``\\<script>``, never as a
    tag, and ``USD->EUR`` or ``A & B`` read as written (no HTML entities in the file).  Line
    breaks become spaces (a table row is one line) and other control characters show as
    escapes (``\\x1b``).
    """
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))
    return escape_control_characters(" ".join(text.splitlines()))


def period_unit(policy_period_years: float) -> str:
    """The unit of a return period: ``"years"`` for a one-year policy, else ``"periods"``.

    The simulation draws whole policy periods, so for a multi-year policy "1 in 200" means one
    policy period in 200, not one year in 200.
    """
    return "years" if math.isclose(policy_period_years, 1.0) else "periods"
