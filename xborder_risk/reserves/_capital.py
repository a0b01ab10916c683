"""Solvency capital and the cost-of-capital risk margin over the run-off."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from xborder_risk._validation import as_float_array, check_real
from xborder_risk.errors import ParameterError
from xborder_risk.reserves._common import lower_quantile
from xborder_risk.reserves._patterns import PaymentPattern, Valuation, YieldCurve

__all__ = ["cost_of_capital_risk_margin", "runoff_profile", "scr"]

#: Cost-of-capital rate of Solvency II, Delegated Regulation (EU) 2015/35, Art. 39.
SOLVENCY_II_COC_RATE = 0.06


def scr(losses: ArrayLike, level: float = 0.995) -> float:
    """One-year capital requirement: VaR at ``level`` of the simulated loss minus its mean.

    Parameters
    ----------
    losses : array_like of float, shape (n_years,)
        Simulated losses over the year (currency), finite and >= 0.
    level : float, default 0.995
        Confidence level in (0, 1).

    Returns
    -------
    float
        SCR = VaR_level(X) - E[X] (currency).

    Notes
    -----
    Solvency II calibrates the SCR to the Value-at-Risk of basic own funds at 99.5 % over one
    year (Directive 2009/138/EC, Art. 101(3)); for a book of losses the capital over the
    expected loss is VaR_0.995(X) - E[X]. VaR is the lower empirical quantile (the
    ceil(n p)-th order statistic), as in :func:`xborder_risk.measures.value_at_risk`.
    """
    x = as_float_array("scr", "losses", losses, non_negative=True)
    return lower_quantile("scr", "level", x, level) - float(x.mean())


def outstanding_fractions(pattern: PaymentPattern, valuation: Valuation) -> NDArray[np.float64]:
    """Unpaid fraction of ultimate at the valuation date and each whole year after, to zero."""
    elapsed = valuation.elapsed_months
    period = valuation.period_months
    horizon = period + pattern.fully_developed_months - elapsed
    n_years = max(0, math.ceil(horizon / 12.0 - 1e-12))
    times = elapsed + 12.0 * np.arange(n_years + 1)
    outstanding = 1.0 - pattern.exposure_averaged("paid", times, period)
    paid_off = np.flatnonzero(outstanding <= 0.0)
    # day-count rounding can add a year of zeros; end the run-off at the first zero
    return outstanding if paid_off.size == 0 else outstanding[: paid_off[0] + 1]


def runoff_profile(pattern: PaymentPattern, valuation: Valuation) -> pd.Series:
    """Outstanding (unpaid) share of the reserve at the valuation date and each year after.

    Parameters
    ----------
    pattern : PaymentPattern
        Paid pattern of the line.
    valuation : Valuation
        Inception, policy period and valuation date.

    Returns
    -------
    pandas.Series
        Indexed by whole years t = 0, 1, ... after the valuation date: unpaid at t divided by
        unpaid at 0 (1 at t = 0, 0 once fully paid); a single 0 when nothing is outstanding
        at the valuation date.
    """
    _check_types("runoff_profile", pattern, valuation)
    outstanding = outstanding_fractions(pattern, valuation)
    if outstanding[0] <= 0.0:
        profile = np.zeros(1)
    else:
        profile = outstanding / outstanding[0]
    return pd.Series(profile, index=pd.RangeIndex(profile.size, name="year"), name="runoff")


def _check_types(owner: str, pattern: object, valuation: object) -> None:
    if not isinstance(pattern, PaymentPattern):
        raise ParameterError(owner, "pattern", type(pattern).__name__, "must be a PaymentPattern")
    if not isinstance(valuation, Valuation):
        raise ParameterError(owner, "valuation", type(valuation).__name__, "must be a Valuation")


def check_yield_curve(owner: str, yield_curve: object) -> None:
    """Raise unless ``yield_curve`` is a :class:`YieldCurve` or None."""
    if yield_curve is not None and not isinstance(yield_curve, YieldCurve):
        raise ParameterError(
            owner, "yield_curve", type(yield_curve).__name__, "must be a YieldCurve or None"
        )


def risk_margin_from_outstanding(
    scr0: float,
    outstanding: NDArray[np.float64],
    rate: float,
    yield_curve: YieldCurve | None,
) -> float:
    """CoC * sum_t SCR_t v(t + 1), SCR_t = scr0 * outstanding[t] / outstanding[0] (clean input)."""
    if outstanding.size == 0 or outstanding[0] <= 0.0:
        return 0.0
    scr_t = scr0 * outstanding / outstanding[0]
    years_to_discount = np.arange(1, scr_t.size + 1, dtype=np.float64)
    if yield_curve is None:
        discount = np.ones_like(years_to_discount)
    else:
        discount = yield_curve.discount_factor(years_to_discount)
    return float(rate * np.sum(scr_t * discount))


def cost_of_capital_risk_margin(
    scr0: float,
    pattern: PaymentPattern,
    valuation: Valuation,
    rate: float = SOLVENCY_II_COC_RATE,
    yield_curve: YieldCurve | None = None,
) -> float:
    """Cost-of-capital risk margin with the SCR run off in line with the outstanding claims.

    Parameters
    ----------
    scr0 : float
        Capital requirement at the valuation date (currency), >= 0, e.g. :func:`scr` of the
        unpaid amount.
    pattern : PaymentPattern
        Paid pattern that drives the run-off.
    valuation : Valuation
        Inception, policy period and valuation date.
    rate : float, default 0.06
        Cost-of-capital rate (Solvency II: 6 %), in [0, 1].
    yield_curve : YieldCurve, optional
        Risk-free spot curve; undiscounted when omitted.

    Returns
    -------
    float
        Risk margin (currency).

    Notes
    -----
    Delegated Regulation (EU) 2015/35, Art. 37(1):

        RM = CoC * sum_{t >= 0} SCR(t) / (1 + r(t + 1))^(t + 1),

    CoC = 6 % (Art. 39), SCR(t) the capital of the reference undertaking (Art. 38) after t
    years. SCR(t) is projected in proportion to the outstanding (unpaid) claims implied by
    the pattern, SCR(t) = SCR(0) U(t) / U(0), with U the exposure-averaged unpaid fraction:
    an approximation of each SCR(t) as allowed by Art. 58(a), the proportional approach
    (method 3 of the hierarchy of risk-margin simplifications in CEIOPS-DOC-72/10 and the
    EIOPA Guidelines on the valuation of technical provisions, EIOPA-BoS-14/166). A longer
    pattern keeps U(t) up for longer and so gives a larger margin for the same SCR(0).
    """
    owner = "cost_of_capital_risk_margin"
    _check_types(owner, pattern, valuation)
    capital = check_real(owner, "scr0", scr0, lower=0.0)
    coc = check_real(owner, "rate", rate, lower=0.0, upper=1.0)
    check_yield_curve(owner, yield_curve)
    return risk_margin_from_outstanding(
        capital, outstanding_fractions(pattern, valuation), coc, yield_curve
    )
