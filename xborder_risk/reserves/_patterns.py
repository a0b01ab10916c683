"""Payment / reporting patterns, the valuation timing and the discount curve."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from xborder_risk._validation import as_float_array, check_choice, check_real
from xborder_risk.errors import ParameterError

__all__ = ["DAYS_PER_MONTH", "PaymentPattern", "Valuation", "YieldCurve"]

#: Average month length used to turn dates into development months: 365.25 / 12 days.
DAYS_PER_MONTH = 365.25 / 12.0

# The last row of a pattern must be 1; a CSV round trip may leave 1 - 1e-15.
_ONE_TOLERANCE = 1e-9


def _points(owner: str, name: str, value: ArrayLike) -> NDArray[np.float64]:
    """Times to evaluate at: real numbers of any shape, ``inf`` allowed, NaN not."""
    return as_float_array(owner, name, value, ndim=None, non_empty=False, finite=False)


def _readonly(x: NDArray[np.float64]) -> NDArray[np.float64]:
    x.flags.writeable = False
    return x


class _Frozen:
    """Attributes are set once in ``__init__``; afterwards the object cannot change."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; cannot delete {name!r}")


class PaymentPattern(_Frozen):
    """Cumulative reported and paid fractions of ultimate loss by development month.

    Development is measured in months from the date of occurrence. Between the given points
    the fractions are interpolated linearly; both are 0 at month 0 and 1 from the last point
    on.

    Parameters
    ----------
    development_months : array_like of float
        Development points in months, > 0 and strictly increasing.
    cumulative_reported : array_like of float
        Fraction of ultimate reported (paid + case reserves) at each point, in [0, 1],
        non-decreasing, 1 at the last point.
    cumulative_paid : array_like of float
        Fraction of ultimate paid at each point, in [0, 1], non-decreasing, never above the
        reported fraction, 1 at the last point.
    line : str, optional
        Line of business the pattern belongs to (for messages and tables).

    Raises
    ------
    ParameterError
        Naming the field and the position that breaks a rule.

    Notes
    -----
    The layout is that of ``rating_tables/patterns.csv`` (docs/CONTRACTS.md): columns
    ``line, development_months, cumulative_reported, cumulative_paid``.
    """

    __slots__ = ("cumulative_paid", "cumulative_reported", "development_months", "line")

    development_months: NDArray[np.float64]
    cumulative_reported: NDArray[np.float64]
    cumulative_paid: NDArray[np.float64]
    line: str | None

    def __init__(
        self,
        development_months: ArrayLike,
        cumulative_reported: ArrayLike,
        cumulative_paid: ArrayLike,
        line: str | None = None,
    ) -> None:
        if line is not None and not isinstance(line, str):
            raise ParameterError("PaymentPattern", "line", line, "must be a string or None")
        owner = "PaymentPattern" if line is None else f"PaymentPattern(line={line!r})"
        months = as_float_array(owner, "development_months", development_months, copy=True)
        reported = as_float_array(owner, "cumulative_reported", cumulative_reported, copy=True)
        paid = as_float_array(owner, "cumulative_paid", cumulative_paid, copy=True)
        if not (months.size == reported.size == paid.size):
            raise ParameterError(
                owner,
                "cumulative_reported/cumulative_paid",
                f"lengths {months.size}, {reported.size}, {paid.size}",
                "must have one value per development month",
            )
        if months[0] <= 0.0:
            raise ParameterError(
                owner, "development_months[0]", months[0], "must be > 0 (month 0 is 0 implicitly)"
            )
        steps = np.diff(months)
        if (steps <= 0.0).any():
            i = int(np.argmax(steps <= 0.0)) + 1
            raise ParameterError(
                owner, f"development_months[{i}]", months[i], "must be strictly increasing"
            )
        for name, values in (("cumulative_reported", reported), ("cumulative_paid", paid)):
            outside = (values < 0.0) | (values > 1.0 + _ONE_TOLERANCE)
            if outside.any():
                i = int(np.argmax(outside))
                raise ParameterError(owner, f"{name}[{i}]", values[i], "must lie in [0, 1]")
            falls = np.diff(values) < 0.0
            if falls.any():
                i = int(np.argmax(falls)) + 1
                raise ParameterError(
                    owner, f"{name}[{i}]", values[i], "must be non-decreasing in development"
                )
            if abs(values[-1] - 1.0) > _ONE_TOLERANCE:
                raise ParameterError(
                    owner,
                    f"{name}[{values.size - 1}]",
                    values[-1],
                    "must be 1 at the last development month (fully developed)",
                )
            values[-1] = 1.0
            np.minimum(values, 1.0, out=values)  # absorbs only the 1e-9 tolerance above
        above = paid > reported
        if above.any():
            i = int(np.argmax(above))
            raise ParameterError(
                owner,
                f"cumulative_paid[{i}]",
                paid[i],
                f"must be <= cumulative_reported[{i}] = {reported[i]!r}",
            )
        object.__setattr__(self, "development_months", _readonly(months))
        object.__setattr__(self, "cumulative_reported", _readonly(reported))
        object.__setattr__(self, "cumulative_paid", _readonly(paid))
        object.__setattr__(self, "line", line)

    def __reduce__(self) -> tuple[type[PaymentPattern], tuple[object, ...]]:
        # rebuild through __init__ (copy, pickle), which re-validates
        return (
            PaymentPattern,
            (self.development_months, self.cumulative_reported, self.cumulative_paid, self.line),
        )

    def __repr__(self) -> str:
        return (
            f"PaymentPattern(line={self.line!r}, {self.development_months.size} points, "
            f"fully developed at {self.fully_developed_months:g} months)"
        )

    # --------------------------------------------------------------- construction
    @classmethod
    def from_frame(cls, frame: pd.DataFrame, line: str) -> PaymentPattern:
        """Read the pattern of ``line`` from a ``patterns.csv``-shaped DataFrame.

        Rows of other lines are ignored; the rows of ``line`` are sorted by
        ``development_months`` (row order carries no meaning in the table).
        """
        owner = "PaymentPattern.from_frame"
        if not isinstance(frame, pd.DataFrame):
            raise ParameterError(owner, "frame", type(frame).__name__, "must be a DataFrame")
        required = ["line", "development_months", "cumulative_reported", "cumulative_paid"]
        absent = [c for c in required if c not in frame.columns]
        if absent:
            raise ParameterError(owner, "frame", list(frame.columns), f"lacks columns {absent}")
        rows = frame.loc[frame["line"] == line]
        if rows.empty:
            known = sorted({str(v) for v in frame["line"].unique()})
            raise ParameterError(owner, "line", line, f"has no rows; lines present: {known}")
        rows = rows.sort_values("development_months", kind="stable")
        return cls(
            development_months=rows["development_months"].to_numpy(),
            cumulative_reported=rows["cumulative_reported"].to_numpy(),
            cumulative_paid=rows["cumulative_paid"].to_numpy(),
            line=line,
        )

    # ------------------------------------------------------------------ evaluation
    @property
    def fully_developed_months(self) -> float:
        """Development month from which everything is reported and paid."""
        return float(self.development_months[-1])

    def _knots(self) -> NDArray[np.float64]:
        return np.concatenate(([0.0], self.development_months))

    def reported_at(self, months: ArrayLike) -> NDArray[np.float64]:
        """Cumulative reported fraction at development ``months`` (0 for months <= 0)."""
        values = np.concatenate(([0.0], self.cumulative_reported))
        return np.interp(
            _points("PaymentPattern.reported_at", "months", months), self._knots(), values
        )

    def paid_at(self, months: ArrayLike) -> NDArray[np.float64]:
        """Cumulative paid fraction at development ``months`` (0 for months <= 0)."""
        values = np.concatenate(([0.0], self.cumulative_paid))
        return np.interp(_points("PaymentPattern.paid_at", "months", months), self._knots(), values)

    def _integral(self, values: NDArray[np.float64], upper: NDArray[np.float64]) -> NDArray:
        """Exact integral from 0 to ``upper`` (months) of the interpolated fraction."""
        knots = self._knots()
        heights = np.concatenate(([0.0], values))
        # trapezoid areas between knots are exact for a piecewise-linear function
        cumulative_area = np.concatenate(
            ([0.0], np.cumsum(np.diff(knots) * (heights[:-1] + heights[1:]) / 2.0))
        )
        x = np.clip(upper, 0.0, None)
        segment = np.clip(np.searchsorted(knots, x, side="right") - 1, 0, knots.size - 1)
        left = knots[segment]
        h_left = heights[segment]
        h_x = np.interp(x, knots, heights)
        return cumulative_area[segment] + (x - left) * (h_left + h_x) / 2.0

    def exposure_averaged(
        self, kind: str, months_since_inception: ArrayLike, period_months: float
    ) -> NDArray[np.float64]:
        """Fraction of a policy period's ultimate loss paid (or reported) by a given time.

        Parameters
        ----------
        kind : {"paid", "reported"}
            Which fraction.
        months_since_inception : array_like of float
            Calendar time since inception, in months.
        period_months : float
            Length of the policy period in months (> 0); occurrences are uniform over it.

        Notes
        -----
        With occurrences uniform on [0, T] and pattern P (P = 0 before development 0),

            F(tau) = (1/T) int_0^T P(tau - s) ds = (I(tau) - I(max(tau - T, 0))) / T,

        I(x) = int_0^x P(u) du, integrated exactly (P is piecewise linear). F is exactly 0 at
        tau <= 0 and exactly 1 once tau - T reaches the last development month.
        """
        owner = "PaymentPattern.exposure_averaged"
        check_choice(owner, "kind", kind, ("paid", "reported"))
        values = self.cumulative_paid if kind == "paid" else self.cumulative_reported
        tau = _points(owner, "months_since_inception", months_since_inception)
        period = check_real(owner, "period_months", period_months, lower=0.0, lower_inclusive=False)
        fraction = (self._integral(values, tau) - self._integral(values, tau - period)) / period
        fraction = np.where(tau - period >= self.fully_developed_months, 1.0, fraction)
        fraction = np.where(tau <= 0.0, 0.0, fraction)
        # rounding in the difference of integrals must not leave [0, 1]
        return np.clip(fraction, 0.0, 1.0)

    def to_frame(self) -> pd.DataFrame:
        """The pattern in the ``patterns.csv`` layout."""
        return pd.DataFrame(
            {
                "line": self.line,
                "development_months": self.development_months,
                "cumulative_reported": self.cumulative_reported,
                "cumulative_paid": self.cumulative_paid,
            }
        )


def _as_date(owner: str, name: str, value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ParameterError(owner, name, value, "must be an ISO date YYYY-MM-DD") from None
    raise ParameterError(owner, name, value, "must be a datetime.date or an ISO date string")


class Valuation(_Frozen):
    """When losses occur and when they are valued.

    Parameters
    ----------
    inception_date : datetime.date or ISO string
        Start of the policy period.
    valuation_date : datetime.date or ISO string
        Date at which reserves are valued; on or after ``inception_date``.
    policy_period_years : float, default 1.0
        Length of the policy period in years (> 0, at most 100); losses occur uniformly over it.

    Notes
    -----
    Dates become months as days / (365.25 / 12).
    """

    __slots__ = ("inception_date", "policy_period_years", "valuation_date")

    inception_date: dt.date
    valuation_date: dt.date
    policy_period_years: float

    def __init__(
        self,
        inception_date: dt.date | str,
        valuation_date: dt.date | str,
        policy_period_years: float = 1.0,
    ) -> None:
        owner = "Valuation"
        inception = _as_date(owner, "inception_date", inception_date)
        valuation = _as_date(owner, "valuation_date", valuation_date)
        period = check_real(
            owner,
            "policy_period_years",
            policy_period_years,
            lower=0.0,
            lower_inclusive=False,
            upper=100.0,
        )
        if valuation < inception:
            raise ParameterError(
                owner,
                "valuation_date",
                valuation.isoformat(),
                f"must be on or after inception_date ({inception.isoformat()})",
            )
        object.__setattr__(self, "inception_date", inception)
        object.__setattr__(self, "valuation_date", valuation)
        object.__setattr__(self, "policy_period_years", period)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Valuation):
            return NotImplemented
        return (self.inception_date, self.valuation_date, self.policy_period_years) == (
            other.inception_date,
            other.valuation_date,
            other.policy_period_years,
        )

    def __hash__(self) -> int:
        return hash((self.inception_date, self.valuation_date, self.policy_period_years))

    def __reduce__(self) -> tuple[type[Valuation], tuple[object, ...]]:
        return (Valuation, (self.inception_date, self.valuation_date, self.policy_period_years))

    def __repr__(self) -> str:
        return (
            f"Valuation(inception_date={self.inception_date.isoformat()!r}, "
            f"valuation_date={self.valuation_date.isoformat()!r}, "
            f"policy_period_years={self.policy_period_years!r})"
        )

    @property
    def elapsed_months(self) -> float:
        """Months from inception to the valuation date."""
        return (self.valuation_date - self.inception_date).days / DAYS_PER_MONTH

    @property
    def period_months(self) -> float:
        """Length of the policy period in months."""
        return 12.0 * self.policy_period_years


class YieldCurve(_Frozen):
    """Annual-compounding spot rates by maturity, for discounting cash flows.

    Parameters
    ----------
    maturities_years : array_like of float
        Maturities in years, > 0 and strictly increasing.
    spot_rates : array_like of float
        Annual effective spot rate for each maturity (0.03 = 3 %), > -1.

    Notes
    -----
    Discount factor for time t (years): v(t) = (1 + r(t))^(-t), with r interpolated
    linearly in maturity and held flat before the first and after the last maturity.
    This is the spot-rate convention of the Solvency II risk-free term structure
    (Delegated Regulation (EU) 2015/35, Art. 37(1): (1 + r_{t+1})^(t+1)).
    """

    __slots__ = ("maturities_years", "spot_rates")

    maturities_years: NDArray[np.float64]
    spot_rates: NDArray[np.float64]

    def __init__(self, maturities_years: ArrayLike, spot_rates: ArrayLike) -> None:
        owner = "YieldCurve"
        maturities = as_float_array(owner, "maturities_years", maturities_years, copy=True)
        rates = as_float_array(owner, "spot_rates", spot_rates, copy=True)
        if maturities.size != rates.size:
            raise ParameterError(
                owner,
                "spot_rates",
                f"{rates.size} rates",
                f"must match {maturities.size} maturities",
            )
        if maturities[0] <= 0.0:
            raise ParameterError(owner, "maturities_years[0]", maturities[0], "must be > 0")
        steps = np.diff(maturities)
        if (steps <= 0.0).any():
            i = int(np.argmax(steps <= 0.0)) + 1
            raise ParameterError(
                owner, f"maturities_years[{i}]", maturities[i], "must be strictly increasing"
            )
        low = rates <= -1.0
        if low.any():
            i = int(np.argmax(low))
            raise ParameterError(owner, f"spot_rates[{i}]", rates[i], "must be > -1")
        object.__setattr__(self, "maturities_years", _readonly(maturities))
        object.__setattr__(self, "spot_rates", _readonly(rates))

    def __reduce__(self) -> tuple[type[YieldCurve], tuple[object, ...]]:
        return (YieldCurve, (self.maturities_years, self.spot_rates))

    def __repr__(self) -> str:
        rates = self.spot_rates
        return f"YieldCurve({rates.size} maturities, spot {rates.min():g} to {rates.max():g})"

    @classmethod
    def flat(cls, rate: float) -> YieldCurve:
        """A flat curve at ``rate`` for every maturity."""
        r = check_real("YieldCurve.flat", "rate", rate, lower=-1.0, lower_inclusive=False)
        return cls(np.array([1.0]), np.array([r]))

    def spot(self, t_years: ArrayLike) -> NDArray[np.float64]:
        """Spot rate r(t) for maturities ``t_years``."""
        return np.interp(
            _points("YieldCurve.spot", "t_years", t_years), self.maturities_years, self.spot_rates
        )

    def discount_factor(self, t_years: ArrayLike) -> NDArray[np.float64]:
        """v(t) = (1 + r(t))^(-t); 1 at t <= 0."""
        t = np.clip(_points("YieldCurve.discount_factor", "t_years", t_years), 0.0, None)
        return np.power(1.0 + self.spot(t), -t)
