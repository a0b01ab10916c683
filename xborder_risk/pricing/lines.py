"""Price every line of a policy from the simulated year-by-line loss matrix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from xborder_risk._validation import (
    as_float_array,
    check_choice,
    check_line_names,
    check_probability,
)
from xborder_risk.errors import ParameterError
from xborder_risk.pricing.allocation import allocate_by_co_tvar, co_tvar
from xborder_risk.pricing.loadings import Loadings, PremiumBuildUp, gross_up
from xborder_risk.pricing.principles import PremiumPrinciple

__all__ = ["PRICING_COLUMNS", "PricingResult", "price_lines"]

# The steps between the technical and the gross premium, in the build-up's order.
LOADING_STEPS: tuple[str, ...] = PremiumBuildUp.STEPS[1:-1]

PRICING_COLUMNS: tuple[str, ...] = (
    "expected_loss",
    "std",
    "co_tvar",
    "risk_load",
    "technical_premium",
    *LOADING_STEPS,
    "gross_premium",
)


@dataclass(frozen=True)
class PricingResult:
    """Premium per line and in total.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per line and a final ``"total"`` row (index ``line``), with the columns of
        :data:`PRICING_COLUMNS`, currency units per policy period. ``expected_loss``, the
        premium columns and the loading steps of the total row are the sums of the lines;
        ``std`` of the total row is the standard deviation of the total (diversified), and
        its ``co_tvar`` is the TVaR of the total.
    principle : PremiumPrinciple
        The premium principle applied to the total.
    loadings : Loadings
        The loadings of the gross-up.
    allocation : {"co_tvar", "euler"}
        How the total's risk load was split across lines.
    allocation_level : float
        Confidence level of the co-TVaR column (and of the allocation when ``"co_tvar"``).
    build_up : PremiumBuildUp
        The gross-up of the total technical premium, step by step.
    """

    table: pd.DataFrame
    principle: PremiumPrinciple
    loadings: Loadings
    allocation: Literal["co_tvar", "euler"]
    allocation_level: float
    build_up: PremiumBuildUp

    @property
    def lines(self) -> tuple[str, ...]:
        """The line names, in column order of the loss matrix."""
        return tuple(str(name) for name in self.table.index[:-1])

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`."""
        return self.table.copy()


def _line_shares(technical: NDArray[np.float64]) -> NDArray[np.float64]:
    total = float(technical.sum())
    if total > 0.0:
        return technical / total
    # No loss and no risk load anywhere: only fixed expense or a minimum premium is left,
    # and no line is a better carrier of it than another.
    return np.full(technical.size, 1.0 / technical.size)


def _given_risk_loads(value: ArrayLike, n_lines: int, owner: str) -> NDArray[np.float64]:
    loads = np.asarray(value, dtype=np.float64)
    if loads.shape != (n_lines,) or not np.isfinite(loads).all():
        raise ParameterError(
            owner, "risk_loads", value, f"must be {n_lines} finite amounts, one per line"
        )
    return loads


def price_lines(
    annual: ArrayLike,
    lines: Sequence[str],
    principle: PremiumPrinciple,
    loadings: Loadings | None = None,
    allocation_level: float = 0.99,
    *,
    allocation: Literal["co_tvar", "euler"] = "co_tvar",
    risk_loads: ArrayLike | None = None,
) -> PricingResult:
    """Technical and gross premium per line, with the diversified risk load allocated.

    Parameters
    ----------
    annual : array_like, shape (n_years, n_lines)
        Simulated annual losses per line (``SimulationResult.annual``), currency units per
        policy period, finite and >= 0.
    lines : sequence of str
        Line names, one per column of ``annual``.
    principle : PremiumPrinciple
        Premium principle applied to the total annual loss :math:`S = \\sum_i X_i`.
    loadings : Loadings, optional
        Expenses, commission, profit, tax and minimum premium of the policy; none by default.
    allocation_level : float
        Confidence level p in (0, 1) of the co-TVaR allocation.
    allocation : {"co_tvar", "euler"}
        ``"co_tvar"`` (default) splits the risk load of S in proportion to
        :math:`\\mathrm{coTVaR}_{p,i} - E[X_i]`; ``"euler"`` uses the principle's own
        allocation (:meth:`PremiumPrinciple.allocate`).
    risk_loads : array_like, shape (n_lines,), optional
        Each line's risk load, computed elsewhere (e.g. cost of capital on the line's marginal
        capital against a book, :func:`~xborder_risk.pricing.capital.marginal_risk_loads`);
        then ``principle`` only names the basis and ``allocation`` is not used.

    Returns
    -------
    PricingResult
        The table per line and total, and the total's premium build-up.

    Notes
    -----
    The principle prices the total, so the risk load carries the diversification between
    lines; it is then allocated (Tasche 1999; Acerbi & Tasche 2002; see
    :mod:`xborder_risk.pricing.allocation`). Line technical premium = line expected loss +
    allocated risk load, and the line technical premiums add up to the principle's premium
    of the total.

    The gross-up (:func:`gross_up`) is applied to the policy's total technical premium; the
    fixed expense and any top-up to the minimum premium are per policy, so each line carries
    them in proportion to its technical premium. This equals grossing up every line with its
    share of the fixed expense, and makes each loading step of the lines add up to the
    policy's.
    """
    owner = "price_lines"
    matrix = as_float_array(owner, "annual", annual, ndim=2, non_negative=True)
    names = check_line_names(owner, "lines", lines, count=matrix.shape[1])
    if not isinstance(principle, PremiumPrinciple):
        raise ParameterError(owner, "principle", principle, "must be a PremiumPrinciple")
    if loadings is None:
        loadings = Loadings()
    elif not isinstance(loadings, Loadings):
        raise ParameterError(owner, "loadings", loadings, "must be a Loadings object")
    allocation_level = check_probability(owner, "allocation_level", allocation_level)
    check_choice(owner, "allocation", allocation, ("co_tvar", "euler"))

    total = matrix.sum(axis=1)
    if risk_loads is not None:
        line_risk_load = _given_risk_loads(risk_loads, len(names), owner)
    else:
        total_risk_load = principle.risk_load(total)
        if allocation == "co_tvar":
            line_risk_load = allocate_by_co_tvar(matrix, total_risk_load, allocation_level)
        else:
            line_risk_load = principle.allocate(matrix)
    expected = matrix.mean(axis=0)
    technical = expected + line_risk_load

    build_up = gross_up(float(technical.sum()), loadings)
    shares = _line_shares(technical)

    columns: dict[str, NDArray[np.float64]] = {
        "expected_loss": expected,
        "std": matrix.std(axis=0),
        "co_tvar": co_tvar(matrix, allocation_level),
        "risk_load": line_risk_load,
        "technical_premium": technical,
    }
    for step in (*LOADING_STEPS, "gross_premium"):
        columns[step] = float(getattr(build_up, step)) * shares
    table = pd.DataFrame(columns, index=pd.Index(names, name="line"))
    total_row = table.sum(axis=0)
    total_row["std"] = float(total.std())
    table.loc["total"] = total_row
    return PricingResult(
        table=table.loc[:, list(PRICING_COLUMNS)],
        principle=principle,
        loadings=loadings,
        allocation=allocation,
        allocation_level=allocation_level,
        build_up=build_up,
    )
