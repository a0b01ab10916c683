"""Monte Carlo loss engine: layers, loss models, chunked seeded simulation, results."""

from xborder_risk.engine.dependence import Copula, GaussianCopula, StudentTCopula
from xborder_risk.engine.kernel import simulate
from xborder_risk.engine.layers import Layer
from xborder_risk.engine.model import LossModel
from xborder_risk.engine.results import SimulationResult
from xborder_risk.engine.rng import BLOCK_YEARS

__all__ = [
    "BLOCK_YEARS",
    "Copula",
    "GaussianCopula",
    "Layer",
    "LossModel",
    "SimulationResult",
    "StudentTCopula",
    "simulate",
]
