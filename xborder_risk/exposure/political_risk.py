"""Political-risk exposure: government contracts and assets abroad."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from xborder_risk.exposure._base import FrozenModel
from xborder_risk.exposure._types import (
    Count,
    Counterparty,
    CountryCode,
    Identifier,
    Money,
    Peril,
    PositiveYears,
    unique_items,
)

__all__ = ["FundingSource", "GovernmentContract", "PoliticalRiskExposure"]

FundingSource = Literal["host_budget", "eu_funded", "multilateral"]
"""Who pays the contract: the host government's budget, EU funds, or a multilateral lender."""


class GovernmentContract(FrozenModel):
    """One contract with a government, and the political perils covered for it.

    Attributes
    ----------
    contract_id : str
        Identifier, unique within the submission's ``political_risk.contracts``.
    host_country : str
        ISO 3166-1 alpha-2 code of the contracting government's country.
    counterparty : {"national", "sub_national"}
        National government or a sub-national authority (region, state, municipality).
    contract_value : float
        Value of the contract still to be earned, in ``Submission.currency``, >= 0.
    remaining_term_years : float
        Remaining term, 0 < t <= 100 years.
    assets_in_country : float
        Value of the insured's assets in the host country, in ``Submission.currency``, >= 0.
    perils : tuple of str
        Perils covered, non-empty and distinct: ``expropriation``, ``contract_frustration``
        (including non-payment), ``political_violence``, ``currency_inconvertibility``
        (including transfer restriction).
    region : str or None
        Region of the host country where the assets sit (lower-case identifier, e.g.
        ``anbar``); the political-violence index uses the region's row when it has one.
    sovereign_guarantee : bool
        Whether the national government guarantees the counterparty's obligations.
    funding_source : {"host_budget", "eu_funded", "multilateral"}
        Who funds the contract's payments.
    arrears_days : int
        Days the counterparty's payments are already late at inception (0 = none), 0 to
        36,500: a known circumstance, rated as a loading on non-payment and inconvertibility,
        and excluded from contract frustration when it already exceeds the waiting period.
    """

    contract_id: Identifier
    """Identifier, unique among the contracts of the submission."""
    host_country: CountryCode
    """ISO 3166-1 alpha-2 code of the host government's country."""
    counterparty: Counterparty
    """national or sub_national government."""
    contract_value: Money
    """Value still to be earned, in the submission currency."""
    remaining_term_years: PositiveYears
    """Remaining contract term in years (> 0)."""
    assets_in_country: Money
    """Insured's assets in the host country, in the submission currency."""
    perils: Annotated[
        tuple[Peril, ...],
        Field(strict=False, min_length=1),
        unique_items("peril"),
    ]
    """Perils covered (non-empty, distinct)."""
    region: Identifier | None = None
    """Region of the host country (lower-case identifier), or None for the whole country."""
    sovereign_guarantee: bool = False
    """Whether the national government guarantees the counterparty's obligations."""
    funding_source: FundingSource = "host_budget"
    """host_budget, eu_funded or multilateral."""
    arrears_days: Annotated[Count, Field(le=36_500)] = 0
    """Days the counterparty's payments are already late at inception."""


class PoliticalRiskExposure(FrozenModel):
    """The government contracts covered by the political-risk line.

    Attributes
    ----------
    contracts : tuple of GovernmentContract
        At least one contract; ``contract_id`` values are distinct.
    """

    contracts: Annotated[
        tuple[GovernmentContract, ...],
        Field(strict=False, min_length=1),
        unique_items("contract_id", key=lambda c: c.contract_id, key_name="contract_id"),
    ]
    """Government contracts (at least one, distinct contract_id)."""
