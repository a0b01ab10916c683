"""No module outside ``exposure/`` and ``rating/`` branches on a line's name.

Line knowledge lives in the line's exposure model and its rating module; everything else asks
the registry (``rating.lines.LINE_RATERS``) or the line metadata.  An AST scan finds a line's
name written as a string literal where code decides something with it: a comparison
(``line == "cyber"``, ``"cyber" in sub.lines``), a dict key (``{"cyber": ...}``), a subscript
(``data["cyber"]``), a call argument (``sub.exposure("cyber")``), a keyword (``dict(cyber=...)``)
or a ``match`` case.  Docstrings and comments are free to name lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import xborder_risk
from xborder_risk.exposure import LINES

PACKAGE = Path(xborder_risk.__file__).resolve().parent
# Where line knowledge belongs.
ALLOWED = ("exposure", "rating")


def _is_line(node: ast.AST | None) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value in LINES
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_is_line(element) for element in node.elts)
    return False


def line_branches(source: str, filename: str = "<source>") -> list[str]:
    """Every place in ``source`` that decides something on a line name literal."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Compare) and any(
            _is_line(operand) for operand in (node.left, *node.comparators)
        ):
            found.append(f"{where} comparison with a line name")
        elif isinstance(node, ast.Dict) and any(_is_line(key) for key in node.keys):
            found.append(f"{where} dict keyed by a line name")
        elif isinstance(node, ast.Subscript) and _is_line(node.slice):
            found.append(f"{where} subscript by a line name")
        elif isinstance(node, ast.Call) and (
            any(_is_line(arg) for arg in node.args)
            or any(keyword.arg in LINES for keyword in node.keywords)
        ):
            found.append(f"{where} call with a line name")
        elif isinstance(node, ast.MatchValue) and _is_line(node.value):
            found.append(f"{where} match case on a line name")
    return found


def _scanned_files() -> list[Path]:
    return sorted(
        path for path in PACKAGE.rglob("*.py") if path.relative_to(PACKAGE).parts[0] not in ALLOWED
    )


def test_the_scan_covers_the_layers_above_rating() -> None:
    scanned = {path.relative_to(PACKAGE).as_posix() for path in _scanned_files()}
    for expected in ("quote.py", "cli.py", "portfolio/book.py", "report/_format.py"):
        assert expected in scanned
    assert any(name.startswith("pricing/") for name in scanned)
    assert any(name.startswith("reserves/") for name in scanned)
    assert "testing/strategies.py" in scanned
    assert not any(name.startswith(("rating/", "exposure/")) for name in scanned)


def test_no_module_outside_exposure_and_rating_branches_on_a_line_name() -> None:
    found = [
        finding
        for path in _scanned_files()
        for finding in line_branches(
            path.read_text(encoding="utf-8"), path.relative_to(PACKAGE).as_posix()
        )
    ]
    assert not found, "line-name special cases outside exposure/ and rating/:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "snippet",
    [
        'if line == "cyber":\n    pass',
        'if "political_risk" in sub.lines:\n    pass',
        'ok = line in ("tech_failure", "cyber")',
        'x = {"operational_liability": 1}',
        'data["terms"]["tech_failure"] = {}',
        'exposure = sub.exposure("political_risk")',
        "x = dict(cyber=1)",
        'match line:\n    case "cyber":\n        pass',
    ],
)
def test_the_scan_finds_each_kind_of_line_branch(snippet: str) -> None:
    assert line_branches(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        'def f():\n    """Rates the cyber line ("cyber")."""',
        'LABEL = "cyber"  # the systemic shock is labelled like the line',
        "for line in LINES:\n    rater_for(line)",
        'if line == "total":\n    pass',
    ],
)
def test_the_scan_leaves_prose_and_registry_lookups_alone(snippet: str) -> None:
    assert line_branches(snippet) == []
