"""Write the golden quote records of every shipped example submission.

A golden record is ``Quote.to_dict()`` at a fixed seed and year count, minus the fields
that legitimately differ between runs (the creation time). ``test_golden_quotes.py``
checks that refactoring leaves every figure a user sees unchanged; regenerate the files
only in a commit that changes a price on purpose and says why::

    python tests/golden/make_golden.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from xborder_risk import Submission, quote

HERE = Path(__file__).resolve().parent
SUBMISSIONS = HERE.parents[1] / "examples" / "submissions"
N_YEARS = 20_000
SEED = 2026
# Provenance fields that differ between two runs or two machines for the same quote.
VOLATILE = ("created", "library_version", "numpy_version", "tables_source")


def golden_record(path: Path) -> dict[str, Any]:
    record = quote(Submission.from_file(path), n_years=N_YEARS, seed=SEED).to_dict()
    provenance = dict(record.get("provenance") or {})
    for key in VOLATILE:
        provenance.pop(key, None)
    record["provenance"] = provenance
    # JSON round trip: the golden file holds what a user's JSON report holds.
    return json.loads(json.dumps(record))


def golden_path(path: Path) -> Path:
    return HERE / f"{path.stem}.json"


def main() -> None:
    for path in sorted(SUBMISSIONS.glob("*.yaml")):
        target = golden_path(path)
        target.write_text(json.dumps(golden_record(path), indent=1, sort_keys=True) + "\n")
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
