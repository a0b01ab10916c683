"""The reference book a quote prices its capital against, and its cached yearly totals.

A book is a directory: ``book.yaml`` (what the book is, where it came from, the seed and the
number of years it is simulated with) and its policies as submission files, one per
``*.yaml``/``*.yml``/``*.json`` file or one per line of a ``*.jsonl`` file. The shipped book
(``xborder_risk/portfolio_data/reference_book/``) is illustrative (``docs/portfolio.md``).

The book's simulated yearly totals depend only on the book's files, the rating tables, the
common-shock tables, the seed, the number of years and the library and numpy versions, so they
are computed once and kept: in this process, and on disk as a ``.npy`` file under
:func:`cache_directory`, named by the SHA-256 of all of those. A file is written to a temporary
name in the same directory and moved into place with :func:`os.replace`, so a reader never
sees half a file and two processes computing the same totals at once both succeed (the last
rename wins; the two files are identical). Files are read with ``allow_pickle=False``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import warnings
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import yaml
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from xborder_risk._validation import check_int
from xborder_risk._version import __version__
from xborder_risk.engine.rng import block_bounds, root_seed_sequence
from xborder_risk.errors import ParameterError, XBorderRiskError, XBorderRiskWarning
from xborder_risk.exposure import Submission
from xborder_risk.portfolio._kernel import draw_shocks
from xborder_risk.portfolio.book import Portfolio
from xborder_risk.portfolio.shocks import CommonShocks, shipped_shocks_location
from xborder_risk.rating import RatingTables

__all__ = [
    "BOOK_MANIFEST",
    "CACHE_ENV",
    "ReferenceBook",
    "book_totals",
    "cache_directory",
    "clear_book_cache",
    "shipped_book_location",
    "shock_overlay",
]

#: The book's description file, in the book directory.
BOOK_MANIFEST = "book.yaml"
#: Environment variable naming the directory of the on-disk cache.
CACHE_ENV = "XBORDER_RISK_CACHE_DIR"
_SUBMISSION_SUFFIXES = (".yaml", ".yml", ".json")
_OWNER = "ReferenceBook"


def shipped_book_location() -> Traversable:
    """Where the shipped illustrative reference book lives (package data)."""
    return files("xborder_risk").joinpath("portfolio_data", "reference_book")


def cache_directory() -> Path:
    """The on-disk cache: ``$XBORDER_RISK_CACHE_DIR``, else ``$XDG_CACHE_HOME/xborder_risk``,
    else ``~/.cache/xborder_risk``."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "xborder_risk"


class _Manifest(BaseModel):
    """``book.yaml``: what the book is and how it is simulated."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)

    name: Annotated[str, Field(min_length=1)]
    description: Annotated[str, Field(min_length=1)]
    source: Annotated[str, Field(min_length=1)]
    status: Annotated[str, Field(min_length=1)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    seed: Annotated[int, Field(ge=0)]
    n_years: Annotated[int, Field(ge=1)]


def _read_bytes(entry: Traversable | Path) -> bytes:
    return entry.read_bytes()


def _policy_files(root: Traversable | Path) -> list[Traversable | Path]:
    return sorted(
        (
            entry
            for entry in root.iterdir()
            if entry.is_file()
            and entry.name != BOOK_MANIFEST
            and entry.name.endswith((*_SUBMISSION_SUFFIXES, ".jsonl"))
        ),
        key=lambda entry: entry.name,
    )


@dataclass(frozen=True, eq=False)
class ReferenceBook:
    """A book of policies to price capital against (:func:`xborder_risk.quote`'s ``book``).

    Use :meth:`load`; the fields are what ``book.yaml`` says, with the book's checksum.

    Attributes
    ----------
    location : str
        The directory, as given (``"shipped"`` for the package's own book).
    name, description, source, status : str
        What the book is and where its figures come from (``status`` labels judgement).
    currency : str
        ISO 4217 code of the book's totals.
    seed : int
        Root seed of the book's simulation.
    n_years : int
        Simulated years (a quote with more years simulates the book for as many).
    sha256 : str
        SHA-256 over the names and SHA-256 digests of ``book.yaml`` and every policy file.
    """

    location: str
    name: str
    description: str
    source: str
    status: str
    currency: str
    seed: int
    n_years: int
    sha256: str
    _root: Traversable | Path
    _files: tuple[Traversable | Path, ...]

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> ReferenceBook:
        """Read a book directory (the shipped book when ``path`` is None).

        Only ``book.yaml`` and the files' bytes are read here; the policies are parsed when
        the book is simulated, so a cached book costs a checksum.

        Raises
        ------
        ParameterError
            ``path`` is not a directory, or ``book.yaml`` is missing or invalid (the field
            named), or the directory holds no policy file.
        """
        if path is None:
            root: Traversable | Path = shipped_book_location()
            location = "shipped"
        else:
            if not isinstance(path, str | os.PathLike):
                raise ParameterError(_OWNER, "path", path, "must be a directory path")
            root = Path(path)
            location = str(path)
            if not root.is_dir():
                raise ParameterError(_OWNER, "path", location, "must be an existing directory")
        manifest_file = root.joinpath(BOOK_MANIFEST)
        if not manifest_file.is_file():
            raise ParameterError(
                _OWNER, "path", location, f"must hold a {BOOK_MANIFEST} describing the book"
            )
        manifest_bytes = _read_bytes(manifest_file)
        try:
            data = yaml.safe_load(manifest_bytes)
        except yaml.YAMLError as exc:
            raise ParameterError(
                _OWNER, BOOK_MANIFEST, location, f"is not valid YAML ({exc})"
            ) from None
        try:
            manifest = _Manifest.model_validate(data)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(part) for part in first["loc"]) or "<document>"
            raise ParameterError(
                _OWNER, f"{BOOK_MANIFEST}: {where}", first.get("input"), str(first["msg"])
            ) from None
        policy_files = _policy_files(root)
        if not policy_files:
            raise ParameterError(
                _OWNER,
                "path",
                location,
                "holds no policy file (*.yaml, *.yml, *.json, or *.jsonl with one submission "
                "a line)",
            )
        digest = hashlib.sha256()
        for entry in (manifest_file, *policy_files):
            digest.update(entry.name.encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(_read_bytes(entry)).digest())
        return cls(
            location=location,
            **manifest.model_dump(),
            sha256=digest.hexdigest(),
            _root=root,
            _files=tuple(policy_files),
        )

    def submissions(self) -> list[Submission]:
        """The book's policies, validated, in file order (lines of a ``.jsonl`` in order).

        Raises
        ------
        ParameterError
            A policy file that is not a valid submission, naming the file (and line).
        """
        policies: list[Submission] = []
        for entry in self._files:
            text = _read_bytes(entry).decode("utf-8")
            if entry.name.endswith(".jsonl"):
                for number, line in enumerate(text.splitlines(), start=1):
                    if line.strip():
                        policies.append(self._parse(json.loads, line, f"{entry.name}:{number}"))
            else:
                reader = json.loads if entry.name.endswith(".json") else yaml.safe_load
                policies.append(self._parse(reader, text, entry.name))
        return policies

    def _parse(self, reader: Any, text: str, where: str) -> Submission:
        try:
            return Submission.from_data(reader(text))
        except (XBorderRiskError, ValueError, TypeError, yaml.YAMLError) as exc:
            reason = " ".join(str(exc).split())
            raise ParameterError(
                _OWNER, "policy", f"{self.location}/{where}", f"is not a valid submission: {reason}"
            ) from None

    def record(self) -> dict[str, Any]:
        """What a quote's provenance keeps of the book."""
        return {
            "name": self.name,
            "location": self.location,
            "sha256": self.sha256,
            "currency": self.currency,
            "seed": self.seed,
            "n_years": self.n_years,
        }


# -- the yearly totals, cached ------------------------------------------------------------------

_MEMORY: dict[str, NDArray[np.float64]] = {}
_MEMORY_LOCK = threading.Lock()


def clear_book_cache() -> None:
    """Forget the totals kept in this process (the on-disk cache is left as it is)."""
    with _MEMORY_LOCK:
        _MEMORY.clear()


def _shocks_sha256() -> str:
    digest = hashlib.sha256()
    location = shipped_shocks_location()
    for name in sorted(entry.name for entry in location.iterdir() if entry.name.endswith(".csv")):
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(location.joinpath(name).read_bytes()).digest())
    return digest.hexdigest()


def _cache_key(book: ReferenceBook, tables: RatingTables, n_years: int) -> str:
    key = {
        "book": book.sha256,
        "tables": dict(sorted(tables.checksums.items())),
        "shocks": _shocks_sha256(),
        "seed": book.seed,
        "n_years": n_years,
        "library": __version__,
        "numpy": np.__version__,
        # policy lines are keyed by line name since issue 17; totals cached before are stale
        "stream_keys": "name",
        # a Poisson line's claims are a block total scattered over its years, a rare negative
        # binomial's claim years drawn alone, since issue 16
        "claim_draws": "poisson_scatter+rare_years",
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode("utf-8")).hexdigest()


def _read_cached(path: Path, n_years: int) -> NDArray[np.float64] | None:
    try:
        values = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None  # absent, or a file this version cannot read: compute again
    if (
        not isinstance(values, np.ndarray)
        or values.dtype != np.float64
        or values.shape != (n_years,)
        or not np.isfinite(values).all()
    ):
        return None
    return values


def _write_cached(path: Path, values: NDArray[np.float64]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp", delete=False
        )
        try:
            with handle:
                np.save(handle, values, allow_pickle=False)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(handle.name, path)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
    except OSError as exc:
        warnings.warn(
            f"the reference book's simulated totals could not be cached in {path.parent} "
            f"({exc.strerror or exc}); the next quote simulates the book again. Set "
            f"{CACHE_ENV} to a writable directory",
            XBorderRiskWarning,
            stacklevel=4,
        )


def book_totals(book: ReferenceBook, tables: RatingTables, n_years: int) -> NDArray[np.float64]:
    """The book's total loss in each of its first ``n_years`` simulated years.

    Parameters
    ----------
    book : ReferenceBook
        The book.
    tables : RatingTables
        Rating tables its policies are rated with (their checksums key the cache).
    n_years : int
        Years wanted, ``>= 1``.

    Returns
    -------
    ndarray, shape (n_years,), read-only
        In :attr:`ReferenceBook.currency`, common shocks included: rows ``0 .. n_years-1`` of
        ``Portfolio(book.submissions(), tables, currency=book.currency).simulate(N,
        seed=book.seed).total`` with ``N = max(n_years, book.n_years)``.

    Notes
    -----
    A simulation's first years depend on how many years are simulated (a random block's draws
    are not a prefix of a longer block's), so the book is always simulated for ``N`` years and
    cut: every quote of up to ``book.n_years`` years reads the same simulation.
    """
    if not isinstance(book, ReferenceBook):
        raise ParameterError("book_totals", "book", type(book).__name__, "must be a ReferenceBook")
    if not isinstance(tables, RatingTables):
        raise ParameterError("book_totals", "tables", type(tables).__name__, "must be RatingTables")
    n_years = check_int("book_totals", "n_years", n_years, lower=1)
    simulated = max(n_years, book.n_years)
    key = _cache_key(book, tables, simulated)
    with _MEMORY_LOCK:
        cached = _MEMORY.get(key)
    if cached is None:
        path = cache_directory() / "book_totals" / f"{key}.npy"
        cached = _read_cached(path, simulated)
        if cached is None:
            with warnings.catch_warnings():
                # The book's own notes (a policy period other than a year, ...) are the
                # book's, not the quote's.
                warnings.simplefilter("ignore", XBorderRiskWarning)
                portfolio = Portfolio(
                    book.submissions(),
                    tables,
                    currency=book.currency,
                    shocks=CommonShocks.load(),
                )
            # only the total is wanted: no years x policies x lines cube (the same total, bit
            # for bit; docs/portfolio.md, "A large book")
            cached = np.ascontiguousarray(
                portfolio.simulate(simulated, seed=book.seed, keep_policies=False).total,
                dtype=np.float64,
            )
            _write_cached(path, cached)
        cached.setflags(write=False)
        with _MEMORY_LOCK:
            _MEMORY[key] = cached
    return cached[:n_years]


def shock_overlay(
    submission: Submission, book: ReferenceBook, tables: RatingTables, n_years: int
) -> tuple[tuple[str, ...], NDArray[np.float64]]:
    """What the book's common shocks of each simulated year add to each line of a policy.

    Parameters
    ----------
    submission : Submission
        The policy quoted beside the book.
    book : ReferenceBook
        The book; its seed and years fix the shock draws.
    tables : RatingTables
        Rating tables (the policy's terms, its countries' OECD classes).
    n_years : int
        Years wanted, ``>= 1``.

    Returns
    -------
    lines : tuple of str
        The policy's rated lines, in the order of :func:`xborder_risk.rating.rate`.
    added : ndarray, shape (n_years, n_lines)
        In the submission's currency: for year t, the sum over the common shocks that hit the
        line that year (its countries' political events, the systemic cyber event) of
        ``share * layer.occurrence(damage * exposed amount)``: the same events and damage
        ratios that hit the book's policies in year t of :func:`book_totals`.

    Notes
    -----
    The shocks are drawn from the shared streams of the book's root seed, keyed to the country
    (or the cyber platform), for the book's ``N = max(n_years, book.n_years)`` years, exactly as
    :meth:`Portfolio.simulate <xborder_risk.portfolio.Portfolio.simulate>` draws them for the
    book; a country the book does not hold draws its own events from its own stream. The
    aggregate terms are left to the caller (the payments are per occurrence, after share).
    """
    n_years = check_int("shock_overlay", "n_years", n_years, lower=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XBorderRiskWarning)
        alone = Portfolio(
            [submission], tables, currency=submission.currency, shocks=CommonShocks.load()
        )
    kernel_book = alone.kernel_book
    (policy,) = kernel_book.policies
    lines = tuple(spec.model.name for spec in policy.lines)
    added = np.zeros((n_years, len(policy.lines)))
    root = root_seed_sequence(book.seed)
    for block, (start, stop) in enumerate(block_bounds(max(n_years, book.n_years))):
        if start >= n_years:
            break
        shocks = draw_shocks(kernel_book, root, block, stop - start)
        for column, spec in enumerate(policy.lines):
            layer = spec.model.layer
            for source, amount in spec.shocks:
                shock = shocks[source]
                if shock is None:
                    continue
                keep = shock.years < n_years - start
                years = start + shock.years[keep]
                # a country's event years are distinct: fancy-index += adds each once
                added[years, column] += layer.share * layer.occurrence(shock.damage[keep] * amount)
    return lines, added
