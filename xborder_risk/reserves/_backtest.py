"""Back-testing reserving methods on synthetic books whose true ultimate is known.

The engine's simulated annual losses of a line, taken as the ultimate losses of consecutive
accident years, are spread over development years by the line's reporting and payment
pattern (the rating tables' ``patterns.csv``), with a random perturbation of each origin's
development, into a claims listing in the layout :func:`read_claims` reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from xborder_risk._validation import check_int, check_real
from xborder_risk.engine import SimulationResult
from xborder_risk.errors import ParameterError
from xborder_risk.reserves._chainladder import Chainladder
from xborder_risk.reserves._claims import read_claims
from xborder_risk.reserves._patterns import PaymentPattern
from xborder_risk.reserves._triangle import Triangle

__all__ = ["BacktestResult", "SyntheticBook", "backtest", "synthetic_claims"]


@dataclass(frozen=True)
class SyntheticBook:
    """A synthetic book: its full claims listing and the truth.

    Attributes
    ----------
    claims : pandas.DataFrame
        Every transaction to full development (``read_claims`` columns), beyond the valuation
        date too.
    valuation_date : pandas.Timestamp
        End of the last accident year; the listing up to it is what a reserving actuary sees.
    ultimate : pandas.Series
        True ultimate loss per accident year (currency of the simulation).
    """

    claims: pd.DataFrame
    valuation_date: pd.Timestamp
    ultimate: pd.Series

    def observed(self) -> pd.DataFrame:
        """The listing as known at the valuation date."""
        return self.claims[self.claims["transaction_date"] <= self.valuation_date]

    def triangle(self, basis: str = "paid") -> Triangle:
        """The cumulative triangle at the valuation date."""
        data = read_claims(self.observed(), valuation_date=self.valuation_date)
        return data.triangle(basis=basis)  # type: ignore[arg-type]

    def next_diagonal(self, basis: str = "paid") -> NDArray[np.float64]:
        """Per accident year, the amount that emerges in the year after the valuation date."""
        later = self.claims[
            (self.claims["transaction_date"] > self.valuation_date)
            & (self.claims["transaction_date"] <= self.valuation_date + pd.DateOffset(years=1))
        ]
        amount = later["paid"] + (later["case"] if basis == "incurred" else 0.0)
        years = pd.DatetimeIndex(later["accident_date"]).year
        by_year = amount.groupby(years).sum()
        return by_year.reindex(self.ultimate.index, fill_value=0.0).to_numpy(dtype=np.float64)


def _development_fractions(
    pattern: PaymentPattern, n_dev: int, rng: np.random.Generator, n: int, cv: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per origin (n rows), perturbed cumulative paid and reported fractions at 12, 24, ..."""
    months = 12.0 * np.arange(1, n_dev + 1)
    fractions = []
    sigma = np.sqrt(np.log1p(cv**2))
    for cumulative in (pattern.paid_at(months), pattern.reported_at(months)):
        increments = np.diff(cumulative, prepend=0.0)
        noise = rng.lognormal(-0.5 * sigma**2, sigma, size=(n, n_dev)) if cv > 0 else 1.0
        noisy = increments[None, :] * noise
        noisy = noisy / noisy.sum(axis=1, keepdims=True)  # each origin still reaches 1
        fractions.append(np.cumsum(noisy, axis=1))
    return fractions[0], fractions[1]


def synthetic_claims(
    result: SimulationResult,
    line: str,
    pattern: PaymentPattern,
    *,
    n_origin: int = 10,
    book: int = 0,
    first_year: int = 2015,
    development_cv: float = 0.1,
    seed: int = 0,
) -> SyntheticBook:
    """A synthetic claims listing of one line from the engine's simulated annual losses.

    Parameters
    ----------
    result : SimulationResult
        The engine's year-loss table; years ``book * n_origin`` to ``(book + 1) * n_origin - 1``
        of ``line`` become the ultimate losses of accident years ``first_year``, ...
    line : str
        A line of ``result``.
    pattern : PaymentPattern
        Reporting and payment pattern of the line (``PaymentPattern.from_frame`` of the
        rating tables' ``patterns`` table).
    n_origin : int >= 2
        Accident years in the book.
    book : int >= 0
        Which block of simulated years to use.
    first_year : int
        The first accident year.
    development_cv : float >= 0
        Coefficient of variation of the lognormal noise on each origin's incremental paid and
        reported fractions (renormalised so that each origin still reaches its ultimate); 0
        develops every origin exactly by the pattern.
    seed : int >= 0
        Seed of the development noise (with ``book``, through a SeedSequence).

    Returns
    -------
    SyntheticBook
        One transaction per accident year and development year (at the year end), with
        the paid amount and the movement of the case reserve (reported - paid).
    """
    owner = "synthetic_claims"
    if not isinstance(result, SimulationResult):
        raise ParameterError(owner, "result", type(result).__name__, "must be a SimulationResult")
    if line not in result.lines:
        raise ParameterError(owner, "line", line, f"must be one of {list(result.lines)}")
    if not isinstance(pattern, PaymentPattern):
        raise ParameterError(owner, "pattern", type(pattern).__name__, "must be a PaymentPattern")
    n_origin = check_int(owner, "n_origin", n_origin, lower=2)
    book = check_int(owner, "book", book, lower=0)
    first_year = check_int(owner, "first_year", first_year, lower=1900)
    cv = check_real(owner, "development_cv", development_cv, lower=0.0)
    seed = check_int(owner, "seed", seed, lower=0)
    stop = (book + 1) * n_origin
    if stop > result.n_years:
        raise ParameterError(
            owner, "book", book, f"needs {stop} simulated years (the result has {result.n_years})"
        )
    ultimate = result.annual[book * n_origin : stop, result.lines.index(line)]
    n_dev = max(n_origin, int(np.ceil(pattern.fully_developed_months / 12.0)))
    rng = np.random.default_rng(np.random.SeedSequence([seed, book]))
    paid, reported = _development_fractions(pattern, n_dev, rng, n_origin, cv)
    paid_increment = np.diff(ultimate[:, None] * paid, axis=1, prepend=0.0)
    case = ultimate[:, None] * (reported - paid)
    case_movement = np.diff(case, axis=1, prepend=0.0)
    origin, dev = np.meshgrid(np.arange(n_origin), np.arange(n_dev), indexing="ij")
    years = first_year + origin.ravel()
    accident = pd.to_datetime({"year": years, "month": 7, "day": 1})
    transaction = pd.to_datetime({"year": years + dev.ravel(), "month": 12, "day": 31})
    claims = pd.DataFrame(
        {
            "policy": [f"SYN-{line}-{y}" for y in years],
            "line": line,
            "accident_date": accident,
            "report_date": accident,
            "transaction_date": transaction,
            "paid": paid_increment.ravel(),
            "case": case_movement.ravel(),
            "currency": "XXX",
        }
    )
    return SyntheticBook(
        claims=claims,
        valuation_date=pd.Timestamp(year=first_year + n_origin - 1, month=12, day=31),
        ultimate=pd.Series(
            ultimate, index=pd.Index(range(first_year, first_year + n_origin), name="origin")
        ),
    )


@dataclass(frozen=True)
class BacktestResult:
    """Per book: true and estimated reserve, the error, and the next diagonal's A vs E.

    Attributes
    ----------
    books : pandas.DataFrame
        One row per book: ``true_reserve``, ``estimated_reserve``, ``error`` (estimated -
        true), ``relative_error``, ``actual_next`` and ``expected_next`` (the amount
        emerging in the year after the valuation, and the chain ladder's expectation of it).
    """

    books: pd.DataFrame

    def summary(self) -> pd.Series:
        """Mean and standard deviation of the reserve error, its relative bias, and A/E."""
        b = self.books
        return pd.Series(
            {
                "n_books": float(len(b)),
                "mean_error": float(b["error"].mean()),
                "std_error": float(b["error"].std(ddof=1)) if len(b) > 1 else 0.0,
                "relative_bias": float(b["error"].sum() / b["true_reserve"].sum()),
                "actual_over_expected": float(b["actual_next"].sum() / b["expected_next"].sum()),
            }
        )


def backtest(
    result: SimulationResult,
    line: str,
    pattern: PaymentPattern,
    method: Callable[[Triangle], pd.Series],
    *,
    n_books: int = 20,
    n_origin: int = 10,
    basis: str = "paid",
    development_cv: float = 0.1,
    seed: int = 0,
) -> BacktestResult:
    """Back-test a reserving method on ``n_books`` synthetic books of one line.

    Parameters
    ----------
    method : callable
        Triangle -> ultimate per origin (e.g. ``lambda t: Chainladder().fit(t).ultimate_``).
    n_books : int >= 1
        Books, each from its own block of ``n_origin`` simulated years.
    basis : {"paid", "incurred"}
        Triangle the method sees; the true reserve is ultimate minus the same basis to date.
    Other parameters as :func:`synthetic_claims`.
    """
    owner = "backtest"
    n_books = check_int(owner, "n_books", n_books, lower=1)
    if basis not in ("paid", "incurred"):
        raise ParameterError(owner, "basis", basis, "must be 'paid' or 'incurred'")
    rows = []
    for b in range(n_books):  # one loop per book (each is a reserving exercise)
        synthetic = synthetic_claims(
            result,
            line,
            pattern,
            n_origin=n_origin,
            book=b,
            development_cv=development_cv,
            seed=seed,
        )
        tri = synthetic.triangle(basis)
        latest = tri.latest_diagonal.to_numpy()
        estimated = np.asarray(method(tri), dtype=np.float64)
        truth = synthetic.ultimate.to_numpy()
        chain = Chainladder().fit(tri)
        c = tri.values
        k = tri.latest_index
        factors = np.append(chain.ldf_.to_numpy(), 1.0)
        expected_next = (c[np.arange(c.shape[0]), k] * (factors[k] - 1.0)).sum()
        rows.append(
            {
                "book": b,
                "true_reserve": float((truth - latest).sum()),
                "estimated_reserve": float((estimated - latest).sum()),
                "actual_next": float(synthetic.next_diagonal(basis).sum()),
                "expected_next": float(expected_next),
            }
        )
    books = pd.DataFrame(rows).set_index("book")
    books["error"] = books["estimated_reserve"] - books["true_reserve"]
    with np.errstate(divide="ignore", invalid="ignore"):
        books["relative_error"] = books["error"] / books["true_reserve"]
    return BacktestResult(books=books)
