"""Experience rating: the insured's own loss history blended with the exposure rate.

After a line's components are rated (the *exposure rate*), :func:`experience_modification`
compares the line's loss history with what the rated model expects in the *same* layer (the
history's deductible, its limit or the ratable cap), at the history years' cost level and
exposure, developed to the valuation age with the line's reporting pattern; the ratio is
blended with 1 by Bühlmann–Straub credibility and capped.  The rater multiplies every
component's expected claim count by the result.  Method, parameters and a worked example:
``docs/experience.md``.

:func:`buhlmann_straub` is the nonparametric Bühlmann–Straub estimator of the structural
parameters from a panel of risks (Klugman, Panjer & Willmot, *Loss Models*; Bühlmann & Gisler,
*A Course in Credibility Theory*, 2005, §4.8), for re-estimating the between-insured variance
``vhm`` of ``experience.csv`` from a book's histories.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xborder_risk._validation import as_float_array
from xborder_risk.distributions import Severity
from xborder_risk.errors import ParameterError

__all__ = [
    "EXPERIENCE_TABLE",
    "BuhlmannStraub",
    "ExperienceResult",
    "ExperienceStep",
    "buhlmann_straub",
    "experience_modification",
    "policy_year_reported",
]

#: The rating table of the experience parameters (one row per line).
EXPERIENCE_TABLE = "experience"
#: Points per month of the grid averaging the pattern over a year's occurrence dates.
_GRID_PER_MONTH = 8


# --------------------------------------------------------------------------------------------
# Bühlmann–Straub structural parameters


@dataclass(frozen=True)
class BuhlmannStraub:
    """Nonparametric Bühlmann–Straub estimates for a panel of risks.

    Attributes
    ----------
    collective_mean : float
        :math:`\\bar X = \\sum_i m_i \\bar X_i / m`, the weighted mean of all observations.
    epv : float
        Expected process variance per unit weight, :math:`\\hat v`.
    vhm : float
        Variance of the hypothetical means, :math:`\\hat a` (0 when the estimate is <= 0).
    k : float
        :math:`\\hat v / \\hat a` (``inf`` when ``vhm`` is 0).
    risk_means : ndarray
        :math:`\\bar X_i`, each risk's weighted mean.
    risk_weights : ndarray
        :math:`m_i`, each risk's total weight.
    credibility : ndarray
        :math:`Z_i = m_i / (m_i + k)`.
    premiums : ndarray
        Credibility estimate per unit weight,
        :math:`Z_i \\bar X_i + (1 - Z_i) \\bar X`.
    """

    collective_mean: float
    epv: float
    vhm: float
    k: float
    risk_means: NDArray[np.float64]
    risk_weights: NDArray[np.float64]
    credibility: NDArray[np.float64]
    premiums: NDArray[np.float64]


def buhlmann_straub(ratios: ArrayLike, weights: ArrayLike) -> BuhlmannStraub:
    """Estimate the Bühlmann–Straub structural parameters from a panel of risks.

    Parameters
    ----------
    ratios : array_like of float, shape (r, n)
        :math:`X_{ij}`, the observation per unit weight of risk ``i`` in period ``j``
        (e.g. loss per exposure unit); cells with weight 0 are ignored (may hold anything
        finite).
    weights : array_like of float, shape (r, n)
        :math:`m_{ij} \\ge 0`, the weight (exposure) of each cell; every risk needs at least
        one positive weight, at least two risks and one risk with two periods.

    Returns
    -------
    BuhlmannStraub

    Raises
    ------
    ParameterError
        If the arrays are not finite two-dimensional arrays of the same shape, a weight is
        negative, a risk has no weight, or there are too few risks or periods to estimate.

    Notes
    -----
    Unbiased estimators (Loss Models, "nonparametric estimation, Bühlmann–Straub"; Bühlmann &
    Gisler 2005, Theorem 4.4 and §4.8), with :math:`n_i` the periods of risk ``i`` with positive
    weight and :math:`m = \\sum_i m_i`:

    .. math::

        \\hat v = \\frac{\\sum_i \\sum_j m_{ij}(X_{ij} - \\bar X_i)^2}{\\sum_i (n_i - 1)},
        \\qquad
        \\hat a = \\frac{\\sum_i m_i(\\bar X_i - \\bar X)^2 - \\hat v\\,(r - 1)}
                       {m - \\sum_i m_i^2 / m}.

    A negative :math:`\\hat a` is set to 0 (no credibility), as in the references.
    """
    owner = "buhlmann_straub"
    x = as_float_array(owner, "ratios", ratios, ndim=2)
    m = as_float_array(owner, "weights", weights, ndim=2)
    if x.shape != m.shape:
        raise ParameterError(
            owner, "weights", m.shape, f"must have the shape of 'ratios' {x.shape}"
        )
    if (m < 0.0).any():
        raise ParameterError(owner, "weights", float(m.min()), "must be >= 0")
    risk_weights = m.sum(axis=1)
    if (risk_weights <= 0.0).any():
        first = int(np.argmin(risk_weights > 0.0))
        raise ParameterError(owner, "weights", first, "every risk (row) needs a positive weight")
    periods = (m > 0.0).sum(axis=1)
    degrees = int((periods - 1).sum())
    if x.shape[0] < 2 or degrees < 1:
        raise ParameterError(
            owner,
            "ratios",
            x.shape,
            "needs at least two risks and at least one risk observed in two periods",
        )
    x = np.where(m > 0.0, x, 0.0)
    risk_means = (m * x).sum(axis=1) / risk_weights
    total = float(risk_weights.sum())
    collective = float((risk_weights * risk_means).sum() / total)
    epv = float((m * (x - risk_means[:, None]) ** 2).sum() / degrees)
    spread = float((risk_weights * (risk_means - collective) ** 2).sum())
    denominator = total - float((risk_weights**2).sum()) / total
    vhm = max((spread - epv * (x.shape[0] - 1)) / denominator, 0.0)
    k = math.inf if vhm == 0.0 else epv / vhm
    credibility = np.zeros_like(risk_weights) if vhm == 0.0 else risk_weights / (risk_weights + k)
    premiums = credibility * risk_means + (1.0 - credibility) * collective
    return BuhlmannStraub(
        collective_mean=collective,
        epv=epv,
        vhm=vhm,
        k=k,
        risk_means=risk_means,
        risk_weights=risk_weights,
        credibility=credibility,
        premiums=premiums,
    )


# --------------------------------------------------------------------------------------------
# development


def policy_year_reported(
    age_months: ArrayLike, pattern_months: ArrayLike, cumulative: ArrayLike
) -> NDArray[np.float64]:
    """Fraction of a policy year's ultimate reported at ``age_months`` from its start.

    Parameters
    ----------
    age_months : array_like of float
        Months from the start of the policy year to the valuation, > 0.
    pattern_months, cumulative : array_like of float
        The line's pattern: cumulative fraction reported at each month *from occurrence*
        (``patterns.csv``); 0 at month 0, interpolated linearly, 1 after the last point.

    Returns
    -------
    ndarray
        For each age ``a``, the average of the pattern over occurrence dates spread evenly
        over the part of the year earned by the valuation, ``[0, min(a, 12)]``:
        :math:`\\frac{1}{\\min(a,12)}\\int_0^{\\min(a,12)} F(a - s)\\,ds` (midpoint rule,
        8 points a month).
    """
    ages = np.atleast_1d(np.asarray(age_months, dtype=np.float64))
    months = np.concatenate(([0.0], np.asarray(pattern_months, dtype=np.float64)))
    fractions = np.concatenate(([0.0], np.asarray(cumulative, dtype=np.float64)))
    points = 12 * _GRID_PER_MONTH
    unit = (np.arange(points) + 0.5) / points  # midpoints of [0, 1]
    earned = np.minimum(ages, 12.0)
    development = ages[:, None] - unit[None, :] * earned[:, None]
    reported = np.interp(development, months, fractions, left=0.0, right=1.0)
    out: NDArray[np.float64] = reported.mean(axis=1)
    return out


# --------------------------------------------------------------------------------------------
# experience modification


@dataclass(frozen=True)
class ExperienceStep:
    """One worksheet row of the experience rating: what, from where, and its value."""

    factor: str
    table: str
    key: str
    value: float


@dataclass(frozen=True)
class ExperienceResult:
    """The experience modification of one line and how it was found.

    Attributes
    ----------
    modification : float
        Factor on the line's expected claim count, in ``[1 - max_credit, 1 + max_debit]``.
    credibility : float
        Bühlmann–Straub credibility :math:`Z = P / (P + K)`.
    experience_ratio : float
        Actual over expected reported loss in the history's layer, all years.
    expected_claims : float
        :math:`P`, the rated model's expected claims reported to the valuation in the
        history's layer (the credibility volume).
    k : float
        :math:`K = (1 + CV^2) / a`, in expected claims.
    uncapped : float
        :math:`Z R + (1 - Z)` before the cap.
    steps : tuple of ExperienceStep
        The worksheet rows, in order.
    """

    modification: float
    credibility: float
    experience_ratio: float
    expected_claims: float
    k: float
    uncapped: float
    steps: tuple[ExperienceStep, ...]


def _layer_moments(severity: Severity, low: float, high: float) -> tuple[float, float, float]:
    """P(X > low), E[Y], E[Y^2] of the per-loss layer payment Y = min(X, high) - min(X, low)."""
    survival = float(severity.sf(low))
    lev_high = float(severity.limited_expected_value(high))
    lev_low = float(severity.limited_expected_value(low))
    second = (
        float(severity.limited_moment(high, 2))
        - float(severity.limited_moment(low, 2))
        - 2.0 * low * (lev_high - lev_low)
    )
    return survival, max(lev_high - lev_low, 0.0), max(second, 0.0)


def _year_fraction(day: date) -> float:
    start = date(day.year, 1, 1)
    days = (date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / days


def experience_modification(
    *,
    line: str,
    annual_frequency: float,
    severity: Severity,
    current_limit: float,
    current_measure: float,
    history: Any,
    parameters: Mapping[str, Any],
    pattern: tuple[ArrayLike, ArrayLike],
    inception: date,
    period_years: float,
) -> ExperienceResult:
    """The credibility-weighted, capped experience modification of one line.

    Parameters
    ----------
    line : str
        The line (for the worksheet keys).
    annual_frequency : float
        The exposure-rated expected ground-up claims per year at the current exposure.
    severity : Severity
        The line's ground-up severity at the current cost level (submission currency).
    current_limit : float
        The line's current per-occurrence limit (ratable cap of the history's amounts).
    current_measure : float
        The current value of the line's exposure measure, > 0.
    history : LossHistory
        The line's loss history (``xborder_risk.exposure.LossHistory``).
    parameters : Mapping
        The line's row of ``experience.csv``: ``annual_trend``, ``vhm``, ``max_credit``,
        ``max_debit``.
    pattern : (months, cumulative_reported)
        The line's reporting pattern from ``patterns.csv``.
    inception : datetime.date
        Inception of the rated policy.
    period_years : float
        Length of the rated policy period in years.

    Returns
    -------
    ExperienceResult

    Notes
    -----
    For history year :math:`i` with exposure :math:`e_i`, trend factor
    :math:`\\tau_i = (1 + g)^{-(t - t_i)}` from the middle of the rated period :math:`t` back to
    the middle of the year :math:`t_i`, and the history layer :math:`[d, d + c]` with ratable
    cap :math:`c = \\max(T, \\min(l_h, l))` (history limit :math:`l_h`, current limit
    :math:`l`, large-loss threshold :math:`T`), the rated model expects

    .. math::

        n_i = \\nu\\,\\frac{e_i}{e}\\,S(d/\\tau_i), \\qquad
        E_i = \\nu\\,\\frac{e_i}{e}\\,\\tau_i\\,
              \\left[E(X \\wedge \\tfrac{d+c}{\\tau_i}) - E(X \\wedge \\tfrac{d}{\\tau_i})\\right]

    claims and loss at ultimate (a scale family: :math:`E[(\\tau X)\\wedge u] = \\tau
    E[X \\wedge u/\\tau]`).  With :math:`F_i` the year's reported fraction at its age
    (:func:`policy_year_reported`) and :math:`A_i` its incurred less each large loss's excess
    over :math:`c`, the year's developed relativity is :math:`X_i = (A_i/F_i)/E_i` with
    Bühlmann–Straub weight :math:`m_i = n_i F_i` (expected reported claims).  Then

    .. math::

        R = \\frac{\\sum_i A_i}{\\sum_i E_i F_i}, \\quad P = \\sum_i m_i, \\quad
        K = \\frac{1 + CV^2}{a}, \\quad Z = \\frac{P}{P + K}, \\quad
        M = \\min(\\max(Z R + 1 - Z,\\ 1 - \\text{max\\_credit}),\\ 1 + \\text{max\\_debit}),

    where :math:`1 + CV^2 = E[Y^2] / (E[Y]^2 / S(d))` is the expected process variance of a
    year's relativity per expected claim (compound Poisson) and :math:`a` the variance of the
    insured's true relativity between insureds (``vhm``).
    """
    trend = float(parameters["annual_trend"])
    vhm = float(parameters["vhm"])
    max_credit = float(parameters["max_credit"])
    max_debit = float(parameters["max_debit"])
    table = EXPERIENCE_TABLE
    key = f"{line}"
    steps: list[ExperienceStep] = []

    def step(factor: str, source: str, where: str, value: float) -> None:
        steps.append(ExperienceStep(factor, source, where, float(value)))

    years = history.years
    deductible = float(history.deductible)
    history_limit = math.inf if history.limit is None else float(history.limit)
    threshold = float(history.large_loss_threshold)
    cap = max(threshold, min(history_limit, float(current_limit)))
    top = deductible + cap
    step(
        f"history layer: deductible {deductible:g}, ratable cap {cap:g} "
        f"(max(large-loss threshold, min(history limit, current limit)))",
        "submission",
        f"loss_history.{line}",
        cap,
    )
    step("trend per year (severity)", table, f"{key}/annual_trend", trend)

    exposures = np.array([y.exposure for y in years], dtype=np.float64)
    midpoint = _year_fraction(inception) + period_years / 2.0
    elapsed = midpoint - (np.array([y.year for y in years], dtype=np.float64) + 0.5)
    tau = (1.0 + trend) ** (-elapsed)
    on_level = exposures / current_measure
    survival = np.array([float(severity.sf(deductible / t)) for t in tau])
    lev_top = np.array([float(severity.limited_expected_value(top / t)) for t in tau])
    lev_low = np.array([float(severity.limited_expected_value(deductible / t)) for t in tau])
    expected_claims = annual_frequency * on_level * survival
    expected_loss = annual_frequency * on_level * tau * np.maximum(lev_top - lev_low, 0.0)
    reported = policy_year_reported(np.array([y.age_months for y in years]), pattern[0], pattern[1])
    actual = np.array(
        [
            y.incurred - math.fsum(max(loss.incurred - cap, 0.0) for loss in y.large_losses)
            for y in years
        ],
        dtype=np.float64,
    )
    for index, year in enumerate(years):
        developed = actual[index] / reported[index] if reported[index] > 0.0 else math.inf
        step(
            f"{year.year}: {year.claim_count} claims, incurred {year.incurred:g} "
            f"(capped {actual[index]:g}), paid {year.paid:g}, age {year.age_months:g} months",
            "submission",
            f"loss_history.{line}.years[{index}]",
            actual[index],
        )
        step(
            f"{year.year}: reported fraction at age (pattern), developed ultimate {developed:g}",
            "patterns",
            f"{line}/{year.age_months:g} months",
            reported[index],
        )
        step(
            f"{year.year}: expected ultimate in layer at {year.year} cost level "
            f"(exposure {year.exposure:g} / {current_measure:g}, trend {tau[index]:.4f}); "
            f"expected claims {expected_claims[index]:.4g}",
            "rated model",
            f"{line} severity x {tau[index]:.4f}",
            expected_loss[index],
        )
        for number, loss in enumerate(year.large_losses):
            step(
                f"{year.year}: large loss {loss.claim_id or number + 1} incurred "
                f"{loss.incurred:g}, paid {loss.paid:g}",
                "submission",
                f"loss_history.{line}.years[{index}].large_losses[{number}]",
                loss.incurred,
            )
    expected_reported = float(np.sum(expected_loss * reported))
    volume = float(np.sum(expected_claims * reported))
    total_actual = float(actual.sum())
    ratio = total_actual / expected_reported if expected_reported > 0.0 else 1.0
    step(
        "actual reported loss in layer (all years)",
        "submission",
        f"loss_history.{line}",
        total_actual,
    )
    step(
        "expected reported loss in layer (all years)",
        "rated model",
        "sum E_i F_i",
        expected_reported,
    )
    step("experience ratio R = actual / expected", "", "", ratio)

    survival_now, mean_layer, second_layer = _layer_moments(severity, deductible, top)
    process = second_layer * survival_now / mean_layer**2 if mean_layer > 0.0 else 1.0
    k = process / vhm if vhm > 0.0 else math.inf
    credibility = volume / (volume + k) if volume > 0.0 and math.isfinite(k) else 0.0
    uncapped = credibility * ratio + (1.0 - credibility)
    modification = min(max(uncapped, 1.0 - max_credit), 1.0 + max_debit)
    step(
        "credibility volume P = expected reported claims in layer",
        "rated model",
        "sum n_i F_i",
        volume,
    )
    step(
        "expected process variance per claim 1 + CV^2 (layer severity)",
        "rated model",
        f"layer [{deductible:g}, {top:g}]",
        process,
    )
    step("variance of hypothetical means a (between insureds)", table, f"{key}/vhm", vhm)
    step("K = (1 + CV^2) / a (expected claims)", table, f"{key}/vhm", k)
    step("Bühlmann-Straub credibility Z = P / (P + K)", "", "", credibility)
    step("credibility-weighted modification Z R + (1 - Z)", "", "", uncapped)
    step(
        f"capped to [1 - {max_credit:g}, 1 + {max_debit:g}]",
        table,
        f"{key}/max_credit, max_debit",
        modification,
    )
    return ExperienceResult(
        modification=modification,
        credibility=credibility,
        experience_ratio=ratio,
        expected_claims=volume,
        k=k,
        uncapped=uncapped,
        steps=tuple(steps),
    )
