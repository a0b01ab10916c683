"""The insured: a border-security contractor or a border agency."""

from __future__ import annotations

from xborder_risk.exposure._base import FrozenModel
from xborder_risk.exposure._types import (
    CountryCode,
    CurrencyCode,
    InsuredKind,
    Name,
    PositiveCount,
    PositiveMoney,
)

__all__ = ["Insured"]


class Insured(FrozenModel):
    """Who is insured.

    Attributes
    ----------
    name : str
        Legal or display name.
    kind : {"contractor", "agency"}
        A private contractor supplying or operating border systems, or a public border agency.
    home_country : str
        ISO 3166-1 alpha-2 code of the country of incorporation (contractor) or of the
        government the agency belongs to.
    currency : str
        ISO 4217 code of ``annual_revenue``.
    annual_revenue : float
        Annual revenue (contractor) or annual budget (agency), in ``currency``, > 0.
    headcount : int
        Total staff, >= 1.

    Notes
    -----
    ``annual_revenue`` is the only amount of a submission not in ``Submission.currency``: it is
    stated as the insured reports it.  The shipped rating tables do not rate on revenue, so it is
    not converted (and ``currency`` need not have an FX rate).
    """

    name: Name
    """Legal or display name of the insured."""
    kind: InsuredKind
    """'contractor' (private supplier or operator) or 'agency' (public border authority)."""
    home_country: CountryCode
    """ISO 3166-1 alpha-2 code of the home country."""
    currency: CurrencyCode
    """ISO 4217 code of annual_revenue."""
    annual_revenue: PositiveMoney
    """Annual revenue (contractor) or budget (agency), in the insured's currency."""
    headcount: PositiveCount
    """Total staff."""
