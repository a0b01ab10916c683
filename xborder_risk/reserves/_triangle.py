"""The claims development triangle and the shipped sample triangles."""

from __future__ import annotations

import hashlib
import io
import numbers
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from xborder_risk._validation import as_float_array
from xborder_risk.errors import ParameterError

__all__ = ["SAMPLES", "Sample", "Triangle", "load_sample"]

_OWNER = "Triangle"


def _label_list(name: str, labels: Sequence[Hashable] | None, n: int) -> tuple[Hashable, ...]:
    if labels is None:
        return tuple(range(1, n + 1))
    if isinstance(labels, str) or not isinstance(labels, Sequence | np.ndarray | pd.Index):
        raise ParameterError(_OWNER, name, labels, "must be a sequence of labels")
    out = tuple(labels)
    if len(out) != n:
        raise ParameterError(_OWNER, name, f"{len(out)} labels", f"must have {n} labels")
    seen: set[Hashable] = set()
    for label in out:
        if label in seen:
            raise ParameterError(_OWNER, name, label, "must be unique (label repeated)")
        seen.add(label)
    return out


def _int_if_integral(label: Hashable) -> Hashable:
    """CSV headers arrive as strings; '12' becomes 12 so development ages sort as numbers."""
    if isinstance(label, np.generic):
        label = label.item()  # plain Python scalars print cleanly in messages
    if isinstance(label, str):
        text = label.strip()
        if text.lstrip("-").isdigit():
            return int(text)
        return text
    if isinstance(label, numbers.Integral) and not isinstance(label, bool):
        return int(label)
    return label


class Triangle:
    """A claims development triangle: origin periods by development periods.

    Values are amounts (paid or incurred claims, in the currency of the data) for one origin
    period (rows) at one development age (columns). Cells not yet observed, below the latest
    diagonal, are NaN; nothing else may be missing.

    Parameters
    ----------
    values : array_like, shape (n_origin, n_development)
        Amounts, finite, with NaN exactly in the unobserved cells: each origin's
        observed cells form a prefix of its row, no origin has more observed cells than an
        older one, and the oldest origin is observed at every development age. Negative
        amounts (salvage and subrogation, case releases, negative incrementals and, where the
        data has them, negative cumulatives) are valid data and are kept.
    origin : sequence of hashable, optional
        Labels of the origin periods, oldest first (default 1, 2, ...).
    development : sequence of hashable, optional
        Labels of the development ages, youngest first (default 1, 2, ...).
    cumulative : bool, default True
        Whether ``values`` are cumulative (to date) or incremental (in the period).
    blank_is_zero : bool, default False
        Read NaN cells on or above the latest diagonal as zero amounts, as the chainladder
        package stores them (it keeps zeros as blanks). The diagonal is the calendar one of a
        triangle whose origin and development periods have the same length: origin ``i``
        (0 = oldest) is observed at ``min(n_development, n_origin - i)`` ages. An origin with
        no amount yet (all blank) is then an origin with zero to date, not an error.

    Raises
    ------
    ParameterError
        Naming the cell (origin and development labels), the value and the rule broken.

    Notes
    -----
    The layout and vocabulary follow the ``Triangle`` of the chainladder package
    (casact/chainladder-python): ``link_ratios``, ``latest_diagonal``, ``to_frame()``. Link
    ratios are the individual development factors F_{ik} = C_{i,k+1} / C_{ik} of
    Mack (1993), defined where C_{ik} > 0.
    """

    __slots__ = ("_cumulative", "_development", "_origin", "_values")

    def __init__(
        self,
        values: ArrayLike,
        origin: Sequence[Hashable] | None = None,
        development: Sequence[Hashable] | None = None,
        *,
        cumulative: bool = True,
        blank_is_zero: bool = False,
    ) -> None:
        if not isinstance(cumulative, bool | np.bool_):
            raise ParameterError(_OWNER, "cumulative", cumulative, "must be True or False")
        # NaN marks the cells below the latest diagonal and inf is refused cell by cell,
        # with the origin and development labels, by _check_cells.
        x = as_float_array(
            _OWNER, "values", values, ndim=2, finite=False, allow_nan=True, copy=True
        )
        if not isinstance(blank_is_zero, bool | np.bool_):
            raise ParameterError(_OWNER, "blank_is_zero", blank_is_zero, "must be True or False")
        if blank_is_zero:
            n_origin, n_dev = x.shape
            ages = np.minimum(n_dev, n_origin - np.arange(n_origin))
            above = np.arange(n_dev)[None, :] < ages[:, None]
            x[above & np.isnan(x)] = 0.0
        self._origin = _label_list("origin", origin, x.shape[0])
        self._development = _label_list("development", development, x.shape[1])
        self._check_cells(x)
        x.flags.writeable = False
        self._values = x
        self._cumulative = bool(cumulative)

    def _cell(self, i: int, k: int) -> str:
        return f"values[origin={self._origin[i]!r}, development={self._development[k]!r}]"

    def _check_cells(self, x: NDArray[np.float64]) -> None:
        infinite = np.isinf(x)
        if infinite.any():
            i, k = np.argwhere(infinite)[0]
            raise ParameterError(_OWNER, self._cell(i, k), x[i, k], "must be finite")
        observed = ~np.isnan(x)
        n_observed = observed.sum(axis=1)
        prefix = np.arange(x.shape[1])[None, :] < n_observed[:, None]
        misplaced = observed != prefix
        if misplaced.any():
            i, k = np.argwhere(misplaced)[0]
            raise ParameterError(
                _OWNER,
                self._cell(i, k),
                x[i, k],
                "breaks the triangle shape: NaN is allowed only below the latest diagonal "
                "(each origin observed from its first development age without gaps)",
            )
        empty = n_observed == 0
        if empty.any():
            i = int(np.argmax(empty))
            raise ParameterError(
                _OWNER,
                f"values[origin={self._origin[i]!r}]",
                "all NaN",
                "must have at least one observed value",
            )
        grows = np.diff(n_observed) > 0
        if grows.any():
            i = int(np.argmax(grows)) + 1
            raise ParameterError(
                _OWNER,
                f"values[origin={self._origin[i]!r}]",
                f"{int(n_observed[i])} observed development ages",
                f"must not exceed those of the older origin {self._origin[i - 1]!r} "
                f"({int(n_observed[i - 1])}); origins are ordered oldest first",
            )
        if n_observed[0] != x.shape[1]:
            raise ParameterError(
                _OWNER,
                f"values[origin={self._origin[0]!r}]",
                f"{int(n_observed[0])} observed development ages",
                f"must be observed at all {x.shape[1]} development ages (the oldest origin "
                "defines the development pattern)",
            )

    # ----------------------------------------------------------------- construction
    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, cumulative: bool = True) -> Triangle:
        """Build a triangle from a wide DataFrame: index = origin, columns = development ages.

        Column labels that are integer strings (as read from a CSV header) become integers.
        """
        if not isinstance(frame, pd.DataFrame):
            raise ParameterError(_OWNER, "frame", type(frame).__name__, "must be a DataFrame")
        numeric = frame.apply(pd.to_numeric, errors="coerce")
        coerced = numeric.isna() & frame.notna()
        if coerced.to_numpy().any():
            i, k = np.argwhere(coerced.to_numpy())[0]
            origin_label = _int_if_integral(frame.index[i])
            development_label = _int_if_integral(frame.columns[k])
            raise ParameterError(
                _OWNER,
                f"values[origin={origin_label!r}, development={development_label!r}]",
                frame.iat[i, k],
                "must be a number",
            )
        return cls(
            numeric.to_numpy(dtype=np.float64, na_value=np.nan),
            origin=[_int_if_integral(o) for o in frame.index],
            development=[_int_if_integral(d) for d in frame.columns],
            cumulative=cumulative,
        )

    @classmethod
    def from_long(
        cls,
        frame: pd.DataFrame,
        *,
        origin: str = "origin",
        development: str = "development",
        value: str = "value",
        cumulative: bool = True,
    ) -> Triangle:
        """Build a triangle from a long DataFrame with one row per (origin, development age).

        Origins and development ages are sorted ascending; a repeated (origin, development)
        pair or a missing cell above the latest diagonal is an error.
        """
        if not isinstance(frame, pd.DataFrame):
            raise ParameterError(_OWNER, "frame", type(frame).__name__, "must be a DataFrame")
        for column in (origin, development, value):
            if column not in frame.columns:
                raise ParameterError(
                    _OWNER, "frame", list(frame.columns), f"must have a column {column!r}"
                )
        repeated = frame.duplicated(subset=[origin, development])
        if repeated.any():
            # column by column, so a row of mixed types is not upcast to float
            first_origin = _int_if_integral(frame.loc[repeated, origin].iloc[0])
            first_development = _int_if_integral(frame.loc[repeated, development].iloc[0])
            raise ParameterError(
                _OWNER,
                f"frame[{origin}={first_origin!r}, {development}={first_development!r}]",
                "repeated",
                "each (origin, development) pair must appear once",
            )
        wide = frame.pivot(index=origin, columns=development, values=value)
        wide = wide.sort_index(axis=0).sort_index(axis=1)
        return cls.from_frame(wide, cumulative=cumulative)

    # ------------------------------------------------------------------- accessors
    @property
    def values(self) -> NDArray[np.float64]:
        """The amounts, shape (n_origin, n_development), NaN below the diagonal (read-only)."""
        return self._values

    @property
    def origin(self) -> tuple[Hashable, ...]:
        """Origin labels, oldest first."""
        return self._origin

    @property
    def development(self) -> tuple[Hashable, ...]:
        """Development age labels, youngest first."""
        return self._development

    @property
    def is_cumulative(self) -> bool:
        """True when the values are cumulative to date, False when incremental."""
        return self._cumulative

    @property
    def shape(self) -> tuple[int, int]:
        """(n_origin, n_development)."""
        return (len(self._origin), len(self._development))

    @property
    def latest_index(self) -> NDArray[np.intp]:
        """Per origin, the column index of its latest observed development age."""
        return (~np.isnan(self._values)).sum(axis=1) - 1

    def to_cumulative(self) -> Triangle:
        """The same triangle with cumulative values (itself if already cumulative)."""
        if self._cumulative:
            return self  # immutable, so no copy is needed
        # NaN propagates along the row, so unobserved cells stay NaN
        return Triangle(
            np.cumsum(self._values, axis=1), self._origin, self._development, cumulative=True
        )

    def to_incremental(self) -> Triangle:
        """The same triangle with incremental values.

        A cumulative triangle that decreases (salvage, case-reserve releases) has negative
        increments; those are valid data and are kept, which is why the incremental form is
        not re-validated for non-negativity.
        """
        if not self._cumulative:
            return self
        increments = np.diff(self._values, axis=1, prepend=0.0)
        out = object.__new__(Triangle)
        increments.flags.writeable = False
        out._values = increments
        out._origin = self._origin
        out._development = self._development
        out._cumulative = False
        return out

    def _link_labels(self) -> list[str]:
        d = self._development
        return [f"{d[k]}-{d[k + 1]}" for k in range(len(d) - 1)]

    @property
    def link_ratios(self) -> pd.DataFrame:
        """Individual age-to-age factors C_{i,k+1} / C_{ik} of the cumulative triangle.

        Columns are labelled ``"a-b"`` (from age a to age b); NaN where C_{i,k+1} is not
        observed or C_{ik} = 0 (the ratio is undefined there).
        """
        c = self.to_cumulative().values
        before, after = c[:, :-1], c[:, 1:]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = np.where(before > 0.0, after / before, np.nan)
        return pd.DataFrame(
            ratios,
            index=pd.Index(self._origin, name="origin"),
            columns=pd.Index(self._link_labels(), name="development"),
        )

    @property
    def link_ratio(self) -> pd.DataFrame:
        """The chainladder package's name for :attr:`link_ratios`."""
        return self.link_ratios

    @property
    def latest_diagonal(self) -> pd.Series:
        """Per origin, the cumulative amount at its latest observed development age."""
        c = self.to_cumulative().values
        latest = c[np.arange(c.shape[0]), self.latest_index]
        return pd.Series(latest, index=pd.Index(self._origin, name="origin"), name="latest")

    def to_frame(self) -> pd.DataFrame:
        """The triangle as a wide DataFrame (index origin, columns development)."""
        return pd.DataFrame(
            self._values.copy(),
            index=pd.Index(self._origin, name="origin"),
            columns=pd.Index(self._development, name="development"),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Triangle):
            return NotImplemented
        return (
            self._cumulative == other._cumulative
            and self._origin == other._origin
            and self._development == other._development
            and np.array_equal(self._values, other._values, equal_nan=True)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable-looking container semantics

    def __repr__(self) -> str:
        kind = "cumulative" if self._cumulative else "incremental"
        n_o, n_d = self.shape
        return f"Triangle({kind}, {n_o} origins x {n_d} development ages)"


# --------------------------------------------------------------------------- samples
@dataclass(frozen=True)
class Sample:
    """Manifest entry of a shipped sample triangle."""

    file: str
    sha256: str
    cumulative: bool
    description: str
    source: str


SAMPLES: dict[str, Sample] = {
    "genins": Sample(
        file="genins.csv",
        sha256="7982132ffc2b3355746c1038caec7835bcc9da1b0709c33633fb91fd81dbc801",
        cumulative=True,
        description="Taylor & Ashe general insurance claims, origins 1-10, development years 1-10",
        source=(
            "Taylor & Ashe (1983), Journal of Econometrics 23, 37-61; Mack (1993), "
            "ASTIN Bulletin 23(2), 213-225, Table 1; R ChainLadder 'GenIns'"
        ),
    ),
    "raa": Sample(
        file="raa.csv",
        sha256="6d610a10ab84cd6e7741fd403c30dfcbe491be499a768736bb7cd874a9469ddc",
        cumulative=True,
        description=(
            "Reinsurance Association of America automatic facultative general liability, "
            "accident years 1981-1990, development years 1-10"
        ),
        source=(
            "Mack (1994), Insurance: Mathematics and Economics 15, 133-138; R ChainLadder 'RAA'"
        ),
    ),
    "mw2008": Sample(
        file="mw2008.csv",
        sha256="d5f8b9afe85728f70e58470542d35206bf976065d39527c3e42da29d319a07fb",
        cumulative=True,
        description="Merz & Wüthrich (2008) example, accident years 1-9, development years 1-9",
        source=(
            "Merz & Wüthrich (2008), CAS E-Forum Fall 2008, 542-568, Table 2; "
            "R ChainLadder 'MW2008'"
        ),
    ),
}


def load_sample(name: str) -> Triangle:
    """Load a shipped sample triangle: ``"genins"`` (Taylor-Ashe) or ``"raa"``.

    Parameters
    ----------
    name : {"genins", "raa"}
        Sample name (see :data:`SAMPLES` for the sources).

    Returns
    -------
    Triangle
        Cumulative triangle, origins by development years (1 = the origin year).

    Raises
    ------
    ParameterError
        For an unknown name, or if the shipped file does not match its recorded checksum.
    """
    if not isinstance(name, str) or name.lower() not in SAMPLES:
        raise ParameterError("load_sample", "name", name, f"must be one of {sorted(SAMPLES)}")
    sample = SAMPLES[name.lower()]
    raw = resources.files("xborder_risk.reserves").joinpath("data", sample.file).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != sample.sha256:
        raise ParameterError(
            "load_sample", "name", name, f"file {sample.file} fails its checksum ({digest})"
        )
    frame = pd.read_csv(io.BytesIO(raw), index_col="origin")
    return Triangle.from_frame(frame, cumulative=sample.cumulative)
