"""Portfolio: a book of policies simulated jointly, with common shocks and accumulation.

>>> from xborder_risk.portfolio import Portfolio, synthetic_book
>>> book = Portfolio(synthetic_book(5, seed=1))  # doctest: +SKIP
>>> result = book.simulate(n_years=10_000, seed=7)  # doctest: +SKIP
>>> result.marginal_tvar(0.99)  # doctest: +SKIP

See ``docs/portfolio.md``.
"""

from xborder_risk.portfolio.book import ATTRIBUTED_LINES, Portfolio
from xborder_risk.portfolio.results import PortfolioResult
from xborder_risk.portfolio.shocks import OECD_CLASSES, CommonShocks, shipped_shocks_location
from xborder_risk.portfolio.synthetic import SYNTHETIC_COUNTRIES, synthetic_book

__all__ = [
    "ATTRIBUTED_LINES",
    "OECD_CLASSES",
    "SYNTHETIC_COUNTRIES",
    "CommonShocks",
    "Portfolio",
    "PortfolioResult",
    "shipped_shocks_location",
    "synthetic_book",
]
