"""Quote a border-infrastructure contractor in a high-political-risk country.

The submission is ``examples/submissions/high_risk_infrastructure.yaml``.
Run it as is, from any directory::

    python examples/quote_high_risk_infrastructure.py

It prints the quote table and writes the quote report (Markdown, self-contained HTML,
exceedance-probability chart, JSON) to ``./quote_out/``. The same as the command line
``xborder-risk quote examples/submissions/high_risk_infrastructure.yaml``.

Set ``XBORDER_RISK_YEARS`` to change the number of simulated policy periods (default
100,000; fewer run faster with a larger Monte Carlo error).
"""

from __future__ import annotations

import os
from pathlib import Path

from xborder_risk import Submission, quote
from xborder_risk.report import summary_text, write_report

SUBMISSION = Path(__file__).resolve().parent / "submissions" / "high_risk_infrastructure.yaml"
OUT_DIR = Path("quote_out")
SEED = 2026


def main() -> None:
    n_years = int(os.environ.get("XBORDER_RISK_YEARS", "100000"))
    submission = Submission.from_file(SUBMISSION)
    q = quote(submission, n_years=n_years, seed=SEED)
    print(summary_text(q))

    # Political risk in OECD class 7, including currency inconvertibility: the expected
    # claims per contract and peril come from the rating worksheet.
    sheet = q.worksheet
    pr = sheet[(sheet["line"] == "political_risk") & (sheet["component"] != "line")]
    claims = pr.groupby("component", sort=False)["frequency"].last()
    print("Expected political-risk claims in the policy period, by contract and peril:")
    print(claims.to_string(float_format="{:.4f}".format))

    files = write_report(q, OUT_DIR, stem=SUBMISSION.stem)
    print()
    for paths in files.values():
        for path in paths:
            print(f"wrote {path}")
    if q.messages:
        print(f"{len(q.messages)} note(s) for the underwriter: see the report.")


if __name__ == "__main__":
    main()
