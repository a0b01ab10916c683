"""Simulate one line of cover and print its summary.

A cyber line for a border agency's traveller-data platform: negative binomial frequency
(over-dispersed breach counts, Edwards, Hofmeyr & Forrest 2016) and a lognormal body
spliced to a generalised Pareto tail (tail index in the published 0.7-1.5 range,
Maillart & Sornette 2010), under a 250,000 deductible and a 10,000,000 limit.
The parameters are illustrative, not fitted to data.

Run: ``python examples/simulate_line.py``
"""

from __future__ import annotations

import pandas as pd

from xborder_risk.distributions import GeneralizedPareto, Lognormal, NegativeBinomial, Spliced
from xborder_risk.engine import Layer, LossModel, simulate
from xborder_risk.exact import aggregate_distribution

cyber = LossModel(
    name="cyber",
    frequency=NegativeBinomial(r=1.2, beta=0.5),  # mean 0.6 incidents a year (illustrative)
    severity=Spliced(
        body=Lognormal(mu=11.5, sigma=1.6),  # median about 99,000 EUR (illustrative)
        tail=GeneralizedPareto(xi=0.8, beta=1_500_000.0),  # tail index 1/xi = 1.25
        threshold=2_000_000.0,
    ),
    layer=Layer(deductible=250_000, limit=10_000_000, aggregate_limit=20_000_000),
)

if __name__ == "__main__":
    result = simulate(cyber, n_years=200_000, seed=20261123)
    pd.set_option("display.width", 160, "display.float_format", "{:,.0f}".format)
    print("Simulated annual layer loss, EUR (200,000 years, seed 20261123)")
    print(result.summary(levels=(0.99, 0.995)).T.to_string())
    exact = aggregate_distribution(cyber)
    print(
        f"\nExact (FFT) check: mean {exact.mean():,.0f}, "
        f"VaR 99.5% {exact.value_at_risk(0.995):,.0f}, TVaR 99% {exact.tvar(0.99):,.0f}"
    )
    print("\nAggregate exceedance probability (AEP):")
    # Probabilities as probabilities (0.005, not a rounded 0), losses as amounts.
    print(
        result.ep_curve("aep").to_string(
            index=False,
            formatters={
                "return_period": "{:,.0f}".format,
                "exceedance_probability": "{:.4g}".format,
                "loss": "{:,.0f}".format,
            },
        )
    )
