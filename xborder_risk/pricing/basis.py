"""How a quote turns simulated losses into premium: the pricing basis."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self, get_args

from pydantic import (
    BeforeValidator,
    Discriminator,
    Field,
    InstanceOf,
    PlainSerializer,
    Tag,
    model_validator,
)

from xborder_risk._basis import FrozenBasis, Level
from xborder_risk.errors import ParameterError
from xborder_risk.pricing.loadings import Loadings
from xborder_risk.pricing.principles import (
    CostOfCapital,
    ExpectedValuePrinciple,
    PremiumPrinciple,
    StandardDeviationPrinciple,
    TargetLossRatio,
    VariancePrinciple,
    WangTransform,
)

__all__ = [
    "BOOK_COST_OF_CAPITAL",
    "CAPITAL_METHODS",
    "PRINCIPLES",
    "PricingBasis",
    "Principle",
    "principle_record",
]

#: How a cost-of-capital principle measures the capital of a policy line.
CapitalMethod = Literal["marginal_book", "standalone"]
CAPITAL_METHODS: tuple[str, ...] = get_args(CapitalMethod)

#: Cost-of-capital rate of the default ``"marginal_book"`` basis: the 6 % a year of the
#: Solvency II risk margin (Delegated Regulation (EU) 2015/35, Art. 39) and of the Swiss
#: Solvency Test (docs/pricing.md).
BOOK_COST_OF_CAPITAL = 0.06

#: The library's premium principles by name: the tags of :data:`Principle`.
PRINCIPLES: dict[str, type[PremiumPrinciple]] = {
    cls.__name__: cls
    for cls in (
        CostOfCapital,
        ExpectedValuePrinciple,
        StandardDeviationPrinciple,
        TargetLossRatio,
        VariancePrinciple,
        WangTransform,
    )
}
_CUSTOM = "custom"


def principle_record(principle: PremiumPrinciple) -> dict[str, Any]:
    """A principle as its record: ``{"type": <class name>, "parameters": {...}}``."""
    parameters: dict[str, Any] = (
        dataclasses.asdict(principle) if dataclasses.is_dataclass(principle) else {}
    )
    return {"type": type(principle).__name__, "parameters": parameters}


def _tag(value: object) -> str | None:
    if isinstance(value, Mapping):
        name = value.get("type")
        return name if isinstance(name, str) and name in PRINCIPLES else None
    if type(value).__name__ in PRINCIPLES and type(value) is PRINCIPLES[type(value).__name__]:
        return type(value).__name__
    # A user's own principle prices, but a record of it cannot be read back.
    return _CUSTOM if isinstance(value, PremiumPrinciple) else None


def _from_record(cls: type[PremiumPrinciple]) -> BeforeValidator:
    def build(value: object) -> object:
        if not isinstance(value, Mapping):
            return value
        parameters = value.get("parameters")
        if set(value) != {"type", "parameters"} or not isinstance(parameters, Mapping):
            raise ParameterError(
                "PricingBasis", "principle", value, "a record must be {type, parameters}"
            )
        if parameters.get("measure") == "var":
            # Release 0.1.0 spelled the value at risk "var": a record is read as written.
            parameters = {**parameters, "measure": "value_at_risk"}
        try:
            return cls(**parameters)
        except ParameterError:  # the principle's own check, naming its parameter
            raise
        except TypeError as exc:  # an unknown or missing parameter
            raise ParameterError("PricingBasis", "principle", value, str(exc)) from None

    return BeforeValidator(build)


#: The premium principle of a basis: a union of the library's principles discriminated by
#: class name (the ``type`` of a record), or a user's own :class:`PremiumPrinciple`.
Principle = Annotated[
    Annotated[InstanceOf[CostOfCapital], _from_record(CostOfCapital), Tag("CostOfCapital")]
    | Annotated[
        InstanceOf[ExpectedValuePrinciple],
        _from_record(ExpectedValuePrinciple),
        Tag("ExpectedValuePrinciple"),
    ]
    | Annotated[
        InstanceOf[StandardDeviationPrinciple],
        _from_record(StandardDeviationPrinciple),
        Tag("StandardDeviationPrinciple"),
    ]
    | Annotated[
        InstanceOf[VariancePrinciple], _from_record(VariancePrinciple), Tag("VariancePrinciple")
    ]
    | Annotated[InstanceOf[WangTransform], _from_record(WangTransform), Tag("WangTransform")]
    | Annotated[InstanceOf[TargetLossRatio], _from_record(TargetLossRatio), Tag("TargetLossRatio")]
    | Annotated[InstanceOf[PremiumPrinciple], Tag(_CUSTOM)],
    Discriminator(
        _tag,
        custom_error_type="principle",
        custom_error_message="must be a PremiumPrinciple (or the record of one of the "
        f"library's: {sorted(PRINCIPLES)})",
    ),
    PlainSerializer(principle_record),
]


def _loadings(value: object) -> object:
    if isinstance(value, Mapping):
        return Loadings(**value)
    return value


LoadingsField = Annotated[
    InstanceOf[Loadings], BeforeValidator(_loadings), PlainSerializer(dataclasses.asdict)
]


def _default_loadings() -> Loadings:
    # With market_terms (the default) commission, expenses, profit and minimums come per
    # line from the rating tables, so the policy-level loadings are empty.
    return Loadings()


class PricingBasis(FrozenBasis):
    """How a quote turns simulated losses into premium.

    Parameters
    ----------
    principle : PremiumPrinciple, optional
        Premium principle. Default (None), with ``capital_method="marginal_book"``: cost of
        capital at 6 % a year (Solvency II and SST) on the co-TVaR 99 % of each line at the
        margin of the reference book, ``CostOfCapital(rate=0.06, period_years=P)``; with
        ``capital_method="standalone"``: cost of capital at 10 % a year on the policy's own
        TVaR 99 % minus the mean, held over the policy period, ``CostOfCapital(period_years=P)``
        (illustrative market-typical figures). ``P`` is the submission's
        ``policy_period_years``; :func:`~xborder_risk.quote` makes the default concrete
        (:meth:`for_period`). An explicit :class:`~xborder_risk.pricing.CostOfCapital` is used
        as given, so set its ``period_years`` for a policy period other than one year.
    loadings : Loadings
        Fixed expense, and (with ``market_terms=False``) expenses, commission, profit margin,
        tax and a policy minimum premium applied to the policy as a whole. Default: none.
        Its ``tax_rate`` must be 0 while ``country_premium_tax`` is True, and its expense
        ratio, commission, profit margin and minimum premium 0 while ``market_terms`` is
        True. (Up to release 0.1.0 the default was 12 % expenses, 10 % commission, 5 %
        profit on the policy.)
    allocation_level : float
        Confidence level of the co-TVaR allocation of the risk load to lines, in (0, 1).
    country_premium_tax : bool
        True (default): the quote takes the premium tax from the rating tables'
        ``premium_tax`` table for the insured's home country (Directive 2009/138/EC
        Art. 13(13)(d)) and uses it as ``loadings.tax_rate``; a country without a row, or
        tables without the table, give no tax and a message. False: ``loadings.tax_rate``
        is used as given.
    capital_method : {"marginal_book", "standalone"}
        How a :class:`~xborder_risk.pricing.CostOfCapital` principle measures capital.
        ``"marginal_book"`` (default): each line's Euler contribution to the capital of a
        reference book plus the line, on the same simulated years, held over the line's
        run-off (:mod:`xborder_risk.pricing.capital`; the book is ``quote(..., book=...)``,
        the shipped illustrative one by default). ``"standalone"``: the policy's own capital,
        allocated to lines by co-TVaR (the method before release 0.2; records without this
        field read as standalone). Other principles price the policy's own losses either way.
    book_shocks : bool
        With ``"marginal_book"``: True adds to each line, year by year, what the book's
        common shocks of that year (its countries' political events, the systemic cyber
        event) would pay under the line's terms, so the line accumulates with the book as it
        would inside it; False (default) prices the line's own simulated losses against the
        book. The default is False because the lines' own models do not yet carry those
        common events, so their expected loss leaves them out: charging capital for shock
        losses the expected loss ignores would price one risk twice over and the other not
        at all (docs/pricing.md, "Capital against a book").
    market_terms : bool
        True (default): each line's commission, expenses, profit, minimum premium and
        minimum rate on line come from the rating tables' ``market_terms`` table, and the
        line is grossed up on its own (:func:`xborder_risk.pricing.market.price_market`);
        tables without the table fall back to ``loadings`` with a message. False: the
        policy is grossed up with ``loadings`` (records of release 0.1.0 are read so).
    floor_risk_load : bool
        True (default): a line's negative allocated risk load is raised to 0, so that its
        technical premium is never below its expected loss; the quote says so in a
        message. False: the allocation as computed (records of release 0.1.0).

    Raises
    ------
    ParameterError
        On a parameter outside its domain, an unknown field, or if ``country_premium_tax``
        is True and ``loadings.tax_rate`` is not 0 (give one or the other).

    Notes
    -----
    A frozen, strict pydantic model: ``model_dump(mode="json")`` is its record (a principle
    as ``{"type", "parameters"}``) and ``model_validate`` reads one back.
    """

    principle: Principle | None = None
    loadings: LoadingsField = Field(default_factory=_default_loadings)
    allocation_level: Level = 0.99
    country_premium_tax: bool = True
    capital_method: CapitalMethod = "marginal_book"
    book_shocks: bool = False
    market_terms: bool = True
    floor_risk_load: bool = True

    @model_validator(mode="after")
    def _terms_given_once(self) -> PricingBasis:
        loadings = self.loadings
        given = {
            name: getattr(loadings, name)
            for name in ("expense_ratio", "commission", "profit_margin", "minimum_premium")
            if getattr(loadings, name) != 0.0
        }
        if self.market_terms and given:
            raise ParameterError(
                type(self).__name__,
                "market_terms / loadings",
                given,
                "conflict: give one or the other. market_terms=True takes each line's "
                "commission, expenses, profit and minimums from the rating tables and needs "
                "those loadings at 0; set market_terms=False to use the loadings on the policy",
            )
        return self

    @model_validator(mode="after")
    def _tax_given_once(self) -> PricingBasis:
        if self.country_premium_tax and self.loadings.tax_rate != 0.0:
            raise ParameterError(
                type(self).__name__,
                "country_premium_tax / loadings.tax_rate",
                self.loadings.tax_rate,
                "conflict: give one or the other. country_premium_tax=True takes the premium "
                "tax from the rating tables (insured's home country) and needs "
                "loadings.tax_rate=0; set country_premium_tax=False to use loadings.tax_rate",
            )
        return self

    def for_period(self, period_years: float) -> Self:
        """This basis with the default principle made concrete for a policy period.

        The default cost of capital: ``CostOfCapital(rate=0.06, period_years=period_years)``
        on the marginal capital against a book, or, standalone,
        ``CostOfCapital(period_years=period_years)`` holding the policy's own capital over the
        whole policy period (docs/pricing.md). A basis with a principle is returned unchanged.
        """
        if self.principle is not None:
            return self
        if self.capital_method == "marginal_book":
            principle = CostOfCapital(rate=BOOK_COST_OF_CAPITAL, period_years=period_years)
        else:
            principle = CostOfCapital(period_years=period_years)
        return self.model_copy(update={"principle": principle})
