"""Write the golden record of every line's rating: loss model figures and worksheet rows.

The record was written by the rater as it was before the lines became modules (one function
per line in ``rating/rater.py``); ``test_lines.py`` checks that each line module's ``rate()``
gives the same model and the same worksheet rows, figure for figure.  It uses only
``rate()`` and ``RatedSubmission``, so it runs on any version of the library.  Regenerate it
only in a commit that changes a rating on purpose and says why::

    python tests/rating/make_line_golden.py
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from pathlib import Path
from typing import Any

from xborder_risk import Submission
from xborder_risk.engine import LossModel
from xborder_risk.portfolio import synthetic_book
from xborder_risk.rating import RatingTables, rate

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "line_golden.json"
SUBMISSIONS = HERE.parents[1] / "examples" / "submissions"
SYNTHETIC_POLICIES = 24
SYNTHETIC_SEED = 11


def model_figures(model: LossModel) -> dict[str, Any]:
    """Figures that pin a loss model: count family, E[N], Var[N], layer, E[min(X, u)]."""
    layer = model.layer
    points = [layer.deductible, layer.deductible + layer.limit, 1e5, 1e7]
    return {
        "frequency": type(model.frequency).__name__,
        "mean_claims": model.frequency.mean(),
        "var_claims": model.frequency.var(),
        "severity": type(model.severity).__name__,
        "limited_expected_values": [
            float(model.severity.limited_expected_value(u)) if model.frequency.mean() else 0.0
            for u in points
            if math.isfinite(u)
        ],
        "layer": [
            layer.deductible,
            layer.limit,
            layer.aggregate_deductible,
            layer.aggregate_limit,
            layer.share,
        ],
    }


def line_records(submission: Submission, tables: RatingTables) -> dict[str, Any]:
    """Per line: the model's figures and the line's worksheet rows (as plain lists)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rated = rate(submission, tables)
    sheet = rated.worksheet
    return {
        model.name: {
            "model": model_figures(model),
            "rows": [list(row) for row in sheet[sheet["line"] == model.name].itertuples(False)],
        }
        for model in rated.models
    }


def golden_record() -> dict[str, Any]:
    tables = RatingTables.load()
    examples = {
        path.stem: line_records(Submission.from_file(path), tables)
        for path in sorted(SUBMISSIONS.glob("*.yaml"))
    }
    synthetic = {
        sub.submission_id or str(i): hashlib.sha256(
            json.dumps(line_records(sub, tables), sort_keys=True).encode()
        ).hexdigest()
        for i, sub in enumerate(synthetic_book(SYNTHETIC_POLICIES, seed=SYNTHETIC_SEED))
    }
    # JSON round trip: compare what the file holds.
    record: dict[str, Any] = json.loads(json.dumps({"examples": examples, "synthetic": synthetic}))
    return record


def main() -> None:
    GOLDEN.write_text(json.dumps(golden_record(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
