"""How a quote reserves: the reserving basis, and the reserve result beside the premium."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

import pandas as pd
from numpy.typing import ArrayLike
from pydantic import AliasChoices, Field

from xborder_risk._basis import FrozenBasis, Level
from xborder_risk.errors import XBorderRiskWarning
from xborder_risk.reserves._patterns import PaymentPattern
from xborder_risk.reserves._unpaid import DEFAULT_CONFIDENCE, DEFAULT_TECHNIQUE, reserve_lines

__all__ = ["ReserveResult", "ReservingBasis", "reserve"]


class ReservingBasis(FrozenBasis):
    """How a quote reserves: IFRS 17 risk adjustment and Solvency II capital and margin.

    Parameters
    ----------
    risk_adjustment_level : float
        Confidence level of the IFRS 17 risk adjustment on the unpaid losses, in (0, 1)
        (0.75). The record keeps its old key ``risk_adjustment_confidence``, also accepted
        here.
    risk_adjustment_technique : {"cte", "quantile"}
        ``"cte"`` (default): TVaR at the level minus the mean, never negative;
        ``"quantile"``: the quantile minus the mean, negative for a line loss-free in most
        years (:meth:`UnpaidResult.risk_adjustment
        <xborder_risk.reserves.UnpaidResult.risk_adjustment>`, docs/reserves.md).
    scr_level : float
        Level of the one-year SCR quantile, in (0, 1) (Solvency II: 99.5 %).
    coc_rate : float
        Cost-of-capital rate of the risk margin, in [0, 1] (Solvency II: 6 %).
    floor_scr : bool
        True (default): an SCR below zero (VaR at ``scr_level`` below the mean, losses rarer
        than ``1 - scr_level``) is shown as 0 with a warning giving the reason: a capital
        requirement is never negative. False: the quantile minus the mean as computed
        (records of release 0.1.0 are read so).

    Raises
    ------
    ParameterError
        On a parameter outside its domain or an unknown field.
    """

    risk_adjustment_level: Level = Field(
        default=DEFAULT_CONFIDENCE,
        validation_alias=AliasChoices("risk_adjustment_level", "risk_adjustment_confidence"),
        serialization_alias="risk_adjustment_confidence",
    )
    risk_adjustment_technique: Literal["cte", "quantile"] = DEFAULT_TECHNIQUE  # type: ignore[assignment]
    scr_level: Level = 0.995
    coc_rate: Annotated[float, Field(ge=0.0, le=1.0)] = 0.06
    floor_scr: bool = True


@dataclass(frozen=True, eq=False)
class ReserveResult:
    """Reserves per line and in total at a valuation date, beside
    :class:`~xborder_risk.pricing.PricingResult`.

    Attributes
    ----------
    table : pandas.DataFrame
        The reserve table of :func:`reserve_lines` (index ``line``: the lines, then
        ``"total"``), currency units.
    basis : ReservingBasis
        The basis it was computed on.
    valuation_date : datetime.date
        Date of the valuation.
    """

    table: pd.DataFrame
    basis: ReservingBasis
    valuation_date: dt.date

    @property
    def lines(self) -> tuple[str, ...]:
        """The line names, in column order of the loss matrix."""
        return tuple(str(name) for name in self.table.index[:-1])

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`."""
        return self.table.copy()


def reserve(
    annual: ArrayLike,
    lines: Sequence[str],
    patterns: Mapping[str, PaymentPattern],
    inception_date: dt.date,
    policy_period_years: float,
    valuation_date: dt.date,
    basis: ReservingBasis | None = None,
) -> ReserveResult:
    """Reserve a simulated year-loss table on a basis: :func:`reserve_lines` as a result.

    Parameters are those of :func:`reserve_lines`; ``basis`` (default ``ReservingBasis()``)
    gives its level, technique, SCR level and cost-of-capital rate.
    """
    basis = ReservingBasis() if basis is None else basis
    table = reserve_lines(
        annual,
        lines,
        patterns,
        inception_date,
        policy_period_years,
        valuation_date,
        level=basis.risk_adjustment_level,
        risk_adjustment_technique=basis.risk_adjustment_technique,
        scr_level=basis.scr_level,
        coc_rate=basis.coc_rate,
    )
    if basis.floor_scr:
        table = _floor_scr(table, basis.scr_level)
    return ReserveResult(table=table, basis=basis, valuation_date=valuation_date)


def _floor_scr(table: pd.DataFrame, level: float) -> pd.DataFrame:
    """The table with every negative SCR shown as 0, and one warning per row saying why."""
    table = table.copy()
    columns = [column for column in ("scr", "scr_unpaid") if column in table.columns]
    for row in table.index:
        negative = [column for column in columns if table.loc[row, column] < 0.0]
        if not negative:
            continue
        figures = ", ".join(f"{c} {float(table.loc[row, c]):,.6g}" for c in negative)
        warnings.warn(
            f"{row}: SCR shown as 0, not negative ({figures}): the {level:.1%} quantile of "
            f"the loss is below its mean (losses rarer than {1 - level:.1%} of periods), so "
            "no capital is required at this level; a capital requirement is never negative",
            XBorderRiskWarning,
            stacklevel=3,
        )
        table.loc[row, negative] = 0.0
    return table
