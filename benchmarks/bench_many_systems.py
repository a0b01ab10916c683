"""Many-systems benchmark: rate and quote a tech-failure schedule of 1k, 20k and 85k systems.

Issue 18: 20,000 tech-failure systems took 90 s and 85,000 (a 15.5 MB JSON submission) did not
finish in 600 s, because the severity mixture the rater builds (one lognormal component per
system) was sampled with one pass over all claims per component, time proportional to
components x claims.  This script times, for each size, from one run:

* ``Submission.from_data`` (validation of the schedule);
* ``rate`` (one rated component per system, the line's mixture severity);
* ``quote`` at a small number of simulated years (rate, simulate, price, reserve).

The systems are deterministic and varied (seven system types, three redundancy levels, three
support levels, ages 0-40, values 0.5-50 M EUR, countries from a list of twelve) so the
mixture has one distinct component per system.

Run: ``python benchmarks/bench_many_systems.py [--systems 1000 20000 85000] [--years 2000]``.
"""

from __future__ import annotations

import argparse
import time
import warnings
from typing import Any

from xborder_risk.errors import XBorderRiskWarning
from xborder_risk.exposure import Submission
from xborder_risk.quote import quote
from xborder_risk.rating import RatingTables, rate
from xborder_risk.rating.tables import REDUNDANCY_LEVELS, SYSTEM_TYPES, VENDOR_SUPPORT_LEVELS

COUNTRIES = ("NO", "FI", "EE", "LV", "LT", "PL", "DE", "FR", "ES", "IT", "GR", "PT")


def submission_data(n_systems: int) -> dict[str, Any]:
    """A valid submission with ``n_systems`` distinct tech-failure systems (EUR)."""
    systems = [
        {
            "system_id": f"SYS-{i:06d}",
            "system_type": SYSTEM_TYPES[i % len(SYSTEM_TYPES)],
            "countries": [COUNTRIES[i % len(COUNTRIES)], COUNTRIES[(i * 5 + 1) % len(COUNTRIES)]]
            if i % 3 == 0
            else [COUNTRIES[i % len(COUNTRIES)]],
            "replacement_value": 500_000.0 + (i * 7919) % 49_500_000,
            "daily_outage_cost": 5_000.0 + (i * 104_729) % 295_000,
            "redundancy": REDUNDANCY_LEVELS[(i // 7) % 3],
            "age_years": float((i * 13) % 41),
            "vendor_support": VENDOR_SUPPORT_LEVELS[(i // 21) % 3],
        }
        for i in range(n_systems)
    ]
    return {
        "submission_id": f"BENCH-{n_systems}",
        "insured": {
            "name": "Benchmark Border Systems AS",
            "kind": "contractor",
            "home_country": "NO",
            "currency": "EUR",
            "annual_revenue": 1_000_000_000,
            "headcount": 5000,
        },
        "currency": "EUR",
        "inception_date": "2026-04-01",
        "expiry_date": "2027-04-01",
        "tech_failure": {"systems": systems},
        "terms": {
            "tech_failure": {
                "deductible": 250_000,
                "limit": 20_000_000,
                "aggregate_limit": 40_000_000,
            }
        },
    }


def _timed(label: str, func: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    value = func()
    seconds = time.perf_counter() - start
    print(f"    {label:<10} {seconds:8.2f} s", flush=True)
    return value, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, nargs="+", default=[1_000, 20_000, 85_000])
    parser.add_argument("--years", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    tables = RatingTables.load()
    rows = []
    for n in args.systems:
        print(f"{n:,} systems, {args.years:,} years", flush=True)
        data = submission_data(n)
        submission, t_validate = _timed("validate", lambda d=data: Submission.from_data(d))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", XBorderRiskWarning)
            _, t_rate = _timed("rate", lambda s=submission: rate(s, tables))
            result, t_quote = _timed(
                "quote",
                lambda s=submission: quote(s, n_years=args.years, seed=args.seed, tables=tables),
            )
        gross = float(result.to_frame().loc["total", "gross_premium"])
        rows.append((n, t_validate, t_rate, t_quote, gross))
    print()
    print("| systems | validate (s) | rate (s) | rate+quote (s) | gross premium |")
    print("|--------:|-------------:|---------:|---------------:|--------------:|")
    for n, t_validate, t_rate, t_quote, gross in rows:
        print(f"| {n:,} | {t_validate:.2f} | {t_rate:.2f} | {t_quote:.2f} | {gross:,.0f} |")


if __name__ == "__main__":
    main()
