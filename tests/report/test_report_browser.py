"""The HTML quote report read in a real browser (headless Chromium) at the widths people use.

A person reads the report on a laptop, a large monitor or a narrow window beside another
application. The page must not scroll sideways as a whole: wide tables (the rating worksheet)
scroll inside their own box, and the chart shrinks to the page. The layout is measured by
Chromium itself: a probe script (added to a copy of the report without its
Content-Security-Policy, which forbids scripts in the shipped file) records the document's
scroll width and every element that sticks out of the viewport.

Chromium comes from Debian's package (``apt-get install -y chromium``; ``.ci/run`` installs
it when missing). Headless Chromium does not lay out narrower than 500 CSS pixels, so 500 is
the narrowest width checked here.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from xborder_risk import Submission, quote
from xborder_risk.report.html import render_html

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples" / "submissions").glob("*.yaml"))
WIDTHS = (500, 800, 1280, 1600)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (apt-get install -y chromium)"
)

_PROBE = """<script>
window.addEventListener('load', () => {
  const vw = document.documentElement.clientWidth;
  const insideScroller = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox === 'auto' || ox === 'scroll') return true;
    }
    return false;
  };
  const outside = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 1 && !insideScroller(el)) {
      const name = el.tagName + (el.className ? '.' + el.className : '');
      outside.push(name + ':' + Math.round(r.right));
    }
  }
  const chart = document.querySelector('img.chart');
  document.body.setAttribute('data-probe', JSON.stringify({
    viewport: vw,
    scroll_width: document.documentElement.scrollWidth,
    outside: outside.slice(0, 10),
    chart_right: chart ? Math.round(chart.getBoundingClientRect().right) : null,
  }));
});
</script>"""


def _measure(page: Path, width: int, profile: Path) -> dict[str, object]:
    assert CHROMIUM is not None
    completed = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--window-size={width},1000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(r'data-probe="([^"]*)"', completed.stdout)
    assert found, f"no probe (exit {completed.returncode}): {completed.stderr[-500:]}"
    return json.loads(html.unescape(found.group(1)))


# The e-gates example as a renewal too: its report has the widest extra table (the rate change).
RENEWAL = {
    "renewal": {
        "expiring_premium": {"cyber": 150_000, "operational_liability": 380_000},
        "expiring_changes": {"terms.cyber.deductible": 250_000},
    }
}
PAGES = [
    *((path, None) for path in EXAMPLES),
    (REPO / "examples/submissions/eu_egates_contractor.yaml", RENEWAL),
]


@pytest.fixture(
    scope="module",
    params=PAGES,
    ids=lambda page: page[0].stem + ("_renewal" if page[1] else ""),
)
def probe_page(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path, changes = request.param
    submission = Submission.from_file(path)
    if changes:
        submission = submission.with_changes(changes)
    page = render_html(quote(submission, n_years=2000, seed=3), chart_png=_TINY_PNG)
    assert "Content-Security-Policy" in page
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    page = page.replace("</body>", _PROBE + "</body>")
    target = tmp_path_factory.mktemp("browser") / f"{path.stem}.html"
    target.write_text(page, encoding="utf-8")
    return target


# A 1200 x 600 white PNG stands in for the chart: its layout, not its pixels, is under test
# (the chart itself is checked in tests/cli/test_report_output.py).
def _png(width: int, height: int) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff" * (3 * width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


_TINY_PNG = _png(1200, 600)


@pytest.mark.parametrize("width", WIDTHS)
def test_report_never_scrolls_sideways(probe_page: Path, width: int, tmp_path: Path) -> None:
    probe = _measure(probe_page, width, tmp_path / "profile")
    assert probe["scroll_width"] <= probe["viewport"], probe
    assert probe["outside"] == [], probe
    assert probe["chart_right"] is not None and probe["chart_right"] <= probe["viewport"], probe
