"""A book of policies rated one by one and simulated jointly, with common shocks."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from xborder_risk import measures
from xborder_risk._validation import check_callable, check_int, check_probability, check_real
from xborder_risk.engine import BLOCK_YEARS, Copula, LossModel
from xborder_risk.engine.rng import block_bounds, line_stream_key, root_seed_sequence
from xborder_risk.engine.runner import (
    ChunkRun,
    memory_limit,
    refuse_oversize,
    run_chunks,
    run_options,
)
from xborder_risk.errors import ParameterError, XBorderRiskWarning
from xborder_risk.exposure import LINES, Submission
from xborder_risk.measures import _order_index
from xborder_risk.portfolio._kernel import (
    CYBER_STREAM_BASE,
    BlockOutput,
    Book,
    ChunkOccurrences,
    PolicyLine,
    PolicySpec,
    ShockSource,
    allocate_output,
    block_rows,
    concatenate_occurrences,
    country_stream,
    policy_seed_sequence,
    portfolio_peak_bytes,
    simulate_chunk,
    write_rows,
)
from xborder_risk.portfolio._replay import LargestYears, TailRows, YearLossWriter
from xborder_risk.portfolio.results import PortfolioResult
from xborder_risk.portfolio.shocks import CommonShocks, vendor_stream
from xborder_risk.rating import LINE_RATERS, RatedSubmission, RatingTables, rate, rater_for
from xborder_risk.reinsurance import OccurrenceTable

__all__ = ["ATTRIBUTED_LINES", "Portfolio"]

#: Lines whose losses are accumulated to countries and raised by a country's political event.
ATTRIBUTED_LINES: tuple[str, ...] = tuple(
    line for line, rater in LINE_RATERS.items() if rater.accumulates_to_countries
)

_LINE_INDEX = {line: index for index, line in enumerate(LINES)}
_CYBER_LABEL = "cyber"


def _policy_key(policy_id: str) -> int:
    """Stream key of a policy: the first 8 bytes of the SHA-256 of its id, as an integer."""
    return int.from_bytes(hashlib.sha256(policy_id.encode("utf-8")).digest()[:8], "big")


class Portfolio:
    """A book of submissions, each rated on its own, simulated jointly with common shocks.

    Parameters
    ----------
    submissions : sequence of Submission
        The policies (at least one).
    tables : RatingTables, optional
        Rating tables for every policy and for the countries' OECD classes; shipped by default.
    policy_ids : sequence of str, optional
        Distinct identifiers.  By default each submission's ``submission_id``, or
        ``"policy_<position>"`` when it has none.  A policy's random streams are keyed to its
        id, so the same id gives the same losses in any book, at any position.
    currency : str, optional
        ISO 4217 code of the results.  Required when the submissions are in different
        currencies; each policy's losses are converted at the rating tables' dated FX rates.
    shocks : CommonShocks, optional
        Common-shock parameters; the shipped illustrative ones by default
        (``CommonShocks.none()`` for independent policies).
    dependence : Copula, optional
        A Gaussian or Student-t copula over the canonical lines (``xborder_risk.exposure.LINES``,
        in that order): each policy's lines get ranks from it, within a policy with its
        correlation matrix and between policies with ``between_policies`` times it.  Each
        line's own marginal is unchanged (its claim years are moved, whole); the common
        shocks stay as they are.  None (default): the lines of a policy are independent
        apart from the shocks.
    between_policies : float, default 1.0
        Share ``w`` in [0, 1] of the copula's correlation common to all policies: a policy's
        scores are ``sqrt(w) Z + sqrt(1 - w) Z_p`` with ``Z`` the book's and ``Z_p`` the
        policy's own N(0, correlation) (divided by the book's common t divisor).  1: the
        same line of every policy moves in rank together; 0: policies independent.

    Raises
    ------
    ParameterError
        Bad arguments (named), duplicate policy ids, mixed currencies without ``currency``.
    SubmissionError
        A submission cannot be rated (see :func:`xborder_risk.rating.rate`).

    Warns
    -----
    XBorderRiskWarning
        When a policy period is not one year: its whole-period loss is counted in each
        simulated year, while the shocks are annual.

    Notes
    -----
    See ``docs/portfolio.md``: stream keys, the shock model and what each policy is exposed to,
    the accumulation rule, and the marginal TVaR.
    """

    def __init__(
        self,
        submissions: Sequence[Submission],
        tables: RatingTables | None = None,
        *,
        policy_ids: Sequence[str] | None = None,
        currency: str | None = None,
        shocks: CommonShocks | None = None,
        dependence: Copula | None = None,
        between_policies: float = 1.0,
    ) -> None:
        owner = "Portfolio"
        if dependence is not None:
            if not isinstance(dependence, Copula):
                raise ParameterError(
                    owner, "dependence", type(dependence).__name__, "must be a Copula or None"
                )
            if dependence.dimension != len(LINES):
                raise ParameterError(
                    owner,
                    "dependence",
                    dependence.dimension,
                    f"must couple the {len(LINES)} canonical lines {LINES}",
                )
        self._dependence = dependence
        self._between_policies = check_real(
            owner, "between_policies", between_policies, lower=0.0, upper=1.0
        )
        if isinstance(submissions, str | Submission) or not isinstance(submissions, Sequence):
            raise ParameterError(
                owner, "submissions", submissions, "must be a sequence of Submissions"
            )
        subs = tuple(submissions)
        if not subs:
            raise ParameterError(
                owner, "submissions", submissions, "must hold at least one Submission"
            )
        for sub in subs:
            if not isinstance(sub, Submission):
                raise ParameterError(
                    owner, "submissions", type(sub).__name__, "must hold Submission objects only"
                )
        tables = RatingTables.load() if tables is None else tables
        if not isinstance(tables, RatingTables):
            raise ParameterError(owner, "tables", type(tables).__name__, "must be RatingTables")
        shocks = CommonShocks.load() if shocks is None else shocks
        if not isinstance(shocks, CommonShocks):
            raise ParameterError(owner, "shocks", type(shocks).__name__, "must be CommonShocks")
        self._submissions = subs
        self._tables = tables
        self._shocks = shocks
        self._policy_ids = self._checked_ids(subs, policy_ids)
        self._currency = self._checked_currency(subs, currency, tables)
        long_periods = [
            pid
            for pid, sub in zip(self._policy_ids, subs, strict=True)
            if abs(sub.policy_period_years - 1.0) > 1e-9
        ]
        if long_periods:
            warnings.warn(
                f"Portfolio: policies {long_periods[:5]}{'...' if len(long_periods) > 5 else ''} "
                "have a policy period other than one year; their whole-period loss is counted in "
                "each simulated year while the common shocks are annual",
                XBorderRiskWarning,
                stacklevel=2,
            )
        self._rated = tuple(rate(sub, tables) for sub in subs)
        self._book, self._countries, self._exposure = self._build_book()

    # -- construction -------------------------------------------------------------------------

    @staticmethod
    def _checked_ids(
        subs: tuple[Submission, ...], policy_ids: Sequence[str] | None
    ) -> tuple[str, ...]:
        owner = "Portfolio"
        if policy_ids is None:
            ids = tuple(
                sub.submission_id if sub.submission_id else f"policy_{position}"
                for position, sub in enumerate(subs)
            )
        else:
            if isinstance(policy_ids, str) or not isinstance(policy_ids, Sequence):
                raise ParameterError(owner, "policy_ids", policy_ids, "must be a sequence of str")
            ids = tuple(policy_ids)
            if len(ids) != len(subs):
                raise ParameterError(
                    owner,
                    "policy_ids",
                    f"{len(ids)} ids",
                    f"must hold one id per submission ({len(subs)})",
                )
            for pid in ids:
                if not isinstance(pid, str) or not pid.strip():
                    raise ParameterError(owner, "policy_ids", pid, "must hold non-empty strings")
        duplicates = sorted({pid for pid in ids if ids.count(pid) > 1})
        if duplicates:
            raise ParameterError(
                owner,
                "policy_ids",
                duplicates,
                "must be distinct (a policy's random streams are keyed to its id); "
                "pass policy_ids explicitly",
            )
        keys = [_policy_key(pid) for pid in ids]
        if len(set(keys)) != len(keys):  # pragma: no cover - a 64-bit hash collision
            raise ParameterError(
                owner, "policy_ids", ids, "collide in their stream keys; rename one"
            )
        return ids

    @staticmethod
    def _checked_currency(
        subs: tuple[Submission, ...], currency: str | None, tables: RatingTables
    ) -> str:
        owner = "Portfolio"
        currencies = sorted({sub.currency for sub in subs})
        if currency is None:
            if len(currencies) > 1:
                raise ParameterError(
                    owner,
                    "currency",
                    None,
                    f"must be given when the submissions are in several currencies {currencies}",
                )
            return currencies[0]
        if not isinstance(currency, str):
            raise ParameterError(owner, "currency", currency, "must be an ISO 4217 code")
        try:
            tables.fx_rate(currency)
        except ValueError:
            raise ParameterError(
                owner,
                "currency",
                currency,
                f"has no exchange rate in the FX table ({tables.source})",
            ) from None
        return currency

    def _fx(self, sub: Submission) -> float:
        if sub.currency == self._currency:
            return 1.0
        return self._tables.fx_rate(sub.currency) / self._tables.fx_rate(self._currency)

    def _build_book(self) -> tuple[Book, tuple[str, ...], pd.DataFrame]:
        """Kernel specs of every policy line: streams, shock exposures, attribution weights."""
        shocks = self._shocks
        # What the common shocks can hit in each policy line: the line's own rule (rating/lines).
        exposures = [
            tuple(rater_for(model.name).shock_exposure(sub, model.layer) for model in rated.models)
            for sub, rated in zip(self._submissions, self._rated, strict=True)
        ]
        countries = {code for policy in exposures for line in policy for code in line.countries}
        ordered = tuple(sorted(countries))
        country_index = {code: index for index, code in enumerate(ordered)}
        sources = [
            ShockSource(
                label=code,
                stream=country_stream(code),
                probability=shocks.country_event_probability[
                    int(self._tables.country(code)["oecd_crc"])
                ],
                damage_alpha=shocks.political_damage_alpha,
                damage_beta=shocks.political_damage_beta,
                country_index=country_index[code],
            )
            for code in ordered
        ]
        cyber_source = len(sources)
        sources.append(
            ShockSource(
                label=_CYBER_LABEL,
                stream=CYBER_STREAM_BASE,
                probability=shocks.cyber_event_probability,
                damage_alpha=shocks.cyber_damage_alpha,
                damage_beta=shocks.cyber_damage_beta,
                country_index=-1,
            )
        )
        # Common-vendor events: one shared source per vendor named in the book (shocks.py).
        vendor_index: dict[str, int] = {}
        for vendor in sorted(
            {v for policy in exposures for line in policy for v, _ in line.vendor_events}
        ):
            vendor_index[vendor] = len(sources)
            sources.append(
                ShockSource(
                    label=f"vendor:{vendor}",
                    stream=vendor_stream(vendor),
                    probability=shocks.vendor_event_probability,
                    damage_alpha=shocks.vendor_damage_alpha,
                    damage_beta=shocks.vendor_damage_beta,
                    country_index=-1,
                )
            )
        rows: list[dict[str, object]] = []
        policies = []
        for pid, sub, rated, policy_exposures in zip(
            self._policy_ids, self._submissions, self._rated, exposures, strict=True
        ):
            specs = []
            for model, exposure in zip(rated.models, policy_exposures, strict=True):
                line = model.name
                shock_amounts = [
                    (country_index[code], amount) for code, amount in exposure.country_events
                ]
                if exposure.systemic_cyber is not None:
                    shock_amounts.append((cyber_source, exposure.systemic_cyber))
                shock_amounts.extend(
                    (vendor_index[vendor], amount) for vendor, amount in exposure.vendor_events
                )
                attribution = [
                    (country_index[code], weight) for code, weight in exposure.attribution
                ]
                for source, amount in shock_amounts:
                    probability = sources[source].probability
                    mean_damage = (
                        shocks.cyber_damage_mean
                        if source == cyber_source
                        else shocks.vendor_damage_mean
                        if source > cyber_source
                        else shocks.political_damage_mean
                    )
                    rows.append(
                        {
                            "policy": pid,
                            "line": line,
                            "shock": sources[source].label,
                            "exposed_amount": amount,
                            "annual_probability": probability,
                            "expected_ground_up": probability * mean_damage * amount,
                            "currency": sub.currency,
                        }
                    )
                specs.append(
                    PolicyLine(
                        model=model,
                        stream=line_stream_key(line),
                        line=_LINE_INDEX[line],
                        shocks=tuple(shock_amounts),
                        attribution=tuple(attribution),
                    )
                )
            policies.append(PolicySpec(key=_policy_key(pid), fx=self._fx(sub), lines=tuple(specs)))
        book = Book(
            policies=tuple(policies),
            sources=tuple(sources),
            n_lines=len(LINES),
            n_countries=len(ordered),
            dependence=self._dependence,
            between_policies=self._between_policies,
        )
        exposure_frame = pd.DataFrame(
            rows,
            columns=[
                "policy",
                "line",
                "shock",
                "exposed_amount",
                "annual_probability",
                "expected_ground_up",
                "currency",
            ],
        )
        return book, ordered, exposure_frame

    # -- accessors ------------------------------------------------------------------------------

    @property
    def policy_ids(self) -> tuple[str, ...]:
        """Policy identifiers, in book order."""
        return self._policy_ids

    @property
    def submissions(self) -> tuple[Submission, ...]:
        """The submissions, in book order."""
        return self._submissions

    @property
    def rated(self) -> tuple[RatedSubmission, ...]:
        """Each policy's rating (models and worksheet), in book order."""
        return self._rated

    @property
    def currency(self) -> str:
        """ISO 4217 code of the results."""
        return self._currency

    @property
    def shocks(self) -> CommonShocks:
        """The common-shock parameters."""
        return self._shocks

    @property
    def countries(self) -> tuple[str, ...]:
        """Countries losses are accumulated to (political-risk hosts, countries of operation)."""
        return self._countries

    @property
    def kernel_book(self) -> Book:
        """The book as the simulation kernel sees it (streams, shock exposures, layers)."""
        return self._book

    def models(self, policy: str | int) -> tuple[LossModel, ...]:
        """The rated loss models of one policy (id or position), in its submission's currency."""
        return self._rated[self._index(policy)].models

    def _index(self, policy: str | int) -> int:
        if isinstance(policy, str) and policy in self._policy_ids:
            return self._policy_ids.index(policy)
        if (
            isinstance(policy, int)
            and not isinstance(policy, bool)
            and 0 <= policy < len(self._policy_ids)
        ):
            return policy
        raise ParameterError("Portfolio", "policy", policy, "must be a policy id or position")

    def policy_seed_sequence(
        self, seed: int | np.random.SeedSequence, policy: str | int
    ) -> np.random.SeedSequence:
        """The seed with which ``simulate(portfolio.models(policy), n_years, seed=...)`` draws
        exactly the policy's own losses in ``portfolio.simulate(n_years, seed)`` (before common
        shocks and currency conversion)."""
        return policy_seed_sequence(
            root_seed_sequence(seed), self._book.policies[self._index(policy)].key
        )

    def shock_exposure(self) -> pd.DataFrame:
        """What each common shock can hit: one row per (policy, line, shock).

        Returns
        -------
        pandas.DataFrame
            Columns ``policy``, ``line``, ``shock`` (country code or ``"cyber"``),
            ``exposed_amount`` (the amount the damage ratio multiplies, policy currency),
            ``annual_probability``, ``expected_ground_up`` (probability x mean damage ratio x
            exposed amount: the shock's expected ground-up loss per year, before policy terms)
            and ``currency``.
        """
        return self._exposure.copy()

    # -- simulation ---------------------------------------------------------------------------

    def simulate(
        self,
        n_years: int,
        seed: int | np.random.SeedSequence,
        chunk_years: int | None = None,
        *,
        keep_occurrences: bool = False,
        progress: Callable[[int, int], None] | None = None,
        max_memory_bytes: int | None = None,
        backend: str = "local",
        client: Any = None,
        max_claims_per_year: float | None = None,
        workers: int | None = None,
        keep_policies: bool = True,
    ) -> PortfolioResult:
        """Simulate the book: every policy's lines and the common shocks, year by year.

        Parameters
        ----------
        n_years : int
            Number of simulated years, ``>= 1``.
        seed : int or numpy.random.SeedSequence
            Root seed; the same seed gives bit-identical results whatever ``chunk_years``.
        chunk_years : int, optional
            Years per compute chunk, rounded down to whole random blocks of
            :data:`~xborder_risk.engine.BLOCK_YEARS` (at least one).  Never changes a result.
        keep_occurrences : bool, default False
            Also return every occurrence (for a per-occurrence excess of loss treaty).
        progress : callable, optional
            Called as ``progress(years_done, n_years)`` after each chunk.
        max_memory_bytes : int, optional
            Refuse, before allocating, a request whose estimated peak memory (the result
            arrays, the kept occurrences three times over while they are gathered, and one
            block's working set) exceeds this many bytes; by default as
            :func:`xborder_risk.engine.simulate` (``XBORDER_RISK_MAX_MEMORY``, else 85 % of
            what physical memory, ``RLIMIT_AS`` and the cgroup limit leave the process).
        backend : {"local", "dask"}
            ``"dask"`` runs every chunk (one random block by default, or ``chunk_years``) as a
            task on a ``dask.distributed`` cluster (install the ``distributed`` extra); the
            results are bit-identical to ``"local"`` whatever the number of workers.
        client : dask.distributed.Client, optional
            The cluster to use with ``backend="dask"``; a ``LocalCluster`` is started (and
            closed) for the call when omitted.
        max_claims_per_year : float, optional
            Refuse, before drawing, a policy line expecting more claims per simulated year;
            by default as :func:`xborder_risk.engine.simulate` (1e5).
        workers : int, optional
            Threads of the local backend (one random block each); by default as
            :func:`xborder_risk.engine.simulate`.  Never changes a result.
        keep_policies : bool, default True
            Keep every policy's and line's annual loss (the years x policies x lines cube,
            8 bytes each).  ``False`` keeps only the lines' and the book's totals (with the
            maxima, the countries and the shock flags), added up block by block: memory then
            grows with the years and the lines, not the policies, and every measure of the
            book's total, its lines, its countries and its occurrences is the same, bit for
            bit; the per-policy views (``policy_annual``, ``marginal_tvar``, ``to_frame``)
            are then refused.

        Returns
        -------
        PortfolioResult
            Amounts in :attr:`currency` per simulated year.

        Notes
        -----
        Policy ``i``'s line ``name`` draws from the generator
        ``block_generator(policy_seed_sequence(seed, i), block, line_stream_key(name))``: the
        engine's own scheme under a per-policy root keyed to the policy id, the line keyed by its
        name, so adding a policy or a line never moves another's draws (``docs/portfolio.md``).
        Shocks draw from shared streams of the portfolio root keyed to the country (or the cyber
        platform).
        """
        owner = "Portfolio.simulate"
        options = run_options(
            owner,
            n_years=n_years,
            chunk_years=chunk_years,
            backend=backend,
            client=client,
            progress=progress,
            max_memory_bytes=max_memory_bytes,
            max_claims_per_year=max_claims_per_year,
            workers=workers,
        )
        n_years = options.n_years
        root = root_seed_sequence(seed)
        if not isinstance(keep_occurrences, bool):
            raise ParameterError(owner, "keep_occurrences", keep_occurrences, "must be a bool")
        if not isinstance(keep_policies, bool):
            raise ParameterError(owner, "keep_policies", keep_policies, "must be a bool")
        book = self._book
        n_policies = len(book.policies)
        options.refuse_frequent(
            (f"{pid!r}/{spec.model.name!r}", spec.model.frequency.mean())
            for pid, policy in zip(self._policy_ids, book.policies, strict=True)
            for spec in policy.lines
        )
        options.refuse_oversize(
            f"n_years={n_years} for {n_policies} policies",
            portfolio_peak_bytes(
                book,
                n_years,
                keep_occurrences=keep_occurrences,
                workers=options.concurrent_blocks(n_years),
                keep_policies=keep_policies,
            ),
        )
        out = allocate_output(book, n_years, keep_policies)
        by_chunk: dict[int, ChunkOccurrences] = {}

        def store(
            blocks: range,
            years: slice,
            result: tuple[BlockOutput, ChunkOccurrences | None],
            in_place: bool,
        ) -> None:
            chunk_out, chunk_occurrences = result
            if not in_place:
                write_rows(out, years, chunk_out)
            if chunk_occurrences is not None:
                by_chunk[blocks.start] = chunk_occurrences

        run = ChunkRun(
            kernel=simulate_chunk,
            shared=book,
            args=(root, n_years, keep_occurrences, keep_policies),
            rows=lambda years: block_rows(out, years),
            store=store,
        )
        chunks = run_chunks(options, run)
        # Occurrences in block order, whatever order the chunks completed in.
        pieces = [by_chunk[chunk.start] for chunk in chunks if chunk.start in by_chunk]
        table = None
        if keep_occurrences:
            year_index, loss, source = concatenate_occurrences(pieces)
            table = OccurrenceTable(
                year_index=year_index, loss=loss, n_years=n_years, source=source
            )
        return self._result(out, root, table)

    def _result(
        self, out: BlockOutput, root: np.random.SeedSequence, table: OccurrenceTable | None
    ) -> PortfolioResult:
        return PortfolioResult(
            policy_ids=self._policy_ids,
            lines=LINES,
            countries=self._countries,
            shock_sources=tuple(source.label for source in self._book.sources),
            currency=self._currency,
            annual=out.annual,
            max_occurrence=out.max_occurrence,
            max_event=out.max_event,
            by_country=out.by_country,
            events=out.events,
            occurrences=table,
            seed_sequence=root,
            block_years=BLOCK_YEARS,
            totals=None
            if out.line_annual is None or out.total is None
            else (out.line_annual, out.total),
        )

    # -- contributions from the tail years -----------------------------------------------------

    def tail_contributions(
        self,
        result: PortfolioResult,
        level: float = 0.99,
        *,
        max_memory_bytes: int | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> pd.DataFrame:
        """Each policy's and each policy line's co-TVaR, from the tail years only.

        For a book simulated with ``keep_policies=False``: the years of the book's tail are
        found on the kept total, and only the random blocks that hold them are simulated
        again, one at a time, with the policies (the streams are keyed to blocks, so these
        are the same years, bit for bit); only their tail rows are kept.  Memory: one
        block's years x policies x lines cube (8 bytes each) plus the tail rows.

        Parameters
        ----------
        result : PortfolioResult
            This portfolio's simulation (any ``keep_policies``).
        level : float, default 0.99
            Confidence level p in (0, 1).
        max_memory_bytes : int, optional
            Refuse, before simulating, a request whose estimated peak (one block's cube and
            the tail rows) exceeds this; by default as :meth:`simulate`.
        progress : callable, optional
            Called as ``progress(years_done, years_to_simulate)`` after each block simulated
            again (a long book's replay takes as long as its simulation).

        Returns
        -------
        pandas.DataFrame
            Index: policy ids.  Column ``co_tvar``, :math:`E[X_i \\mid S \\ge
            \\mathrm{VaR}_p(S)]` over the policy's lines (the same bits as
            ``result.marginal_tvar(level)["co_tvar"]`` on the full cube), and one column per
            line, the policy line's co-TVaR; portfolio currency.  ``attrs``: ``tvar_total``,
            ``level``, ``currency``, ``tail_years`` and ``blocks_simulated``.

        Raises
        ------
        ParameterError
            ``result`` was not simulated by this portfolio (other policies, or a block
            simulated again does not give the kept total).
        SimulationSizeError
            The estimated peak memory exceeds the limit.
        """
        owner = "Portfolio.tail_contributions"
        self._check_own_result(owner, result)
        level = check_probability(owner, "level", level)
        self._refuse_oversize_replay(owner, result, level, max_memory_bytes, largest=0)
        tail = TailRows(result.total, level, len(self._book.policies), self._book.n_lines)
        blocks = np.unique(tail.years // BLOCK_YEARS)
        self._replay_blocks(owner, result, blocks, tail.take, progress)
        frame = tail.frame(self._policy_ids)
        frame.attrs.update(
            tvar_total=measures.tvar(result.total, level),
            level=level,
            currency=self._currency,
            tail_years=int(tail.years.size),
            blocks_simulated=int(blocks.size),
        )
        return frame

    def marginal_tvar(
        self,
        result: PortfolioResult,
        level: float = 0.99,
        *,
        max_memory_bytes: int | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> pd.DataFrame:
        """Each policy's contribution to the book's TVaR, with and without it, in bounded memory.

        What :meth:`PortfolioResult.marginal_tvar` gives from the full cube, for a book
        simulated with ``keep_policies=False``: every random block is simulated again, one at
        a time, with the policies (the same years, bit for bit: the streams are keyed to
        blocks), and only what the measures need is kept -- each policy's running sum, the
        :math:`m = n - \\lceil np \\rceil + 1` largest years of :math:`X_i` and of
        :math:`S - X_i` (the empirical VaR is the smallest of them, and TVaR adds their
        excess over it), and the rows of the book's tail years for co-TVaR.

        Parameters
        ----------
        result : PortfolioResult
            This portfolio's simulation (any ``keep_policies``).
        level : float, default 0.99
            Confidence level p in (0, 1).
        max_memory_bytes : int, optional
            Refuse, before simulating, a request whose estimated peak (one block's cube, the
            tail rows and the largest years kept) exceeds this; by default as
            :meth:`simulate`.  A low ``level`` keeps many years: at 0.5 half of them.
        progress : callable, optional
            Called as ``progress(years_done, years_to_simulate)`` after each block simulated
            again (a long book's replay takes as long as its simulation).

        Returns
        -------
        pandas.DataFrame
            As :meth:`PortfolioResult.marginal_tvar`: index policy ids; columns ``mean``,
            ``tvar_standalone``, ``marginal_tvar`` (:math:`\\mathrm{TVaR}_p(S) -
            \\mathrm{TVaR}_p(S - X_i)`) and ``co_tvar``, portfolio currency.  ``co_tvar`` has
            the same bits as on the full cube; the others agree to float rounding (their sums
            are taken block by block).  ``attrs``: ``tvar_total``, ``level``, ``currency``,
            ``blocks_simulated``.

        Notes
        -----
        Memory: one block's cube (65,536 years x policies x lines x 8 bytes), the tail rows,
        and two arrays of :math:`m` x policies; time: a second simulation of the book.

        Raises
        ------
        ParameterError
            ``result`` was not simulated by this portfolio, or ``level`` is not in (0, 1).
        SimulationSizeError
            The estimated peak memory exceeds the limit.
        """
        owner = "Portfolio.marginal_tvar"
        self._check_own_result(owner, result)
        level = check_probability(owner, "level", level)
        keep = result.n_years - _order_index(result.n_years, level)
        self._refuse_oversize_replay(owner, result, level, max_memory_bytes, largest=keep)
        n_policies = len(self._book.policies)
        tail = TailRows(result.total, level, n_policies, self._book.n_lines)
        own = LargestYears(keep, n_policies)
        without = LargestYears(keep, n_policies)
        sums = np.zeros(n_policies)

        def visit(
            start: int, stop: int, annual: NDArray[np.float64], chunk: PortfolioResult
        ) -> None:
            tail.take(start, stop, annual, chunk)
            policy = chunk.policy_annual()
            sums[:] += policy.sum(axis=0)
            own.add(policy)
            # S - X_i: the book without policy i in these years (its streams are its own)
            without.add(chunk.total[:, np.newaxis] - policy)

        blocks = np.arange(len(block_bounds(result.n_years)))
        self._replay_blocks(owner, result, blocks, visit, progress)
        total_tvar = measures.tvar(result.total, level)
        frame = pd.DataFrame(
            {
                "mean": sums / result.n_years,
                "tvar_standalone": own.tvar(result.n_years, level),
                "marginal_tvar": total_tvar - without.tvar(result.n_years, level),
                "co_tvar": tail.frame(self._policy_ids)["co_tvar"].to_numpy(),
            },
            index=pd.Index(self._policy_ids, name="policy"),
        )
        frame.attrs.update(
            tvar_total=total_tvar,
            level=level,
            currency=self._currency,
            blocks_simulated=int(blocks.size),
        )
        return frame

    def write_year_loss_table(
        self,
        result: PortfolioResult,
        path: str | os.PathLike[str],
        *,
        years_per_piece: int = 4096,
        progress: Callable[[int, int], None] | None = None,
    ) -> Path:
        """Write the book's full year-loss table to a file, out of core.

        For a book too large to hold its years x policies x lines cube (``keep_policies=False``):
        every random block is simulated again, one at a time (the same years, bit for bit),
        and its policy-line losses are appended to the file ``years_per_piece`` years at a
        time, so memory stays at one block's cube whatever the number of years.

        Parameters
        ----------
        result : PortfolioResult
            This portfolio's simulation (any ``keep_policies``).
        path : str or path-like
            ``*.parquet`` (needs pyarrow: ``pip install 'xborder-risk[parquet]'``; the
            currency, the seed's entropy, the number of years and the library version are in
            the file's key-value metadata) or ``*.csv``.  Written to a temporary file in the
            same directory and moved into place, so a reader never sees half a table.
        years_per_piece : int, default 4096
            Years per appended piece (a Parquet row group), ``>= 1``.
        progress : callable, optional
            Called as ``progress(years_done, years_to_simulate)`` after each block simulated
            again (a long book's replay takes as long as its simulation).

        Returns
        -------
        pathlib.Path
            The file written.  Columns: ``year`` (1 to ``n_years``, the simulated year),
            ``policy`` (id), ``line`` and ``loss`` (portfolio currency, after the policy's
            terms, share and FX), one row per policy line and year **with a non-zero loss**,
            ordered by year, policy and line; a cell left out is a zero.

        Raises
        ------
        ParameterError
            ``result`` was not simulated by this portfolio, the suffix is neither ``.csv`` nor
            ``.parquet``, ``years_per_piece`` is not a positive integer, or Parquet was asked
            for without pyarrow.
        """
        owner = "Portfolio.write_year_loss_table"
        self._check_own_result(owner, result)
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            raise ParameterError(owner, "path", str(path), "must end in .csv or .parquet")
        piece = check_int(owner, "years_per_piece", years_per_piece, lower=1)
        if suffix == ".parquet" and importlib.util.find_spec("pyarrow") is None:
            raise ParameterError(
                owner, "path", str(path), "needs pyarrow: pip install 'xborder-risk[parquet]'"
            )
        writer = YearLossWriter(target, self._policy_ids, result, self._currency)
        blocks = np.arange(len(block_bounds(result.n_years)))
        try:

            def visit(
                start: int, stop: int, annual: NDArray[np.float64], _chunk: PortfolioResult
            ) -> None:
                for first in range(0, stop - start, piece):
                    writer.append(start + first, annual[first : first + piece])

            self._replay_blocks(owner, result, blocks, visit, progress)
            writer.commit()
        finally:
            writer.discard()
        return target

    def _refuse_oversize_replay(
        self,
        owner: str,
        result: PortfolioResult,
        level: float,
        max_memory_bytes: object,
        largest: int,
    ) -> None:
        """Refuse a replay whose peak (one block's cube and its policy totals, the tail rows,
        twice ``largest`` x policies kept and merged) would exceed the memory limit."""
        n_policies, n_lines = len(self._book.policies), self._book.n_lines
        block = min(BLOCK_YEARS, result.n_years)
        tail_years = result.n_years - _order_index(result.n_years, level)
        cells = (
            block * n_policies * (n_lines + 2)
            + tail_years * n_policies * (n_lines + 1)
            + 3 * largest * n_policies
        )
        refuse_oversize(
            owner,
            f"level={level:g} on {result.n_years} years of {n_policies} policies",
            8.0 * cells,
            memory_limit(owner, max_memory_bytes),
        )

    def _check_own_result(self, owner: str, result: object) -> None:
        if not isinstance(result, PortfolioResult):
            raise ParameterError(
                owner, "result", type(result).__name__, "must be a PortfolioResult"
            )
        if result.policy_ids != self._policy_ids or result.block_years != BLOCK_YEARS:
            raise ParameterError(
                owner, "result", "PortfolioResult", "was not simulated by this portfolio"
            )

    def _replay_blocks(
        self,
        owner: str,
        result: PortfolioResult,
        blocks: NDArray[np.int64],
        visit: Callable[[int, int, NDArray[np.float64], PortfolioResult], None],
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Simulate ``blocks`` of ``result`` again with the cube, one at a time, and hand each
        to ``visit(start, stop, annual cube, block result)``; a block that does not give the
        kept total is refused."""
        check_callable(owner, "progress", progress)
        bounds = block_bounds(result.n_years)
        to_simulate = sum(bounds[int(b)][1] - bounds[int(b)][0] for b in blocks)
        done = 0
        for block in blocks:
            start, stop = bounds[int(block)]
            out, _ = simulate_chunk(
                self._book,
                range(int(block), int(block) + 1),
                result.seed_sequence,
                result.n_years,
                keep_occurrences=False,
                keep_policies=True,
            )
            assert out.annual is not None
            chunk = self._result(out, result.seed_sequence, None)
            if not np.array_equal(chunk.total, result.total[start:stop]):
                raise ParameterError(
                    owner, "result", "PortfolioResult", "was not simulated by this portfolio"
                )
            visit(start, stop, out.annual, chunk)
            del out, chunk  # one block's cube at a time, not two while the next is drawn
            done += stop - start
            if progress is not None:
                progress(done, to_simulate)
