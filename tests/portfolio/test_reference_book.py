"""The reference book: the shipped one, user books, the cached yearly totals, the shock overlay."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from xborder_risk import Submission, cli
from xborder_risk.errors import ParameterError
from xborder_risk.exposure import LINES
from xborder_risk.portfolio import Portfolio, synthetic_book
from xborder_risk.portfolio.reference import (
    CACHE_ENV,
    ReferenceBook,
    book_totals,
    cache_directory,
    clear_book_cache,
    shock_overlay,
)
from xborder_risk.rating import RatingTables, refresh_checksums

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "submissions"
TABLES = RatingTables.load()


def write_book(directory: Path, n_policies: int = 3, n_years: int = 2_000, seed: int = 5) -> Path:
    """A small user book: ``n_policies`` synthetic USD policies, one JSON line each."""
    directory.mkdir(parents=True, exist_ok=True)
    manifest = {
        "name": "test-book",
        "description": "three synthetic policies for the tests",
        "source": "illustrative",
        "status": "judgement",
        "currency": "USD",
        "seed": seed,
        "n_years": n_years,
    }
    (directory / "book.yaml").write_text(yaml.safe_dump(manifest))
    policies = synthetic_book(n_policies, seed=3)
    (directory / "policies.jsonl").write_text(
        "\n".join(sub.to_json(indent=None) for sub in policies) + "\n"
    )
    return directory


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private on-disk cache and an empty in-process cache."""
    directory = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(directory))
    clear_book_cache()
    yield directory
    clear_book_cache()


@pytest.fixture
def simulations(monkeypatch):
    """Counts the book simulations (cache misses)."""
    calls = []
    original = Portfolio.simulate

    def counting(self, *args, **kwargs):
        calls.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Portfolio, "simulate", counting)
    return calls


# -- the shipped book ---------------------------------------------------------------------------


def test_the_shipped_book_is_illustrative_and_covers_the_examples_countries():
    book = ReferenceBook.load()
    assert book.location == "shipped"
    assert book.source == "illustrative" and book.status.startswith("judgement")
    policies = book.submissions()
    assert 200 <= len(policies) <= 500
    lines = {line for sub in policies for line in LINES if getattr(sub, line) is not None}
    assert lines == set(LINES)
    example_countries = {"IQ", "TR", "EE", "LV", "PL", "MD", "GB", "NO"}
    book_text = (REPO / "xborder_risk/portfolio_data/reference_book/policies.jsonl").read_text()
    for code in example_countries:
        assert f'"{code}"' in book_text, code
    assert ReferenceBook.load().sha256 == book.sha256  # the checksum is stable


def test_the_shipped_book_is_what_its_generator_writes():
    spec = importlib.util.spec_from_file_location(
        "maker", Path(__file__).with_name("make_reference_book.py")
    )
    assert spec is not None and spec.loader is not None
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)

    policies = synthetic_book(
        maker.N_POLICIES, seed=maker.GENERATOR_SEED, countries=maker.COUNTRIES
    )
    shipped = ReferenceBook.load().submissions()
    assert [json.loads(s.to_json()) for s in shipped] == [json.loads(s.to_json()) for s in policies]


# -- bad books ----------------------------------------------------------------------------------


def test_a_bad_book_directory_is_a_named_error(tmp_path):
    with pytest.raises(ParameterError, match="must be an existing directory"):
        ReferenceBook.load(tmp_path / "absent")
    with pytest.raises(ParameterError, match=r"book\.yaml"):
        ReferenceBook.load(tmp_path)
    book = write_book(tmp_path / "book")
    manifest = yaml.safe_load((book / "book.yaml").read_text())
    (book / "book.yaml").write_text(yaml.safe_dump({**manifest, "seed": -1}))
    with pytest.raises(ParameterError, match="seed"):
        ReferenceBook.load(book)
    (book / "book.yaml").write_text(yaml.safe_dump({**manifest, "colour": "red"}))
    with pytest.raises(ParameterError, match="colour"):
        ReferenceBook.load(book)
    (book / "book.yaml").write_text(yaml.safe_dump(manifest))
    (book / "policies.jsonl").unlink()
    with pytest.raises(ParameterError, match="no policy file"):
        ReferenceBook.load(book)
    (book / "broken.yaml").write_text("submission_id: x\ncurrency: EUR\n")
    with pytest.raises(ParameterError, match=r"not a valid submission.*broken\.yaml"):
        ReferenceBook.load(book).submissions()


def test_a_bad_book_on_the_command_line_exits_2_naming_it(tmp_path):
    result = CliRunner().invoke(
        cli.app,
        [
            "quote",
            str(EXAMPLES / "eu_egates_contractor.yaml"),
            "--book",
            str(tmp_path),
            "-n",
            "1000",
            "-o",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 2
    assert "ReferenceBook" in result.output and "book.yaml" in result.output


# -- the yearly totals and their cache ---------------------------------------------------------


def test_totals_are_the_book_simulated_with_its_seed_and_cut(cache, tmp_path):
    book = ReferenceBook.load(write_book(tmp_path / "book"))
    full = Portfolio(book.submissions(), TABLES, currency="USD").simulate(2_000, seed=5).total
    np.testing.assert_array_equal(book_totals(book, TABLES, 2_000), full)
    # fewer years: the first rows of the same N-year simulation
    np.testing.assert_array_equal(book_totals(book, TABLES, 700), full[:700])
    # more years than the book's: the book simulated for as many
    longer = book_totals(book, TABLES, 2_500)
    assert longer.shape == (2_500,)
    assert not longer.flags.writeable


def test_the_cache_misses_once_then_hits_in_process_and_on_disk(cache, tmp_path, simulations):
    book = ReferenceBook.load(write_book(tmp_path / "book"))
    first = book_totals(book, TABLES, 2_000)
    assert len(simulations) == 1
    files = list((cache / "book_totals").glob("*.npy"))
    assert len(files) == 1
    assert book_totals(book, TABLES, 1_000) is not None  # in-process hit
    assert len(simulations) == 1
    clear_book_cache()
    np.testing.assert_array_equal(book_totals(book, TABLES, 2_000), first)  # on-disk hit
    assert len(simulations) == 1
    # the file is a plain .npy array, readable without pickle
    np.testing.assert_array_equal(np.load(files[0], allow_pickle=False), first)


def test_the_cache_is_invalidated_by_a_table_book_or_seed_change(cache, tmp_path, simulations):
    directory = write_book(tmp_path / "book")
    book = ReferenceBook.load(directory)
    book_totals(book, TABLES, 2_000)
    assert len(simulations) == 1
    # a rating table changes: its checksum changes, so the key does
    tables_dir = tmp_path / "tables"
    shutil.copytree(REPO / "rating_tables", tables_dir)
    fx = tables_dir / "fx.csv"
    assert fx.exists()
    fx.write_text(fx.read_text() + "\n")
    refresh_checksums(tables_dir)
    changed_tables = RatingTables.load(tables_dir)
    assert changed_tables.checksums != TABLES.checksums
    book_totals(book, changed_tables, 2_000)
    assert len(simulations) == 2
    # the book's seed changes
    manifest = yaml.safe_load((directory / "book.yaml").read_text())
    (directory / "book.yaml").write_text(yaml.safe_dump({**manifest, "seed": 6}))
    reseeded = ReferenceBook.load(directory)
    assert reseeded.sha256 != book.sha256
    book_totals(reseeded, TABLES, 2_000)
    assert len(simulations) == 3
    # back to the first book: still cached
    book_totals(book, TABLES, 2_000)
    assert len(simulations) == 3


def test_a_corrupt_cache_file_is_computed_again(cache, tmp_path, simulations):
    book = ReferenceBook.load(write_book(tmp_path / "book"))
    first = book_totals(book, TABLES, 2_000).copy()
    (path,) = (cache / "book_totals").glob("*.npy")
    path.write_bytes(b"not an array")
    clear_book_cache()
    np.testing.assert_array_equal(book_totals(book, TABLES, 2_000), first)
    assert len(simulations) == 2
    np.testing.assert_array_equal(np.load(path, allow_pickle=False), first)


def test_an_unwritable_cache_warns_and_still_prices(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    clear_book_cache()
    book = ReferenceBook.load(write_book(tmp_path / "book"))
    with pytest.warns(UserWarning, match="could not be cached"):
        totals = book_totals(book, TABLES, 2_000)
    assert totals.shape == (2_000,)
    clear_book_cache()


def test_the_cache_directory_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "mine"))
    assert cache_directory() == tmp_path / "mine"
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_directory() == tmp_path / "xdg" / "xborder_risk"


def test_two_processes_computing_the_same_totals_at_once_both_succeed(tmp_path):
    directory = write_book(tmp_path / "book", n_years=4_000)
    script = textwrap.dedent(
        f"""
        import sys
        import numpy as np
        from xborder_risk.portfolio.reference import ReferenceBook, book_totals
        from xborder_risk.rating import RatingTables
        totals = book_totals(ReferenceBook.load({str(directory)!r}), RatingTables.load(), 4_000)
        np.save(sys.argv[1], totals)
        """
    )
    env = {**os.environ, CACHE_ENV: str(tmp_path / "cache")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    outputs = [tmp_path / f"out{i}.npy" for i in range(2)]
    processes = [
        subprocess.Popen([sys.executable, "-c", script, str(out)], env=env) for out in outputs
    ]
    assert [p.wait(timeout=300) for p in processes] == [0, 0]
    a, b = (np.load(out, allow_pickle=False) for out in outputs)
    np.testing.assert_array_equal(a, b)
    cached = list((tmp_path / "cache" / "book_totals").iterdir())
    assert [p.suffix for p in cached] == [".npy"]  # one file, no temporary left behind
    np.testing.assert_array_equal(np.load(cached[0], allow_pickle=False), a)


# -- the book's common shocks on a quoted policy ------------------------------------------------


def test_the_shock_overlay_falls_in_the_books_event_years(cache, tmp_path):
    """A quoted policy is hit by the book's own country events, in the same years."""
    directory = write_book(tmp_path / "book", n_years=3_000)
    book = ReferenceBook.load(directory)
    iraq = Submission.from_file(EXAMPLES / "high_risk_infrastructure.yaml")
    lines, added = shock_overlay(iraq, book, TABLES, 3_000)
    assert lines == ("tech_failure", "operational_liability", "political_risk")
    # the same events as a book holding the policy, simulated with the book's seed
    with pytest.warns(UserWarning, match="policy period other than one year"):
        portfolio = Portfolio([*book.submissions(), iraq], TABLES, currency="USD")
    result = portfolio.simulate(3_000, seed=book.seed)
    iq_events = result.events[:, result.shock_sources.index("IQ")]
    hit = added[:, lines.index("political_risk")] > 0
    assert hit.any()
    assert not (hit & ~iq_events).any()
    assert (iq_events & ~hit).sum() <= 0.05 * iq_events.sum()  # a tiny damage below terms
    # a shorter request is the first rows of the same draws
    _, shorter = shock_overlay(iraq, book, TABLES, 1_000)
    np.testing.assert_array_equal(shorter, added[:1_000])


def test_the_command_line_prices_against_a_users_book(cache, tmp_path):
    directory = write_book(tmp_path / "book")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli.app,
        [
            "quote",
            str(EXAMPLES / "eu_egates_contractor.yaml"),
            "--book",
            str(directory),
            "-n",
            "2000",
            "-f",
            "json",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    (report,) = out.glob("*.json")
    book = json.loads(report.read_text())["provenance"]["book"]
    assert book["name"] == "test-book"
    assert book["sha256"] == ReferenceBook.load(directory).sha256
