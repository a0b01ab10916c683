"""Outstanding losses from the simulation: paid, case, IBNR, risk adjustment, per line."""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from xborder_risk._deprecation import renamed_keyword
from xborder_risk._validation import (
    as_float_array,
    check_line_names,
    check_probability,
    check_real,
)
from xborder_risk.errors import ParameterError, XBorderRiskWarning
from xborder_risk.measures import tvar
from xborder_risk.reserves._capital import (
    SOLVENCY_II_COC_RATE,
    check_yield_curve,
    outstanding_fractions,
    risk_margin_from_outstanding,
)
from xborder_risk.reserves._common import lower_quantile
from xborder_risk.reserves._patterns import PaymentPattern, Valuation, YieldCurve

__all__ = ["RISK_ADJUSTMENT_TECHNIQUES", "UnpaidResult", "reserve_lines", "unpaid"]

#: IFRS 17 does not fix a confidence level; 75 % is a common choice and the issue's example.
DEFAULT_CONFIDENCE = 0.75

#: Techniques of the risk adjustment: conditional tail expectation (TVaR_c - mean, the
#: default) and confidence level (VaR_c - mean). See :meth:`UnpaidResult.risk_adjustment`.
RISK_ADJUSTMENT_TECHNIQUES: tuple[str, ...] = ("cte", "quantile")
DEFAULT_TECHNIQUE = "cte"


def check_technique(owner: str, name: str, technique: object) -> str:
    """Return ``technique`` after checking it is one of :data:`RISK_ADJUSTMENT_TECHNIQUES`."""
    if not isinstance(technique, str) or technique not in RISK_ADJUSTMENT_TECHNIQUES:
        raise ParameterError(
            owner, name, technique, "must be 'cte' (TVaR - mean) or 'quantile' (VaR - mean)"
        )
    return technique


def _risk_adjustment(
    owner: str, sample: NDArray[np.float64], level: object, technique: str
) -> tuple[float, float]:
    """Risk adjustment of a clean sample and its equivalent confidence level.

    Returns ``(RA, P(sample <= threshold))`` with ``threshold`` the amount the RA lifts the
    mean to: VaR_c for ``"quantile"``, TVaR_c for ``"cte"`` (c the confidence ``level``). The
    threshold is compared directly rather than as ``mean + RA``, whose rounding could drop an
    atom at VaR_c.
    """
    level = check_probability(owner, "level", level)
    mean = float(sample.mean())
    if technique == "quantile":
        threshold = lower_quantile(owner, "level", sample, level)
        adjustment = threshold - mean
    else:
        # E[X] <= TVaR_c <= max X exactly (TVaR_c is the mean of the quantiles above c); the
        # bounds only remove rounding: of VaR_c + (max - VaR_c) when only the largest value
        # lies above VaR_c, which could put TVaR_c an ulp above TVaR_c' = max for c' > c, and
        # of the mean of a constant sample, which can land an ulp above its value
        threshold = min(tvar(sample, level), float(sample.max()))
        adjustment = max(threshold - mean, 0.0)
    return adjustment, float(np.count_nonzero(sample <= threshold)) / sample.size


#: Payments are bucketed in quarter-months and discounted at each bucket's midpoint; the
#: midpoint rule's error is second order (about 1e-6 of the present value for usual curves).
STEPS_PER_MONTH = 4


def _future_payment_grid(
    pattern: PaymentPattern, valuation: Valuation
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Expected payments per quarter-month after the valuation date, per unit of ultimate.

    Returns the payment in each step k = 0, 1, ... after the valuation date (fraction of
    ultimate) and the step's midpoint in years after the valuation date.
    """
    elapsed = valuation.elapsed_months
    period = valuation.period_months
    horizon = period + pattern.fully_developed_months - elapsed
    n_steps = max(0, math.ceil(horizon * STEPS_PER_MONTH - 1e-9))
    if horizon > 0.0:
        n_steps = max(n_steps, 1)  # something is still unpaid: at least one step
    steps = np.arange(n_steps + 1, dtype=np.float64)
    paid = pattern.exposure_averaged("paid", elapsed + steps / STEPS_PER_MONTH, period)
    if n_steps > 0:
        paid[-1] = 1.0  # the last step ends past full development; guard the float sum
    payments = np.diff(paid)
    mid_years = (steps[:-1] + 0.5) / (12.0 * STEPS_PER_MONTH)
    return payments, mid_years


@dataclass(frozen=True, eq=False)
class UnpaidResult:
    """Split of each simulated year's loss at a valuation date, and its summaries.

    Attributes
    ----------
    paid, case, ibnr, unpaid : ndarray of float64, shape (n_years,)
        Per simulated year (currency): paid to date, reported but unpaid (case reserves),
        incurred but not reported, and unpaid = case + IBNR.
    paid_fraction, reported_fraction : float
        Exposure-averaged fractions of ultimate paid and reported at the valuation date.
    pattern : PaymentPattern
    valuation : Valuation
    yield_curve : YieldCurve or None
    discount_factor : float
        Present value of the future payments divided by their undiscounted amount (1 without
        a yield curve or with nothing unpaid). The timing of payments is the same for every
        simulated year, so one factor discounts them all.
    """

    paid: NDArray[np.float64]
    case: NDArray[np.float64]
    ibnr: NDArray[np.float64]
    unpaid: NDArray[np.float64]
    paid_fraction: float
    reported_fraction: float
    pattern: PaymentPattern
    valuation: Valuation
    yield_curve: YieldCurve | None
    discount_factor: float

    @property
    def discounted_unpaid(self) -> NDArray[np.float64]:
        """Present value of the unpaid amount per simulated year (currency)."""
        return self.unpaid * self.discount_factor

    def _sample(self, discounted: bool, owner: str) -> NDArray[np.float64]:
        if not isinstance(discounted, bool | np.bool_):
            raise ParameterError(owner, "discounted", discounted, "must be True or False")
        if discounted and self.yield_curve is None:
            raise ParameterError(
                owner, "discounted", discounted, "needs a yield_curve given to unpaid()"
            )
        return self.discounted_unpaid if discounted else self.unpaid

    def best_estimate(self, discounted: bool = False) -> float:
        """Best estimate of the outstanding claims: the mean unpaid amount (currency)."""
        return float(self._sample(discounted, "UnpaidResult.best_estimate").mean())

    def std(self, discounted: bool = False) -> float:
        """Standard deviation of the unpaid amount over simulated years (currency)."""
        return float(self._sample(discounted, "UnpaidResult.std").std())

    @renamed_keyword("p", "level")
    def quantile(self, level: float, discounted: bool = False) -> float:
        """VaR at a confidence level of the unpaid amount: the lower empirical quantile
        (currency)."""
        owner = "UnpaidResult.quantile"
        return lower_quantile(owner, "level", self._sample(discounted, owner), level)

    @renamed_keyword("confidence", "level")
    def risk_adjustment(
        self,
        level: float = DEFAULT_CONFIDENCE,
        discounted: bool = False,
        technique: str = DEFAULT_TECHNIQUE,
    ) -> float:
        """Risk adjustment for non-financial risk at a confidence level.

        Parameters
        ----------
        level : float, default 0.75
            Confidence level c in (0, 1) (keyword ``confidence``: deprecated spelling).
        discounted : bool, default False
            Use present values (needs a yield curve).
        technique : {"cte", "quantile"}, default "cte"
            ``"cte"``: conditional tail expectation, RA = TVaR_c(unpaid) - E[unpaid] with
            TVaR_c = VaR_c + E[(X - VaR_c)+] / (1 - c) (:func:`xborder_risk.measures.tvar`,
            Acerbi & Tasche 2002). ``"quantile"``: confidence-level technique,
            RA = VaR_c(unpaid) - E[unpaid].

        Returns
        -------
        float
            The risk adjustment (currency). With ``"cte"`` it is >= 0 and non-decreasing in
            c (TVaR_c is the mean of the quantiles above c). With ``"quantile"`` it is
            non-decreasing in c but not floored: below zero when the c-quantile sits below
            the mean of a right-skewed distribution (most simulated years loss-free), which a
            user should see rather than have hidden.

        Notes
        -----
        IFRS 17 Insurance Contracts, paragraphs 37 and B86-B92: the compensation the entity
        requires for bearing the uncertainty of the liability; B91(a) gives low-frequency,
        high-severity risks a higher RA than high-frequency, low-severity ones and B91(c)
        wider distributions a higher RA. The quantile technique breaks both for rare-loss
        lines (its RA is negative where the risk is greatest), so the CTE technique is the
        default. Paragraph 119 asks for the confidence level the RA corresponds to when
        another technique is used: :meth:`risk_adjustment_confidence_equivalent`.
        """
        owner = "UnpaidResult.risk_adjustment"
        kind = check_technique(owner, "technique", technique)
        sample = self._sample(discounted, owner)
        return _risk_adjustment(owner, sample, level, kind)[0]

    @renamed_keyword("confidence", "level")
    def risk_adjustment_confidence_equivalent(
        self,
        level: float = DEFAULT_CONFIDENCE,
        discounted: bool = False,
        technique: str = DEFAULT_TECHNIQUE,
    ) -> float:
        """Confidence level the risk adjustment corresponds to (IFRS 17 paragraph 119).

        Parameters are those of :meth:`risk_adjustment`.

        Returns
        -------
        float
            The empirical probability P(unpaid <= best estimate + RA), a fraction in (0, 1].
            For ``"quantile"`` it is P(unpaid <= VaR_c), c or just above (ceil(n c) / n, more
            with ties at VaR_c, e.g. 1 when VaR_c is the largest value); for ``"cte"`` it is
            P(unpaid <= TVaR_c), at least c.
        """
        owner = "UnpaidResult.risk_adjustment_confidence_equivalent"
        kind = check_technique(owner, "technique", technique)
        sample = self._sample(discounted, owner)
        return _risk_adjustment(owner, sample, level, kind)[1]

    def expected_cash_flows(self) -> pd.DataFrame:
        """Expected future payments by year after the valuation date.

        Returns
        -------
        pandas.DataFrame
            Index ``year`` = 1, 2, ... (year after the valuation date); columns
            ``expected_payment`` (currency, mean over simulated years) and ``present_value``
            (discounted at mid-quarter-month with the yield curve; equal to the payment
            without one).
        """
        payments, mid_years = _future_payment_grid(self.pattern, self.valuation)
        mean_loss = float((self.paid + self.case + self.ibnr).mean())
        if payments.size == 0:
            return pd.DataFrame(
                {"expected_payment": [], "present_value": []},
                index=pd.Index([], name="year", dtype=np.int64),
            )
        discount = (
            np.ones_like(mid_years)
            if self.yield_curve is None
            else self.yield_curve.discount_factor(mid_years)
        )
        year = np.arange(payments.size) // (12 * STEPS_PER_MONTH)
        n = int(year[-1]) + 1
        expected = mean_loss * np.bincount(year, weights=payments, minlength=n)
        present = mean_loss * np.bincount(year, weights=payments * discount, minlength=n)
        return pd.DataFrame(
            {"expected_payment": expected, "present_value": present},
            index=pd.Index(np.arange(1, n + 1), name="year"),
        )


def unpaid(
    annual_losses: ArrayLike,
    pattern: PaymentPattern,
    inception_date: dt.date | str,
    policy_period_years: float,
    valuation_date: dt.date | str,
    *,
    yield_curve: YieldCurve | None = None,
) -> UnpaidResult:
    """Split simulated losses of one policy period into paid, case and IBNR at a valuation date.

    Parameters
    ----------
    annual_losses : array_like of float, shape (n_years,)
        Simulated ultimate loss of the policy period, one value per simulated year
        (currency), finite and >= 0.
    pattern : PaymentPattern
        Reporting and payment pattern of the line.
    inception_date : datetime.date or ISO string
        Start of the policy period.
    policy_period_years : float
        Length of the policy period in years (> 0); losses occur uniformly over it.
    valuation_date : datetime.date or ISO string
        Valuation date, on or after inception.
    yield_curve : YieldCurve, optional
        Spot curve for present values of the unpaid amount.

    Returns
    -------
    UnpaidResult

    Notes
    -----
    With tau the months from inception to the valuation date, T the policy period in months
    and P_paid, P_rep the patterns (0 at development month 0), the exposure-averaged
    fractions are

        F_x(tau) = (1/T) int_0^T P_x(tau - s) ds,   x in {paid, rep},

    integrated exactly (see :meth:`PaymentPattern.exposure_averaged`). For a simulated
    ultimate L: paid = L F_paid, case = L (F_rep - F_paid), IBNR = L (1 - F_rep),
    unpaid = L (1 - F_paid). Every simulated year shares the timing (the pattern is
    deterministic), so the spread of the unpaid amount comes from the loss itself; pattern
    uncertainty is not modelled. Present values discount the expected payment of each
    quarter-month after the valuation date at its midpoint with v(t) = (1 + r(t))^(-t).
    """
    owner = "unpaid"
    losses = as_float_array(owner, "annual_losses", annual_losses, non_negative=True, copy=True)
    if not isinstance(pattern, PaymentPattern):
        raise ParameterError(owner, "pattern", type(pattern).__name__, "must be a PaymentPattern")
    check_yield_curve(owner, yield_curve)
    valuation = Valuation(inception_date, valuation_date, policy_period_years)
    return _unpaid(losses, pattern, valuation, yield_curve)


def _unpaid(
    losses: NDArray[np.float64],
    pattern: PaymentPattern,
    valuation: Valuation,
    yield_curve: YieldCurve | None,
) -> UnpaidResult:
    """Kernel of :func:`unpaid` on validated input."""
    tau = valuation.elapsed_months
    period = valuation.period_months
    paid_fraction = float(pattern.exposure_averaged("paid", tau, period))
    reported_fraction = float(pattern.exposure_averaged("reported", tau, period))
    # reported >= paid holds pointwise, so for the averages too; only rounding in the two
    # separate integrals could reverse them by an ulp and make case reserves negative
    reported_fraction = max(reported_fraction, paid_fraction)
    paid = losses * paid_fraction
    case = losses * (reported_fraction - paid_fraction)
    ibnr = losses * (1.0 - reported_fraction)
    outstanding = losses * (1.0 - paid_fraction)
    discount_factor = 1.0
    unpaid_fraction = 1.0 - paid_fraction
    if yield_curve is not None and unpaid_fraction > 0.0:
        payments, mid_years = _future_payment_grid(pattern, valuation)
        present = float(np.sum(payments * yield_curve.discount_factor(mid_years)))
        discount_factor = present / float(payments.sum())
    for array in (paid, case, ibnr, outstanding):
        array.flags.writeable = False
    return UnpaidResult(
        paid=paid,
        case=case,
        ibnr=ibnr,
        unpaid=outstanding,
        paid_fraction=paid_fraction,
        reported_fraction=reported_fraction,
        pattern=pattern,
        valuation=valuation,
        yield_curve=yield_curve,
        discount_factor=discount_factor,
    )


_QUANTILE_COLUMNS = {"unpaid_q75": 0.75, "unpaid_q99_5": 0.995}


@renamed_keyword("confidence", "level")
def reserve_lines(
    annual: ArrayLike,
    lines: Sequence[str],
    patterns: Mapping[str, PaymentPattern],
    inception_date: dt.date | str,
    policy_period_years: float,
    valuation_date: dt.date | str,
    *,
    level: float = DEFAULT_CONFIDENCE,
    risk_adjustment_technique: str = DEFAULT_TECHNIQUE,
    scr_level: float = 0.995,
    coc_rate: float = SOLVENCY_II_COC_RATE,
    yield_curve: YieldCurve | None = None,
) -> pd.DataFrame:
    """Reserve table per line and in total from a simulated year-loss table.

    Parameters
    ----------
    annual : array_like of float, shape (n_years, n_lines)
        Simulated loss per year and line (currency), e.g. ``SimulationResult.annual``.
    lines : sequence of str
        Line names, one per column of ``annual`` (``SimulationResult.lines``).
    patterns : mapping of str to PaymentPattern
        Pattern of every line.
    inception_date, policy_period_years, valuation_date
        As in :func:`unpaid`.
    level : float, default 0.75
        Confidence level of the risk adjustment, in (0, 1) (keyword ``confidence``:
        deprecated spelling).
    risk_adjustment_technique : {"cte", "quantile"}, default "cte"
        Technique of the risk adjustment (:meth:`UnpaidResult.risk_adjustment`): TVaR minus
        the mean, or the quantile minus the mean.
    scr_level : float, default 0.995
        Level of the SCR quantile, in (0, 1).
    coc_rate : float, default 0.06
        Cost-of-capital rate for the risk margin, in [0, 1].
    yield_curve : YieldCurve, optional
        Spot curve: adds discounted columns and discounts the risk margin.

    Returns
    -------
    pandas.DataFrame
        Index ``line``: each line, then ``"total"``. Columns (currency unless stated):

        - ``expected_loss``: mean simulated loss of the policy period;
        - ``paid``, ``case``, ``ibnr``: means at the valuation date;
        - ``best_estimate_reserve``: mean unpaid (= case + ibnr), undiscounted;
        - ``unpaid_std``, ``unpaid_q75``, ``unpaid_q99_5``: spread of the unpaid amount;
        - ``confidence`` (fraction) and ``risk_adjustment`` at that level by the chosen
          technique: >= 0 for ``"cte"``; for ``"quantile"`` negative, with an
          :class:`~xborder_risk.errors.XBorderRiskWarning`, when the quantile lies below the
          mean, as for a heavy right tail at 75 % or a line loss-free in most years;
        - ``risk_adjustment_confidence_equivalent`` (fraction): P(unpaid <= best estimate +
          risk adjustment), the confidence level IFRS 17 paragraph 119 asks to disclose;
        - ``scr``: VaR_scr_level(loss) - mean, the one-year capital on the period's loss;
        - ``scr_unpaid``: the same on the unpaid amount at the valuation date (equal to
          ``scr`` when valuing at inception);
        - ``risk_margin``: cost-of-capital margin on ``scr_unpaid`` run off with the pattern
          (0, with an :class:`~xborder_risk.errors.XBorderRiskWarning`, when ``scr_unpaid``
          is negative because the losses are rarer than ``1 - scr_level``);
        - with a yield curve also ``best_estimate_reserve_discounted`` and
          ``risk_adjustment_discounted`` (same technique and level).

        ``attrs["risk_adjustment_technique"]`` records the technique.

    Notes
    -----
    The total row is computed from the per-year sum over lines (loss and unpaid), so its
    quantiles, SCR and risk adjustment include diversification; they are not sums of the
    line figures. The total's run-off for the risk margin is the expected outstanding amount
    of all lines together, sum_l E[L_l] U_l(t). Formulas: :func:`unpaid`,
    :meth:`UnpaidResult.risk_adjustment`, :func:`scr`, :func:`cost_of_capital_risk_margin`.
    """
    owner = "reserve_lines"
    losses = as_float_array(owner, "annual", annual, ndim=2, non_negative=True, copy=True)
    names = list(check_line_names(owner, "lines", lines, count=losses.shape[1]))
    if not isinstance(patterns, Mapping):
        raise ParameterError(owner, "patterns", type(patterns).__name__, "must be a mapping")
    for name in names:
        if not isinstance(patterns.get(name), PaymentPattern):
            raise ParameterError(
                owner, f"patterns[{name!r}]", patterns.get(name), "must be a PaymentPattern"
            )
    level = check_probability(owner, "level", level)
    technique = check_technique(owner, "risk_adjustment_technique", risk_adjustment_technique)
    scr_p = check_probability(owner, "scr_level", scr_level)
    coc = check_real(owner, "coc_rate", coc_rate, lower=0.0, upper=1.0)
    check_yield_curve(owner, yield_curve)
    valuation = Valuation(inception_date, valuation_date, policy_period_years)

    results = [
        _unpaid(np.ascontiguousarray(losses[:, j]), patterns[name], valuation, yield_curve)
        for j, name in enumerate(names)
    ]
    runoffs = [outstanding_fractions(patterns[name], valuation) for name in names]
    rows = [
        _row(
            losses[:, j],
            r.unpaid,
            r.discounted_unpaid if yield_curve is not None else None,
            (r.paid.mean(), r.case.mean(), r.ibnr.mean()),
            runoffs[j],
            level,
            technique,
            scr_p,
            coc,
            yield_curve,
        )
        for j, r in enumerate(results)
    ]

    total_runoff = np.zeros(max(r.size for r in runoffs))
    for j, r in enumerate(runoffs):
        total_runoff[: r.size] += float(losses[:, j].mean()) * r
    total_unpaid = np.sum([r.unpaid for r in results], axis=0)
    total_discounted = (
        np.sum([r.discounted_unpaid for r in results], axis=0) if yield_curve is not None else None
    )
    total_parts = (
        float(sum(r.paid.mean() for r in results)),
        float(sum(r.case.mean() for r in results)),
        float(sum(r.ibnr.mean() for r in results)),
    )
    rows.append(
        _row(
            losses.sum(axis=1),
            total_unpaid,
            total_discounted,
            total_parts,
            total_runoff,
            level,
            technique,
            scr_p,
            coc,
            yield_curve,
        )
    )
    table = pd.DataFrame(rows, index=pd.Index([*names, "total"], name="line"))
    table.attrs["risk_adjustment_technique"] = technique
    return table


def _row(
    loss: NDArray[np.float64],
    outstanding: NDArray[np.float64],
    discounted: NDArray[np.float64] | None,
    parts: tuple[float, float, float],
    runoff: NDArray[np.float64],
    confidence: float,
    technique: str,
    scr_level: float,
    coc_rate: float,
    yield_curve: YieldCurve | None,
) -> dict[str, float]:
    """One row of :func:`reserve_lines` from clean arrays."""
    owner = "reserve_lines"
    mean_unpaid = float(outstanding.mean())
    scr_unpaid = lower_quantile(owner, "scr_level", outstanding, scr_level) - mean_unpaid
    row = {
        "expected_loss": float(loss.mean()),
        "paid": float(parts[0]),
        "case": float(parts[1]),
        "ibnr": float(parts[2]),
        "best_estimate_reserve": mean_unpaid,
        "unpaid_std": float(outstanding.std()),
    }
    for column, p in _QUANTILE_COLUMNS.items():
        row[column] = lower_quantile(owner, column, outstanding, p)
    row["confidence"] = confidence
    row["risk_adjustment"], row["risk_adjustment_confidence_equivalent"] = _risk_adjustment(
        owner, outstanding, confidence, technique
    )
    if row["risk_adjustment"] < 0.0:  # only the quantile technique can be below zero
        # a heavy right tail puts the mean above the chosen quantile (a lognormal with
        # sigma > 1.35 has its mean above the 75th percentile)
        warnings.warn(
            f"reserve_lines: the {confidence:g} quantile of the unpaid amount is below its "
            f"mean (risk adjustment {row['risk_adjustment']:.6g}); a higher confidence level "
            "is needed for a positive risk adjustment, or the CTE technique "
            "(risk_adjustment_technique='cte'), which is never negative",
            XBorderRiskWarning,
            stacklevel=3,
        )
    row["scr"] = lower_quantile(owner, "scr_level", loss, scr_level) - float(loss.mean())
    row["scr_unpaid"] = scr_unpaid
    if scr_unpaid < 0.0:
        # VaR below the mean: losses rarer than 1 - scr_level (a political-risk book, say);
        # no capital is held against them at this level, so no capital is there to cost
        warnings.warn(
            f"reserve_lines: VaR_{scr_level:g} of the unpaid amount is below its mean "
            f"(scr_unpaid = {scr_unpaid:.6g}); the risk margin is set to 0 for this row",
            XBorderRiskWarning,
            stacklevel=3,
        )
        row["risk_margin"] = 0.0
    else:
        row["risk_margin"] = risk_margin_from_outstanding(scr_unpaid, runoff, coc_rate, yield_curve)
    if discounted is not None:
        mean_discounted = float(discounted.mean())
        row["best_estimate_reserve_discounted"] = mean_discounted
        row["risk_adjustment_discounted"] = _risk_adjustment(
            owner, discounted, confidence, technique
        )[0]
    return row
