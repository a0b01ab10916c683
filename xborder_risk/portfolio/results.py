"""The simulated portfolio: year-loss table by policy and line, accumulation, contributions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from xborder_risk import measures
from xborder_risk._validation import (
    check_line_name,
    check_probability,
)
from xborder_risk.engine.results import EPCurves, SimulationResult
from xborder_risk.errors import ParameterError
from xborder_risk.pricing.allocation import co_tvar
from xborder_risk.reinsurance import OccurrenceTable

__all__ = ["TOTAL", "PortfolioResult"]

TOTAL = "total"


@dataclass(frozen=True, eq=False)
class PortfolioResult(EPCurves):
    """A simulated book of policies.

    Attributes
    ----------
    policy_ids : tuple of str
        Policy identifiers, in the order of the policy axis.
    lines : tuple of str
        The four line names (``xborder_risk.exposure.LINES``), in the order of the line axis.
    countries : tuple of str
        ISO codes of the countries losses are accumulated to, in the order of ``by_country``.
    shock_sources : tuple of str
        Labels of the common shocks (a country code, or ``"cyber"``), in the order of
        ``events``.
    currency : str
        ISO 4217 code of every amount.
    annual : ndarray, shape (n_years, n_policies, n_lines), float64, or None
        Annual loss of each policy and line after its policy terms, common shocks included;
        zero for a line a policy does not cover.  None for a book simulated with
        ``keep_policies=False`` (then ``totals`` holds the lines' and the book's totals, and
        the per-policy methods say they need the policies).
    max_occurrence : ndarray, shape (n_years, n_lines)
        Largest single event of each line in the book each year: one claim of one policy, or
        one common-shock event summed over the policies it hit; after the occurrence terms and
        the share, before aggregate terms (the engine's OEP convention).
    max_event : ndarray, shape (n_years,)
        Largest event of the year over all lines (a shock event summed over its lines too).
    by_country : ndarray, shape (n_years, n_countries)
        Political-risk and operational-liability losses attributed to countries (rule in
        ``docs/portfolio.md``); each row sums to those lines' total loss of the year.
    events : ndarray of bool, shape (n_years, n_shock_sources)
        Whether each common shock happened in each year.
    occurrences : OccurrenceTable or None
        Every occurrence of the book (``Portfolio.simulate(..., keep_occurrences=True)``), for
        a per-occurrence reinsurance treaty.
    seed_sequence : numpy.random.SeedSequence
        The root seed.
    block_years : int
        Years per random block.
    totals : tuple of ndarray, optional
        Without ``annual``: each line's annual loss over the book, shape (n_years, n_lines),
        and the book's, shape (n_years,), as the kernel summed them (the same bits as summing
        ``annual``).
    """

    policy_ids: tuple[str, ...]
    lines: tuple[str, ...]
    countries: tuple[str, ...]
    shock_sources: tuple[str, ...]
    currency: str
    annual: NDArray[np.float64] | None
    max_occurrence: NDArray[np.float64]
    max_event: NDArray[np.float64]
    by_country: NDArray[np.float64]
    events: NDArray[np.bool_]
    occurrences: OccurrenceTable | None
    seed_sequence: np.random.SeedSequence
    block_years: int
    totals: tuple[NDArray[np.float64], NDArray[np.float64]] | None = field(default=None, repr=False)
    total: NDArray[np.float64] = field(init=False)
    _policy_annual: NDArray[np.float64] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.annual is None:
            if self.totals is None:
                raise ParameterError(
                    "PortfolioResult", "totals", None, "are needed when annual is None"
                )
            object.__setattr__(self, "_policy_annual", None)
            object.__setattr__(self, "total", self.totals[1])
            for array in (
                self.totals[0],
                self.max_occurrence,
                self.max_event,
                self.by_country,
                self.events,
                self.total,
            ):
                array.flags.writeable = False
            return
        annual = self.annual
        n_years, n_policies, n_lines = annual.shape
        # Fixed order: lines of a policy, then policies; S - X_i then uses the same X_i.
        policy_annual = np.zeros((n_years, n_policies), order="F")
        for policy in range(n_policies):
            column = policy_annual[:, policy]
            for line in range(n_lines):
                column += annual[:, policy, line]
        total = np.zeros(n_years)
        for policy in range(n_policies):
            total += policy_annual[:, policy]
        object.__setattr__(self, "_policy_annual", policy_annual)
        object.__setattr__(self, "total", total)
        for array in (
            annual,
            self.max_occurrence,
            self.max_event,
            self.by_country,
            self.events,
            total,
            policy_annual,
        ):
            array.flags.writeable = False

    # -- shape --------------------------------------------------------------------------------

    @property
    def n_years(self) -> int:
        """Number of simulated years."""
        return int(self.max_event.shape[0])

    @property
    def n_policies(self) -> int:
        """Number of policies."""
        return len(self.policy_ids)

    def _policies(self, owner: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The cube and the policies' totals, or a clear error for a book simulated without."""
        if self.annual is None or self._policy_annual is None:
            raise ParameterError(
                f"PortfolioResult.{owner}",
                "keep_policies",
                False,
                "this book was simulated without its policies' losses (keep_policies=False); "
                "simulate with keep_policies=True for per-policy results, or ask the "
                "Portfolio: Portfolio.marginal_tvar(result) and tail_contributions(result) "
                "simulate its blocks again one at a time",
            )
        return self.annual, self._policy_annual

    def _policy_index(self, policy: str | int) -> int:
        if isinstance(policy, str):
            if policy in self.policy_ids:
                return self.policy_ids.index(policy)
        elif isinstance(policy, int | np.integer) and not isinstance(policy, bool):
            if 0 <= int(policy) < self.n_policies:
                return int(policy)
        raise ParameterError(
            "PortfolioResult", "policy", policy, "must be a policy id or an index of a policy"
        )

    def _line_index(self, line: object) -> int:
        # Callers read the total themselves; it is named here as the other valid choice.
        check_line_name("PortfolioResult", "line", line, (*self.lines, TOTAL))
        return self.lines.index(line)

    # -- year-loss tables ---------------------------------------------------------------------

    def policy_annual(self, policy: str | int | None = None) -> NDArray[np.float64]:
        """Annual loss of each policy over its lines: shape (n_years, n_policies), or (n_years,)
        for one ``policy`` (id or index)."""
        _, policy_annual = self._policies("policy_annual")
        if policy is None:
            return policy_annual
        return policy_annual[:, self._policy_index(policy)]

    def line_annual(self) -> NDArray[np.float64]:
        """Annual loss of each line over the book, shape (n_years, n_lines)."""
        if self.annual is None:
            assert self.totals is not None
            return np.array(self.totals[0])
        lines = np.zeros((self.n_years, len(self.lines)), order="F")
        for line in range(len(self.lines)):
            column = lines[:, line]
            for policy in range(self.n_policies):
                column += self.annual[:, policy, line]
        return lines

    def to_frame(self) -> pd.DataFrame:
        """The year-loss table: a row per year, a column per (policy, line) (MultiIndex).

        Memory: as large as ``annual`` (8 bytes x years x policies x lines).
        """
        annual, _ = self._policies("to_frame")
        n_years, n_policies, n_lines = annual.shape
        columns = pd.MultiIndex.from_product(
            [list(self.policy_ids), list(self.lines)], names=["policy", "line"]
        )
        frame = pd.DataFrame(
            np.asarray(annual).reshape(n_years, n_policies * n_lines, order="C"),
            columns=columns,
        )
        frame.index.name = "year"
        return frame

    def country_frame(self) -> pd.DataFrame:
        """Annual loss attributed to each country: a row per year, a column per country."""
        frame = pd.DataFrame(np.asarray(self.by_country), columns=list(self.countries))
        frame.index.name = "year"
        return frame

    def as_simulation_result(self) -> SimulationResult:
        """The book as the engine's result: the lines summed over policies, and the total.

        Its ``max_occurrence`` is this result's per-line ``max_occurrence``; its total OEP
        (the maximum over lines) ignores that a common shock hits several lines at once -- use
        :meth:`ep_curve` with ``kind="oep"`` for the book's event OEP.
        """
        return SimulationResult(
            lines=self.lines,
            annual=self.line_annual(),
            max_occurrence=np.array(self.max_occurrence),
            total=np.array(self.total),
            seed_sequence=self.seed_sequence,
            block_years=self.block_years,
        )

    # -- measures -----------------------------------------------------------------------------

    def summary(self, levels: Sequence[float] | float = (0.95, 0.99, 0.995)) -> pd.DataFrame:
        """Mean, standard deviation, VaR and TVaR per line (over the book) and total, with
        Monte Carlo errors; see :meth:`xborder_risk.engine.SimulationResult.summary`."""
        frame = self.as_simulation_result().summary(levels)
        frame.attrs["currency"] = self.currency
        return frame

    def _ep_sample(self, aep: bool, line: str | None) -> NDArray[np.float64]:
        # The total's OEP is the year's largest event (a common shock summed over the policies
        # and lines it hit), not the largest of the lines' occurrences.  `line in (None, TOTAL)`
        # would compare an array element-wise; only a str is a name.
        if line is None or (isinstance(line, str) and line == TOTAL):
            return self.total if aep else self.max_event
        index = self._line_index(str(line))
        return self.line_annual()[:, index] if aep else self.max_occurrence[:, index]

    def accumulation(self, levels: Sequence[float] | float = (0.99,)) -> pd.DataFrame:
        """Accumulation by country: the attributed annual loss's mean, VaR and TVaR.

        Returns
        -------
        pandas.DataFrame
            Index: country codes.  Columns ``mean``, ``mean_se``, ``std``, ``var_<level>``,
            ``tvar_<level>`` and ``event_frequency`` (share of simulated years with a political
            event in the country; 0 when shocks are off).
        """
        frame = measures.summary(
            {country: self.by_country[:, index] for index, country in enumerate(self.countries)},
            levels,
            index_name="country",
            tail_standard_errors=False,
            owner="accumulation",
        )
        frame["event_frequency"] = [
            float(self.events[:, self.shock_sources.index(country)].mean())
            if country in self.shock_sources
            else 0.0
            for country in self.countries
        ]
        frame.attrs["currency"] = self.currency
        return frame

    def marginal_tvar(self, level: float = 0.99) -> pd.DataFrame:
        """Each policy's contribution to the book's TVaR: with and without it, and co-TVaR.

        Parameters
        ----------
        level : float
            Confidence level p in (0, 1).

        Returns
        -------
        pandas.DataFrame
            Index: policy ids.  Columns ``mean`` (the policy's mean annual loss),
            ``tvar_standalone`` (its own TVaR), ``marginal_tvar`` =
            :math:`\\mathrm{TVaR}_p(S) - \\mathrm{TVaR}_p(S - X_i)` on the same simulated years
            (what binding the policy adds to the book's tail) and ``co_tvar``
            :math:`E[X_i \\mid S \\ge \\mathrm{VaR}_p(S)]` (its Euler share, summing to the
            book's TVaR).  ``attrs["tvar_total"]`` is :math:`\\mathrm{TVaR}_p(S)`.

        Notes
        -----
        Marginal (with/without) contributions do not add up to the total's TVaR -- the sum is
        below it for a sub-additive measure when policies diversify -- while co-TVaR
        contributions do (Tasche 1999, "Risk contributions and performance measurement", §5;
        Acerbi & Tasche 2002 for the empirical TVaR).  Because every policy's losses come from
        its own streams, removing a policy leaves the others' simulated losses unchanged, so
        :math:`S - X_i` is exactly the book simulated without policy :math:`i`.
        """
        level = check_probability("marginal_tvar", "level", level)
        _, policy_annual = self._policies("marginal_tvar")
        total_tvar = measures.tvar(self.total, level)
        marginal = np.empty(self.n_policies)
        standalone = np.empty(self.n_policies)
        for policy in range(self.n_policies):
            own = policy_annual[:, policy]
            marginal[policy] = total_tvar - measures.tvar(self.total - own, level)
            standalone[policy] = measures.tvar(own, level)
        frame = pd.DataFrame(
            {
                "mean": policy_annual.mean(axis=0),
                "tvar_standalone": standalone,
                "marginal_tvar": marginal,
                "co_tvar": co_tvar(policy_annual, level),
            },
            index=pd.Index(self.policy_ids, name="policy"),
        )
        frame.attrs["tvar_total"] = total_tvar
        frame.attrs["level"] = level
        frame.attrs["currency"] = self.currency
        return frame

    @property
    def country_events(self) -> NDArray[np.bool_]:
        """Political-event indicator per year and country, shape (n_years, n_countries)."""
        columns = [
            self.shock_sources.index(c) if c in self.shock_sources else -1 for c in self.countries
        ]
        out = np.zeros((self.n_years, len(self.countries)), dtype=bool)
        for position, column in enumerate(columns):
            if column >= 0:
                out[:, position] = self.events[:, column]
        return out
