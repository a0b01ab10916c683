"""Write the shipped illustrative reference book (xborder_risk/portfolio_data/reference_book/).

The policies are ``synthetic_book(N_POLICIES, seed=GENERATOR_SEED, countries=COUNTRIES)``:
random but plausible one-year USD policies over the four lines, in the countries the shipped
example submissions name. Every figure is illustrative. Regenerate only in a commit that
changes the book on purpose and says why (it changes every default quote's risk load)::

    python tests/portfolio/make_reference_book.py
"""

from __future__ import annotations

import json
from pathlib import Path

from xborder_risk.portfolio import synthetic_book

TARGET = Path(__file__).resolve().parents[2] / "xborder_risk" / "portfolio_data" / "reference_book"
N_POLICIES = 300
GENERATOR_SEED = 17
#: The countries of the shipped examples (home countries, countries of operation, hosts).
COUNTRIES = (
    "AU", "BE", "CA", "EE", "FI", "FR", "GB", "IE", "IQ", "LT", "LV", "MD", "NL", "NO",
    "NZ", "PL", "TR", "US",
)  # fmt: skip


def main() -> None:
    policies = synthetic_book(N_POLICIES, seed=GENERATOR_SEED, countries=COUNTRIES)
    lines = [
        json.dumps(json.loads(sub.to_json(indent=None)), sort_keys=True, separators=(",", ":"))
        for sub in policies
    ]
    (TARGET / "policies.jsonl").write_text("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} policies to {TARGET / 'policies.jsonl'}")


if __name__ == "__main__":
    main()
