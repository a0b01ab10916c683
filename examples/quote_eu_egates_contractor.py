"""Quote a biometric e-gates contractor in four Schengen states (all four lines).

The submission is ``examples/submissions/eu_egates_contractor.yaml``.
Run it as is, from any directory::

    python examples/quote_eu_egates_contractor.py

It prints the quote table and writes the quote report (Markdown, self-contained HTML,
exceedance-probability chart, JSON) to ``./quote_out/``. The same as the command line
``xborder-risk quote examples/submissions/eu_egates_contractor.yaml``.

Set ``XBORDER_RISK_YEARS`` to change the number of simulated policy periods (default
100,000; fewer run faster with a larger Monte Carlo error).
"""

from __future__ import annotations

import os
from pathlib import Path

from xborder_risk import Submission, quote
from xborder_risk.report import summary_text, write_report

SUBMISSION = Path(__file__).resolve().parent / "submissions" / "eu_egates_contractor.yaml"
OUT_DIR = Path("quote_out")
SEED = 2026


def main() -> None:
    n_years = int(os.environ.get("XBORDER_RISK_YEARS", "100000"))
    submission = Submission.from_file(SUBMISSION)
    q = quote(submission, n_years=n_years, seed=SEED)
    print(summary_text(q))

    # The cyber line dominates the risk load: a breach of 11.5 million biometric templates
    # is rare but severe, so its share of the premium is far above its share of the loss.
    table = q.to_frame()
    share = table.loc["cyber", "gross_premium"] / table.loc["total", "gross_premium"]
    print(f"Cyber is {share:.0%} of the gross premium.")

    files = write_report(q, OUT_DIR, stem=SUBMISSION.stem)
    print()
    for paths in files.values():
        for path in paths:
            print(f"wrote {path}")
    if q.messages:
        print(f"{len(q.messages)} note(s) for the underwriter: see the report.")


if __name__ == "__main__":
    main()
