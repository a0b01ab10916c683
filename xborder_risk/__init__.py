"""xborder_risk: pricing and reserving for cross-border security operations.

Exposure models for four lines of cover (technology failure, cyber, operational
liability, political risk), rating tables, a vectorised Monte Carlo loss engine,
premium and reserve estimates.

>>> from xborder_risk import quote, Submission
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("xborder-risk")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

from xborder_risk.exposure import Submission
from xborder_risk.quote import Quote, quote

__all__ = ["Quote", "Submission", "__version__", "quote"]
