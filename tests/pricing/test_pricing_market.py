"""Market terms per line, the risk-load floor, the target loss ratio and the guards."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from xborder_risk.errors import ParameterError
from xborder_risk.pricing import (
    CostOfCapital,
    ExpectedValuePrinciple,
    Loadings,
    PricingBasis,
    TargetLossRatio,
    price_lines,
)
from xborder_risk.pricing.market import (
    LineCover,
    MarketBand,
    MarketTerms,
    check_bands,
    check_cover,
    price_market,
    rate_on_line,
)

LINES = ("a", "b")
TERMS = {
    "a": MarketTerms(minimum_premium=0.0, commission=0.15, expense_ratio=0.1, profit_margin=0.05),
    "b": MarketTerms(minimum_premium=500.0, commission=0.1, expense_ratio=0.1, profit_margin=0.0),
}
COVERS = {
    "a": LineCover(
        limit=1_000.0, deductible=0.0, share=1.0, aggregate_limit=2_000.0, claim_count_quantile=3
    ),
    "b": LineCover(
        limit=10_000.0,
        deductible=100.0,
        share=0.5,
        aggregate_limit=math.inf,
        claim_count_quantile=2.0,
    ),
}


def _priced(annual: np.ndarray, loading: float = 0.0):
    return price_lines(annual, LINES, ExpectedValuePrinciple(loading=loading))


def _annual() -> np.ndarray:
    rng = np.random.default_rng(3)
    return np.column_stack([rng.exponential(100.0, 5_000), rng.exponential(10.0, 5_000)])


def test_each_line_is_grossed_up_with_its_own_terms():
    priced = _priced(_annual(), 0.2)
    market = price_market(priced, TERMS, COVERS, 1.0, tax_rate=0.1)
    table = market.pricing.table
    technical = table.loc["a", "technical_premium"]
    before_tax = technical / (1 - 0.3)
    assert table.loc["a", "gross_premium"] == pytest.approx(before_tax * 1.1, rel=1e-12)
    assert table.loc["a", "commission"] == pytest.approx(0.15 * before_tax, rel=1e-12)
    assert market.minimum_applied["a"] == "none"
    # line b is small: its minimum premium of 500 binds, with no commission on the top-up
    assert table.loc["b", "gross_premium"] == pytest.approx(500.0 * 1.1, rel=1e-12)
    assert market.minimum_applied["b"] == "minimum_premium"
    assert table.loc["b", "minimum_premium_adjustment"] > 0
    # the steps add up per line and in total, and the build-up is the total row
    steps = [
        "technical_premium",
        "fixed_expense",
        "variable_expense",
        "commission",
        "profit_margin",
        "minimum_premium_adjustment",
        "premium_tax",
    ]
    np.testing.assert_allclose(table[steps].sum(axis=1), table["gross_premium"], rtol=1e-12)
    assert market.pricing.build_up.gross_premium == pytest.approx(
        table.loc[list(LINES), "gross_premium"].sum(), rel=1e-12
    )


def test_the_minimum_rate_on_line_binds_per_year_of_cover():
    terms = dict(TERMS, b=MarketTerms(minimum_premium=100.0, minimum_rate_on_line=0.03))
    market = price_market(_priced(_annual()), terms, COVERS, 2.0)
    # 3 % x limit 10,000 x share 0.5 x 2 years = 300 > the minimum premium 100 x 2 years
    assert market.pricing.table.loc["b", "gross_premium"] == pytest.approx(300.0)
    assert market.minimum_applied["b"] == "minimum_rate_on_line"
    assert rate_on_line(300.0, COVERS["b"].capacity, 2.0) == pytest.approx(0.03)


def test_a_negative_risk_load_is_floored_so_technical_premium_is_at_least_expected_loss():
    rng = np.random.default_rng(1)
    big = rng.pareto(1.5, 20_000) * 1_000
    hedge = np.where(big > np.quantile(big, 0.9), 0.0, 50.0)  # pays when the other does not
    priced = price_lines(np.column_stack([big, hedge]), LINES, CostOfCapital())
    assert priced.table.loc["b", "risk_load"] < 0
    floored = price_market(priced, TERMS, COVERS, 1.0)
    assert floored.floored == ("b",)
    table = floored.pricing.table
    assert (table["technical_premium"] >= table["expected_loss"]).all()
    assert table.loc["b", "risk_load"] == 0.0
    kept = price_market(priced, TERMS, COVERS, 1.0, floor_risk_load=False)
    assert kept.floored == () and kept.pricing.table.loc["b", "risk_load"] < 0


def test_target_loss_ratio_prices_each_line_to_its_target():
    principle = TargetLossRatio(targets={"a": 0.6, "b": 0.5})
    terms = {line: MarketTerms(commission=0.1, expense_ratio=0.1) for line in LINES}
    priced = _priced(_annual())
    market = price_market(priced, terms, COVERS, 1.0, principle=principle)
    table = market.pricing.table
    ratio = table["expected_loss"] / table["gross_premium"]
    assert ratio["a"] == pytest.approx(0.6, rel=1e-12)
    assert ratio["b"] == pytest.approx(0.5, rel=1e-12)
    with pytest.raises(ParameterError, match="no target loss ratio"):
        TargetLossRatio(targets={"a": 0.6}).target("b")
    assert TargetLossRatio(targets={}, default=0.5).premium([1.0, 3.0]) == pytest.approx(4.0)
    with pytest.raises(ParameterError):
        TargetLossRatio(targets={"a": 1.5})
    with pytest.raises(ParameterError, match="default target"):
        TargetLossRatio(targets={"a": 0.5}).premium([1.0])


def test_a_target_above_the_permissible_loss_ratio_is_floored_at_expected_loss():
    # 90 % target with 30 % loadings: E/0.9*0.7 < E, so the risk load would be negative
    principle = TargetLossRatio(targets={"a": 0.9, "b": 0.9})
    market = price_market(_priced(_annual()), TERMS, COVERS, 1.0, principle=principle)
    assert set(market.floored) == {"a", "b"}


def test_terms_are_validated():
    with pytest.raises(ParameterError) as info:
        MarketTerms(commission=0.5, expense_ratio=0.3, profit_margin=0.2)
    assert info.value.name == "commission + expense_ratio + profit_margin"
    with pytest.raises(ParameterError):
        MarketTerms(minimum_premium=-1.0)
    with pytest.raises(ParameterError):
        price_market(_priced(_annual()), {"a": TERMS["a"]}, COVERS, 1.0)


def test_a_price_at_or_above_the_most_the_policy_can_pay_is_refer_decline():
    (referral,) = check_cover("a", 2_000.0, 10.0, COVERS["a"], "USD")
    assert referral.kind == "price_at_or_above_cover"
    assert referral.band == (0.0, 2_000.0) and "refer/decline" in referral.reason
    assert check_cover("a", 1_999.0, 10.0, COVERS["a"], "USD") == []
    # no aggregate limit: limit x share x the high quantile of the count
    assert COVERS["b"].most_payable == 10_000.0 * 0.5 * 2.0
    (referral,) = check_cover("b", 10_000.0, 1.0, COVERS["b"], "USD")
    assert "quantile" in referral.reason


def test_a_limit_with_no_exposure_is_referred():
    kinds = [r.kind for r in check_cover("a", 500.0, 0.0, COVERS["a"], "USD")]
    assert kinds == ["zero_exposure"]


def test_a_figure_outside_its_band_is_referred_with_band_and_source():
    bands = [MarketBand("expected_loss_ratio", 0.3, 0.7, "NAIC")]
    (referral,) = check_bands("a", {"expected_loss_ratio": 0.1}, bands)
    assert referral.kind == "outside_market_band"
    assert referral.band == (0.3, 0.7) and referral.source == "NAIC"
    assert referral.to_record()["band"] == [0.3, 0.7]
    assert check_bands("a", {"expected_loss_ratio": 0.5}, bands) == []
    assert check_bands("a", {"expected_loss_ratio": math.nan}, bands) == []


def test_market_terms_and_policy_loadings_conflict():
    with pytest.raises(ParameterError) as info:
        PricingBasis(loadings=Loadings(commission=0.1))
    assert info.value.name == "market_terms / loadings"
    assert PricingBasis(loadings=Loadings(commission=0.1), market_terms=False).loadings.commission
    PricingBasis(loadings=Loadings(fixed_expense=100.0))  # a fixed expense is per policy


def test_target_loss_ratio_is_a_basis_principle_and_round_trips():
    basis = PricingBasis(principle=TargetLossRatio(targets={"cyber": 0.55}, default=0.6))
    record = basis.model_dump(mode="json")
    assert record["principle"] == {
        "type": "TargetLossRatio",
        "parameters": {"targets": {"cyber": 0.55}, "default": 0.6},
    }
    assert PricingBasis.model_validate(record) == basis


def test_market_pricing_keeps_the_frame_shape():
    market = price_market(_priced(_annual()), TERMS, COVERS, 1.0)
    assert isinstance(market.pricing.table, pd.DataFrame)
    assert list(market.pricing.table.index) == [*LINES, "total"]
