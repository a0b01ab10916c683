"""The register's tables, its versioned schema migrations and its transactions."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from xborder_risk._version import __version__
from xborder_risk.errors import ParameterError, XBorderRiskError
from xborder_risk.exposure import Submission
from xborder_risk.quote import Quote, reproduce
from xborder_risk.rating import RatingTables

__all__ = [
    "SCHEMA_VERSION",
    "QuoteRegister",
    "RegisterError",
    "Reproduction",
    "StoredQuote",
    "register_url",
]

#: Marker stored in ``register_meta`` so that another program's database is never taken for
#: a register (and never written to).
APPLICATION: Final[str] = "xborder_risk quote register"
_SQLITE_HEADER: Final[bytes] = b"SQLite format 3\x00"
#: Seconds a writer waits for another writer's transaction to end (SQLite busy timeout).
LOCK_TIMEOUT: Final[float] = 60.0


class RegisterError(ParameterError):
    """The register cannot be used: not a register, a newer schema, an unknown quote id."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__("QuoteRegister", "register", where, message)


metadata = sa.MetaData()
register_meta = sa.Table(
    "register_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
schema_migrations = sa.Table(
    "schema_migrations",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("applied", sa.String(32), nullable=False),
    sa.Column("library_version", sa.String(32), nullable=False),
)
quotes = sa.Table(
    "quotes",
    metadata,
    sa.Column("quote_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created", sa.String(32), nullable=False),
    sa.Column("insured", sa.Text, nullable=False),
    sa.Column("submission_id", sa.Text),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("inception_date", sa.String(10), nullable=False),
    sa.Column("expiry_date", sa.String(10), nullable=False),
    sa.Column("library_version", sa.String(32), nullable=False),
    sa.Column("gross_premium", sa.Float),
    sa.Column("expected_loss", sa.Float),
    sa.Column("submission_json", sa.Text, nullable=False),
    sa.Column("quote_json", sa.Text, nullable=False),
)
quote_lines = sa.Table(
    "quote_lines",
    metadata,
    sa.Column("quote_id", sa.Integer, sa.ForeignKey("quotes.quote_id"), primary_key=True),
    sa.Column("line", sa.String(64), primary_key=True),
    sa.Column("limit_amount", sa.Float),
    sa.Column("deductible", sa.Float),
    sa.Column("share", sa.Float),
    sa.Column("gross_premium", sa.Float),
    sa.Column("expected_loss", sa.Float),
)


def _v1(conn: Connection) -> None:
    for table in (register_meta, schema_migrations, quotes):
        table.create(conn)


def _v2(conn: Connection) -> None:
    quote_lines.create(conn)
    # Plain DDL: an sa.Index on ``quotes`` would join its Table and be created by _v1 too.
    conn.exec_driver_sql("CREATE INDEX ix_quotes_insured ON quotes (insured)")


#: The schema's migrations, in order: version, what it changes, the step.  A register is
#: brought to :data:`SCHEMA_VERSION` when opened, each step recorded in ``schema_migrations``;
#: a register of a later version is refused (this library does not know its tables).
MIGRATIONS: Final[tuple[tuple[int, str, Callable[[Connection], None]], ...]] = (
    (1, "register_meta, schema_migrations and quotes (one row per quote, stored whole)", _v1),
    (2, "quote_lines (limit, deductible, share, premium and expected loss per line)", _v2),
)
SCHEMA_VERSION: Final[int] = MIGRATIONS[-1][0]


def register_url(location: str | Path) -> str:
    """A SQLAlchemy URL for ``location``: a URL as given, a path as an SQLite file URL."""
    text = str(location)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _json_float(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _canonical(record: dict[str, Any]) -> dict[str, Any]:
    """A quote record without what legitimately differs between two runs (its time)."""
    data = json.loads(json.dumps(record))
    data.get("provenance", {}).pop("created", None)
    return data


@dataclass(frozen=True)
class StoredQuote:
    """One quote as stored: its id, when, the submission and the quote's record
    (``Quote.to_dict()``: the table, premium build-up, reserves, notes and provenance)."""

    quote_id: int
    created: str
    submission: Submission
    record: dict[str, Any]

    @property
    def gross_premium(self) -> dict[str, float]:
        """Gross premium per line and ``total`` (submission currency, policy period)."""
        return {line: float(row["gross_premium"]) for line, row in self.record["quote"].items()}


@dataclass(frozen=True)
class Reproduction:
    """The outcome of :meth:`QuoteRegister.reproduce`: ``identical`` or the reason not."""

    quote_id: int
    identical: bool
    reason: str
    quote: Quote | None


class QuoteRegister:
    """A quote register in a database (see the module docstring).

    Use :meth:`open`; the register is a context manager that disposes of its connections.
    """

    def __init__(self, engine: Engine, location: str) -> None:
        self._engine = engine
        self.location = location

    # --- opening and migrating --------------------------------------------------------------

    @classmethod
    def open(cls, location: str | Path, *, create: bool = True) -> QuoteRegister:
        """Open (and, with ``create``, create or migrate) the register at ``location``.

        Raises
        ------
        RegisterError
            If ``location`` is a file or database that is not a register (it is left as it
            was), a register of a newer schema than this library knows, or (``create=False``)
            does not exist.
        """
        url = register_url(location)
        shown = str(location)
        engine_url = sa.make_url(url)
        sqlite = engine_url.get_backend_name() == "sqlite"
        if sqlite and engine_url.database not in (None, "", ":memory:"):
            path = Path(engine_url.database or "")
            if path.exists():
                if not path.is_file():
                    raise RegisterError(shown, "is not a file")
                with path.open("rb") as handle:
                    head = handle.read(len(_SQLITE_HEADER))
                if head and head != _SQLITE_HEADER:
                    raise RegisterError(
                        shown, "is not a quote register (not an SQLite database); left as it was"
                    )
            elif not create:
                raise RegisterError(shown, "no such register")
        engine = sa.create_engine(
            url, connect_args={"timeout": LOCK_TIMEOUT} if sqlite else {}, future=True
        )
        if sqlite:
            _immediate_transactions(engine)
        register = cls(engine, shown)
        try:
            register._migrate(create)
        except BaseException:
            engine.dispose()
            raise
        return register

    def _migrate(self, create: bool) -> None:
        with self._engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7315400915)")
            names = set(sa.inspect(conn).get_table_names())
            if names and "register_meta" not in names:
                raise RegisterError(
                    self.location,
                    "is not a quote register (a database with other tables: "
                    f"{', '.join(sorted(names)[:5])}); left as it was",
                )
            version = 0
            if names:
                rows = dict(
                    conn.execute(sa.select(register_meta.c.key, register_meta.c.value)).all()
                )
                if rows.get("application") != APPLICATION:
                    raise RegisterError(self.location, "is not a quote register; left as it was")
                version = int(rows.get("schema_version", "0"))
            if version > SCHEMA_VERSION:
                raise RegisterError(
                    self.location,
                    f"has schema version {version}, newer than this xborder_risk "
                    f"{__version__} reads (up to {SCHEMA_VERSION}): upgrade xborder_risk; "
                    "the register was not changed",
                )
            if version == 0 and not create:
                raise RegisterError(self.location, "no such register")
            for number, description, step in MIGRATIONS:
                if number <= version:
                    continue
                step(conn)
                conn.execute(
                    schema_migrations.insert().values(
                        version=number,
                        description=description,
                        applied=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                        library_version=__version__,
                    )
                )
                if number == 1:
                    conn.execute(
                        register_meta.insert(),
                        [
                            {"key": "application", "value": APPLICATION},
                            {"key": "schema_version", "value": "1"},
                        ],
                    )
                conn.execute(
                    register_meta.update()
                    .where(register_meta.c.key == "schema_version")
                    .values(value=str(number))
                )

    @property
    def schema_version(self) -> int:
        """The register's schema version."""
        with self._engine.connect() as conn:
            value = conn.execute(
                sa.select(register_meta.c.value).where(register_meta.c.key == "schema_version")
            ).scalar_one()
        return int(value)

    def close(self) -> None:
        """Release the register's connections."""
        self._engine.dispose()

    def __enter__(self) -> QuoteRegister:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- writing ----------------------------------------------------------------------------

    def store(self, quote: Quote) -> int:
        """Store a quote whole (one transaction: all its rows or none) and return its id."""
        record = quote.to_dict()
        submission = quote.submission
        table = record["quote"]
        total = table.get("total", {})
        row = {
            "created": record["provenance"].get("created")
            or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "insured": submission.insured.name,
            "submission_id": submission.submission_id,
            "currency": submission.currency,
            "inception_date": submission.inception_date.isoformat(),
            "expiry_date": submission.expiry_date.isoformat(),
            "library_version": record["provenance"]["library_version"],
            "gross_premium": _json_float(total.get("gross_premium")),
            "expected_loss": _json_float(total.get("expected_loss")),
            "submission_json": submission.to_json(indent=None),
            "quote_json": json.dumps(record, allow_nan=False),
        }
        with self._engine.begin() as conn:
            inserted = conn.execute(quotes.insert().values(**row)).inserted_primary_key
            assert inserted is not None  # an INSERT of one row always has its key
            quote_id = int(inserted[0])
            conn.execute(
                quote_lines.insert(),
                [
                    {
                        "quote_id": quote_id,
                        "line": line,
                        "limit_amount": _json_float(values.get("limit")),
                        "deductible": _json_float(values.get("deductible")),
                        "share": _json_float(values.get("share")),
                        "gross_premium": _json_float(values.get("gross_premium")),
                        "expected_loss": _json_float(values.get("expected_loss")),
                    }
                    for line, values in table.items()
                ],
            )
        return quote_id

    # --- reading ----------------------------------------------------------------------------

    def history(self, insured: str | None = None) -> pd.DataFrame:
        """The stored quotes, newest first; ``insured`` keeps those whose insured's name
        contains it (case-insensitive).

        Returns
        -------
        pandas.DataFrame
            Index ``quote_id``; columns created, insured, submission_id, currency,
            inception_date, expiry_date, gross_premium, expected_loss, library_version.
        """
        columns = [
            quotes.c.quote_id,
            quotes.c.created,
            quotes.c.insured,
            quotes.c.submission_id,
            quotes.c.currency,
            quotes.c.inception_date,
            quotes.c.expiry_date,
            quotes.c.gross_premium,
            quotes.c.expected_loss,
            quotes.c.library_version,
        ]
        query = sa.select(*columns).order_by(quotes.c.quote_id.desc())
        if insured:
            query = query.where(sa.func.lower(quotes.c.insured).contains(insured.lower()))
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=[c.name for c in columns])
        return frame.set_index("quote_id")

    def get(self, quote_id: int) -> StoredQuote:
        """The stored quote ``quote_id``.

        Raises
        ------
        RegisterError
            If there is no such quote.
        """
        with self._engine.connect() as conn:
            row = conn.execute(
                sa.select(quotes.c.created, quotes.c.submission_json, quotes.c.quote_json).where(
                    quotes.c.quote_id == int(quote_id)
                )
            ).one_or_none()
        if row is None:
            raise RegisterError(self.location, f"has no quote {quote_id}")
        return StoredQuote(
            quote_id=int(quote_id),
            created=str(row.created),
            submission=Submission.from_json(row.submission_json, source=f"quote {quote_id}"),
            record=json.loads(row.quote_json),
        )

    def latest(self, insured: str) -> StoredQuote | None:
        """The newest quote of an insured named exactly ``insured``, if any."""
        with self._engine.connect() as conn:
            quote_id = conn.execute(
                sa.select(sa.func.max(quotes.c.quote_id)).where(quotes.c.insured == insured)
            ).scalar_one_or_none()
        return None if quote_id is None else self.get(int(quote_id))

    def __iter__(self) -> Iterator[int]:
        with self._engine.connect() as conn:
            ids = conn.execute(sa.select(quotes.c.quote_id).order_by(quotes.c.quote_id)).all()
        return iter(int(r[0]) for r in ids)

    def reproduce(self, quote_id: int, tables: RatingTables | None = None) -> Reproduction:
        """Run stored quote ``quote_id`` again and say whether every figure is identical.

        The reason when not: the rating tables changed (by checksum), the library or numpy
        version differs, or (the same versions) which figures differ.
        """
        stored = self.get(quote_id)
        try:
            again = reproduce(
                stored.record["provenance"], stored.submission, tables, versions="ignore"
            )
        except XBorderRiskError as exc:
            return Reproduction(int(quote_id), False, f"cannot be reproduced: {exc}", None)
        old, new = _canonical(stored.record), _canonical(again.to_dict())
        if old == new:
            return Reproduction(int(quote_id), True, "reproduced bit for bit", again)
        differ = sorted(key for key in set(old) | set(new) if old.get(key) != new.get(key))
        versions = [
            f"{name} {old['provenance'].get(key)} then, {new['provenance'].get(key)} now"
            for name, key in (("xborder_risk", "library_version"), ("numpy", "numpy_version"))
            if old["provenance"].get(key) != new["provenance"].get(key)
        ]
        why = f"; versions differ: {', '.join(versions)}" if versions else ""
        return Reproduction(
            int(quote_id),
            False,
            f"not identical: the record's {', '.join(differ)} differ from the stored{why}",
            again,
        )


def _immediate_transactions(engine: Engine) -> None:
    """SQLite transactions that take the write lock when they begin (``BEGIN IMMEDIATE``):
    two writers queue for it (busy timeout) instead of one failing with "database is locked"
    when both upgrade a read lock (SQLAlchemy's documented pysqlite recipe)."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below decide

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
