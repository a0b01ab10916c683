"""The Python API for an actuary: custom tables, custom layers and models, the simulation.

Five steps on the agency traveller-data platform submission
(``examples/submissions/agency_traveller_data_platform.yaml``):

1. quote it with the shipped rating tables;
2. copy the tables to a scratch directory, change one relativity, re-checksum, load them
   with ``RatingTables.load(path)`` and re-quote: the effect of one rating assumption;
3. take the rated cyber model and price a menu of deductibles (custom ``Layer``);
4. add a line of your own (``LossModel`` from ``xborder_risk.distributions``) and read the
   simulated year-loss table directly;
5. check the simulated cyber line against its exact aggregate distribution (FFT).

Run: ``python examples/actuary_api.py`` (set ``XBORDER_RISK_YEARS`` for fewer years).
All figures come from illustrative rating tables.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from xborder_risk import Submission, quote
from xborder_risk.distributions import Lognormal, Poisson
from xborder_risk.engine import Layer, LossModel, simulate
from xborder_risk.exact import aggregate_distribution
from xborder_risk.pricing import PricingBasis, WangTransform
from xborder_risk.rating import (
    RatingTables,
    expected_layer_loss,
    rate,
    refresh_checksums,
    shipped_tables_location,
)

SUBMISSION = Path(__file__).resolve().parent / "submissions" / "agency_traveller_data_platform.yaml"
SEED = 2026


def tables_with_weaker_mfa(directory: Path, *, weaker: bool = True) -> RatingTables:
    """Shipped tables with the MFA frequency credit cut from 0.75 to 0.90 (a what-if).

    The floor on the combined control credit (line_parameters.csv, control_credit_floor) is
    lifted to 0 as well: with the shipped floor of 0.5 this insured's credits are capped, and
    a weaker MFA credit would change nothing.
    """
    shipped = Path(str(shipped_tables_location()))
    shutil.copytree(shipped, directory, dirs_exist_ok=True)
    relativities = directory / "relativities.csv"
    frame = pd.read_csv(relativities, keep_default_na=False)
    is_mfa = (frame["line"] == "cyber") & (frame["level"] == "mfa")
    if weaker:
        frame.loc[is_mfa, "frequency_factor"] = 0.90
    frame.to_csv(relativities, index=False, lineterminator="\n")
    parameters = directory / "line_parameters.csv"
    table = pd.read_csv(parameters, keep_default_na=False)
    table.loc[table["name"] == "control_credit_floor", "value"] = 0.0
    table.to_csv(parameters, index=False, lineterminator="\n")
    # The manifest pins every table's sha256; a deliberate edit is re-checksummed, and the
    # quote's provenance then records the new checksum.
    refresh_checksums(directory)
    return RatingTables.load(directory)


def main() -> None:
    n_years = int(os.environ.get("XBORDER_RISK_YEARS", "200000"))
    pd.set_option("display.width", 140, "display.float_format", "{:,.0f}".format)
    submission = Submission.from_file(SUBMISSION)

    # 1. The quote with the shipped tables, and with a Wang-transform pricing basis.
    base = quote(submission, n_years=n_years, seed=SEED)
    wang = quote(
        submission, n_years=n_years, seed=SEED, basis=PricingBasis(principle=WangTransform(0.25))
    )
    print(f"1. Quote ({base.currency}, {n_years:,} years, seed {SEED})")
    print(base.to_frame()[["expected_loss", "expected_loss_se", "risk_load", "gross_premium"]])
    print(
        f"   Gross premium, cost of capital: {base.to_frame().loc['total', 'gross_premium']:,.0f}"
        f"; Wang transform (lambda 0.25): {wang.to_frame().loc['total', 'gross_premium']:,.0f}"
    )

    # 2. Custom rating tables from a directory.
    with tempfile.TemporaryDirectory() as scratch:
        unfloored = tables_with_weaker_mfa(Path(scratch) / "unfloored", weaker=False)
        custom = tables_with_weaker_mfa(Path(scratch) / "tables")
        reference = quote(submission, n_years=n_years, seed=SEED, tables=unfloored)
        what_if = quote(submission, n_years=n_years, seed=SEED, tables=custom)
    before = reference.to_frame().loc["cyber", "expected_loss"]
    after = what_if.to_frame().loc["cyber", "expected_loss"]
    exact_ratio = expected_layer_loss(what_if.rated.model("cyber")) / expected_layer_loss(
        reference.rated.model("cyber")
    )
    print(
        f"\n2. MFA credit 0.75 -> 0.90 (control-credit floor lifted): cyber expected loss "
        f"{before:,.0f} -> {after:,.0f}"
    )
    print(
        f"   simulated ratio {after / before:.3f}; exact ratio of the rated expected layer "
        f"losses {exact_ratio:.3f} (= 0.90 / 0.75: MFA changes the frequency only)"
    )

    # 3. A deductible menu on the rated cyber model: same frequency and severity, new Layer.
    cyber = rate(submission).model("cyber")
    menu = []
    for deductible in (250_000.0, 1_000_000.0, 2_500_000.0):
        layer = dataclasses.replace(cyber.layer, deductible=deductible)
        result = simulate(dataclasses.replace(cyber, layer=layer), n_years, seed=SEED)
        menu.append(
            {
                "deductible": deductible,
                "expected_loss": result.mean(),
                "tvar_99": result.tvar(0.99),
            }
        )
    print(f"\n3. Cyber deductible options ({base.currency}, insurer's 50% share)")
    print(pd.DataFrame(menu).to_string(index=False))

    # 4. A line of our own next to the rated lines, and the year-loss table itself.
    baggage_scanners = LossModel(
        name="scanner_breakdown",
        frequency=Poisson(lam=1.5),  # illustrative: 1.5 breakdowns a year
        severity=Lognormal(mu=np.log(40_000.0), sigma=1.1),  # median 40,000 (illustrative)
        layer=Layer(deductible=10_000.0, limit=500_000.0, aggregate_limit=1_000_000.0),
    )
    models = (*rate(submission).models, baggage_scanners)
    result = simulate(models, n_years, seed=SEED)
    print(f"\n4. Year-loss table: annual {result.annual.shape}, lines {result.lines}")
    print(f"   Years with any loss: {np.mean(result.total > 0):.1%}")
    worst = int(np.argmax(result.total))
    print(
        f"   Worst year #{worst}: total {result.total[worst]:,.0f}, largest single "
        f"occurrence {result.max_occurrence[worst].max():,.0f}"
    )
    print(result.summary(levels=(0.99, 0.995))[["mean", "mean_se", "var_99_5", "tvar_99"]])

    # 5. Simulation against the exact aggregate distribution of the cyber line.
    exact = aggregate_distribution(cyber)
    simulated = simulate(cyber, n_years, seed=SEED)
    se = simulated.summary(levels=(0.995,)).loc["cyber", "mean_se"]
    var_se = simulated.summary(levels=(0.995,)).loc["cyber", "var_99_5_se"]
    print("\n5. Cyber line: simulation (± Monte Carlo s.e.) vs exact aggregate distribution (FFT)")
    print(f"   mean:      {simulated.mean():,.0f} ± {se:,.0f}; exact {exact.mean():,.0f}")
    print(
        f"   VaR 99.5%: {simulated.value_at_risk(0.995):,.0f} ± {var_se:,.0f}; "
        f"exact {float(exact.value_at_risk(0.995)):,.0f}"
    )


if __name__ == "__main__":
    main()
