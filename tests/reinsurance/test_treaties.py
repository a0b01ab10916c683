"""Treaties against closed forms, an exact enumeration, and Mata (2000), Table 2."""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xborder_risk import exact
from xborder_risk.distributions import Pareto, Poisson
from xborder_risk.engine import Layer, LossModel
from xborder_risk.errors import ParameterError
from xborder_risk.reinsurance import (
    ExcessOfLoss,
    OccurrenceTable,
    QuotaShare,
    StopLoss,
    occurrences_from_models,
)

# Mata (2000), ASTIN Bulletin 30(2), §5: Poisson(lambda = 10) claims, Pareto (Lomax) severities
# with alpha = 3, beta = 10; layers 10 xs 10, 10 xs 20 and 20 xs 10.
MATA_MODEL = LossModel("mata", Poisson(lam=10.0), Pareto(alpha=3.0, theta=10.0))
N_MATA = 200_000


@pytest.fixture(scope="module")
def mata_occurrences():
    return occurrences_from_models(MATA_MODEL, N_MATA, seed=20000)


def _lomax_lev(u, alpha=3.0, theta=10.0):
    """E[min(X, u)] of the Lomax: theta/(alpha-1) (1 - (theta/(theta+u))^(alpha-1))."""
    return theta / (alpha - 1.0) * (1.0 - (theta / (theta + u)) ** (alpha - 1.0))


# Mata (2000), Table 2, pure premiums with lambda = 10: one free reinstatement (K = 1) and
# unlimited reinstatements (K = inf), as quoted by github.com/ProteusLLP/proteusllp-actuarial-
# library, docs/tutorials/reinstatement_pricing.md.  The K = inf figures are the closed form
# lambda (E[X ^ (r + l)] - E[X ^ r]); the K = 1 figures need the aggregate distribution.
MATA_TABLE_2 = [
    # (retention, limit, K = 1, K = inf)
    (10.0, 10.0, 6.6128, 6.9444),
    (20.0, 10.0, 2.4103, 2.4305),
    (10.0, 20.0, 9.2173, 9.3749),
]


def _one_free_reinstatement_exact(retention, limit):
    """E[min(S, 2l)] of the layer's aggregate loss S on a fine lattice (xborder_risk.exact)."""
    model = LossModel(
        "mata", Poisson(lam=10.0), Pareto(alpha=3.0, theta=10.0), Layer(retention, limit)
    )
    dist = exact.aggregate_distribution(model, step=0.01)
    return float(np.dot(np.minimum(dist.x, 2.0 * limit), dist.probabilities))


@pytest.mark.parametrize(("retention", "limit", "one_free", "unlimited"), MATA_TABLE_2)
def test_mata_table_2_pure_premiums(mata_occurrences, retention, limit, one_free, unlimited):
    # The published K = inf figures are the closed form (checks the reading of the table).
    closed_form = 10.0 * (_lomax_lev(retention + limit) - _lomax_lev(retention))
    assert closed_form == pytest.approx(unlimited, abs=1.5e-4)
    # Mata's K = 1 figures come from a discretised recursion: they sit 0.002-0.004 below the
    # converged lattice value (step 0.01 and 0.002 agree to 1e-6): 6.6151, 2.4121, 9.2214.
    lattice = _one_free_reinstatement_exact(retention, limit)
    assert lattice == pytest.approx(one_free, rel=1e-3)
    for reinstatements, truth in ((1, lattice), (None, closed_form)):
        result = ExcessOfLoss(retention, limit, reinstatements=reinstatements).apply(
            mata_occurrences
        )
        se = result.pricing()["expected_ceded_loss_se"]
        assert abs(result.expected_ceded_loss - truth) < 4.0 * se
        # Free reinstatements: the pure premium is the expected ceded loss.
        assert result.upfront_premium == pytest.approx(result.expected_ceded_loss, rel=1e-15)
    # One free reinstatement never cedes more than unlimited ones (Mata's inequality).
    assert ExcessOfLoss(retention, limit, 1).apply(mata_occurrences).expected_ceded_loss <= (
        ExcessOfLoss(retention, limit).apply(mata_occurrences).expected_ceded_loss
    )


def test_unlimited_free_reinstatements_are_the_closed_form_per_year():
    """ceded = sum_i min(max(X_i - r, 0), l) per year, against a plain loop."""
    rng = np.random.default_rng(1)
    years = np.sort(rng.integers(0, 50, size=400))
    loss = rng.pareto(2.0, size=400) * 30.0
    table = OccurrenceTable(year_index=years, loss=loss, n_years=50)
    result = ExcessOfLoss(retention=20.0, limit=45.0).apply(table)
    expected = np.zeros(50)
    for year, x in zip(years, loss, strict=True):
        expected[year] += min(max(x - 20.0, 0.0), 45.0)
    np.testing.assert_allclose(result.ceded, expected, rtol=1e-14)
    np.testing.assert_array_equal(result.reinstatement_premium, np.zeros(50))
    np.testing.assert_array_equal(result.gross, table.annual())


def _reference_year(losses, retention, limit, k, rates, aad, premium):
    """Occurrence by occurrence, in exact arithmetic: the treaty as a contract reads.

    Each loss to the layer first erodes the annual aggregate deductible; the reinsurer pays
    what is left while capacity remains; every amount paid while reinstatements remain is
    reinstated at the rate of the reinstatement it uses, pro rata to the amount.
    """
    aad_left = aad
    paid_total = Fraction(0)
    reinstatement_premium = Fraction(0)
    capacity = None if k is None else (k + 1) * limit
    for x in losses:
        to_layer = min(max(x - retention, Fraction(0)), limit)
        absorbed = min(to_layer, aad_left)
        aad_left -= absorbed
        payable = to_layer - absorbed
        if capacity is not None:
            payable = min(payable, capacity - paid_total)
        # Reinstate the amount paid, band by band: band j is ((j-1) l, j l] of paid_total.
        amount = payable
        position = paid_total
        while amount > 0:
            band = int(position // limit)  # 0-based: the (band+1)-th reinstatement
            room = (band + 1) * limit - position
            piece = min(amount, room)
            if k is None or band < k:
                rate = rates[0] if len(rates) == 1 else (rates[band] if rates else 0)
                reinstatement_premium += premium * rate * piece / limit
            amount -= piece
            position += piece
        paid_total += payable
    return paid_total, reinstatement_premium


def _enumerated_years():
    """Every year of a small discrete model, repeated in proportion to its probability.

    N uniform on {0, 1, 2, 3}; X uniform on {4, 12, 25}, independent: a year with n claims has
    probability 1/4 * 3**-n, so repeating it 3**(3 - n) times makes all 108 rows equally likely.
    """
    values = (4, 12, 25)
    years = []
    for n in range(4):
        for sequence in itertools.product(values, repeat=n):
            years.extend([sequence] * 3 ** (3 - n))
    return years


@pytest.mark.parametrize(
    ("k", "rates", "aad"),
    [
        (2, (Fraction(1), Fraction(1, 2)), 3),
        (2, (Fraction(3, 4),), 0),
        (None, (Fraction(1),), 5),
        (None, (), 0),
        (0, (), 2),
        (3, (Fraction(1), Fraction(1, 2), Fraction(1, 4)), 0),
    ],
)
def test_reinstatement_arithmetic_against_exact_enumeration(k, rates, aad):
    retention, limit = Fraction(5), Fraction(10)
    years = _enumerated_years()
    assert len(years) == 108
    year_index = np.repeat(np.arange(len(years)), [len(y) for y in years])
    losses = np.array([x for y in years for x in y], dtype=float)
    table = OccurrenceTable(year_index=year_index, loss=losses, n_years=len(years))
    treaty = ExcessOfLoss(
        float(retention),
        float(limit),
        reinstatements=k,
        reinstatement_premium_rates=tuple(float(r) for r in rates),
        annual_aggregate_deductible=float(aad),
    )
    # Exact pure premium: P = E[L] / (1 + E[U]) with U the premium per unit of P.
    reference = [
        _reference_year([Fraction(x) for x in y], retention, limit, k, rates, aad, Fraction(1))
        for y in years
    ]
    expected_ceded = sum(r[0] for r in reference) / len(years)
    expected_units = sum(r[1] for r in reference) / len(years)
    pure = expected_ceded / (1 + expected_units)
    result = treaty.apply(table)
    assert result.upfront_premium == pytest.approx(float(pure), rel=1e-13)
    assert result.expected_ceded_loss == pytest.approx(float(expected_ceded), rel=1e-13)
    # Year by year, with the pure premium: ceded and reinstatement premium.
    for row, (ceded, units) in enumerate(reference):
        assert result.ceded[row] == pytest.approx(float(ceded), abs=1e-12)
        assert result.reinstatement_premium[row] == pytest.approx(float(units * pure), abs=1e-12)
    # The pure premium balances: P + E[R] = E[L].
    assert result.upfront_premium + result.expected_reinstatement_premium == pytest.approx(
        result.expected_ceded_loss, rel=1e-13
    )


def test_a_hand_worked_year():
    """30 xs 10 with 2 reinstatements at 100 % and 50 %, premium 6; losses 25, 45, 60, 50.

    Layer losses 15, 30, 30, 30 = 105, capped at (2 + 1) * 30 = 90.  Reinstated: first 30 at
    100 %, next 30 at 50 %: premium 6 * (30/30 * 1 + 30/30 * 0.5) = 9.
    """
    table = OccurrenceTable(year_index=[0, 0, 0, 0], loss=[25.0, 45.0, 60.0, 50.0], n_years=1)
    treaty = ExcessOfLoss(10.0, 30.0, reinstatements=2, reinstatement_premium_rates=(1.0, 0.5))
    result = treaty.apply(table, premium=6.0)
    assert result.ceded[0] == 90.0
    assert result.reinstatement_premium[0] == 9.0
    assert result.net[0] == 180.0 - 90.0
    assert result.upfront_premium == 6.0


def test_single_rate_equals_the_same_rate_repeated(mata_occurrences):
    one = ExcessOfLoss(10.0, 10.0, reinstatements=3, reinstatement_premium_rates=(0.8,))
    three = ExcessOfLoss(10.0, 10.0, reinstatements=3, reinstatement_premium_rates=(0.8,) * 3)
    np.testing.assert_allclose(
        one.apply(mata_occurrences, premium=2.0).reinstatement_premium,
        three.apply(mata_occurrences, premium=2.0).reinstatement_premium,
        rtol=1e-14,
    )


def test_paid_reinstatements_lower_the_pure_premium(mata_occurrences):
    free = ExcessOfLoss(10.0, 10.0, reinstatements=1).apply(mata_occurrences)
    paid = ExcessOfLoss(10.0, 10.0, reinstatements=1, reinstatement_premium_rates=(1.0,)).apply(
        mata_occurrences
    )
    np.testing.assert_array_equal(free.ceded, paid.ceded)
    assert paid.upfront_premium < free.upfront_premium
    assert paid.upfront_premium * (1.0 + np.mean(np.minimum(paid.ceded, 10.0)) / 10.0) == (
        pytest.approx(free.expected_ceded_loss, rel=1e-12)
    )


def test_quota_share():
    gross = np.array([0.0, 10.0, 250.0, 3.5])
    result = QuotaShare(0.3).apply(gross)
    np.testing.assert_array_equal(result.ceded, 0.3 * gross)
    np.testing.assert_array_equal(result.net, gross - 0.3 * gross)
    assert (result.net >= 0).all()
    assert result.pricing()["exhaustion_probability"] == 0.0
    table = OccurrenceTable(year_index=[0, 0, 2], loss=[1.0, 2.0, 4.0], n_years=3)
    np.testing.assert_array_equal(QuotaShare(0.5).apply(table).ceded, [1.5, 0.0, 2.0])


def test_stop_loss_against_the_exponential_closed_form():
    """S ~ Exponential(theta): E[min((S - a)+, m)] = theta (exp(-a/theta) - exp(-(a+m)/theta))."""
    theta, attachment, limit = 100.0, 150.0, 200.0
    gross = np.random.default_rng(8).exponential(theta, size=400_000)
    result = StopLoss(attachment, limit).apply(gross)
    expected = theta * (math.exp(-attachment / theta) - math.exp(-(attachment + limit) / theta))
    se = result.pricing()["expected_ceded_loss_se"]
    assert abs(result.expected_ceded_loss - expected) < 4.0 * se
    assert result.pricing()["attachment_probability"] == pytest.approx(
        math.exp(-attachment / theta), abs=4.0 * math.sqrt(0.22 * 0.78 / gross.size)
    )
    assert result.ceded.max() == limit
    unlimited = StopLoss(attachment).apply(gross)
    np.testing.assert_array_equal(unlimited.ceded, np.maximum(gross - attachment, 0.0))


def test_result_tables_and_measures(mata_occurrences):
    treaty = ExcessOfLoss(10.0, 10.0, reinstatements=1, reinstatement_premium_rates=(1.0,))
    result = treaty.apply(mata_occurrences)
    frame = result.to_frame()
    assert list(frame.columns) == ["gross", "ceded", "net", "reinstatement_premium"]
    assert len(frame) == N_MATA
    np.testing.assert_array_equal(frame["gross"] - frame["ceded"], frame["net"])
    summary = result.summary(levels=(0.99,))
    assert summary.loc["ceded", "mean"] == result.expected_ceded_loss
    assert summary.loc["reinstatement_premium", "mean"] == result.expected_reinstatement_premium
    assert summary.loc["net", "tvar_99"] == result.tvar(0.99)
    assert summary.loc["net", "var_99"] == result.value_at_risk(0.99, "net")
    assert summary.loc["net", "tvar_99"] <= summary.loc["gross", "tvar_99"]
    assert summary.attrs["upfront_premium"] == result.upfront_premium
    pricing = result.pricing()
    assert pricing["exhaustion_probability"] == np.mean(result.ceded == 20.0)
    with pytest.raises(ValueError):
        result.ceded[0] = 1.0
    with pytest.raises(ParameterError, match="'quantity'"):
        result.value_at_risk(0.99, "profit")


@pytest.mark.parametrize(
    ("factory", "field"),
    [
        (lambda: QuotaShare(0.0), "cession"),
        (lambda: QuotaShare(1.5), "cession"),
        (lambda: QuotaShare(float("nan")), "cession"),
        (lambda: QuotaShare(True), "cession"),
        (lambda: QuotaShare("0.5"), "cession"),
        (lambda: StopLoss(-1.0), "attachment"),
        (lambda: StopLoss(float("inf")), "attachment"),
        (lambda: StopLoss(10.0, 0.0), "limit"),
        (lambda: ExcessOfLoss(-1.0, 10.0), "retention"),
        (lambda: ExcessOfLoss(1.0, 0.0), "limit"),
        (lambda: ExcessOfLoss(1.0, float("inf")), "limit"),
        (lambda: ExcessOfLoss(1.0, 10.0, reinstatements=-1), "reinstatements"),
        (lambda: ExcessOfLoss(1.0, 10.0, reinstatements=1.5), "reinstatements"),
        (lambda: ExcessOfLoss(1.0, 10.0, reinstatements=True), "reinstatements"),
        (lambda: ExcessOfLoss(1.0, 10.0, 2, (1.0, 0.5, 0.2)), "reinstatement_premium_rates"),
        (lambda: ExcessOfLoss(1.0, 10.0, None, (1.0, 0.5)), "reinstatement_premium_rates"),
        (lambda: ExcessOfLoss(1.0, 10.0, 0, (1.0,)), "reinstatement_premium_rates"),
        (lambda: ExcessOfLoss(1.0, 10.0, 1, (-0.1,)), "reinstatement_premium_rates"),
        (lambda: ExcessOfLoss(1.0, 10.0, 1, "1.0"), "reinstatement_premium_rates"),
        (lambda: ExcessOfLoss(1.0, 10.0, 1, (float("nan"),)), "reinstatement_premium_rates"),
        (lambda: ExcessOfLoss(1.0, 10.0, 1, annual_aggregate_deductible=-2.0), "annual_aggregate"),
    ],
)
def test_bad_treaties_are_rejected_naming_the_parameter(factory, field):
    with pytest.raises(ParameterError, match=f"'{field}"):
        factory()


@pytest.mark.parametrize(
    "gross", [[1.0, -1.0], [1.0, np.nan], [[1.0, 2.0]], [], "abc", [1.0, np.inf]]
)
def test_bad_annual_losses_are_rejected(gross):
    with pytest.raises(ParameterError, match="'gross'"):
        QuotaShare(0.5).apply(gross)
    with pytest.raises(ParameterError, match="'gross'"):
        StopLoss(1.0).apply(gross)


def test_excess_of_loss_needs_an_occurrence_table_and_a_valid_premium():
    with pytest.raises(ParameterError, match="'occurrences'"):
        ExcessOfLoss(1.0, 2.0).apply(np.array([1.0, 2.0]))
    table = OccurrenceTable(year_index=[0], loss=[5.0], n_years=1)
    with pytest.raises(ParameterError, match="'premium'"):
        ExcessOfLoss(1.0, 2.0, 1, (1.0,)).apply(table, premium=-1.0)


@settings(max_examples=60, deadline=None)
@given(
    losses=st.lists(st.floats(0.0, 1e6), min_size=1, max_size=40),
    retention=st.floats(0.0, 5e5),
    limit=st.floats(1.0, 5e5),
    k=st.none() | st.integers(0, 4),
    aad=st.floats(0.0, 1e5),
    seed=st.integers(0, 2**32 - 1),
)
def test_excess_of_loss_invariants(losses, retention, limit, k, aad, seed):
    years = np.sort(np.random.default_rng(seed).integers(0, 5, size=len(losses)))
    table = OccurrenceTable(year_index=years, loss=losses, n_years=5)
    rates = () if k in (None, 0) else (1.0,)
    result = ExcessOfLoss(retention, limit, k, rates, aad).apply(table, premium=1.0)
    assert (result.ceded >= 0).all()
    assert (result.ceded <= result.gross).all()
    assert (result.net >= 0).all()
    assert (result.ceded <= (math.inf if k is None else (k + 1) * limit)).all()
    assert (result.reinstatement_premium >= 0).all()
    assert (result.reinstatement_premium <= (math.inf if k is None else k) + 1e-12).all()
    higher = ExcessOfLoss(retention + 1.0, limit, k, rates, aad).apply(table, premium=1.0)
    assert (higher.ceded <= result.ceded + 1e-9).all()


# ------------------------------------------------------------------ pro rata to time (issue 14)
def test_pro_rata_time_by_hand():
    # one year, layer 10 xs 10, one reinstatement at 100 %: a loss of 25 at t = 0.5 uses the
    # whole first limit (10 reinstated, half the year left); a loss of 14 at t = 0.75 uses 4
    # of the reinstated limit (nothing left to reinstate)
    table = OccurrenceTable(year_index=[0, 0], loss=[14.0, 25.0], n_years=1)
    xl = ExcessOfLoss(
        10.0, 10.0, reinstatements=1, reinstatement_premium_rates=(1.0,), pro_rata_time=True
    )
    result = xl.apply(table, premium=100.0, times=[0.75, 0.5])
    assert result.ceded[0] == pytest.approx(14.0)
    assert result.reinstatement_premium[0] == pytest.approx(100.0 * 10.0 / 10.0 * 0.5)
    # the other order: 4 at t = 0.5 (half the year left), then 6 more of the first limit
    # at t = 0.75 (a quarter left)
    other = xl.apply(table, premium=100.0, times=[0.5, 0.75])
    assert other.reinstatement_premium[0] == pytest.approx(100.0 * (4 * 0.5 + 6 * 0.25) / 10)
    # at t = 0 the clause is the amount-only one
    amount_only = ExcessOfLoss(10.0, 10.0, reinstatements=1, reinstatement_premium_rates=(1.0,))
    at_start = xl.apply(table, premium=100.0, times=[0.0, 0.0])
    assert at_start.reinstatement_premium[0] == pytest.approx(
        amount_only.apply(table, premium=100.0).reinstatement_premium[0]
    )


def test_pro_rata_time_raises_the_pure_premium_on_mata(mata_occurrences):
    # Mata (2000) model, 10 xs 10 with two reinstatements at 100 %: paying less reinstatement
    # premium (only for the time left) means a higher upfront premium, about +24 % here
    kwargs = {"reinstatements": 2, "reinstatement_premium_rates": (1.0,)}
    amount = ExcessOfLoss(10.0, 10.0, **kwargs).pure_premium(mata_occurrences)
    timed = ExcessOfLoss(10.0, 10.0, pro_rata_time=True, **kwargs).pure_premium(mata_occurrences)
    assert 1.15 < timed / amount < 1.35
    # free reinstatements: the clause changes nothing
    free = ExcessOfLoss(10.0, 10.0, reinstatements=2, pro_rata_time=True)
    assert free.pure_premium(mata_occurrences) == pytest.approx(
        ExcessOfLoss(10.0, 10.0, reinstatements=2).pure_premium(mata_occurrences)
    )


def test_pro_rata_time_bad_inputs():
    table = OccurrenceTable(year_index=[0], loss=[14.0], n_years=1)
    xl = ExcessOfLoss(
        10.0, 10.0, reinstatements=1, reinstatement_premium_rates=(1.0,), pro_rata_time=True
    )
    with pytest.raises(ParameterError, match="times"):
        xl.apply(table, times=[1.5])
    with pytest.raises(ParameterError, match="pro_rata_time"):
        ExcessOfLoss(10.0, 10.0, pro_rata_time="yes")
