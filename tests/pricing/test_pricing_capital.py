"""Capital at the margin of a book: Euler contributions, each line on its own, the run-off."""

from __future__ import annotations

import numpy as np
import pytest

from xborder_risk import measures
from xborder_risk.errors import ParameterError
from xborder_risk.pricing import (
    PricingBasis,
    euler_contributions,
    line_marginal_capital,
    marginal_risk_loads,
    price_lines,
)
from xborder_risk.pricing.principles import CostOfCapital

N = 50_000


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(17)
    shared = rng.random(N) < 0.02  # the book's shock years, which also hit the policy's line 0
    book = rng.lognormal(18.0, 0.6, N) + shared * rng.gamma(2.0, 2e8, N)
    lines = np.column_stack(
        [
            rng.gamma(0.5, 2e5, N) + shared * 5e6,
            rng.gamma(0.5, 2e5, N),
            rng.lognormal(11.0, 1.5, N),
        ]
    )
    return book, lines


@pytest.mark.parametrize("level", [0.95, 0.99, 0.995])
def test_euler_contributions_add_up_to_the_capital_of_book_and_policy(sample, level):
    book, lines = sample
    book_part, line_parts = euler_contributions(book, lines, level)
    total = book + lines.sum(axis=1)
    capital = measures.tvar(total, level) - total.mean()
    assert book_part + line_parts.sum() == pytest.approx(capital, rel=1e-12)


def test_a_line_in_proportion_to_the_book_gets_its_share_of_the_capital(sample):
    book, _ = sample
    line = 0.01 * book
    (capital,) = line_marginal_capital(book, line[:, None], 0.99)
    # TVaR is positively homogeneous: the line's Euler share is 1/101 of the joint capital
    expected = (measures.tvar(1.01 * book, 0.99) - 1.01 * book.mean()) / 101
    assert capital == pytest.approx(expected, rel=1e-9)


def test_each_line_is_measured_against_the_book_alone(sample):
    book, lines = sample
    together = line_marginal_capital(book, lines, 0.99)
    for column in range(lines.shape[1]):
        alone = line_marginal_capital(book, lines[:, [column]], 0.99)
        assert alone[0] == together[column]  # the other lines play no part
    # dependence on the book costs capital; independence next to nothing
    assert together[0] > 10 * together[1]


def test_marginal_capital_is_far_below_the_standalone_capital(sample):
    book, lines = sample
    marginal = line_marginal_capital(book, lines, 0.99)
    standalone = np.array([measures.tvar(x, 0.99) - x.mean() for x in lines.T])
    assert (marginal < standalone).all()


def test_risk_load_is_the_cost_of_capital_held_over_the_run_off(sample):
    book, lines = sample
    runoff = np.array([1.4, 2.1, 4.8])
    loads, capital = marginal_risk_loads(
        book, lines, runoff, rate=0.06, level=0.99, period_years=2.0
    )
    per_year = line_marginal_capital(book, lines, 0.99)
    np.testing.assert_allclose(capital, 2.0 * per_year, rtol=0, atol=0)
    np.testing.assert_allclose(loads, 0.06 * capital * runoff, rtol=1e-15)


def test_capital_is_never_negative():
    rng = np.random.default_rng(3)
    book = rng.gamma(2.0, 1e6, 20_000)
    hedge = np.maximum(5e6 - book, 0.0)  # pays in the book's good years only
    assert line_marginal_capital(book, hedge[:, None], 0.99)[0] == 0.0


def test_bad_arguments_are_named(sample):
    book, lines = sample
    with pytest.raises(ParameterError, match="per_year"):
        marginal_risk_loads(book[:-1], lines, [1, 1, 1], rate=0.06)
    with pytest.raises(ParameterError, match="runoff"):
        marginal_risk_loads(book, lines, [1, 1], rate=0.06)
    with pytest.raises(ParameterError, match="runoff"):
        marginal_risk_loads(book, lines, [1, np.nan, 1], rate=0.06)
    with pytest.raises(ParameterError, match="measure"):
        line_marginal_capital(book, lines, 0.99, measure="sd")
    with pytest.raises(ParameterError, match="level"):
        euler_contributions(book, lines, 1.0)
    with pytest.raises(ParameterError, match="rate"):
        marginal_risk_loads(book, lines, [1, 1, 1], rate=1.5)


def test_price_lines_takes_given_risk_loads(sample):
    _, lines = sample
    loads = np.array([1.0, 2.0, 3.0])
    priced = price_lines(lines, ["a", "b", "c"], CostOfCapital(), risk_loads=loads)
    np.testing.assert_array_equal(priced.table["risk_load"].to_numpy()[:3], loads)
    np.testing.assert_allclose(
        priced.table["technical_premium"].to_numpy()[:3], lines.mean(axis=0) + loads
    )
    with pytest.raises(ParameterError, match="risk_loads"):
        price_lines(lines, ["a", "b", "c"], CostOfCapital(), risk_loads=[1.0, 2.0])


def test_the_basis_names_the_capital_method():
    assert PricingBasis().capital_method == "marginal_book"
    assert PricingBasis().for_period(2.0).principle == CostOfCapital(rate=0.06, period_years=2.0)
    standalone = PricingBasis(capital_method="standalone")
    assert standalone.for_period(2.0).principle == CostOfCapital(rate=0.10, period_years=2.0)
    with pytest.raises(ParameterError, match="capital_method"):
        PricingBasis(capital_method="marginal")
    record = PricingBasis().model_dump(mode="json")
    assert record["capital_method"] == "marginal_book" and record["book_shocks"] is False
    assert PricingBasis.model_validate(record) == PricingBasis()
