"""Quote the e-gates contractor as an international programme (master in NO; FI, EE, LV local).

The submission is ``examples/submissions/eu_egates_programme.yaml``.
Run it as is, from any directory::

    python examples/quote_eu_egates_programme.py

It prints the quote table and writes the quote report (Markdown, self-contained HTML,
exceedance-probability chart, JSON) to ``./quote_out/``. The same as the command line
``xborder-risk quote examples/submissions/eu_egates_programme.yaml``.

Set ``XBORDER_RISK_YEARS`` to change the number of simulated policy periods (default
100,000; fewer run faster with a larger Monte Carlo error).
"""

from __future__ import annotations

import os
from pathlib import Path

from xborder_risk import Submission, quote
from xborder_risk.report import summary_text, write_report

SUBMISSION = Path(__file__).resolve().parent / "submissions" / "eu_egates_programme.yaml"
OUT_DIR = Path("quote_out")
SEED = 2026


def main() -> None:
    n_years = int(os.environ.get("XBORDER_RISK_YEARS", "100000"))
    submission = Submission.from_file(SUBMISSION)
    q = quote(submission, n_years=n_years, seed=SEED)
    print(summary_text(q))

    # The programme: each line's premium by country, taxed where it is allocated.  Finland
    # charges 25.5 % tax on insurance premiums; Norway, Estonia and Latvia none on these lines.
    programme = q.programme
    print(
        programme[
            ["line", "country", "placement", "premium", "premium_tax", "total_payable"]
        ].to_string(index=False)
    )
    by_line = programme.groupby("line", sort=False)["premium"].sum()
    print(f"Premium allocated by country sums to {by_line.sum():,.2f} {q.currency}.")

    files = write_report(q, OUT_DIR, stem=SUBMISSION.stem)
    print()
    for paths in files.values():
        for path in paths:
            print(f"wrote {path}")
    if q.messages:
        print(f"{len(q.messages)} note(s) for the underwriter: see the report.")


if __name__ == "__main__":
    main()
