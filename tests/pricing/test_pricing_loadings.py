"""Loadings and the gross-up (Werner & Modlin, Basic Ratemaking, ch. 7)."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pricing_strategies import loadings

from xborder_risk.errors import ParameterError
from xborder_risk.pricing import Loadings, PremiumBuildUp, gross_up

WORKED = Loadings(
    fixed_expense=50.0,
    expense_ratio=0.10,
    commission=0.15,
    profit_margin=0.05,
    tax_rate=0.12,
)  # illustrative


def test_worked_example_by_hand() -> None:
    # P = (L + F) / (1 - V - C - Q) = (1000 + 50) / 0.70 = 1500;
    # V P = 150, C P = 225, Q P = 75; tax 12% of 1500 = 180; gross 1680.
    build_up = gross_up(1000.0, WORKED)
    assert build_up.variable_expense == pytest.approx(150.0)
    assert build_up.commission == pytest.approx(225.0)
    assert build_up.profit_margin == pytest.approx(75.0)
    assert build_up.minimum_premium_adjustment == 0.0
    assert build_up.premium_tax == pytest.approx(180.0)
    assert build_up.gross_premium == pytest.approx(1680.0)
    assert build_up.premium_before_tax == pytest.approx(1500.0)


def test_binding_minimum_premium_tops_up_before_tax() -> None:
    # Minimum 2000 > P = 1500: top-up 500, tax 12% of 2000 = 240, gross 2240.
    build_up = gross_up(1000.0, dataclasses.replace(WORKED, minimum_premium=2000.0))
    assert build_up.minimum_premium_adjustment == pytest.approx(500.0)
    assert build_up.premium_tax == pytest.approx(240.0)
    assert build_up.gross_premium == pytest.approx(2240.0)


def test_no_loadings_leave_the_technical_premium() -> None:
    assert gross_up(1234.5, Loadings()).gross_premium == 1234.5


def test_build_up_frame_lists_every_step_in_order() -> None:
    frame = gross_up(1000.0, WORKED).to_frame()
    assert list(frame.columns) == ["step", "amount"]
    assert list(frame["step"]) == list(PremiumBuildUp.STEPS)
    components = frame["amount"].iloc[:-1].sum()
    assert components == pytest.approx(frame["amount"].iloc[-1], rel=1e-12)


@given(technical=st.floats(0.0, 1e9), loads=loadings())
def test_components_add_up_to_gross_and_gross_covers_technical(technical, loads) -> None:
    build_up = gross_up(technical, loads)
    components = sum(getattr(build_up, step) for step in PremiumBuildUp.STEPS[:-1])
    assert components == pytest.approx(build_up.gross_premium, rel=1e-12, abs=1e-9)
    assert build_up.gross_premium >= technical
    assert build_up.gross_premium >= loads.minimum_premium


@given(a=st.floats(0.0, 1e9), b=st.floats(0.0, 1e9), loads=loadings())
def test_gross_premium_is_monotone_in_technical_premium(a, b, loads) -> None:
    low, high = sorted((a, b))
    assert gross_up(low, loads).gross_premium <= gross_up(high, loads).gross_premium


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"fixed_expense": -1.0}, "fixed_expense"),
        ({"fixed_expense": math.inf}, "fixed_expense"),
        ({"minimum_premium": math.nan}, "minimum_premium"),
        ({"minimum_premium": -5.0}, "minimum_premium"),
        ({"expense_ratio": -0.1}, "expense_ratio"),
        ({"expense_ratio": 1.0}, "expense_ratio"),
        ({"commission": math.nan}, "commission"),
        ({"commission": True}, "commission"),
        ({"profit_margin": 1.2}, "profit_margin"),
        ({"profit_margin": "0.05"}, "profit_margin"),
        ({"tax_rate": -0.2}, "tax_rate"),
        ({"tax_rate": 1.0}, "tax_rate"),
        (
            {"expense_ratio": 0.5, "commission": 0.3, "profit_margin": 0.2},
            "expense_ratio + commission + profit_margin",
        ),
        (
            {"expense_ratio": 0.6, "commission": 0.45},
            "expense_ratio + commission + profit_margin",
        ),
    ],
)
def test_bad_loadings_are_rejected_naming_the_parameter(kwargs, name) -> None:
    with pytest.raises(ParameterError) as info:
        Loadings(**kwargs)
    assert info.value.name == name
    assert name in str(info.value)


@pytest.mark.parametrize("technical", [-1.0, math.nan, math.inf])
def test_bad_technical_premium_is_rejected(technical) -> None:
    with pytest.raises(ParameterError) as info:
        gross_up(technical, Loadings())
    assert info.value.name == "technical_premium"


def test_loadings_must_be_a_loadings_object() -> None:
    with pytest.raises(ParameterError) as info:
        gross_up(100.0, {"commission": 0.1})  # type: ignore[arg-type]
    assert info.value.name == "loadings"


def test_loadings_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        WORKED.commission = 0.0  # type: ignore[misc]
