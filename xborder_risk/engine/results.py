"""The year-loss table a simulation produces, and the measures read off it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from xborder_risk import measures
from xborder_risk._deprecation import warn_deprecated
from xborder_risk._validation import check_line_name

if TYPE_CHECKING:  # imported where a frame is built: importing the engine stays light
    import pandas as pd

__all__ = ["EPCurves", "SimulationResult"]

TOTAL = "total"


class EPCurves:
    """The ``ep_curve`` method of every year-loss result (engine, portfolio).

    A result supplies ``_ep_sample(aep, line)``: the annual losses (AEP) or the yearly largest
    occurrence (OEP) of a line, or of the total when ``line`` is None.
    """

    __slots__ = ()

    def _ep_sample(self, aep: bool, line: str | None) -> NDArray[np.float64]:
        raise NotImplementedError

    def ep_curve(
        self,
        kind: str = "aep",
        line: str | None = None,
        return_periods: Sequence[float] | None = None,
    ) -> pd.DataFrame:
        """Exceedance-probability curve.

        Parameters
        ----------
        kind : {"aep", "oep"}
            ``"aep"``: annual aggregate loss; ``"oep"``: the year's largest occurrence (for a
            book's total, :class:`~xborder_risk.portfolio.PortfolioResult`, the year's largest
            event: a common shock summed over the policies and lines it hit).
        line : str, optional
            A line name; the total (all lines) by default.
        return_periods : sequence of float, optional
            Return periods in years; see :func:`xborder_risk.measures.ep_curve`.
        """
        sample = self._ep_sample(measures.check_ep_kind("ep_curve", kind) == "aep", line)
        return measures.ep_curve(
            sample, return_periods, kind=kind, line=TOTAL if line is None else line
        )


@dataclass(frozen=True, slots=True, eq=False)
class SimulationResult(EPCurves):
    """Simulated annual losses of one or more lines (a year-loss table).

    Attributes
    ----------
    lines : tuple of str
        Line names, in the order of the columns.
    annual : ndarray, shape (n_years, n_lines), float64
        Annual loss of each line after every layer term, currency units per year.
    max_occurrence : ndarray, shape (n_years, n_lines), float64
        Largest single occurrence payment of each line in each year (after the occurrence
        deductible and limit, times the share; before aggregate terms), for OEP curves.
    total : ndarray, shape (n_years,), float64
        Sum of the lines' annual losses, added line by line in column order.
    seed_sequence : numpy.random.SeedSequence
        The root seed; with the models and ``n_years`` it reproduces the result.
    block_years : int
        Years per random block (see :mod:`xborder_risk.engine.rng`).
    """

    lines: tuple[str, ...]
    annual: NDArray[np.float64]
    max_occurrence: NDArray[np.float64]
    total: NDArray[np.float64]
    seed_sequence: np.random.SeedSequence
    block_years: int

    def __post_init__(self) -> None:
        for array in (self.annual, self.max_occurrence, self.total):
            array.flags.writeable = False

    @property
    def n_years(self) -> int:
        """Number of simulated years."""
        return int(self.annual.shape[0])

    def _annual_column(self, line: str | None) -> NDArray[np.float64]:
        if line is None or (isinstance(line, str) and line == TOTAL):
            return self.total
        return self.annual[:, self._line_index(line)]

    def _line_index(self, line: str) -> int:
        # Callers read the total themselves; it is named here as the other valid choice.
        check_line_name("SimulationResult", "line", line, (*self.lines, TOTAL))
        return self.lines.index(line)

    def _occurrence_column(self, line: str | None) -> NDArray[np.float64]:
        if line is None or (isinstance(line, str) and line == TOTAL):
            return self.max_occurrence.max(axis=1)
        return self.max_occurrence[:, self._line_index(line)]

    def value_at_risk(self, level: float, line: str | None = None) -> float:
        """Value at risk of a line's (or the total's) annual loss at a confidence level in
        (0, 1), currency units; see :func:`measures.value_at_risk`."""
        return measures.value_at_risk(self._annual_column(line), level)

    def tvar(self, level: float, line: str | None = None) -> float:
        """TVaR of a line's (or the total's) annual loss at a confidence level in (0, 1),
        currency units; see :func:`measures.tvar`."""
        return measures.tvar(self._annual_column(line), level)

    def var(self, level: float | None = None, line: str | None = None) -> float:
        """Variance of a line's (or the total's) annual loss (``ddof=1``), currency units squared.

        ``var(level)`` with a confidence level is the deprecated spelling of
        :meth:`value_at_risk` (warns; kept for one release).
        """
        if level is not None:
            warn_deprecated("SimulationResult.var(p) for the value at risk", "value_at_risk(level)")
            return self.value_at_risk(level, line)
        return measures.var(self._annual_column(line))

    def std(self, line: str | None = None) -> float:
        """Standard deviation of a line's (or the total's) annual loss (``ddof=1``)."""
        return float(np.sqrt(self.var(line=line)))

    def mean(self, line: str | None = None) -> float:
        """Mean annual loss (average annual loss), currency units per year."""
        return float(self._annual_column(line).mean())

    def _ep_sample(self, aep: bool, line: str | None) -> NDArray[np.float64]:
        return self._annual_column(line) if aep else self._occurrence_column(line)

    def to_frame(self) -> pd.DataFrame:
        """The year-loss table: one row per simulated year, a column per line and the total."""
        import pandas as pd

        frame = pd.DataFrame(np.asarray(self.annual), columns=list(self.lines))
        frame[TOTAL] = self.total
        frame.index.name = "year"
        return frame

    def summary(self, levels: Sequence[float] | float = (0.95, 0.99, 0.995)) -> pd.DataFrame:
        """Mean, standard deviation, VaR and TVaR per line and total, with their MC errors.

        Parameters
        ----------
        levels : sequence of float
            Confidence levels in (0, 1); a single float is one level.

        Returns
        -------
        pandas.DataFrame
            Index: the lines and ``"total"``. Columns: ``mean``, ``mean_se``, ``std``, and per
            level (e.g. 0.995 -> ``99_5``) ``var_99_5`` (value at risk), ``var_99_5_se``,
            ``tvar_99_5``, ``tvar_99_5_se``. The ``_se`` columns are Monte Carlo standard
            errors (see ``docs/measures.md``); currency units per year. The frame of
            :func:`xborder_risk.measures.summary`.
        """
        samples = {name: self._annual_column(name) for name in (*self.lines, TOTAL)}
        frame = measures.summary(samples, levels)
        frame.attrs["n_years"] = self.n_years
        return frame
