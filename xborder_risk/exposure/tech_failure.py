"""Technology-failure exposure: the border-control systems operated or supplied."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from xborder_risk.exposure._base import FrozenModel
from xborder_risk.exposure._types import (
    CountryList,
    Identifier,
    Money,
    PositiveMoney,
    Redundancy,
    SystemType,
    VendorSupport,
    Years,
    unique_items,
)

__all__ = ["BorderSystem", "TechFailureExposure"]


class BorderSystem(FrozenModel):
    """One border-control system (a fleet of e-gates, a matching platform, a radio network).

    Attributes
    ----------
    system_id : str
        Identifier, unique within the submission's ``tech_failure.systems``.
    system_type : str
        One of ``e_gate``, ``biometric_matching``, ``surveillance_sensors``, ``drone_aerial``,
        ``traveller_data_platform``, ``radio_network``, ``vehicle_scanner``.
    countries : tuple of str
        ISO 3166-1 alpha-2 codes of the countries where it is deployed (non-empty, distinct).
    replacement_value : float
        Cost to replace the hardware and software, in ``Submission.currency``, >= 0; the
        line prices physical damage to the hardware from it (``docs/rating.md``).
    daily_outage_cost : float
        Cost of one day of outage — service credits, liquidated damages and manual-processing
        cost — in ``Submission.currency`` per day, >= 0.
    redundancy : {"none", "n_plus_1", "geo_redundant"}
        Redundancy level of the deployment.
    age_years : float
        Years since commissioning, 0 to 100.
    vendor_support : {"full", "limited", "end_of_life"}
        Support status from the manufacturer.
    vendor : str or None
        The named software or platform vendor whose single update or failure can stop the
        system (e.g. the endpoint-security agent or the cloud host); systems of one insured
        sharing a vendor are stopped together by a common-vendor event.  ``None``: not stated.
    liquidated_damages_cap : float or None
        Contractual cap on the liquidated damages and service credits of one outage, in
        ``Submission.currency``; the duration-driven cost of an outage stops at it.  ``None``:
        uncapped.
    """

    system_id: Identifier
    """Identifier, unique among the systems of the submission."""
    system_type: SystemType
    """Kind of system (see docs/CONTRACTS.md)."""
    countries: CountryList
    """ISO 3166-1 alpha-2 codes of the countries where the system is deployed."""
    replacement_value: Money
    """Replacement cost of hardware and software, in the submission currency."""
    daily_outage_cost: Money
    """Cost per day of outage (service credits, liquidated damages, manual processing), in
    the submission currency."""
    redundancy: Redundancy
    """Redundancy level: none, n_plus_1 or geo_redundant."""
    age_years: Years
    """Years since commissioning."""
    vendor_support: VendorSupport
    """Vendor support status: full, limited or end_of_life."""
    vendor: Identifier | None = None
    """Named vendor whose one update or failure can stop the system (common-vendor events)."""
    liquidated_damages_cap: PositiveMoney | None = None
    """Cap on the liquidated damages / service credits of one outage; null = uncapped."""


class TechFailureExposure(FrozenModel):
    """The systems whose failure the technology-failure line covers.

    Attributes
    ----------
    systems : tuple of BorderSystem
        At least one system; ``system_id`` values are distinct.
    """

    systems: Annotated[
        tuple[BorderSystem, ...],
        Field(strict=False, min_length=1),
        unique_items("system_id", key=lambda s: s.system_id, key_name="system_id"),
    ]
    """The systems operated or supplied (at least one, distinct system_id)."""

    @property
    def total_replacement_value(self) -> float:
        """Sum of ``replacement_value`` over the systems, in the submission currency."""
        return sum(system.replacement_value for system in self.systems)
