"""What the portfolio's replays keep while its blocks are simulated again one at a time.

:meth:`Portfolio.tail_contributions`, :meth:`Portfolio.marginal_tvar` and
:meth:`Portfolio.write_year_loss_table` simulate a totals-only book's blocks again with the
cube (the streams are keyed to blocks, so they are the same years, bit for bit) and hand
each block to one of these: the rows of the book's tail years, each column's largest years,
or the year-loss rows appended to a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from xborder_risk._version import __version__
from xborder_risk.exposure import LINES
from xborder_risk.portfolio.results import PortfolioResult
from xborder_risk.pricing.allocation import co_tvar_of_tail, tail_weights

__all__ = ["LargestYears", "TailRows", "YearLossWriter"]


class TailRows:
    """The rows of the book's tail years (for co-TVaR), gathered block by block."""

    def __init__(self, total: NDArray[np.float64], level: float, n_policies: int, n_lines: int):
        self.weights, self.tail_mass = tail_weights(total, level)
        self.years = np.flatnonzero(self.weights)
        self.cube = np.empty((self.years.size, n_policies, n_lines))

    def take(
        self, start: int, stop: int, annual: NDArray[np.float64], _chunk: PortfolioResult
    ) -> None:
        here = (self.years >= start) & (self.years < stop)
        self.cube[here] = annual[self.years[here] - start]

    def frame(self, policy_ids: Sequence[str]) -> pd.DataFrame:
        n_tail, n_policies, n_lines = self.cube.shape
        # C order, as fancy-indexing the result's policy totals gives to co_tvar: the layout
        # sets numpy's summation order and so the last bits
        policy_rows = np.zeros((n_tail, n_policies))
        for policy in range(n_policies):  # the order PortfolioResult sums a policy's lines
            column = policy_rows[:, policy]
            for line in range(n_lines):
                column += self.cube[:, policy, line]
        tail_w = self.weights[self.years]
        by_line = co_tvar_of_tail(self.cube.reshape(n_tail, -1), tail_w, self.tail_mass)
        frame = pd.DataFrame(
            by_line.reshape(n_policies, n_lines),
            columns=list(LINES),
            index=pd.Index(list(policy_ids), name="policy"),
        )
        frame.insert(0, "co_tvar", co_tvar_of_tail(policy_rows, tail_w, self.tail_mass))
        return frame


class LargestYears:
    """The ``keep`` largest values of each column seen so far, column by column.

    Columns are merged in groups so the working copy stays small next to a block's cube.
    """

    _GROUP = 64

    def __init__(self, keep: int, n_columns: int):
        self.keep = keep
        self.values = np.empty((0, n_columns))

    def add(self, rows: NDArray[np.float64]) -> None:
        n_rows = self.values.shape[0] + rows.shape[0]
        if n_rows <= self.keep:
            self.values = np.concatenate((self.values, rows))
            return
        merged = np.empty((self.keep, rows.shape[1]))
        for first in range(0, rows.shape[1], self._GROUP):
            group = slice(first, first + self._GROUP)
            both = np.concatenate((self.values[:, group], rows[:, group]))
            merged[:, group] = np.partition(both, n_rows - self.keep, axis=0)[-self.keep :]
        self.values = merged

    def tvar(self, n_years: int, level: float) -> NDArray[np.float64]:
        """Each column's empirical TVaR (``measures.tvar``) over all ``n_years`` years."""
        var = self.values.min(axis=0)
        excess = np.maximum(self.values - var, 0.0).sum(axis=0)
        return var + excess / n_years / (1.0 - level)


class YearLossWriter:
    """Appends (year, policy, line, loss) rows to a temporary file; ``commit`` moves it in."""

    def __init__(
        self, target: Path, policy_ids: Sequence[str], result: PortfolioResult, currency: str
    ):
        target.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=f".{target.stem}.", suffix=".tmp", delete=False
        )
        handle.close()
        self.target, self.temp = target, Path(handle.name)
        self.parquet = target.suffix.lower() == ".parquet"
        self.policies = pd.CategoricalDtype(list(policy_ids))
        self.lines = pd.CategoricalDtype(list(LINES))
        self.metadata = {
            b"xborder_risk.currency": currency.encode(),
            b"xborder_risk.seed_entropy": str(result.seed_sequence.entropy).encode(),
            b"xborder_risk.n_years": str(result.n_years).encode(),
            b"xborder_risk.version": __version__.encode(),
        }
        self._writer: Any = None
        self._empty = True  # nothing written yet: the CSV needs its header

    def append(self, first_year: int, annual: NDArray[np.float64]) -> None:
        year, policy, line = np.nonzero(annual)
        frame = pd.DataFrame(
            {
                "year": (year + first_year + 1).astype(np.int64),
                "policy": pd.Categorical.from_codes(policy, dtype=self.policies),
                "line": pd.Categorical.from_codes(line, dtype=self.lines),
                "loss": annual[year, policy, line],
            }
        )
        if not self.parquet:
            frame.to_csv(
                self.temp, mode="w" if self._empty else "a", header=self._empty, index=False
            )
            self._empty = False
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self._writer is None:
            schema = table.schema.with_metadata({**(table.schema.metadata or {}), **self.metadata})
            self._writer = pq.ParquetWriter(self.temp, schema)
        self._writer.write_table(table.replace_schema_metadata(self._writer.schema.metadata))
        self._empty = False

    def commit(self) -> None:
        if self._empty:  # no year had a loss: an empty table, with its header or schema
            self.append(0, np.zeros((0, len(self.policies.categories), len(LINES))))
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        os.replace(self.temp, self.target)

    def discard(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self.temp.unlink(missing_ok=True)
