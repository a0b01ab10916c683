"""The portfolio: reproducibility, the engine, shocks, accumulation, contributions."""

import math
import warnings

import numpy as np
import pytest

from xborder_risk import measures
from xborder_risk.engine import BLOCK_YEARS, simulate
from xborder_risk.exposure import LINES
from xborder_risk.portfolio import ATTRIBUTED_LINES, CommonShocks, Portfolio, synthetic_book
from xborder_risk.reinsurance import ExcessOfLoss, QuotaShare, StopLoss

PR = LINES.index("political_risk")
OL = LINES.index("operational_liability")
CYBER = LINES.index("cyber")


def _arrays(result):
    return {
        "annual": result.annual,
        "max_occurrence": result.max_occurrence,
        "max_event": result.max_event,
        "by_country": result.by_country,
        "events": result.events,
        "total": result.total,
    }


def test_bit_identical_whatever_the_chunk_size(small_book, make_shocks, tables):
    book = Portfolio(small_book, tables, shocks=make_shocks())
    n_years = 2 * BLOCK_YEARS + 321  # three blocks, the last partial
    whole = book.simulate(n_years, seed=99, keep_occurrences=True)
    by_block = book.simulate(n_years, seed=99, chunk_years=BLOCK_YEARS, keep_occurrences=True)
    tiny_chunks = book.simulate(n_years, seed=99, chunk_years=1)
    assert whole.events.any(axis=0).all(), "every shock happens at least once"
    for name, array in _arrays(whole).items():
        np.testing.assert_array_equal(array, _arrays(by_block)[name], err_msg=name)
        np.testing.assert_array_equal(array, _arrays(tiny_chunks)[name], err_msg=name)
    for field in ("year_index", "loss", "source"):
        np.testing.assert_array_equal(
            getattr(whole.occurrences, field), getattr(by_block.occurrences, field)
        )


def test_without_shocks_each_policy_is_the_engine_with_its_own_seed(small_book, tables):
    """Policy streams: block_generator(policy_seed_sequence(seed, id), block, line name key)."""
    book = Portfolio(small_book, tables, shocks=CommonShocks.none())
    n_years = BLOCK_YEARS + 500
    result = book.simulate(n_years, seed=5)
    assert not result.events.any()
    total = np.zeros(n_years)
    for index, policy in enumerate(book.policy_ids):
        alone = simulate(book.models(policy), n_years, seed=book.policy_seed_sequence(5, policy))
        for column, line in enumerate(alone.lines):
            np.testing.assert_array_equal(
                result.annual[:, index, LINES.index(line)], alone.annual[:, column]
            )
        covered = [LINES.index(line) for line in alone.lines]
        uncovered = [j for j in range(len(LINES)) if j not in covered]
        assert not result.annual[:, index, uncovered].any()
        total += alone.total
    np.testing.assert_allclose(result.total, total, rtol=1e-14)
    # One policy alone: its largest occurrence per line is the engine's.
    single = Portfolio(small_book[:1], tables, shocks=CommonShocks.none()).simulate(5_000, seed=5)
    alone = simulate(book.models(0), 5_000, seed=book.policy_seed_sequence(5, 0))
    for column, line in enumerate(alone.lines):
        np.testing.assert_array_equal(
            single.max_occurrence[:, LINES.index(line)], alone.max_occurrence[:, column]
        )


def test_losses_are_converted_to_the_portfolio_currency(make_submission, tables):
    subs = [
        make_submission("EUR-1", currency="EUR", political=[("UA", 2e7, 5e6)], operations=["UA"]),
        make_submission("USD-1", political=[("NG", 1e7, 1e6)]),
    ]
    with pytest.raises(Exception, match="'currency'"):
        Portfolio(subs, tables)
    book = Portfolio(subs, tables, currency="USD", shocks=CommonShocks.none())
    result = book.simulate(3_000, seed=8)
    fx = tables.fx_rate("EUR") / tables.fx_rate("USD")
    alone = simulate(book.models("EUR-1"), 3_000, seed=book.policy_seed_sequence(8, "EUR-1"))
    for column, line in enumerate(alone.lines):
        np.testing.assert_array_equal(
            result.annual[:, 0, LINES.index(line)], alone.annual[:, column] * fx
        )
    assert result.currency == "USD"


def test_a_policy_keeps_its_losses_in_any_book(small_book, make_shocks, tables):
    """Streams are keyed to policy ids and countries: reorder or drop policies, same losses."""
    shocks = make_shocks()
    full = Portfolio(small_book, tables, shocks=shocks).simulate(4_000, seed=3)
    part = Portfolio([small_book[3], small_book[0]], tables, shocks=shocks).simulate(4_000, seed=3)
    np.testing.assert_array_equal(part.annual[:, 1], full.annual[:, 0])
    np.testing.assert_array_equal(part.annual[:, 0], full.annual[:, 3])


def test_marginal_tvar_is_the_book_with_and_without_the_policy(small_book, make_shocks, tables):
    shocks = make_shocks()
    full = Portfolio(small_book, tables, shocks=shocks).simulate(20_000, seed=12)
    contributions = full.marginal_tvar(0.99)
    tvar_total = full.summary(levels=(0.99,)).loc["total", "tvar_99"]
    assert contributions.attrs["tvar_total"] == pytest.approx(tvar_total, rel=1e-14)
    for index, policy in enumerate(full.policy_ids):
        others = [s for j, s in enumerate(small_book) if j != index]
        without = Portfolio(others, tables, shocks=shocks).simulate(20_000, seed=12)
        np.testing.assert_allclose(
            full.total - full.policy_annual(policy), without.total, rtol=1e-12, atol=1e-6
        )
        expected = tvar_total - measures.tvar(without.total, 0.99)
        assert contributions.loc[policy, "marginal_tvar"] == pytest.approx(
            expected, rel=1e-9, abs=1e-6
        )
    # Non-negative losses: adding a policy never lowers the tail; TVaR is sub-additive.
    assert (contributions["marginal_tvar"] >= 0).all()
    assert (contributions["marginal_tvar"] <= contributions["tvar_standalone"] * (1 + 1e-12)).all()
    assert contributions["co_tvar"].sum() == pytest.approx(tvar_total, rel=1e-10)
    assert contributions["mean"].sum() == pytest.approx(full.total.mean(), rel=1e-12)


def test_shock_correlates_policies_in_the_same_country_only(make_submission, make_shocks, tables):
    subs = [
        make_submission("UA-a", political=[("UA", 2e7, 5e6)]),
        make_submission("UA-b", political=[("UA", 1e7, 3e6)]),
        make_submission("NG-a", political=[("NG", 2e7, 5e6)]),
    ]
    n_years = 20_000
    result = Portfolio(subs, tables, shocks=make_shocks(cyber=0.0)).simulate(n_years, seed=21)
    x = result.policy_annual()
    same = np.corrcoef(x[:, 0], x[:, 1])[0, 1]
    across = np.corrcoef(x[:, 0], x[:, 2])[0, 1]
    # Under independence the sample correlation has standard error about 1/sqrt(n).
    se = 1.0 / math.sqrt(n_years)
    assert same > 10 * se
    assert abs(across) < 4 * se
    # Without shocks the same-country pair is independent.
    calm = Portfolio(subs, tables, shocks=CommonShocks.none()).simulate(n_years, seed=21)
    y = calm.policy_annual()
    assert abs(np.corrcoef(y[:, 0], y[:, 1])[0, 1]) < 4 * se


def test_systemic_cyber_event_hits_connected_policies(make_submission, make_shocks, tables):
    subs = [
        make_submission("partner", cyber_connections=4),
        make_submission("platform", cyber_connections=0, platform=True),
        make_submission("isolated", cyber_connections=0),
    ]
    n_years = 20_000
    book = Portfolio(subs, tables, shocks=make_shocks(country=0.0, cyber=0.1))
    exposure = book.shock_exposure()
    assert set(exposure["policy"]) == {"partner", "platform"}
    result = book.simulate(n_years, seed=4)
    cyber = result.annual[:, :, CYBER]
    se = 1.0 / math.sqrt(n_years)
    assert np.corrcoef(cyber[:, 0], cyber[:, 1])[0, 1] > 10 * se
    assert abs(np.corrcoef(cyber[:, 0], cyber[:, 2])[0, 1]) < 4 * se
    hit = result.events[:, result.shock_sources.index("cyber")]
    assert hit.mean() == pytest.approx(0.1, abs=4 * math.sqrt(0.1 * 0.9 / n_years))


def test_country_shock_adds_its_documented_expected_loss(make_submission, make_shocks, tables):
    """No deductible or aggregate terms and a limit above the exposure: the shock adds
    share * p * E[Z] * (contract value + assets) a year (Beta mean a / (a + b))."""
    subs = [make_submission("UA-only", political=[("UA", 2e7, 5e6)])]
    shocks = make_shocks(country=0.1, cyber=0.0)
    n_years = 40_000
    shocked = Portfolio(subs, tables, shocks=shocks).simulate(n_years, seed=31)
    calm = Portfolio(subs, tables, shocks=CommonShocks.none()).simulate(n_years, seed=31)
    added = shocked.total - calm.total  # the policy's own claims are the same draws
    assert (added >= -1e-6).all()
    expected = 0.9 * 0.1 * (2.0 / 10.0) * 2.5e7
    se = measures.mean_standard_error(added)
    assert abs(added.mean() - expected) < 4 * se
    row = Portfolio(subs, tables, shocks=shocks).shock_exposure().iloc[0]
    assert row["expected_ground_up"] == pytest.approx(expected / 0.9, rel=1e-12)
    freq = shocked.accumulation().loc["UA", "event_frequency"]
    assert freq == pytest.approx(0.1, abs=4 * math.sqrt(0.09 / n_years))


def test_accumulation_by_country_sums_to_the_attributed_lines(small_book, make_shocks, tables):
    result = Portfolio(small_book, tables, shocks=make_shocks(country=0.3)).simulate(
        10_000, seed=17
    )
    attributed = result.annual[:, :, [LINES.index(line) for line in ATTRIBUTED_LINES]]
    expected = attributed.sum(axis=(1, 2))
    np.testing.assert_allclose(
        result.by_country.sum(axis=1), expected, rtol=1e-12, atol=1e-9 * expected.max()
    )
    assert (result.by_country >= 0).all()
    frame = result.country_frame()
    assert list(frame.columns) == list(result.countries)
    assert "GB" not in result.countries  # only cyber / tech exposure there


def test_accumulation_rule_without_shocks(make_submission, tables):
    """Political risk split by value at risk (3:1), operational liability equally."""
    subs = [
        make_submission("split", political=[("UA", 2e7, 1e6), ("PL", 6e6, 1e6)]),
        make_submission("ops", operations=["FI", "EE"]),
    ]
    result = Portfolio(subs, tables, shocks=CommonShocks.none()).simulate(20_000, seed=2)
    countries = result.countries
    pr = result.annual[:, 0, PR]
    np.testing.assert_allclose(result.by_country[:, countries.index("UA")], pr * 0.75, rtol=1e-15)
    np.testing.assert_allclose(result.by_country[:, countries.index("PL")], pr * 0.25, rtol=1e-15)
    ol = result.annual[:, 1, OL]
    np.testing.assert_allclose(result.by_country[:, countries.index("FI")], ol * 0.5, rtol=1e-15)


def test_oep_and_aep_curves(small_book, make_shocks, tables):
    result = Portfolio(small_book, tables, shocks=make_shocks()).simulate(10_000, seed=6)
    aep = result.ep_curve("aep")
    oep = result.ep_curve("oep").set_index("return_period")
    assert oep.loc[100.0, "loss"] == measures.value_at_risk(result.max_event, 0.99)
    assert list(aep.columns) == ["kind", "line", "return_period", "exceedance_probability", "loss"]
    # The year's largest event is at least its largest single-line event.
    assert (result.max_event >= result.max_occurrence.max(axis=1) - 1e-9).all()
    line_curve = result.ep_curve("oep", line="cyber", return_periods=[10, 100])
    assert len(line_curve) == 2
    with pytest.raises(ValueError, match="'kind'"):
        result.ep_curve("pml")
    with pytest.raises(ValueError, match="'line'"):
        result.ep_curve("aep", line="marine")
    frame = result.to_frame()
    assert frame.shape == (10_000, len(small_book) * len(LINES))
    np.testing.assert_array_equal(frame[("UA-1", "political_risk")], result.annual[:, 0, PR])
    summary = result.summary(levels=(0.99,))
    assert summary.loc["total", "mean"] == pytest.approx(result.total.mean(), rel=1e-12)


def test_reinsurance_on_the_portfolio(small_book, make_shocks, tables):
    result = Portfolio(small_book, tables, shocks=make_shocks()).simulate(
        10_000, seed=14, keep_occurrences=True
    )
    table = result.occurrences
    np.testing.assert_allclose(
        table.annual(), result.total, rtol=1e-11, atol=1e-9 * result.total.max()
    )
    assert (table.source < 0).any(), "shock events are single occurrences of the book"
    xl = ExcessOfLoss(1e6, 4e6, reinstatements=1, reinstatement_premium_rates=(1.0,))
    ceded = xl.apply(table)
    assert ceded.expected_ceded_loss > 0
    assert ceded.upfront_premium + ceded.expected_reinstatement_premium == pytest.approx(
        ceded.expected_ceded_loss, rel=1e-12
    )
    quota = QuotaShare(0.4).apply(result.total)
    stop = StopLoss(attachment=measures.value_at_risk(result.total, 0.9)).apply(result.total)
    assert quota.expected_ceded_loss == pytest.approx(0.4 * result.total.mean(), rel=1e-12)
    assert stop.pricing()["attachment_probability"] <= 0.1 + 1e-12


def test_multi_year_policy_period_warns(make_submission, tables):
    sub = make_submission("two-year", political=[("UA", 2e7, 5e6)], expiry="2028-01-01")
    with pytest.warns(Warning, match="policy period"):
        Portfolio([sub], tables)


def test_synthetic_book_is_deterministic():
    first = synthetic_book(6, seed=3)
    again = synthetic_book(6, seed=3)
    assert [s.to_json() for s in first] == [s.to_json() for s in again]
    assert [s.submission_id for s in first] == [f"SYN-{i:05d}" for i in range(6)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = Portfolio(first)
    assert book.policy_ids == tuple(s.submission_id for s in first)
