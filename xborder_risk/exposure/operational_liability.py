"""Operational-liability exposure: people, fleet and powers in the field."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from xborder_risk.exposure._base import FrozenModel
from xborder_risk.exposure._types import (
    Count,
    CountryList,
    Hours,
    PositiveCount,
    Role,
    unique_items,
)

__all__ = [
    "DroneCategory",
    "DroneGroup",
    "DroneMass",
    "GovernmentIndemnity",
    "OperationalLiabilityExposure",
    "PersonnelGroup",
]

DroneMass = Literal["under_250g", "250g_to_4kg", "4kg_to_25kg", "over_25kg"]
"""Maximum take-off mass class of a drone."""
DroneCategory = Literal["open", "specific", "certified"]
"""Operating category (Commission Implementing Regulation (EU) 2019/947)."""
GovernmentIndemnity = Literal["none", "partial", "full"]
"""How far the contracting government indemnifies the insured, or extends its immunity."""

Fraction = Annotated[float, Field(ge=0, le=1, strict=True, allow_inf_nan=False)]
CustodyDays = Annotated[float, Field(ge=0, le=1e9, strict=True, allow_inf_nan=False)]


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
    armed_share : float
        Share of the role's hours worked armed (carrying firearms), 0 to 1; default 0.
    """

    role: Role
    """field_officer, technician or support."""
    headcount: Count
    """Number of people in the role."""
    annual_hours_per_person: Hours
    """Patrol or operating hours per person per year."""
    armed_share: Fraction = 0.0
    """Share of the role's hours worked armed, 0 to 1."""

    @property
    def annual_hours(self) -> float:
        """``headcount * annual_hours_per_person``, person-hours per year."""
        return self.headcount * self.annual_hours_per_person


class DroneGroup(FrozenModel):
    """Drones of one take-off mass class and operating category.

    Attributes
    ----------
    mass_class : {"under_250g", "250g_to_4kg", "4kg_to_25kg", "over_25kg"}
        Maximum take-off mass class.
    operating_category : {"open", "specific", "certified"}
        Operating category (Regulation (EU) 2019/947).
    count : int
        Drones in the group, >= 1.
    """

    mass_class: DroneMass
    """Maximum take-off mass class."""
    operating_category: DroneCategory
    """open, specific or certified."""
    count: PositiveCount
    """Drones in the group."""


class OperationalLiabilityExposure(FrozenModel):
    """Third-party liability from operations: patrols, screening, transport, detention.

    Attributes
    ----------
    personnel : tuple of PersonnelGroup
        One entry per role (non-empty, each role at most once).
    vehicles, vessels, aircraft : int
        Land vehicles, boats and ships, crewed aircraft; each >= 0.  Drones are ``drones``.
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
    drones : tuple of DroneGroup
        Drones by mass class and operating category (default none); rated as the component
        ``drones`` at aviation-market levels.
    detainee_custody_days : float
        Detainee-days in custody per year (average detainee population x 365), >= 0.
    government_indemnity : {"none", "partial", "full"}
        Indemnity or immunity the contracting government extends to the insured.
    us_litigation_exposure : bool
        Whether claims for the operations can be brought in US courts (a US-domiciled or
        US-government contractor, as in Al Shimari v CACI).
    batch_clause : bool
        Whether claims of detainees from one cause are one occurrence (one deductible, one
        limit).
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
    """Crewed aircraft operated (drones are ``drones``)."""
    use_of_force_authorised: bool
    """Whether staff may use force (restraint, arrest, weapons)."""
    detention_facilities: Count
    """Detention or holding facilities operated."""
    countries: CountryList
    """ISO 3166-1 alpha-2 codes of the countries of operation."""
    claims_last_five_years: Count | None = None
    """Deprecated, not rated: give ``Submission.loss_history['operational_liability']``."""
    drones: Annotated[tuple[DroneGroup, ...], Field(strict=False, max_length=100)] = ()
    """Drones by take-off mass class and operating category."""
    detainee_custody_days: CustodyDays = 0.0
    """Detainee-days in custody per year."""
    government_indemnity: GovernmentIndemnity = "none"
    """none, partial or full indemnity or immunity from the contracting government."""
    us_litigation_exposure: bool = False
    """Whether the operations can be litigated in US courts."""
    batch_clause: bool = False
    """Whether detainee claims from one cause are one occurrence."""

    @property
    def personnel_hours(self) -> float:
        """Person-hours per year summed over roles."""
        return sum(group.annual_hours for group in self.personnel)
