"""Conversion to and from the chainladder package's ``Triangle`` (optional extra).

``pip install "xborder-risk[chainladder]"``. The package is imported inside the functions
only, so xborder_risk does not need it otherwise.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any, cast

import numpy as np
import pandas as pd

from xborder_risk.errors import ParameterError
from xborder_risk.reserves._triangle import Triangle

__all__ = ["from_chainladder", "to_chainladder"]


def _require_chainladder(owner: str) -> Any:
    try:
        import chainladder
    except ImportError as error:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            f"{owner} needs the optional package chainladder: "
            'pip install "xborder-risk[chainladder]"'
        ) from error
    return chainladder


def _origin_label(period: pd.Period) -> Hashable:
    if period.freqstr.startswith(("Y", "A")):
        return int(period.year)
    return str(period)


def from_chainladder(triangle: Any) -> Triangle | dict[tuple[Hashable, ...], Triangle]:
    """A ``chainladder.Triangle`` as an xborder_risk :class:`Triangle` (or several).

    Parameters
    ----------
    triangle : chainladder.Triangle
        Any shape (index, columns, origin, development).

    Returns
    -------
    Triangle or dict
        One :class:`Triangle` when the input holds a single triangle (one index row, one
        column); otherwise a dict keyed by ``(*index values, column)``. Cells that
        chainladder leaves blank on or above the latest diagonal (it stores zeros as
        blanks) become 0; origin labels are years for annual origins, else the period's text;
        development labels are chainladder's ages in months.
    """
    cl = _require_chainladder("from_chainladder")
    if not isinstance(triangle, cl.Triangle):
        raise ParameterError(
            "from_chainladder",
            "triangle",
            type(triangle).__name__,
            "must be a chainladder.Triangle",
        )
    values = np.asarray(
        triangle.values.todense() if hasattr(triangle.values, "todense") else triangle.values,
        dtype=np.float64,
    )
    observed = ~np.isnan(np.asarray(triangle.nan_triangle, dtype=np.float64))
    origins = [_origin_label(p) for p in triangle.origin]
    ages = [int(a) for a in np.asarray(triangle.development).ravel()]
    cumulative = bool(triangle.is_cumulative)
    index = triangle.index
    out: dict[tuple[Hashable, ...], Triangle] = {}
    for a in range(values.shape[0]):
        key_index = tuple(index.iloc[a].tolist())
        for b, column in enumerate(triangle.columns):
            cells = np.where(observed, np.nan_to_num(values[a, b]), np.nan)
            out[(*key_index, column)] = Triangle(
                cells, origin=origins, development=ages, cumulative=cumulative
            )
    if len(out) == 1:
        return next(iter(out.values()))
    return out


def _origin_start(label: Hashable) -> pd.Timestamp:
    if isinstance(label, int | np.integer) and 1000 <= int(label) <= 9999:
        return pd.Timestamp(year=int(label), month=1, day=1)
    try:
        return pd.Period(str(label)).start_time
    except ValueError as error:
        raise ParameterError(
            "to_chainladder",
            "triangle.origin",
            label,
            "must be a year (e.g. 2021) or a period text (e.g. '2021Q1', '2021-03')",
        ) from error


def _age_months(triangle: Triangle) -> list[int]:
    ages = triangle.development
    if not all(isinstance(a, int | np.integer) for a in ages):
        raise ParameterError(
            "to_chainladder", "triangle.development", ages, "must be whole numbers (ages)"
        )
    ints = [int(cast(int, a)) for a in ages]
    if ints == list(range(1, len(ints) + 1)):
        return [12 * a for a in ints]  # 1, 2, ... are development years
    return ints  # already in months (12, 24, ... or 3, 6, ...)


def to_chainladder(
    triangle: Triangle | Mapping[tuple[Hashable, ...] | Hashable, Triangle],
    *,
    index: tuple[str, ...] = ("segment",),
    column: str = "values",
) -> Any:
    """An xborder_risk :class:`Triangle` (or a dict of them) as a ``chainladder.Triangle``.

    Parameters
    ----------
    triangle : Triangle or mapping
        One triangle, or several keyed by the index values (a tuple as long as ``index``,
        optionally followed by the column name, as :func:`from_chainladder` returns).
    index : tuple of str
        Names of the index levels of a multi-triangle.
    column : str
        Column name of a single triangle (or of keys without a column).

    Notes
    -----
    Origins must be years or period texts (origins 1, 2, ... become the years 2001, 2002,
    ... as in chainladder's own ``genins``); development ages 1, 2, ... are read as years,
    other whole numbers as months. The result is cumulative when the input is.
    """
    cl = _require_chainladder("to_chainladder")
    items: dict[tuple[Hashable, ...], Triangle]
    if isinstance(triangle, Triangle):
        items = {("all", column): triangle}
        index = ("segment",)
    elif isinstance(triangle, Mapping) and triangle:
        items = {}
        for key, tri in triangle.items():
            if not isinstance(tri, Triangle):
                raise ParameterError(
                    "to_chainladder", f"triangle[{key!r}]", type(tri).__name__, "must be a Triangle"
                )
            k = key if isinstance(key, tuple) else (key,)
            if len(k) == len(index):
                k = (*k, column)
            if len(k) != len(index) + 1:
                raise ParameterError(
                    "to_chainladder", "triangle", key, f"keys must have {len(index)} index values"
                )
            items[k] = tri
    else:
        raise ParameterError(
            "to_chainladder", "triangle", type(triangle).__name__, "must be a Triangle or a mapping"
        )
    frames = []
    cumulative = {tri.is_cumulative for tri in items.values()}
    if len(cumulative) > 1:
        raise ParameterError(
            "to_chainladder", "triangle", "mixed", "must be all cumulative or all incremental"
        )
    for key, tri in items.items():
        months = _age_months(tri)
        values = tri.to_incremental().values
        observed = ~np.isnan(values)
        row, col = np.nonzero(observed)
        labels: list[Hashable] = list(tri.origin)
        if labels == list(range(1, len(labels) + 1)):
            # origins 1, 2, ...: the years 2001, 2002, ... as chainladder's own genins
            labels = [2000 + cast(int, o) for o in labels]
        starts = [_origin_start(o) for o in labels]
        origin_dates = [starts[a] for a in row]
        valuation = [
            starts[a] + pd.DateOffset(months=months[b]) - pd.Timedelta(days=1)
            for a, b in zip(row, col, strict=True)
        ]
        frame = pd.DataFrame(
            {"origin": origin_dates, "valuation": valuation, "amount": values[row, col]}
        )
        for name, value in zip(index, key[:-1], strict=True):
            frame = frame.assign(**{name: cast(Any, value)})
        frame = frame.assign(column=cast(Any, key[-1]))
        frames.append(frame)
    data = pd.concat(frames, ignore_index=True)
    if "index" in index:
        raise ParameterError("to_chainladder", "index", index, "must not use the name 'index'")
    wide = data.pivot_table(
        index=[*index, "origin", "valuation"], columns="column", values="amount", aggfunc="sum"
    ).reset_index()
    wide.columns.name = None
    columns = sorted({key[-1] for key in items}, key=str)
    result = cl.Triangle(
        wide,
        origin="origin",
        development="valuation",
        columns=columns,
        index=list(index) if len(items) > 1 else None,
        cumulative=False,
    )
    return result.incr_to_cum() if cumulative.pop() else result
