"""Text reaching the terminal: control characters escaped, widths bounded."""

from __future__ import annotations

import pytest

from xborder_risk import cli
from xborder_risk.report import render_html, render_markdown
from xborder_risk.report._format import html_text, markdown_text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Evil \x1b[31mRed", "Evil \\x1b[31mRed"),
        ("bell\x07", "bell\\x07"),
        ("csi\x9b2J", "csi\\x9b2J"),
        ("rtl\u202eoverride", "rtl\\u202eoverride"),
        ("two\nlines", "two\\nlines"),
        ("Nordgate Biometrics AS, Zürich", "Nordgate Biometrics AS, Zürich"),
    ],
)
def test_terminal_text_shows_control_characters_as_escapes(raw: str, shown: str) -> None:
    assert cli.terminal_text(raw) == shown


@pytest.mark.parametrize(
    ("columns", "width"),
    [("0", 40), ("1", 40), ("-5", 40), ("80", 80), ("10" + "0" * 20, 1000), ("abc", 160)],
)
def test_output_width_is_bounded(monkeypatch: pytest.MonkeyPatch, columns: str, width: int) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    assert cli._output_width() == width


def test_report_text_escapes_control_characters() -> None:
    assert "\x1b" not in markdown_text("a\x1b[2Jb") and "\\x1b" in markdown_text("a\x1b[2Jb")
    assert html_text("a\x1b\nb") == "a\\x1b\nb"  # line breaks kept in HTML
    assert "\u202e" not in html_text("x\u202ey")


def test_reports_of_a_quote_carry_no_control_character(egates_quote) -> None:
    for text in (render_markdown(egates_quote), render_html(egates_quote)):
        assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in text)
