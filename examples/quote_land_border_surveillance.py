"""Quote a surveillance and drone contractor on a land-border programme.

The submission is ``examples/submissions/land_border_surveillance.yaml``.
Run it as is, from any directory::

    python examples/quote_land_border_surveillance.py

It prints the quote table and writes the quote report (Markdown, self-contained HTML,
exceedance-probability chart, JSON) to ``./quote_out/``. The same as the command line
``xborder-risk quote examples/submissions/land_border_surveillance.yaml``.

Set ``XBORDER_RISK_YEARS`` to change the number of simulated policy periods (default
100,000; fewer run faster with a larger Monte Carlo error).
"""

from __future__ import annotations

import os
from pathlib import Path

from xborder_risk import Submission, quote
from xborder_risk.report import summary_text, write_report

SUBMISSION = Path(__file__).resolve().parent / "submissions" / "land_border_surveillance.yaml"
OUT_DIR = Path("quote_out")
SEED = 2026


def main() -> None:
    n_years = int(os.environ.get("XBORDER_RISK_YEARS", "100000"))
    submission = Submission.from_file(SUBMISSION)
    q = quote(submission, n_years=n_years, seed=SEED)
    print(summary_text(q))

    # Operational liability (patrol crews, vehicles, drones) drives this quote; the
    # worksheet shows which component of it carries the expected claims.
    sheet = q.worksheet
    ol = sheet[(sheet["line"] == "operational_liability") & (sheet["component"] != "line")]
    claims = ol.groupby("component", sort=False)["frequency"].last()
    print("Expected operational-liability claims per component:")
    print(claims.to_string(float_format="{:.3f}".format))

    files = write_report(q, OUT_DIR, stem=SUBMISSION.stem)
    print()
    for paths in files.values():
        for path in paths:
            print(f"wrote {path}")
    if q.messages:
        print(f"{len(q.messages)} note(s) for the underwriter: see the report.")


if __name__ == "__main__":
    main()
