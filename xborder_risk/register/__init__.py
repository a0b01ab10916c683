"""The quote register: every quote stored whole with its submission, basis, tables' checksums,
provenance and results, in a database reached through SQLAlchemy.

A path (``quotes.db``) is an SQLite file, created on first use (nothing to install); any
SQLAlchemy URL (``postgresql+psycopg://user@host/quotes``) is a shared database for a team.

>>> with QuoteRegister.open("quotes.db") as register:  # doctest: +SKIP
...     quote_id = register.store(q)
...     register.history(insured="Albion")
"""

from xborder_risk.register._store import (
    SCHEMA_VERSION,
    QuoteRegister,
    RegisterError,
    Reproduction,
    StoredQuote,
    register_url,
)

__all__ = [
    "SCHEMA_VERSION",
    "QuoteRegister",
    "RegisterError",
    "Reproduction",
    "StoredQuote",
    "register_url",
]
