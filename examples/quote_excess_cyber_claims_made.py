"""Quote an excess cyber layer on a claims-made basis, and the layer above it (a tower).

The submission is ``examples/submissions/excess_cyber_claims_made.yaml``.
Run it as is, from any directory::

    python examples/quote_excess_cyber_claims_made.py

It prints the quote table, each layer of the cyber tower on the same simulated ground-up
losses, and writes the quote report (Markdown, self-contained HTML, exceedance-probability
chart, JSON) to ``./quote_out/``. The same as the command line
``xborder-risk quote examples/submissions/excess_cyber_claims_made.yaml``.

Set ``XBORDER_RISK_YEARS`` to change the number of simulated policy periods (default
100,000; fewer run faster with a larger Monte Carlo error).
"""

from __future__ import annotations

import os
from pathlib import Path

from xborder_risk import Submission, quote
from xborder_risk.report import summary_text, write_report

SUBMISSION = Path(__file__).resolve().parent / "submissions" / "excess_cyber_claims_made.yaml"
OUT_DIR = Path("quote_out")
SEED = 2026


def main() -> None:
    n_years = int(os.environ.get("XBORDER_RISK_YEARS", "100000"))
    submission = Submission.from_file(SUBMISSION)
    q = quote(submission, n_years=n_years, seed=SEED)
    print(summary_text(q))

    # The quoted layer (20M xs 10M) and the one above it (20M xs 30M, 40 % line), each on
    # the same simulated ground-up losses: the expected loss falls layer by layer.
    print(f"\nCyber tower ({q.currency}, per policy period):")
    columns = [
        "layer",
        "attachment",
        "limit",
        "share",
        "expected_loss",
        "expected_loss_rate_on_line",
    ]
    print(q.tower[columns].to_string(index=False, float_format="{:,.4g}".format))
    print(f"Exclusions applied: {q.exclusions}")

    files = write_report(q, OUT_DIR, stem=SUBMISSION.stem)
    print()
    for paths in files.values():
        for path in paths:
            print(f"wrote {path}")
    if q.messages:
        print(f"{len(q.messages)} note(s) for the underwriter: see the report.")


if __name__ == "__main__":
    main()
