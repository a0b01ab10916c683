"""Operational-liability exposure: people, fleet and powers in the field."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from xborder_risk.exposure._base import FrozenModel
from xborder_risk.exposure._types import Count, CountryList, Hours, Role, unique_items

__all__ = ["OperationalLiabilityExposure", "PersonnelGroup"]


class PersonnelGroup(FrozenModel):
    """Staff of one role.

    Attributes
    ----------
    role : {"field_officer", "technician", "support"}
        The role.
    headcount : int
        Number of people in the role, >= 0.
    annual_hours_per_person : float
        Patrol or operating hours per person per year, 0 to 8784.
    """

    role: Role
    """field_officer, technician or support."""
    headcount: Count
    """Number of people in the role."""
    annual_hours_per_person: Hours
    """Patrol or operating hours per person per year."""

    @property
    def annual_hours(self) -> float:
        """``headcount * annual_hours_per_person``, person-hours per year."""
        return self.headcount * self.annual_hours_per_person


class OperationalLiabilityExposure(FrozenModel):
    """Third-party liability from operations: patrols, screening, transport, detention.

    Attributes
    ----------
    personnel : tuple of PersonnelGroup
        One entry per role (non-empty, each role at most once).
    vehicles, vessels, aircraft : int
        Land vehicles, boats and ships, aircraft including drones; each >= 0.
    use_of_force_authorised : bool
        Whether staff are authorised to use force (restraint, arrest, weapons).
    detention_facilities : int
        Detention or holding facilities operated, >= 0.
    countries : tuple of str
        Countries of operation (ISO 3166-1 alpha-2, non-empty, distinct).
    claims_last_five_years : int or None
        Deprecated and no longer rated (a single count has no exposure, amounts or claim
        threshold to compare like with like): give ``Submission.loss_history`` instead.
        Accepted so that older files still read; the rater says it was ignored.
    """

    personnel: Annotated[
        tuple[PersonnelGroup, ...],
        Field(strict=False, min_length=1),
        unique_items("role", key=lambda g: g.role, key_name="role"),
    ]
    """Staff by role (each role at most once)."""
    vehicles: Count
    """Land vehicles operated."""
    vessels: Count
    """Boats and ships operated."""
    aircraft: Count
    """Aircraft operated, including drones."""
    use_of_force_authorised: bool
    """Whether staff may use force (restraint, arrest, weapons)."""
    detention_facilities: Count
    """Detention or holding facilities operated."""
    countries: CountryList
    """ISO 3166-1 alpha-2 codes of the countries of operation."""
    claims_last_five_years: Count | None = None
    """Deprecated, not rated: give ``Submission.loss_history['operational_liability']``."""

    @property
    def personnel_hours(self) -> float:
        """Person-hours per year summed over roles."""
        return sum(group.annual_hours for group in self.personnel)
