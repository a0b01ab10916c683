"""Shared helper of the reserves package: the empirical quantile."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from xborder_risk._validation import check_probability
from xborder_risk.measures import value_at_risk

__all__ = ["lower_quantile"]


def lower_quantile(owner: str, name: str, x: NDArray[np.float64], p: object) -> float:
    """VaR_p of a simulated sample: the lower empirical quantile, ceil(n p)-th order statistic.

    Delegates to :func:`xborder_risk.measures.value_at_risk` so that every module reports the same
    quantile; checks ``p`` first so that the error names the caller's parameter.

    Parameters
    ----------
    owner, name : str
        Where ``p`` comes from, for the error message.
    x : ndarray of float64
        Simulated amounts (clean: finite, one-dimensional, non-empty).
    p : float
        Probability level in the open interval (0, 1).
    """
    return float(value_at_risk(x, check_probability(owner, name, p)))
