"""Quote a national border agency's shared traveller-data platform (cyber-heavy).

The submission is ``examples/submissions/agency_traveller_data_platform.yaml``.
Run it as is, from any directory::

    python examples/quote_agency_traveller_data_platform.py

It prints the quote table and writes the quote report (Markdown, self-contained HTML,
exceedance-probability chart, JSON) to ``./quote_out/``. The same as the command line
``xborder-risk quote examples/submissions/agency_traveller_data_platform.yaml``.

Set ``XBORDER_RISK_YEARS`` to change the number of simulated policy periods (default
100,000; fewer run faster with a larger Monte Carlo error).
"""

from __future__ import annotations

import os
from pathlib import Path

from xborder_risk import Submission, quote
from xborder_risk.report import summary_text, write_report

SUBMISSION = Path(__file__).resolve().parent / "submissions" / "agency_traveller_data_platform.yaml"
OUT_DIR = Path("quote_out")
SEED = 2026


def main() -> None:
    n_years = int(os.environ.get("XBORDER_RISK_YEARS", "100000"))
    submission = Submission.from_file(SUBMISSION)
    q = quote(submission, n_years=n_years, seed=SEED)
    print(summary_text(q))

    # Cyber is written on a 50% line: the AEP curve shows the insurer's share.
    curve = q.ep_curves()
    cyber = curve[(curve["kind"] == "aep") & (curve["line"] == "cyber")]
    print(f"Cyber loss to this 50% line, by return period ({q.currency}):")
    print(cyber[["return_period", "loss"]].to_string(index=False, float_format="{:,.0f}".format))

    files = write_report(q, OUT_DIR, stem=SUBMISSION.stem)
    print()
    for paths in files.values():
        for path in paths:
            print(f"wrote {path}")
    if q.messages:
        print(f"{len(q.messages)} note(s) for the underwriter: see the report.")


if __name__ == "__main__":
    main()
