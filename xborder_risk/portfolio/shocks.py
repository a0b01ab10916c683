"""Common shocks of a portfolio: country political events, a systemic cyber event, and
common-vendor events (one named vendor's faulty update stopping the systems of every insured
that names it, as on 19 July 2024).

Parameters are data: ``xborder_risk/portfolio_data/`` ships two small illustrative tables
(``country_event_rates.csv`` and ``shock_parameters.csv``, described in its README) that
:meth:`CommonShocks.load` reads and validates.  The model they feed is documented in
``docs/portfolio.md``.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import zlib
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from xborder_risk._validation import check_real
from xborder_risk.errors import ParameterError, RatingTableError

__all__ = ["OECD_CLASSES", "CommonShocks", "shipped_shocks_location", "vendor_stream"]

#: OECD country risk classes 0 (lowest risk) to 7 (highest).
OECD_CLASSES: tuple[int, ...] = tuple(range(8))

_RATES_FILE = "country_event_rates.csv"
_PARAMETERS_FILE = "shock_parameters.csv"
_PARAMETER_NAMES = (
    "political_damage_alpha",
    "political_damage_beta",
    "cyber_event_probability",
    "cyber_damage_alpha",
    "cyber_damage_beta",
)
# Optional parameters (a shock directory without them has no common-vendor events).
_OPTIONAL_PARAMETER_NAMES = (
    "vendor_event_probability",
    "vendor_damage_alpha",
    "vendor_damage_beta",
)
# Shared-stream ids of the common-vendor events: "VEND" in the high word, the CRC-32 of the
# vendor's name in the low word, far from the country and cyber stream ids.
_VENDOR_STREAM_NAMESPACE = 0x56454E44 << 32


def vendor_stream(vendor: str) -> int:
    """Shared stream id of the common-vendor event of ``vendor`` (stable across books)."""
    return _VENDOR_STREAM_NAMESPACE + zlib.crc32(vendor.encode("utf-8"))


def shipped_shocks_location() -> Traversable:
    """Where the shipped (illustrative) shock tables live: ``xborder_risk/portfolio_data``."""
    return files("xborder_risk").joinpath("portfolio_data")


@dataclass(frozen=True, slots=True)
class CommonShocks:
    """Parameters of the portfolio's common shocks.

    Parameters
    ----------
    country_event_probability : tuple of float
        Annual probability of a political event in a country of each OECD class 0..7 (eight
        values in [0, 1), non-decreasing in the class).
    political_damage_alpha, political_damage_beta : float
        Shapes (> 0) of the Beta distribution of a country event's damage ratio :math:`Z`.
    cyber_event_probability : float
        Annual probability, in [0, 1), that the shared traveller-data platform (or its vendor)
        is compromised.
    cyber_damage_alpha, cyber_damage_beta : float
        Shapes (> 0) of the Beta distribution of the systemic cyber event's damage ratio.
    source : str
        Where the parameters came from (a directory, or ``"code"``).
    vendor_event_probability : float
        Annual probability, in [0, 1), that one named vendor's update or failure stops every
        system naming it (``BorderSystem.vendor``), in every policy of the book; 0 (the
        default) means no common-vendor events.
    vendor_damage_alpha, vendor_damage_beta : float
        Shapes (> 0) of the Beta distribution of a common-vendor event's damage ratio.

    Notes
    -----
    In a simulated year each country suffers a political event with its class's probability,
    independently of other countries and of the cyber event.  The event draws one damage ratio
    :math:`Z \\sim \\mathrm{Beta}(a, b)` shared by every policy exposed to the country (so the
    event is comonotone across them); each exposed (policy, line) then has one extra occurrence
    of ground-up size :math:`Z \\times` its exposed amount, passed through the line's policy
    terms.  The systemic cyber event does the same to the cyber line of every connected policy.
    What is exposed is defined in ``docs/portfolio.md``.
    """

    country_event_probability: tuple[float, ...]
    political_damage_alpha: float
    political_damage_beta: float
    cyber_event_probability: float
    cyber_damage_alpha: float
    cyber_damage_beta: float
    source: str = "code"
    vendor_event_probability: float = 0.0
    vendor_damage_alpha: float = 1.0
    vendor_damage_beta: float = 9.0

    def __post_init__(self) -> None:
        owner = "CommonShocks"
        raw = self.country_event_probability
        if isinstance(raw, str) or not hasattr(raw, "__len__") or len(raw) != len(OECD_CLASSES):
            raise ParameterError(
                owner,
                "country_event_probability",
                raw,
                f"must hold {len(OECD_CLASSES)} probabilities, one per OECD class 0..7",
            )
        probabilities = tuple(
            check_real(
                owner, "country_event_probability", p, lower=0.0, upper=1.0, upper_inclusive=False
            )
            for p in raw
        )
        if any(later < earlier for earlier, later in itertools.pairwise(probabilities)):
            raise ParameterError(
                owner,
                "country_event_probability",
                probabilities,
                "must be non-decreasing in the OECD class (riskier classes are not safer)",
            )
        object.__setattr__(self, "country_event_probability", probabilities)
        for name in (
            "political_damage_alpha",
            "political_damage_beta",
            "cyber_damage_alpha",
            "cyber_damage_beta",
            "vendor_damage_alpha",
            "vendor_damage_beta",
        ):
            value = check_real(owner, name, getattr(self, name), lower=0.0, lower_inclusive=False)
            object.__setattr__(self, name, value)
        vendor = check_real(
            owner,
            "vendor_event_probability",
            self.vendor_event_probability,
            lower=0.0,
            upper=1.0,
            upper_inclusive=False,
        )
        object.__setattr__(self, "vendor_event_probability", vendor)
        cyber = check_real(
            owner,
            "cyber_event_probability",
            self.cyber_event_probability,
            lower=0.0,
            upper=1.0,
            upper_inclusive=False,
        )
        object.__setattr__(self, "cyber_event_probability", cyber)
        if not isinstance(self.source, str):
            raise ParameterError(owner, "source", self.source, "must be a string")

    @classmethod
    def load(cls, path: str | Path | None = None) -> CommonShocks:
        """Read the two shock tables from a directory (the shipped illustrative ones by default).

        Parameters
        ----------
        path : str or pathlib.Path, optional
            Directory holding ``country_event_rates.csv`` and ``shock_parameters.csv``.

        Raises
        ------
        RatingTableError
            A file is missing or malformed; the message names the file, row and column.
        """
        root: Traversable | Path = shipped_shocks_location() if path is None else Path(path)
        source = "shipped (illustrative)" if path is None else str(path)
        rates = _read_csv(root, _RATES_FILE, ("oecd_crc", "annual_probability", "basis"))
        by_class: dict[int, float] = {}
        for row_number, row in rates:
            crc_text = row["oecd_crc"]
            if crc_text not in {str(c) for c in OECD_CLASSES}:
                raise RatingTableError(
                    f"{_RATES_FILE}, row {row_number}, column 'oecd_crc': {crc_text!r} is not an "
                    "OECD class 0-7"
                )
            if int(crc_text) in by_class:
                raise RatingTableError(
                    f"{_RATES_FILE}, row {row_number}, column 'oecd_crc': class {crc_text} "
                    "appears twice"
                )
            by_class[int(crc_text)] = _number(_RATES_FILE, row_number, "annual_probability", row)
        missing = [c for c in OECD_CLASSES if c not in by_class]
        if missing:
            raise RatingTableError(f"{_RATES_FILE}: no row for OECD class(es) {missing}")
        parameters: dict[str, float] = {}
        for row_number, row in _read_csv(
            root, _PARAMETERS_FILE, ("name", "value", "unit", "description")
        ):
            name = row["name"]
            known = _PARAMETER_NAMES + _OPTIONAL_PARAMETER_NAMES
            if name not in known:
                raise RatingTableError(
                    f"{_PARAMETERS_FILE}, row {row_number}, column 'name': unknown parameter "
                    f"{name!r} (expected one of {list(known)})"
                )
            if name in parameters:
                raise RatingTableError(
                    f"{_PARAMETERS_FILE}, row {row_number}, column 'name': {name!r} appears twice"
                )
            parameters[name] = _number(_PARAMETERS_FILE, row_number, "value", row)
        absent = [name for name in _PARAMETER_NAMES if name not in parameters]
        if absent:
            raise RatingTableError(f"{_PARAMETERS_FILE}: missing parameter(s) {absent}")
        try:
            return cls(
                country_event_probability=tuple(by_class[c] for c in OECD_CLASSES),
                source=source,
                **parameters,
            )
        except ParameterError as error:
            raise RatingTableError(f"shock tables at {source}: {error}") from None

    @classmethod
    def none(cls) -> CommonShocks:
        """No common shocks: every probability 0, policies simulated independently."""
        return cls(
            country_event_probability=(0.0,) * len(OECD_CLASSES),
            political_damage_alpha=1.0,
            political_damage_beta=1.0,
            cyber_event_probability=0.0,
            cyber_damage_alpha=1.0,
            cyber_damage_beta=1.0,
            source="none",
        )

    @property
    def enabled(self) -> bool:
        """True when some shock can happen."""
        return (
            self.cyber_event_probability > 0.0
            or self.vendor_event_probability > 0.0
            or any(self.country_event_probability)
        )

    @property
    def political_damage_mean(self) -> float:
        """Mean damage ratio of a country event, :math:`a/(a+b)`."""
        return self.political_damage_alpha / (
            self.political_damage_alpha + self.political_damage_beta
        )

    @property
    def cyber_damage_mean(self) -> float:
        """Mean damage ratio of the systemic cyber event, :math:`a/(a+b)`."""
        return self.cyber_damage_alpha / (self.cyber_damage_alpha + self.cyber_damage_beta)

    @property
    def vendor_damage_mean(self) -> float:
        """Mean damage ratio of a common-vendor event, :math:`a/(a+b)`."""
        return self.vendor_damage_alpha / (self.vendor_damage_alpha + self.vendor_damage_beta)


def _read_csv(
    root: Traversable | Path, name: str, columns: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    entry = root.joinpath(name)
    try:
        text = entry.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, OSError):
        raise RatingTableError(f"{name}: not found under {root}") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != columns:
        raise RatingTableError(f"{name}, row 1: header must be {','.join(columns)} (got {header})")
    rows = []
    for row_number, cells in enumerate(reader, start=2):
        if not cells:
            continue
        if len(cells) != len(columns):
            raise RatingTableError(
                f"{name}, row {row_number}: {len(cells)} cells, expected {len(columns)}"
            )
        rows.append((row_number, {c: v.strip() for c, v in zip(columns, cells, strict=True)}))
    return rows


def _number(file_name: str, row_number: int, column: str, row: dict[str, str]) -> float:
    text = row[column]
    try:
        value = float(text)
    except ValueError:
        raise RatingTableError(
            f"{file_name}, row {row_number}, column '{column}': {text!r} is not a number"
        ) from None
    if not math.isfinite(value):
        raise RatingTableError(
            f"{file_name}, row {row_number}, column '{column}': {text!r} is not finite"
        )
    return value
