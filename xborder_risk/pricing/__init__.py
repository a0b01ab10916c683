"""Premium from simulated losses: principles, loadings, allocation to lines.

See ``docs/pricing.md`` for the formulas, references and a worked example.
"""

from __future__ import annotations

from xborder_risk.pricing.allocation import allocate_by_co_tvar, co_tvar, co_var, tail_weights
from xborder_risk.pricing.basis import (
    BOOK_COST_OF_CAPITAL,
    CAPITAL_METHODS,
    PRINCIPLES,
    PricingBasis,
)
from xborder_risk.pricing.capital import (
    euler_contributions,
    line_marginal_capital,
    marginal_risk_loads,
)
from xborder_risk.pricing.lines import PRICING_COLUMNS, PricingResult, price_lines
from xborder_risk.pricing.loadings import Loadings, PremiumBuildUp, gross_up
from xborder_risk.pricing.principles import (
    CostOfCapital,
    ExpectedValuePrinciple,
    PremiumPrinciple,
    StandardDeviationPrinciple,
    TargetLossRatio,
    VariancePrinciple,
    WangTransform,
    wang_weights,
)

__all__ = [
    "BOOK_COST_OF_CAPITAL",
    "CAPITAL_METHODS",
    "PRICING_COLUMNS",
    "PRINCIPLES",
    "CostOfCapital",
    "ExpectedValuePrinciple",
    "Loadings",
    "PremiumBuildUp",
    "PremiumPrinciple",
    "PricingBasis",
    "PricingResult",
    "StandardDeviationPrinciple",
    "TargetLossRatio",
    "VariancePrinciple",
    "WangTransform",
    "allocate_by_co_tvar",
    "co_tvar",
    "co_var",
    "euler_contributions",
    "gross_up",
    "line_marginal_capital",
    "marginal_risk_loads",
    "price_lines",
    "tail_weights",
    "wang_weights",
]
