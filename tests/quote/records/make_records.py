"""Write the provenance records of release 0.1.0 that ``test_old_records.py`` reproduces.

Run once, with the release whose records are kept (never regenerate them with a later
release: the point is that a record written by 0.1.0 still reproduces bit for bit)::

    python tests/quote/records/make_records.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import xborder_risk
from xborder_risk import Submission, quote
from xborder_risk.pricing import Loadings, StandardDeviationPrinciple, WangTransform
from xborder_risk.quote import PricingBasis

HERE = Path(__file__).resolve().parent
SUBMISSIONS = HERE.parents[2] / "examples" / "submissions"

#: name -> (submission file, quote keyword arguments)
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "default_basis": ("eu_egates_contractor.yaml", {"n_years": 4_000, "seed": 2026}),
    "wang_quantile_valued_later": (
        "agency_traveller_data_platform.yaml",
        {
            "n_years": 3_000,
            "seed": 91,
            "valuation_date": "2027-06-30",
            "basis": PricingBasis(
                principle=WangTransform(lam=0.2),
                risk_adjustment_confidence=0.8,
                risk_adjustment_technique="quantile",
            ),
        },
    ),
    "sd_principle_own_tax": (
        "land_border_surveillance.yaml",
        {
            "n_years": 3_000,
            "seed": 5,
            "basis": PricingBasis(
                principle=StandardDeviationPrinciple(k=0.25),
                loadings=Loadings(expense_ratio=0.1, commission=0.08, tax_rate=0.04),
                country_premium_tax=False,
                allocation_level=0.98,
                scr_level=0.99,
                coc_rate=0.05,
            ),
        },
    ),
}


def main() -> None:
    for name, (file, kwargs) in CASES.items():
        q = quote(Submission.from_file(SUBMISSIONS / file), **kwargs)
        record = q.to_dict()
        out = {
            "written_by": xborder_risk.__version__,
            "submission": file,
            "provenance": record["provenance"],
            "quote": record["quote"],
            "reserves": record["reserves"],
            "premium_build_up": record["premium_build_up"],
        }
        target = HERE / f"{name}.json"
        target.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
