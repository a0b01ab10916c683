"""Loadings and the gross-up from technical premium to gross (office) premium."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from xborder_risk._validation import check_real
from xborder_risk.errors import ParameterError

__all__ = ["Loadings", "PremiumBuildUp", "gross_up"]


def _ratio(name: str, value: object) -> float:
    return check_real("Loadings", name, value, lower=0.0, upper=1.0, upper_inclusive=False)


@dataclass(frozen=True)
class Loadings:
    """Expense, commission, profit and tax loadings applied to a technical premium.

    Parameters
    ----------
    fixed_expense : float
        Fixed expense per policy and policy period (issuance, underwriting, survey), currency
        units, >= 0.
    expense_ratio : float
        Variable expenses as a proportion of the premium before tax, in [0, 1).
    commission : float
        Broker commission as a proportion of the premium before tax, in [0, 1).
    profit_margin : float
        Underwriting profit and contingencies as a proportion of the premium before tax,
        in [0, 1).
    tax_rate : float
        Insurance premium tax charged on top of the premium and paid by the insured
        (e.g. a country's IPT), as a proportion of the premium before tax, in [0, 1).
        A premium tax the insurer absorbs belongs in ``expense_ratio`` instead.
        :func:`xborder_risk.quote.quote` sets it from the rating tables' premium tax of
        the insured's home country unless ``PricingBasis(country_premium_tax=False)``.
    minimum_premium : float
        Minimum premium before tax, currency units, >= 0.

    Notes
    -----
    ``expense_ratio + commission + profit_margin`` must be < 1, else no premium covers the
    loss and the fixed expense.
    """

    fixed_expense: float = 0.0
    expense_ratio: float = 0.0
    commission: float = 0.0
    profit_margin: float = 0.0
    tax_rate: float = 0.0
    minimum_premium: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "fixed_expense",
            check_real("Loadings", "fixed_expense", self.fixed_expense, lower=0),
        )
        object.__setattr__(
            self,
            "minimum_premium",
            check_real("Loadings", "minimum_premium", self.minimum_premium, lower=0),
        )
        for name in ("expense_ratio", "commission", "profit_margin", "tax_rate"):
            object.__setattr__(self, name, _ratio(name, getattr(self, name)))
        if self.proportional_loading >= 1.0:
            raise ParameterError(
                "Loadings",
                "expense_ratio + commission + profit_margin",
                self.proportional_loading,
                "must be < 1",
            )

    @property
    def proportional_loading(self) -> float:
        """Sum of the loadings proportional to premium: expense ratio, commission, profit."""
        return self.expense_ratio + self.commission + self.profit_margin


@dataclass(frozen=True)
class PremiumBuildUp:
    """Every step from technical premium to gross premium, currency units per policy period.

    The components ``technical_premium`` through ``premium_tax`` add up to
    ``gross_premium``.
    """

    technical_premium: float
    fixed_expense: float
    variable_expense: float
    commission: float
    profit_margin: float
    minimum_premium_adjustment: float
    premium_tax: float
    gross_premium: float

    STEPS: ClassVar[tuple[str, ...]] = (
        "technical_premium",
        "fixed_expense",
        "variable_expense",
        "commission",
        "profit_margin",
        "minimum_premium_adjustment",
        "premium_tax",
        "gross_premium",
    )

    @property
    def premium_before_tax(self) -> float:
        """Gross premium net of the premium tax, currency units."""
        return self.gross_premium - self.premium_tax

    def to_frame(self) -> pd.DataFrame:
        """The build-up as a table with columns ``step`` and ``amount``, in order."""
        return pd.DataFrame(
            {
                "step": list(self.STEPS),
                "amount": [float(getattr(self, step)) for step in self.STEPS],
            }
        )


def gross_up(technical_premium: float, loadings: Loadings) -> PremiumBuildUp:
    """Gross premium from technical premium by the fixed/variable expense gross-up.

    Parameters
    ----------
    technical_premium : float
        Expected loss plus risk load, currency units per policy period, >= 0.
    loadings : Loadings
        Expense, commission, profit, tax and minimum premium.

    Returns
    -------
    PremiumBuildUp
        Every step; ``.to_frame()`` shows them as a table.

    Notes
    -----
    With technical premium L, fixed expense F, proportional loadings V (expenses), C
    (commission) and Q (profit), minimum premium M and premium tax t:

    .. math:: P = \\frac{L + F}{1 - V - C - Q}, \\qquad
              G = \\max(M, P)\\,(1 + t)

    P is the premium formula of Werner & Modlin, *Basic Ratemaking*, 5th ed. (Casualty
    Actuarial Society, 2016), ch. 7 "Other Expenses and Profit" (fixed expenses added to the
    loss cost, variable expenses and profit grossed up as a share of premium); commission is
    a variable expense there. The variable expense, commission and profit steps are
    V P, C P and Q P, so that P = L + F + (V + C + Q) P. A binding minimum premium tops up
    P to M with no further commission or expense on the top-up. The tax is levied on top,
    on max(M, P), as an insurance premium tax is charged to the insured.
    """
    technical = check_real("gross_up", "technical_premium", technical_premium, lower=0)
    if not isinstance(loadings, Loadings):
        raise ParameterError("gross_up", "loadings", loadings, "must be a Loadings object")
    before_minimum = (technical + loadings.fixed_expense) / (1.0 - loadings.proportional_loading)
    before_tax = max(loadings.minimum_premium, before_minimum)
    tax = loadings.tax_rate * before_tax
    return PremiumBuildUp(
        technical_premium=technical,
        fixed_expense=loadings.fixed_expense,
        variable_expense=loadings.expense_ratio * before_minimum,
        commission=loadings.commission * before_minimum,
        profit_margin=loadings.profit_margin * before_minimum,
        minimum_premium_adjustment=before_tax - before_minimum,
        premium_tax=tax,
        gross_premium=before_tax + tax,
    )
