"""The quote register (issue 15 item 3): stored whole, concurrent writers, versioned schema,
refusing what is not a register, reproducing bit for bit or saying why not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from xborder_risk import Quote, Submission, quote
from xborder_risk.rating import RatingTables
from xborder_risk.register import SCHEMA_VERSION, QuoteRegister, RegisterError, _store

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "submissions"


@pytest.fixture(scope="module")
def small_quote() -> Quote:
    return quote(Submission.from_file(EXAMPLES / "eu_egates_contractor.yaml"), n_years=500, seed=3)


def test_store_history_get(tmp_path: Path, small_quote: Quote) -> None:
    path = tmp_path / "quotes.db"
    with QuoteRegister.open(path) as register:
        assert register.schema_version == SCHEMA_VERSION
        first = register.store(small_quote)
        second = register.store(small_quote)
        assert (first, second) == (1, 2)
        history = register.history()
        assert list(history.index) == [2, 1]
        assert history.loc[1, "insured"] == "Nordgate Biometrics AS"
        total = small_quote.to_frame().loc["total", "gross_premium"]
        assert history.loc[1, "gross_premium"] == total
        assert list(register.history(insured="nordgate").index) == [2, 1]
        assert register.history(insured="nobody").empty
        stored = register.get(first)
        assert stored.submission == small_quote.submission
        assert stored.record["provenance"] == small_quote.provenance.to_record()
        assert stored.gross_premium["total"] == small_quote.to_frame().loc["total", "gross_premium"]
        with pytest.raises(RegisterError, match="has no quote 99"):
            register.get(99)


def test_reproduce_bit_for_bit_or_the_reason(tmp_path: Path, small_quote: Quote) -> None:
    with QuoteRegister.open(tmp_path / "quotes.db") as register:
        quote_id = register.store(small_quote)
        outcome = register.reproduce(quote_id)
        assert outcome.identical and outcome.reason == "reproduced bit for bit"
        assert outcome.quote is not None
        assert outcome.quote.to_frame().equals(small_quote.to_frame())
        # Tables changed since the quote (its record holds other checksums): the reason says
        # which; a library version that differs is named too.
        record = register.get(quote_id).record
        name = sorted(record["provenance"]["table_checksums"])[0]
        record["provenance"]["table_checksums"][name] = "0" * 64
        record["provenance"]["library_version"] = "0.0.1"
        with register._engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE quotes SET quote_json = :j WHERE quote_id = :i"),
                {"j": json.dumps(record), "i": quote_id},
            )
        outcome = register.reproduce(quote_id, RatingTables.load())
        assert not outcome.identical and outcome.quote is None
        assert "rating tables changed" in outcome.reason and name in outcome.reason


def test_reproduce_names_the_figures_that_differ(tmp_path: Path, small_quote: Quote) -> None:
    with QuoteRegister.open(tmp_path / "quotes.db") as register:
        quote_id = register.store(small_quote)
        record = register.get(quote_id).record
        record["quote"]["cyber"]["gross_premium"] += 1.0  # as if priced differently then
        with register._engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE quotes SET quote_json = :j WHERE quote_id = :i"),
                {"j": json.dumps(record), "i": quote_id},
            )
        outcome = register.reproduce(quote_id)
        assert not outcome.identical
        assert outcome.reason == "not identical: the record's quote differ from the stored"


def test_a_quote_is_stored_whole_or_not_at_all(
    tmp_path: Path, small_quote: Quote, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "quotes.db"
    with QuoteRegister.open(path) as register:
        register.store(small_quote)
        broken = sa.Table("quote_lines_missing", sa.MetaData(), sa.Column("x", sa.Integer))
        monkeypatch.setattr(_store, "quote_lines", broken)  # the second insert fails
        with pytest.raises(sa.exc.SQLAlchemyError):
            register.store(small_quote)
        monkeypatch.undo()
        assert list(register.history().index) == [1]
        with register._engine.connect() as conn:  # no orphan lines either
            lines = conn.execute(sa.text("SELECT DISTINCT quote_id FROM quote_lines")).all()
        assert [row[0] for row in lines] == [1]


def _two_writers(location: str) -> None:
    """Two processes store 15 quotes each into ``location`` at the same moment."""
    script = textwrap.dedent(
        f"""
        import sys
        from xborder_risk import Submission, quote
        from xborder_risk.register import QuoteRegister
        q = quote(Submission.from_file({str(EXAMPLES / "eu_egates_contractor.yaml")!r}),
                  n_years=100, seed=int(sys.argv[1]))
        print("ready", flush=True)
        sys.stdin.readline()  # both start writing together
        with QuoteRegister.open({location!r}) as register:
            for _ in range(15):
                register.store(q)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(seed)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for seed in (1, 2)
    ]
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err


def test_two_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    _two_writers(str(path))
    with QuoteRegister.open(path) as register:
        ids = list(register)
        assert ids == list(range(1, 31))
        seeds = [register.get(i).record["provenance"]["seed"] for i in ids]
        assert sorted(seeds) == [1] * 15 + [2] * 15


def test_an_old_schema_is_migrated_in_place(tmp_path: Path, small_quote: Quote) -> None:
    path = tmp_path / "old.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:  # a register as version 1 wrote it
        _store.MIGRATIONS[0][2](conn)
        conn.execute(
            _store.register_meta.insert(),
            [
                {"key": "application", "value": _store.APPLICATION},
                {"key": "schema_version", "value": "1"},
            ],
        )
        conn.execute(
            _store.schema_migrations.insert().values(
                version=1, description="v1", applied="2026-01-01", library_version="0.0.9"
            )
        )
    engine.dispose()
    with QuoteRegister.open(path) as register:
        assert register.schema_version == SCHEMA_VERSION == 2
        register.store(small_quote)
        with register._engine.connect() as conn:
            applied = conn.execute(sa.text("SELECT version FROM schema_migrations")).all()
        assert [row[0] for row in applied] == [1, 2]


def test_not_a_register_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.db"
    text_file.write_bytes(b"my notes, not a database\n")
    with pytest.raises(RegisterError, match="not a quote register"):
        QuoteRegister.open(text_file)
    assert text_file.read_bytes() == b"my notes, not a database\n"
    other = tmp_path / "other.db"
    engine = sa.create_engine(f"sqlite:///{other}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE customers (id INTEGER)"))
    engine.dispose()
    before = other.read_bytes()
    with pytest.raises(RegisterError, match="other tables: customers"):
        QuoteRegister.open(other)
    assert other.read_bytes() == before
    with pytest.raises(RegisterError, match="no such register"):
        QuoteRegister.open(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_a_newer_schema_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    QuoteRegister.open(path).close()
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE register_meta SET value = :v WHERE key = 'schema_version'"),
            {"v": str(SCHEMA_VERSION + 1)},
        )
    engine.dispose()
    before = path.read_bytes()
    with pytest.raises(RegisterError, match=f"schema version {SCHEMA_VERSION + 1}, newer"):
        QuoteRegister.open(path)
    assert path.read_bytes() == before


POSTGRES_ENV = "XBORDER_RISK_TEST_POSTGRES"


def _postgres_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"no PostgreSQL server: set {POSTGRES_ENV} to a SQLAlchemy URL to test it")
    try:
        engine = sa.create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # no driver, no server
        pytest.skip(f"PostgreSQL at {POSTGRES_ENV} not reachable: {type(exc).__name__}: {exc}")
    return url


def test_postgresql_register(small_quote: Quote) -> None:
    url = _postgres_url()
    with QuoteRegister.open(url) as register:
        assert register.schema_version == SCHEMA_VERSION
        before = len(list(register))
        quote_id = register.store(small_quote)
        assert register.get(quote_id).submission == small_quote.submission
        assert register.reproduce(quote_id).identical
    _two_writers(url)  # two underwriters at once on the team's database
    with QuoteRegister.open(url) as register:
        assert len(list(register)) == before + 31
