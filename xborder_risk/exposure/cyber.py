"""Cyber exposure: traveller data and biometric templates held, connections, controls."""

from __future__ import annotations

from typing import Final

from xborder_risk.exposure._base import FrozenModel
from xborder_risk.exposure._types import Count, CountryList, IsoDate, PositiveMoney

__all__ = ["SECURITY_CONTROLS", "CyberExposure", "SecurityControls"]


class SecurityControls(FrozenModel):
    """Security controls in place, each answered explicitly (no default means "no").

    Attributes
    ----------
    mfa, edr, offline_backups, encryption_at_rest, segmentation, incident_response_plan : bool
        Multi-factor authentication, endpoint detection and response, offline (air-gapped or
        immutable) backups, encryption of stored data, network segmentation, a tested
        incident-response plan.
    last_penetration_test : datetime.date or None
        Date of the last independent penetration test; ``None`` if never tested.
    """

    mfa: bool
    """Multi-factor authentication on remote and privileged access."""
    edr: bool
    """Endpoint detection and response deployed."""
    offline_backups: bool
    """Offline or immutable backups."""
    encryption_at_rest: bool
    """Stored personal and biometric data encrypted."""
    segmentation: bool
    """Network segmentation between border systems and corporate IT."""
    incident_response_plan: bool
    """A documented and tested incident-response plan."""
    last_penetration_test: IsoDate | None = None
    """Date of the last independent penetration test (YYYY-MM-DD), null if never."""


#: The yes/no security controls of :class:`SecurityControls`, in declaration order (the order in
#: which the rater applies their credits).
SECURITY_CONTROLS: Final[tuple[str, ...]] = tuple(
    name for name, info in SecurityControls.model_fields.items() if info.annotation is bool
)


class CyberExposure(FrozenModel):
    """Data held and connections through which a breach or outage can spread.

    Attributes
    ----------
    pii_records : int
        Traveller personal-data records held (passport data, itineraries), >= 0.
    biometric_records : int
        Biometric templates held (face, fingerprint, iris), counted separately, >= 0.
    partner_connections : int
        Partner agencies or countries connected through shared platforms, >= 0.
    vendor_access : int
        Vendors and subcontractors with remote or privileged access, >= 0 (default 0).
    annual_revenue : float or None
        Revenue or budget attributable to the covered operations, in ``Submission.currency``;
        ``None`` means use the insured's ``annual_revenue``.
    controls : SecurityControls
        Security controls in place.
    countries : tuple of str
        Countries whose data-protection regimes apply (ISO 3166-1 alpha-2, non-empty, distinct);
        the regimes themselves come from the rating tables' country table.

    Notes
    -----
    Zero records and zero connections is a valid exposure (for instance a contractor that
    maintains hardware but holds no data); the rater decides what it costs.
    """

    pii_records: Count
    """Traveller personal-data records held."""
    biometric_records: Count
    """Biometric templates held (counted separately from pii_records)."""
    partner_connections: Count
    """Partner agencies or countries connected through shared platforms."""
    vendor_access: Count = 0
    """Vendors and subcontractors with remote or privileged access to the systems."""
    annual_revenue: PositiveMoney | None = None
    """Revenue or budget of the covered operations in the submission currency; null = the
    insured's annual_revenue."""
    controls: SecurityControls
    """Security controls in place."""
    countries: CountryList
    """ISO 3166-1 alpha-2 codes of the countries whose data-protection law applies."""

    @property
    def total_records(self) -> int:
        """``pii_records + biometric_records``."""
        return self.pii_records + self.biometric_records
