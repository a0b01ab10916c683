"""Reinsurance: quota share, per-occurrence excess of loss with reinstatements, stop loss.

Treaties are frozen, validated objects; ``apply`` takes simulated losses (annual arrays, or an
:class:`OccurrenceTable` for the per-occurrence cover) and returns a :class:`TreatyResult` of
gross, ceded and net losses per simulated year.  See ``docs/reinsurance.md``.

>>> from xborder_risk.distributions import Pareto, Poisson
>>> from xborder_risk.engine import LossModel
>>> from xborder_risk.reinsurance import ExcessOfLoss, occurrences_from_models
>>> model = LossModel("property", Poisson(lam=10.0), Pareto(alpha=3.0, theta=10.0))
>>> occurrences = occurrences_from_models(model, n_years=20_000, seed=1)
>>> xl = ExcessOfLoss(retention=10.0, limit=10.0, reinstatements=1)
>>> round(xl.apply(occurrences).expected_ceded_loss, 1)  # Mata (2000): 6.6128
6.6
"""

from xborder_risk.reinsurance.occurrences import OccurrenceTable, occurrences_from_models
from xborder_risk.reinsurance.towers import Surplus, SurplusResult, Tower, TowerResult
from xborder_risk.reinsurance.treaties import (
    ExcessOfLoss,
    QuotaShare,
    StopLoss,
    Treaty,
    TreatyResult,
)

__all__ = [
    "ExcessOfLoss",
    "OccurrenceTable",
    "QuotaShare",
    "StopLoss",
    "Surplus",
    "SurplusResult",
    "Tower",
    "TowerResult",
    "Treaty",
    "TreatyResult",
    "occurrences_from_models",
]
