"""Capital priced as the insurer holds it: a line's marginal (Euler) contribution to a book.

A policy line is not priced as if it were the insurer's whole book: its capital is its Euler
contribution to the capital of a reference book plus the line, year by year on the same
simulated years. Plain float64 arrays in, plain arrays out; the book's yearly totals come from
:mod:`xborder_risk.portfolio` (higher up) and the run-off profile from
:mod:`xborder_risk.reserves` (a unit of this layer), both handed in by the quote.

Formulas, sources and the worked example: ``docs/pricing.md`` ("Capital against a book").
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xborder_risk._validation import as_float_array, check_probability, check_real
from xborder_risk.errors import ParameterError
from xborder_risk.pricing.allocation import co_tvar, co_var

__all__ = [
    "euler_contributions",
    "line_marginal_capital",
    "marginal_risk_loads",
]

_MEASURES = ("tvar", "value_at_risk")


def _checked_measure(owner: str, measure: object) -> str:
    if measure not in _MEASURES:
        raise ParameterError(owner, "measure", measure, "must be 'tvar' or 'value_at_risk'")
    return str(measure)


def _book_and_lines(
    owner: str, book_total: ArrayLike, annual: ArrayLike, name: str = "annual"
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    book = as_float_array(owner, "book_total", book_total)
    matrix = as_float_array(owner, name, annual, ndim=2, non_negative=True)
    if matrix.shape[0] != book.size:
        raise ParameterError(
            owner,
            name,
            f"{matrix.shape[0]} years",
            f"must have one row per simulated year of the book ({book.size})",
        )
    return book, matrix


def _co_measure(matrix: NDArray[np.float64], level: float, measure: str) -> NDArray[np.float64]:
    return co_tvar(matrix, level) if measure == "tvar" else co_var(matrix, level)


def euler_contributions(
    book_total: ArrayLike, annual: ArrayLike, level: float = 0.99, measure: str = "tvar"
) -> tuple[float, NDArray[np.float64]]:
    """Euler contributions of a book and of each column of ``annual`` to their joint capital.

    Parameters
    ----------
    book_total : array_like, shape (n_years,)
        The book's total loss in each simulated year, currency units.
    annual : array_like, shape (n_years, n_lines)
        The added losses (a policy's lines) in the same years, finite and >= 0.
    level : float
        Confidence level p in (0, 1).
    measure : {"tvar", "value_at_risk"}
        Capital measure ρ_p.

    Returns
    -------
    book : float
        The book's contribution :math:`E[B \\mid S \\in \\text{tail}] - E[B]`.
    lines : ndarray, shape (n_lines,)
        Each column's contribution :math:`E[X_i \\mid S \\in \\text{tail}] - E[X_i]`.

    Notes
    -----
    With :math:`S = B + \\sum_i X_i`, ``book + lines.sum()`` equals
    :math:`\\rho_p(S) - E[S]` to float rounding (Euler's theorem; Tasche 1999): the
    contributions add up to the capital of the book with the policy.
    """
    owner = "euler_contributions"
    book, matrix = _book_and_lines(owner, book_total, annual)
    level = check_probability(owner, "level", level)
    measure = _checked_measure(owner, measure)
    joint = np.column_stack([book, matrix])
    contributions = _co_measure(joint, level, measure) - joint.mean(axis=0)
    return float(contributions[0]), contributions[1:]


def line_marginal_capital(
    book_total: ArrayLike, annual: ArrayLike, level: float = 0.99, measure: str = "tvar"
) -> NDArray[np.float64]:
    """One-year capital of each line at the margin of the book, each line on its own.

    Parameters
    ----------
    book_total : array_like, shape (n_years,)
        The book's total loss in each simulated year, currency units.
    annual : array_like, shape (n_years, n_lines)
        Each line's loss in the same years (a year of cover), finite and >= 0.
    level : float
        Confidence level p in (0, 1).
    measure : {"tvar", "value_at_risk"}
        Capital measure ρ_p.

    Returns
    -------
    ndarray, shape (n_lines,)
        :math:`\\max(\\mathrm{co}\\rho_p(X_i; B + X_i) - E[X_i], 0)`, currency units.

    Notes
    -----
    Each line is added to the book alone, so a line's capital does not depend on the other
    lines of the submission (beyond Monte Carlo noise, when their draws change). A line that
    hedges the book in the tail would get a negative contribution; capital is never negative,
    so it is floored at 0.
    """
    owner = "line_marginal_capital"
    book, matrix = _book_and_lines(owner, book_total, annual)
    level = check_probability(owner, "level", level)
    measure = _checked_measure(owner, measure)
    capital = np.empty(matrix.shape[1])
    for column in range(matrix.shape[1]):
        _, (contribution,) = euler_contributions(book, matrix[:, [column]], level, measure)
        capital[column] = max(contribution, 0.0)
    return capital


def marginal_risk_loads(
    book_total: ArrayLike,
    per_year: ArrayLike,
    runoff: ArrayLike,
    *,
    rate: float,
    level: float = 0.99,
    measure: str = "tvar",
    period_years: float = 1.0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Risk load of each line: cost of capital on its marginal capital, held over its run-off.

    Parameters
    ----------
    book_total : array_like, shape (n_years,)
        The book's total loss in each simulated year (a one-year book), currency units.
    per_year : array_like, shape (n_years, n_lines)
        Each line's loss in a year of cover, in the same simulated years as the book
        (for a policy of P years, its simulated period loss / P, plus what the book's common
        shocks add to the line that year), currency units.
    runoff : array_like, shape (n_lines,)
        For each line, :math:`\\sum_t o_t`: the sum over whole years t = 0, 1, ... after
        inception of the line's outstanding share of its liability (1 at inception; from the
        payment pattern, :func:`xborder_risk.reserves.runoff_profile`), in years.
    rate : float
        Cost of capital per year, in [0, 1].
    level, measure
        Capital measure ρ_p, as :func:`line_marginal_capital`.
    period_years : float
        Policy period P in years, > 0.

    Returns
    -------
    risk_load : ndarray, shape (n_lines,)
        :math:`r\\,K_{0,i}\\sum_t o_{t,i}`, currency units per policy period.
    capital : ndarray, shape (n_lines,)
        :math:`K_{0,i} = P\\,c_i`, the capital held at inception, currency units.

    Notes
    -----
    :math:`c_i` is the one-year marginal capital (:func:`line_marginal_capital`) of the line's
    loss in a year of cover added to the one-year book, year by year. At inception the insurer
    holds capital for every year of cover still to run, :math:`K_0 = P c_i` (the premium-risk
    volume of Solvency II counts the future premiums of multi-year contracts, Delegated
    Regulation (EU) 2015/35, Art. 116); the capital then runs off with the outstanding
    liability, :math:`K_t = K_0 o_t`, and costs :math:`r K_t` a year: the projection of the
    Solvency II risk margin (Art. 37 and 58 of the same Regulation), undiscounted. Not
    :math:`P` years of the capital of the whole period's loss.
    """
    owner = "marginal_risk_loads"
    book, matrix = _book_and_lines(owner, book_total, per_year, "per_year")
    rate = check_real(owner, "rate", rate, lower=0, upper=1)
    period_years = check_real(owner, "period_years", period_years, lower=0, lower_inclusive=False)
    years = np.asarray(runoff, dtype=np.float64)
    if years.shape != (matrix.shape[1],) or not (np.isfinite(years).all() and (years >= 0).all()):
        raise ParameterError(
            owner,
            "runoff",
            runoff,
            f"must be {matrix.shape[1]} finite years >= 0, one per line",
        )
    capital = period_years * line_marginal_capital(book, matrix, level, measure)
    return rate * capital * years, capital
