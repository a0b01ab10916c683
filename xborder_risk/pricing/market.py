"""Market conventions of the premium per line, and the guards an underwriter relies on.

A line is grossed up with its own market terms (commission, expenses, profit, minimum
premium, minimum rate on line; :class:`MarketTerms`), its risk load is floored at zero so
that its technical premium is never below its expected loss, and the priced line is checked
against the most the policy can pay and against the market bands of its expected loss ratio
and rate on line. What fails a check becomes a :class:`Referral`: the quote says so, it does
not change the price. Formulas and sources: ``docs/pricing.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from xborder_risk._validation import check_real
from xborder_risk.errors import ParameterError
from xborder_risk.pricing.lines import PricingResult
from xborder_risk.pricing.loadings import Loadings, PremiumBuildUp
from xborder_risk.pricing.principles import TargetLossRatio

__all__ = [
    "MINIMUMS",
    "REFERRAL_KINDS",
    "LineCover",
    "MarketBand",
    "MarketPricing",
    "MarketTerms",
    "Referral",
    "check_bands",
    "check_cover",
    "expected_loss_ratio",
    "frame_columns",
    "price_market",
    "rate_on_line",
]

#: Which minimum set a line's premium: none, the minimum premium, the minimum rate on line,
#: or the policy's minimum premium of the basis loadings.
MINIMUMS: tuple[str, ...] = (
    "none",
    "minimum_premium",
    "minimum_rate_on_line",
    "policy_minimum_premium",
)

#: What a referral is about.
REFERRAL_KINDS: tuple[str, ...] = (
    "price_at_or_above_cover",
    "outside_market_band",
    "zero_exposure",
)


def _fraction(owner: str, name: str, value: object) -> float:
    return check_real(owner, name, value, lower=0.0, upper=1.0, upper_inclusive=False)


@dataclass(frozen=True)
class MarketTerms:
    """The market terms of one line's premium.

    Parameters
    ----------
    minimum_premium : float
        Minimum premium before tax per policy year, currency units, >= 0.
    minimum_rate_on_line : float
        Minimum premium before tax per year over limit x share, in [0, 1).
    commission, expense_ratio, profit_margin : float
        Broker commission, the insurer's variable expenses and its profit margin, fractions
        of the premium before tax, each in [0, 1), summing to < 1.
    source : str
        Where the terms come from (table, file and key, or the basis).
    """

    minimum_premium: float = 0.0
    minimum_rate_on_line: float = 0.0
    commission: float = 0.0
    expense_ratio: float = 0.0
    profit_margin: float = 0.0
    source: str = "basis loadings"

    def __post_init__(self) -> None:
        owner = "MarketTerms"
        object.__setattr__(
            self,
            "minimum_premium",
            check_real(owner, "minimum_premium", self.minimum_premium, lower=0.0),
        )
        for name in ("minimum_rate_on_line", "commission", "expense_ratio", "profit_margin"):
            object.__setattr__(self, name, _fraction(owner, name, getattr(self, name)))
        if self.proportional_loading >= 1.0:
            raise ParameterError(
                owner,
                "commission + expense_ratio + profit_margin",
                self.proportional_loading,
                "must be < 1",
            )

    @property
    def proportional_loading(self) -> float:
        """Commission + expenses + profit, a fraction of the premium before tax."""
        return self.commission + self.expense_ratio + self.profit_margin

    @classmethod
    def of_loadings(cls, loadings: Loadings) -> MarketTerms:
        """The proportional loadings of a basis as one line's terms (no minimums)."""
        return cls(
            commission=loadings.commission,
            expense_ratio=loadings.expense_ratio,
            profit_margin=loadings.profit_margin,
            source="basis loadings",
        )


@dataclass(frozen=True)
class LineCover:
    """What one line covers: limit, attachment and share, currency units.

    Parameters
    ----------
    limit : float
        Per-occurrence limit, > 0.
    deductible : float
        Per-occurrence deductible (the attachment), >= 0.
    share : float
        The insurer's share, in (0, 1].
    aggregate_limit : float
        Aggregate limit of the policy period; ``inf`` if none.
    claim_count_quantile : float
        A high quantile of the period's claim count (the quote uses 99.5 %), >= 1: with
        no aggregate limit, the most the policy can pay is limit x share x this count.
    """

    limit: float
    deductible: float
    share: float
    aggregate_limit: float
    claim_count_quantile: float

    @property
    def capacity(self) -> float:
        """Limit x share: the denominator of the rate on line."""
        return self.limit * self.share

    @property
    def most_payable(self) -> float:
        """The most the policy can pay in the period (aggregate limit, else occurrence limit
        times the high quantile of the claim count), after the share."""
        if math.isfinite(self.aggregate_limit):
            return self.aggregate_limit * self.share
        return self.limit * self.share * max(self.claim_count_quantile, 1.0)


@dataclass(frozen=True)
class MarketBand:
    """The market band of one measure of one line, with what it rests on."""

    measure: Literal["expected_loss_ratio", "rate_on_line"]
    lower: float
    upper: float
    source: str


@dataclass(frozen=True)
class Referral:
    """A reason to refer (or decline) a quoted line, never a silent change of its price.

    Attributes
    ----------
    line : str
        The line referred.
    kind : str
        One of :data:`REFERRAL_KINDS`.
    reason : str
        What an underwriter reads.
    figure : float
        The figure that failed the check (a premium, a ratio or a rate on line).
    band : tuple of float or None
        The band or bound the figure was checked against (lower, upper).
    source : str or None
        Where the band or bound comes from.
    """

    line: str
    kind: str
    reason: str
    figure: float
    band: tuple[float, float] | None = None
    source: str | None = None

    def to_record(self) -> dict[str, object]:
        """The referral as a JSON-ready mapping."""
        return {
            "line": self.line,
            "kind": self.kind,
            "reason": self.reason,
            "figure": self.figure,
            "band": None if self.band is None else list(self.band),
            "source": self.source,
        }


@dataclass(frozen=True)
class MarketPricing:
    """The per-line premium after market terms and the risk-load floor.

    Attributes
    ----------
    pricing : PricingResult
        The pricing with the per-line table and the total build-up rebuilt.
    terms : mapping of str to MarketTerms
        The terms applied per line.
    minimum_applied : mapping of str to str
        Per line, which of :data:`MINIMUMS` set its premium.
    floored : tuple of str
        Lines whose negative allocated risk load was raised to 0.
    """

    pricing: PricingResult
    terms: Mapping[str, MarketTerms]
    minimum_applied: Mapping[str, str]
    floored: tuple[str, ...]


def rate_on_line(gross_premium: float, capacity: float, period_years: float) -> float:
    """Gross premium per year over limit x share (NaN without a capacity)."""
    if capacity <= 0.0 or period_years <= 0.0:
        return math.nan
    return gross_premium / period_years / capacity


def expected_loss_ratio(expected_loss: float, gross_premium: float) -> float:
    """Expected loss over gross premium (NaN without a premium)."""
    return expected_loss / gross_premium if gross_premium > 0.0 else math.nan


def price_market(
    priced: PricingResult,
    terms: Mapping[str, MarketTerms],
    covers: Mapping[str, LineCover],
    period_years: float,
    *,
    fixed_expense: float = 0.0,
    tax_rate: float = 0.0,
    policy_minimum_premium: float = 0.0,
    floor_risk_load: bool = True,
    principle: object = None,
) -> MarketPricing:
    """Gross up every line with its own market terms.

    Parameters
    ----------
    priced : PricingResult
        :func:`~xborder_risk.pricing.price_lines` of the policy: expected loss and
        allocated risk load per line.
    terms : mapping of str to MarketTerms
        The terms of every line of ``priced``.
    covers : mapping of str to LineCover
        Limit and share of every line (for the minimum rate on line).
    period_years : float
        Policy period in years, > 0: minimums are per year.
    fixed_expense : float
        Fixed expense per policy, shared by the lines in proportion to technical premium.
    tax_rate : float
        Premium tax, a fraction of the premium before tax, charged on top.
    policy_minimum_premium : float
        A minimum premium before tax of the whole policy (the basis loadings'), shared by
        the lines in proportion to technical premium when it binds.
    floor_risk_load : bool
        Raise a negative allocated risk load to 0, so that no line's technical premium is
        below its expected loss.
    principle : PremiumPrinciple, optional
        A :class:`~xborder_risk.pricing.TargetLossRatio` sets each line's risk load from
        its target: premium before tax (before fixed expense and minimums) = expected loss
        / target loss ratio.

    Returns
    -------
    MarketPricing

    Notes
    -----
    Per line i with technical premium :math:`T_i`, share :math:`F_i` of the fixed expense
    and proportional loading :math:`L_i = C_i + V_i + Q_i`:

    .. math:: P_i = \\frac{T_i + F_i}{1 - L_i}, \\qquad
              G_i = \\max(P_i,\\; M_i Y,\\; m_i\\, l_i s_i Y)\\,(1 + t)

    with :math:`M_i` the minimum premium and :math:`m_i` the minimum rate on line (per
    year), :math:`l_i s_i` limit x share and Y the policy period in years (Werner & Modlin,
    *Basic Ratemaking*, 5th ed., ch. 7). A binding minimum tops :math:`P_i` up with no
    further commission or expense on the top-up, as :func:`~xborder_risk.pricing.gross_up`.
    """
    owner = "price_market"
    table = priced.table
    lines = priced.lines
    missing = [line for line in lines if line not in terms or line not in covers]
    if missing:
        raise ParameterError(owner, "terms / covers", missing, "need an entry for every line")
    years = check_real(owner, "period_years", period_years, lower=0.0, lower_inclusive=False)
    expected = table.loc[list(lines), "expected_loss"].to_numpy(dtype=np.float64)
    risk_load = table.loc[list(lines), "risk_load"].to_numpy(dtype=np.float64).copy()
    loading = np.array([terms[line].proportional_loading for line in lines])
    if isinstance(principle, TargetLossRatio):
        targets = np.array([principle.target(line) for line in lines])
        risk_load = expected * (1.0 - loading) / targets - expected
    floored = tuple(
        line for line, load in zip(lines, risk_load, strict=True) if floor_risk_load and load < 0
    )
    if floor_risk_load:
        risk_load = np.maximum(risk_load, 0.0)
    technical = expected + risk_load
    shares = _shares(technical)
    fixed = fixed_expense * shares
    before_minimum = (technical + fixed) / (1.0 - loading)
    minimum_premium = np.array([terms[line].minimum_premium * years for line in lines])
    minimum_rol = np.array(
        [terms[line].minimum_rate_on_line * covers[line].capacity * years for line in lines]
    )
    before_tax = np.maximum(before_minimum, np.maximum(minimum_premium, minimum_rol))
    applied = {
        line: _which_minimum(p, mp, mr)
        for line, p, mp, mr in zip(lines, before_minimum, minimum_premium, minimum_rol, strict=True)
    }
    short = policy_minimum_premium - float(before_tax.sum())
    if short > 0.0:
        before_tax = before_tax + short * shares
        applied = dict.fromkeys(lines, "policy_minimum_premium")
    columns: dict[str, NDArray[np.float64]] = {
        "risk_load": risk_load,
        "technical_premium": technical,
        "fixed_expense": fixed,
        "variable_expense": np.array([terms[x].expense_ratio for x in lines]) * before_minimum,
        "commission": np.array([terms[x].commission for x in lines]) * before_minimum,
        "profit_margin": np.array([terms[x].profit_margin for x in lines]) * before_minimum,
        "minimum_premium_adjustment": before_tax - before_minimum,
        "premium_tax": tax_rate * before_tax,
        "gross_premium": before_tax * (1.0 + tax_rate),
    }
    totals = {column: float(values.sum()) for column, values in columns.items()}
    new = table.copy()
    for column, values in columns.items():
        new.loc[list(lines), column] = values
        new.loc["total", column] = totals[column]
    build_up = PremiumBuildUp(**{step: totals[step] for step in PremiumBuildUp.STEPS})
    # The loadings record the tax actually charged; the per-line terms are in ``terms``.
    pricing = PricingResult(
        table=new,
        principle=principle if isinstance(principle, TargetLossRatio) else priced.principle,
        loadings=priced.loadings,
        allocation=priced.allocation,
        allocation_level=priced.allocation_level,
        build_up=build_up,
    )
    return MarketPricing(
        pricing=pricing, terms=dict(terms), minimum_applied=applied, floored=floored
    )


def _shares(technical: NDArray[np.float64]) -> NDArray[np.float64]:
    total = float(technical.sum())
    if total > 0.0:
        return technical / total
    return np.full(technical.size, 1.0 / technical.size)


def _which_minimum(premium: float, minimum_premium: float, minimum_rol: float) -> str:
    if premium >= max(minimum_premium, minimum_rol):
        return "none"
    return "minimum_rate_on_line" if minimum_rol > minimum_premium else "minimum_premium"


def check_cover(
    line: str, gross_premium: float, expected_loss: float, cover: LineCover, currency: str
) -> list[Referral]:
    """Refer a line priced at or above the most it can pay, or with a limit and no exposure."""
    referrals = []
    most = cover.most_payable
    if gross_premium >= most:
        how = (
            "the aggregate limit x share"
            if math.isfinite(cover.aggregate_limit)
            else "the occurrence limit x share x the 99.5 % quantile of the period's claim "
            f"count ({max(cover.claim_count_quantile, 1.0):g})"
        )
        referrals.append(
            Referral(
                line=line,
                kind="price_at_or_above_cover",
                reason=(
                    f"refer/decline: gross premium {currency} {gross_premium:,.0f} is at or "
                    f"above the most the policy can pay, {currency} {most:,.0f} ({how}); "
                    "this is not a quote"
                ),
                figure=gross_premium,
                band=(0.0, most),
                source=how,
            )
        )
    if expected_loss <= 0.0 and cover.limit > 0.0:
        referrals.append(
            Referral(
                line=line,
                kind="zero_exposure",
                reason=(
                    f"refer: expected loss 0 on a limit of {currency} {cover.limit:,.0f}: the "
                    "rated exposure gives no loss, so the price is only loadings and minimums; "
                    "check the exposure or drop the line"
                ),
                figure=expected_loss,
                band=None,
                source=None,
            )
        )
    return referrals


def check_bands(
    line: str, figures: Mapping[str, float], bands: Sequence[MarketBand]
) -> list[Referral]:
    """Refer a line whose expected loss ratio or rate on line is outside its market band."""
    referrals = []
    for band in bands:
        value = figures.get(band.measure, math.nan)
        if math.isnan(value) or band.lower <= value <= band.upper:
            continue
        label = band.measure.replace("_", " ")
        referrals.append(
            Referral(
                line=line,
                kind="outside_market_band",
                reason=(
                    f"refer: {label} {value:.2%} is outside the market band "
                    f"{band.lower:.2%}-{band.upper:.2%} ({band.source})"
                ),
                figure=value,
                band=(band.lower, band.upper),
                source=band.source,
            )
        )
    return referrals


def frame_columns(
    pricing: PricingResult,
    covers: Mapping[str, LineCover],
    minimum_applied: Mapping[str, str],
    period_years: float,
) -> pd.DataFrame:
    """What an underwriter reads first, per line: limit, attachment, share, rate on line,
    expected loss ratio and the minimum applied (index: the lines and ``total``)."""
    table = pricing.table
    rows = []
    for line in table.index:
        cover = covers.get(str(line))
        gross = float(table["gross_premium"][line])
        expected = float(table["expected_loss"][line])
        rows.append(
            {
                "limit": math.nan if cover is None else cover.limit,
                "deductible": math.nan if cover is None else cover.deductible,
                "aggregate_limit": math.nan if cover is None else cover.aggregate_limit,
                "share": math.nan if cover is None else cover.share,
                "rate_on_line": math.nan
                if cover is None
                else rate_on_line(gross, cover.capacity, period_years),
                "expected_loss_ratio": expected_loss_ratio(expected, gross),
                "minimum_applied": minimum_applied.get(str(line), "") if cover else "",
            }
        )
    return pd.DataFrame(rows, index=table.index)
