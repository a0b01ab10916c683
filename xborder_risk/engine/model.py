"""A line of cover as the engine sees it: frequency, severity and layer."""

from __future__ import annotations

from dataclasses import dataclass, field

from xborder_risk.distributions import Frequency, Severity
from xborder_risk.engine.layers import Layer
from xborder_risk.errors import ParameterError

__all__ = ["LossModel"]


@dataclass(frozen=True, slots=True)
class LossModel:
    """One line of cover: a compound frequency-severity model under a layer.

    Parameters
    ----------
    name : str
        Line name, unique within a simulation (e.g. ``"cyber"``).
    frequency : Frequency
        Number of occurrences per policy period (a year).
    severity : Severity
        Ground-up size of one occurrence, currency units.
    layer : Layer, optional
        Occurrence and aggregate terms; ground-up by default.

    Notes
    -----
    The annual layer loss is the compound sum
    :math:`A = s\\min(\\max(\\sum_{i=1}^{N} Y_i - D, 0), L)` with
    :math:`Y_i = \\min(\\max(X_i - d, 0), l)`, the :math:`X_i` i.i.d. and independent of
    :math:`N` (collective risk model, *Loss Models* ch. 9).
    """

    name: str
    frequency: Frequency
    severity: Severity
    layer: Layer = field(default_factory=Layer)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ParameterError("LossModel", "name", self.name, "must be a non-empty string")
        if not isinstance(self.frequency, Frequency):
            raise ParameterError(
                "LossModel", "frequency", self.frequency, "must be a Frequency distribution"
            )
        if not isinstance(self.severity, Severity):
            raise ParameterError(
                "LossModel", "severity", self.severity, "must be a Severity distribution"
            )
        if not isinstance(self.layer, Layer):
            raise ParameterError("LossModel", "layer", self.layer, "must be a Layer")

    def layered_occurrence_moments(self) -> tuple[float, float]:
        """:math:`E[Y]` and :math:`E[Y^2]` of one occurrence's layer payment.

        See :meth:`Layer.occurrence_moments` for the formulas.
        """
        return self.layer.occurrence_moments(self.severity)

    def expected_annual_loss(self) -> float:
        """Closed-form :math:`E[A]` when the layer has no aggregate terms.

        Returns ``share * E[N] * E[Y]``. Raises ``ParameterError`` when an aggregate
        deductible or limit makes the mean depend on the whole aggregate distribution (use
        :func:`xborder_risk.exact.aggregate_distribution` or the simulation then).
        """
        layer = self.layer
        if layer.has_aggregate_terms:
            raise ParameterError(
                "LossModel",
                "layer",
                layer,
                "has aggregate terms; the annual mean has no closed form",
            )
        mean_y, _ = self.layered_occurrence_moments()
        return layer.share * self.frequency.mean() * mean_y
