"""Exposure models: what an underwriter knows about a border-security risk.

Frozen, strict pydantic v2 models of the insured, the exposure of each of the four lines
(technology failure, cyber, operational liability, political risk), the policy terms per line
and the submission that ties them together.  See ``docs/exposure.md``.

>>> from xborder_risk.exposure import Submission
>>> sub = Submission.from_file("examples/submissions/eu_egates_contractor.yaml")  # doctest: +SKIP
>>> sub.lines  # doctest: +SKIP
('tech_failure', 'cyber', 'operational_liability', 'political_risk')
"""

from __future__ import annotations

from xborder_risk.exposure._base import FieldError, FrozenModel, InvalidSubmissionError
from xborder_risk.exposure._codes import COUNTRY_CODES, CURRENCY_CODES
from xborder_risk.exposure._loading import SubmissionYamlLoader, load_json_text, load_yaml_text
from xborder_risk.exposure._types import (
    COUNTERPARTIES,
    INSURED_KINDS,
    LINES,
    MAX_AMOUNT,
    MAX_COUNT,
    MAX_HOURS_PER_YEAR,
    MAX_YEARS,
    PERILS,
    REDUNDANCY_LEVELS,
    ROLES,
    SYSTEM_TYPES,
    VENDOR_SUPPORT_LEVELS,
    Counterparty,
    InsuredKind,
    Line,
    Peril,
    Redundancy,
    Role,
    SystemType,
    VendorSupport,
)
from xborder_risk.exposure.cyber import SECURITY_CONTROLS, CyberExposure, SecurityControls
from xborder_risk.exposure.history import (
    EXPOSURE_MEASURES,
    HistoryYear,
    LargeLoss,
    LossHistory,
    exposure_measure,
)
from xborder_risk.exposure.insured import Insured
from xborder_risk.exposure.operational_liability import (
    DroneGroup,
    OperationalLiabilityExposure,
    PersonnelGroup,
)
from xborder_risk.exposure.political_risk import GovernmentContract, PoliticalRiskExposure
from xborder_risk.exposure.programme import LinePlacement, LocalPolicy
from xborder_risk.exposure.submission import (
    MAX_FILE_BYTES,
    MAX_POLICY_YEARS,
    Exposure,
    Submission,
    policy_years,
)
from xborder_risk.exposure.tech_failure import BorderSystem, TechFailureExposure
from xborder_risk.exposure.terms import EXCLUSIONS, SUBLIMIT_COMPONENTS, PolicyTerms, TowerLayer

#: Every model of the package, for conformance tests and schema export.
MODELS: tuple[type[FrozenModel], ...] = (
    Insured,
    BorderSystem,
    TechFailureExposure,
    SecurityControls,
    CyberExposure,
    PersonnelGroup,
    DroneGroup,
    OperationalLiabilityExposure,
    GovernmentContract,
    PoliticalRiskExposure,
    TowerLayer,
    PolicyTerms,
    LargeLoss,
    HistoryYear,
    LossHistory,
    LocalPolicy,
    LinePlacement,
    Submission,
)

#: The exposure model of each line.
EXPOSURE_MODELS: dict[str, type[FrozenModel]] = {
    "tech_failure": TechFailureExposure,
    "cyber": CyberExposure,
    "operational_liability": OperationalLiabilityExposure,
    "political_risk": PoliticalRiskExposure,
}

__all__ = [
    "COUNTERPARTIES",
    "COUNTRY_CODES",
    "CURRENCY_CODES",
    "EXCLUSIONS",
    "EXPOSURE_MEASURES",
    "EXPOSURE_MODELS",
    "INSURED_KINDS",
    "LINES",
    "MAX_AMOUNT",
    "MAX_COUNT",
    "MAX_FILE_BYTES",
    "MAX_HOURS_PER_YEAR",
    "MAX_POLICY_YEARS",
    "MAX_YEARS",
    "MODELS",
    "PERILS",
    "REDUNDANCY_LEVELS",
    "ROLES",
    "SECURITY_CONTROLS",
    "SUBLIMIT_COMPONENTS",
    "SYSTEM_TYPES",
    "VENDOR_SUPPORT_LEVELS",
    "BorderSystem",
    "Counterparty",
    "CyberExposure",
    "DroneGroup",
    "Exposure",
    "FieldError",
    "FrozenModel",
    "GovernmentContract",
    "HistoryYear",
    "Insured",
    "InsuredKind",
    "InvalidSubmissionError",
    "LargeLoss",
    "Line",
    "LinePlacement",
    "LocalPolicy",
    "LossHistory",
    "OperationalLiabilityExposure",
    "Peril",
    "PersonnelGroup",
    "PolicyTerms",
    "PoliticalRiskExposure",
    "Redundancy",
    "Role",
    "SecurityControls",
    "Submission",
    "SubmissionYamlLoader",
    "SystemType",
    "TechFailureExposure",
    "TowerLayer",
    "VendorSupport",
    "exposure_measure",
    "load_json_text",
    "load_yaml_text",
    "policy_years",
]
