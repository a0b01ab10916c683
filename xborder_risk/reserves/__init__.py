"""Reserves: chain ladder and Mack on triangles; outstanding losses, risk adjustment and capital
from the simulation.

Part A, triangles (Mack 1993, 1994):

- :class:`Triangle`, :func:`load_sample` (``"genins"``, ``"raa"``);
- :class:`Chainladder` (volume-weighted factors, ``ldf_``, ``cdf_``, ``ultimate_``, ``ibnr_``);
- :class:`MackChainladder` (``sigma_``, ``std_err_``, ``total_std_err_``, ``summary_``).

Part B, from a simulated year-loss table (numpy arrays in, pandas out):

- :class:`PaymentPattern` (reported and paid fractions by development month),
  :class:`Valuation`, :class:`YieldCurve`;
- :func:`unpaid` -> :class:`UnpaidResult` (paid / case / IBNR per simulated year, best estimate,
  quantiles, IFRS 17 risk adjustment by the CTE (TVaR minus mean, default) or quantile
  technique with its equivalent confidence level, discounting);
- :func:`scr`, :func:`cost_of_capital_risk_margin`, :func:`runoff_profile` (Solvency II style);
- :func:`reserve_lines`: the per-line and total reserve table used by the quote.

Formulas and sources: docs/reserves.md.
"""

from __future__ import annotations

from xborder_risk.reserves._backtest import (
    BacktestResult,
    SyntheticBook,
    backtest,
    synthetic_claims,
)
from xborder_risk.reserves._capital import cost_of_capital_risk_margin, runoff_profile, scr
from xborder_risk.reserves._chainladder import Chainladder, MackChainladder
from xborder_risk.reserves._claims import ClaimsData, read_claims
from xborder_risk.reserves._expected import Benktander, BornhuetterFerguson, CapeCod, rated_prior
from xborder_risk.reserves._interop import from_chainladder, to_chainladder
from xborder_risk.reserves._patterns import PaymentPattern, Valuation, YieldCurve
from xborder_risk.reserves._stochastic import BootstrapODP, MerzWuthrich
from xborder_risk.reserves._triangle import SAMPLES, Triangle, load_sample
from xborder_risk.reserves._unpaid import (
    RISK_ADJUSTMENT_TECHNIQUES,
    UnpaidResult,
    reserve_lines,
    unpaid,
)
from xborder_risk.reserves.basis import ReserveResult, ReservingBasis, reserve

__all__ = [
    "RISK_ADJUSTMENT_TECHNIQUES",
    "SAMPLES",
    "BacktestResult",
    "Benktander",
    "BootstrapODP",
    "BornhuetterFerguson",
    "CapeCod",
    "Chainladder",
    "ClaimsData",
    "MackChainladder",
    "MerzWuthrich",
    "PaymentPattern",
    "ReserveResult",
    "ReservingBasis",
    "SyntheticBook",
    "Triangle",
    "UnpaidResult",
    "Valuation",
    "YieldCurve",
    "backtest",
    "cost_of_capital_risk_margin",
    "from_chainladder",
    "load_sample",
    "rated_prior",
    "read_claims",
    "reserve",
    "reserve_lines",
    "runoff_profile",
    "scr",
    "synthetic_claims",
    "to_chainladder",
    "unpaid",
]
