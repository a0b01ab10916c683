"""The default risk load: cost of capital on each line's marginal capital against a book."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from xborder_risk import Submission, measures, quote
from xborder_risk.errors import ParameterError
from xborder_risk.portfolio import synthetic_book
from xborder_risk.portfolio.reference import (
    CACHE_ENV,
    ReferenceBook,
    book_totals,
    clear_book_cache,
    shock_overlay,
)
from xborder_risk.pricing import PricingBasis, marginal_risk_loads
from xborder_risk.quote import Provenance, ReproducibilityError, reproduce
from xborder_risk.rating import RatingTables
from xborder_risk.reserves import PaymentPattern, Valuation, runoff_profile

EXAMPLES = Path(__file__).parents[2] / "examples" / "submissions"
TABLES = RatingTables.load()
N_YEARS = 20_000


@pytest.fixture(scope="module")
def egates():
    return Submission.from_file(EXAMPLES / "eu_egates_contractor.yaml")


@pytest.fixture(scope="module")
def iraq():
    return Submission.from_file(EXAMPLES / "high_risk_infrastructure.yaml")


@pytest.fixture
def user_book(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    clear_book_cache()
    directory = tmp_path / "book"
    directory.mkdir()
    manifest = {
        "name": "my-book",
        "description": "four synthetic policies",
        "source": "illustrative",
        "status": "judgement",
        "currency": "EUR",
        "seed": 11,
        "n_years": 2_000,
    }
    (directory / "book.yaml").write_text(yaml.safe_dump(manifest))
    for index, sub in enumerate(synthetic_book(4, seed=9)):
        (directory / f"p{index}.json").write_text(sub.to_json())
    yield directory
    clear_book_cache()


def _runoff(submission, lines):
    inception, period = submission.inception_date, submission.policy_period_years
    return np.array(
        [
            float(
                runoff_profile(
                    PaymentPattern.from_frame(TABLES.patterns, line),
                    Valuation(inception, inception, period),
                ).sum()
            )
            for line in lines
        ]
    )


def test_the_marginal_risk_load_with_the_books_shocks(egates):
    q = quote(egates, n_years=N_YEARS, seed=3, tables=TABLES, basis=PricingBasis(book_shocks=True))
    assert q.basis.capital_method == "marginal_book"
    book = ReferenceBook.load()
    assert q.provenance.book is not None and q.provenance.book.sha256 == book.sha256
    # recomputed from its parts: the quote's own draws (year t) beside year t of the book
    fx = TABLES.fx_rate(book.currency) / TABLES.fx_rate(egates.currency)
    totals = book_totals(book, TABLES, N_YEARS) * fx
    lines, shocks = shock_overlay(egates, book, TABLES, N_YEARS)
    assert lines == q.lines
    caps = np.array([m.layer.max_annual_loss for m in q.rated.models])
    per_year = np.minimum(q.simulation.annual + shocks, caps)
    loads, _ = marginal_risk_loads(
        totals, per_year, _runoff(egates, q.lines), rate=0.06, level=0.99, period_years=1.0
    )
    np.testing.assert_array_equal(q.to_frame()["risk_load"].to_numpy()[:-1], loads)
    assert any("marginal tvar 0.99 capital" in m for m in q.messages)


def test_a_line_is_priced_the_same_whatever_else_is_quoted(egates):
    """Dropping or re-terming another line leaves a line's draws, so its load, unchanged."""
    full = quote(egates, n_years=N_YEARS, seed=3, tables=TABLES).to_frame()
    data = json.loads(egates.to_json())
    data.pop("political_risk")
    data["terms"].pop("political_risk")
    fewer = quote(Submission.from_data(data), n_years=N_YEARS, seed=3, tables=TABLES)
    for line in fewer.lines:
        assert fewer.to_frame().loc[line, "risk_load"] == full.loc[line, "risk_load"], line
    data = json.loads(egates.to_json())
    data["terms"]["political_risk"]["deductible"] = 250_000.0
    retermed = quote(Submission.from_data(data), n_years=N_YEARS, seed=3, tables=TABLES)
    for line in ("tech_failure", "cyber", "operational_liability"):
        assert retermed.to_frame().loc[line, "risk_load"] == full.loc[line, "risk_load"], line


def test_a_multi_year_policy_holds_its_capital_over_the_run_off(iraq):
    assert iraq.policy_period_years == 2.0
    q = quote(iraq, n_years=N_YEARS, seed=3, tables=TABLES, basis=PricingBasis(book_shocks=True))
    frame = q.to_frame()
    book = ReferenceBook.load()
    fx = TABLES.fx_rate(book.currency) / TABLES.fx_rate(iraq.currency)
    _, shocks = shock_overlay(iraq, book, TABLES, N_YEARS)
    caps = np.array([m.layer.max_annual_loss for m in q.rated.models])
    per_year = np.minimum(q.simulation.annual / 2.0 + shocks, caps)
    runoff = _runoff(iraq, q.lines)
    loads, capital = marginal_risk_loads(
        book_totals(book, TABLES, N_YEARS) * fx,
        per_year,
        runoff,
        rate=0.06,
        period_years=2.0,
    )
    np.testing.assert_array_equal(frame["risk_load"].to_numpy()[:-1], loads)
    # the capital runs off with the outstanding liability instead of being held whole
    for line, years in zip(q.lines, runoff, strict=True):
        pattern = PaymentPattern.from_frame(TABLES.patterns, line)
        profile = runoff_profile(pattern, Valuation(iraq.inception_date, iraq.inception_date, 2.0))
        assert years < profile.size, line
    # and far below the policy's own TVaR held for the policy's years (the old default)
    total = q.simulation.total
    tvar_times_years = 2.0 * (measures.tvar(total, 0.99) - total.mean())
    assert (capital * runoff).sum() < tvar_times_years
    assert frame.loc["total", "risk_load"] < 0.06 * tvar_times_years


def test_standalone_remains_available_and_records_no_book(egates):
    q = quote(
        egates,
        n_years=5_000,
        seed=3,
        tables=TABLES,
        # without the floor, the risk load is the policy's capital as allocated
        basis=PricingBasis(capital_method="standalone", floor_risk_load=False),
    )
    assert q.provenance.book is None
    total = q.simulation.total
    expected = 0.10 * (measures.tvar(total, 0.99) - total.mean())
    assert q.to_frame().loc["total", "risk_load"] == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ParameterError, match="book"):
        quote(
            egates,
            n_years=5_000,
            seed=3,
            tables=TABLES,
            basis=PricingBasis(capital_method="standalone"),
            book=ReferenceBook.load(),
        )


def test_without_the_books_shocks_a_line_is_independent_of_the_book(iraq):
    basis = PricingBasis(book_shocks=False)
    q = quote(iraq, n_years=N_YEARS, seed=3, tables=TABLES, basis=basis)
    book = ReferenceBook.load()
    fx = TABLES.fx_rate(book.currency) / TABLES.fx_rate(iraq.currency)
    loads, _ = marginal_risk_loads(
        book_totals(book, TABLES, N_YEARS) * fx,
        q.simulation.annual / 2.0,
        _runoff(iraq, q.lines),
        rate=0.06,
        period_years=2.0,
    )
    np.testing.assert_array_equal(q.to_frame()["risk_load"].to_numpy()[:-1], loads)


def test_a_users_book_prices_and_reproduces(egates, user_book):
    q = quote(egates, n_years=2_000, seed=3, tables=TABLES, book=str(user_book))
    assert q.provenance.book is not None
    assert q.provenance.book.name == "my-book"
    assert q.provenance.book.sha256 == ReferenceBook.load(user_book).sha256
    record = json.loads(q.to_json())["provenance"]
    again = reproduce(record, egates, TABLES, book=user_book)
    pd.testing.assert_frame_equal(again.to_frame(), q.to_frame(), check_exact=True)
    # the shipped book is not the one priced against
    with pytest.raises(ReproducibilityError, match="reference book differs"):
        reproduce(record, egates, TABLES)
    with pytest.raises(ParameterError, match="book"):
        quote(egates, n_years=2_000, seed=3, tables=TABLES, book=42)  # type: ignore[arg-type]


def test_the_default_quote_reproduces_from_its_record(egates):
    q = quote(egates, n_years=5_000, seed=4, tables=TABLES)
    record = json.loads(q.to_json())["provenance"]
    assert record["book"]["sha256"] == ReferenceBook.load().sha256
    again = reproduce(record, egates, TABLES)
    pd.testing.assert_frame_equal(again.to_frame(), q.to_frame(), check_exact=True)


def test_an_old_record_without_the_capital_method_reads_as_standalone():
    path = Path(__file__).parent / "records" / "default_basis.json"
    record = json.loads(path.read_text())["provenance"]
    assert "capital_method" not in record["basis"]
    provenance = Provenance.read(record)
    assert provenance.basis.capital_method == "standalone"
    assert provenance.book is None
