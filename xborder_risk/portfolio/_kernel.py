"""The portfolio's block kernel: every policy's lines plus the common shocks, one block at a time.

Clean inputs assumed (validated by :class:`~xborder_risk.portfolio.Portfolio`).  A block depends
only on the book, the root seed and the block index, so any grouping of blocks into compute
chunks gives the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from xborder_risk.engine import LossModel
from xborder_risk.engine.claims import SparseLineDraw, claim_loop_bytes, draw_line_sparse
from xborder_risk.engine.dependence import Copula
from xborder_risk.engine.rng import BLOCK_YEARS, SHARED_STREAM_BASE, block_bounds, block_generator
from xborder_risk.errors import SimulationError

__all__ = [
    "COUNTRY_STREAM_BASE",
    "CYBER_STREAM_BASE",
    "DEPENDENCE_STREAM",
    "POLICY_NAMESPACE",
    "BlockOutput",
    "Book",
    "PolicyLine",
    "PolicySpec",
    "ShockSource",
    "draw_shocks",
    "policy_seed_sequence",
    "portfolio_peak_bytes",
    "simulate_chunk",
    "write_rows",
]

#: Shared stream of the political event of a country: this base plus the country's number
#: 26 * (first letter) + (second letter), A = 0 (so 0..675); keyed to the country, not to its
#: position in a portfolio, so adding a policy never moves another country's events.
COUNTRY_STREAM_BASE: int = SHARED_STREAM_BASE + (1 << 12)

#: Shared stream of the systemic cyber event (platform 0: the shared traveller-data platform).
CYBER_STREAM_BASE: int = SHARED_STREAM_BASE + (2 << 12)

#: Shared stream of the book's copula scores (the lines' common part), and, under each
#: policy's own seed sequence, the stream of that policy's own part.
DEPENDENCE_STREAM: int = SHARED_STREAM_BASE + (3 << 12)

#: First spawn-key word of every policy's own seed sequence (ASCII "POLI"), so that policy
#: streams ``(..., POLICY_NAMESPACE, key, block, line)`` can never coincide with the shared
#: streams ``(..., block, stream)`` of the portfolio root.
POLICY_NAMESPACE: int = 0x504F4C49


def country_stream(code: str) -> int:
    """Shared stream id of the political event of country ``code`` (ISO alpha-2)."""
    return COUNTRY_STREAM_BASE + 26 * (ord(code[0]) - ord("A")) + (ord(code[1]) - ord("A"))


def policy_seed_sequence(root: np.random.SeedSequence, key: int) -> np.random.SeedSequence:
    """The root of one policy's streams: the portfolio root with spawn key
    ``(POLICY_NAMESPACE, key)`` appended.  ``simulate(policy_models, n, seed=this)`` draws
    exactly the policy's own losses."""
    return np.random.SeedSequence(
        entropy=root.entropy,
        spawn_key=(*root.spawn_key, POLICY_NAMESPACE, key),
        pool_size=root.pool_size,
    )


@dataclass(frozen=True, slots=True)
class ShockSource:
    """One common shock: a country's political event or the systemic cyber event."""

    label: str
    stream: int
    probability: float
    damage_alpha: float
    damage_beta: float
    country_index: int  # -1 when the shock is not a country's (cyber)


@dataclass(frozen=True, slots=True)
class PolicyLine:
    """One rated line of one policy, with what the shocks and the accumulation need."""

    model: LossModel
    stream: int  # the line's engine stream key: line_stream_key(name), as simulate keys it
    line: int  # canonical line index (column of the year-loss table)
    shocks: tuple[tuple[int, float], ...]  # (shock source, exposed amount, policy currency)
    attribution: tuple[tuple[int, float], ...]  # (country, weight) summing to 1, or empty


@dataclass(frozen=True, slots=True)
class PolicySpec:
    """One policy as the kernel sees it."""

    key: int
    fx: float  # policy currency -> portfolio currency
    lines: tuple[PolicyLine, ...]


@dataclass(frozen=True, slots=True)
class Book:
    """The whole portfolio as the kernel sees it."""

    policies: tuple[PolicySpec, ...]
    sources: tuple[ShockSource, ...]
    n_lines: int
    n_countries: int
    dependence: Copula | None = None  # over the n_lines canonical lines
    between_policies: float = 1.0  # share of the line correlation common to all policies


@dataclass(slots=True)
class BlockOutput:
    """Rows of one block of the result arrays (views), filled in place by the kernel.

    With the policies kept, ``annual`` holds the years x policies x lines cube and
    ``line_annual`` / ``total`` are None (the result sums the cube); without (a book too large
    to hold it), ``annual`` is None and the kernel adds each policy's lines straight into
    ``line_annual`` and ``total``, in the order the result would sum the cube, so both ways
    give the same bits.
    """

    annual: NDArray[np.float64] | None  # (n, n_policies, n_lines)
    max_occurrence: NDArray[np.float64]  # (n, n_lines)
    max_event: NDArray[np.float64]  # (n,)
    by_country: NDArray[np.float64]  # (n, n_countries)
    events: NDArray[np.bool_]  # (n, n_sources)
    line_annual: NDArray[np.float64] | None = None  # (n, n_lines), without the cube
    total: NDArray[np.float64] | None = None  # (n,), without the cube


@dataclass(slots=True)
class _Shock:
    years: NDArray[np.intp]  # block-local event years, increasing
    damage: NDArray[np.float64]  # damage ratio of each event
    line_sums: NDArray[np.float64]  # (n_events, n_lines): payments before aggregate terms
    attributed: NDArray[np.float64]  # (n_events,): payments after aggregate terms


@dataclass(slots=True)
class _LineYears:
    """One line's block held at the years with a claim or a shock hit only (``rows``)."""

    rows: NDArray[np.intp]  # block-local years with a claim or a shock hit, increasing
    claim_sums: NDArray[np.float64]  # the line's own payments of those years
    pre_aggregate: NDArray[np.float64]  # ... plus the shock payments
    shock_rows: list[NDArray[np.intp]]  # each hit's event years as positions in ``rows``

    @classmethod
    def of(
        cls,
        draw: SparseLineDraw,
        hits: list[tuple[_Shock, int, NDArray[np.float64]]],
        n_years: int,
    ) -> _LineYears:
        if not hits:
            return cls(draw.years, draw.claim_sums, draw.claim_sums, [])
        # the union of the years through a mask of the block, positions through its inverse:
        # O(n) passes of a few microseconds, where sorting or searching is O(k log k) in Python
        n = n_years
        mask = np.zeros(n, dtype=bool)
        mask[draw.years] = True
        for shock, _, _ in hits:
            mask[shock.years] = True
        rows = np.flatnonzero(mask)
        position = np.empty(n, dtype=np.intp)
        position[rows] = np.arange(rows.size)
        claim_sums = np.zeros(rows.size)
        claim_sums[position[draw.years]] = draw.claim_sums
        pre_aggregate = claim_sums.copy()
        shock_rows = []
        for shock, _, paid in hits:
            at = position[shock.years]
            # A country's event years are distinct, so fancy-index += adds each once.
            pre_aggregate[at] += paid
            shock_rows.append(at)
        return cls(rows, claim_sums, pre_aggregate, shock_rows)


def draw_shocks(
    book: Book, root: np.random.SeedSequence, block: int, n: int
) -> list[_Shock | None]:
    shocks: list[_Shock | None] = []
    for source in book.sources:
        if source.probability == 0.0:
            shocks.append(None)
            continue
        generator = block_generator(root, block, source.stream)
        years = np.flatnonzero(generator.random(n) < source.probability)
        damage = generator.beta(source.damage_alpha, source.damage_beta, size=years.size)
        shocks.append(
            _Shock(
                years,
                damage,
                np.zeros((years.size, book.n_lines)),
                np.zeros(years.size),
            )
        )
    return shocks


def simulate_block(
    book: Book,
    root: np.random.SeedSequence,
    block: int,
    first_year: int,
    out: BlockOutput,
    occurrences: list[tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]]] | None,
) -> None:
    """Simulate one block of years of the whole book into ``out`` (zero-initialised views).

    For each policy and line: the claims from the policy's own stream (exactly as the engine
    draws them), then one extra occurrence per shock event that hits the line, then the
    aggregate terms and the share, then the exchange rate.  Accumulation by country splits a
    political-risk or operational-liability annual loss pro rata to the pre-aggregate payments
    (the shock payments to the shock's country, the rest by the line's attribution weights).
    """
    n = out.max_event.shape[0]
    shocks = draw_shocks(book, root, block, n)
    common, mixing = _common_scores(book, root, block, n)
    for index, shock in enumerate(shocks):
        if shock is not None:
            out.events[shock.years, index] = True
    claim_max = np.zeros((n, book.n_lines))
    years_of_block = np.arange(first_year, first_year + n, dtype=np.int64)
    policy_sum = None if out.annual is not None else np.zeros(n)
    for policy_index, policy in enumerate(book.policies):
        policy_root = policy_seed_sequence(root, policy.key)
        if policy_sum is not None and policy_index:
            policy_sum.fill(0.0)
        scores = _policy_scores(book, policy_root, block, n, common, mixing)
        for spec in policy.lines:
            layer = spec.model.layer
            draw = draw_line_sparse(
                spec.model,
                block_generator(policy_root, block, spec.stream),
                n,
                keep_payments=occurrences is not None,
            )
            if scores is not None:
                draw = reorder_draw(draw, scores[:, spec.line])
            hits: list[tuple[_Shock, int, NDArray[np.float64]]] = []
            for source_index, amount in spec.shocks:
                shock = shocks[source_index]
                if shock is None or shock.years.size == 0:
                    continue
                paid = layer._occurrence_in_place(shock.damage * amount)  # a fresh array
                hits.append((shock, source_index, paid))
            line_years = _LineYears.of(draw, hits, n)
            if line_years.rows.size == 0:
                continue  # no claim and no shock: the line's years stay zero
            annual = layer._aggregate_in_place(np.array(line_years.pre_aggregate))
            if not np.isfinite(annual).all():
                raise SimulationError(
                    f"policy {policy_index}, line {spec.model.name!r}: a simulated annual loss "
                    "overflowed to inf; give the layer a finite limit"
                )
            scale = layer.share * policy.fx
            if policy.fx != 1.0:
                annual *= policy.fx
            if out.annual is not None:
                out.annual[line_years.rows, policy_index, spec.line] = annual
            else:
                _add_to_sums(out, policy_sum, line_years.rows, spec.line, annual)
            line_max = claim_max[:, spec.line]
            line_max[draw.years] = np.maximum(line_max[draw.years], draw.largest * scale)
            for shock, _, paid in hits:
                shock.line_sums[:, spec.line] += paid * scale
            if spec.attribution:
                _attribute_to_countries(out.by_country, spec, annual, line_years, hits, book)
            if occurrences is not None:
                _collect_occurrences(
                    occurrences,
                    spec,
                    policy_index,
                    book.n_lines,
                    policy.fx,
                    draw,
                    line_years,
                    hits,
                    years_of_block,
                )
        if policy_sum is not None and out.total is not None:
            out.total += policy_sum
    np.maximum(out.max_occurrence, claim_max, out=out.max_occurrence)
    np.max(claim_max, axis=1, out=out.max_event)
    for source_index, shock in enumerate(shocks):
        if shock is None or shock.years.size == 0:
            continue
        rows = shock.years
        out.max_occurrence[rows] = np.maximum(out.max_occurrence[rows], shock.line_sums)
        out.max_event[rows] = np.maximum(out.max_event[rows], shock.line_sums.sum(axis=1))
        if occurrences is not None:
            keep = shock.attributed > 0.0
            occurrences.append(
                (
                    years_of_block[rows[keep]],
                    shock.attributed[keep],
                    np.full(int(keep.sum()), -1 - source_index, dtype=np.int64),
                )
            )


def _common_scores(
    book: Book, root: np.random.SeedSequence, block: int, n: int
) -> tuple[NDArray[np.float64] | None, NDArray[np.float64] | None]:
    """The block's common copula normals (n, n_lines) and the t copula's per-year divisor."""
    if book.dependence is None:
        return None, None
    generator = block_generator(root, block, DEPENDENCE_STREAM)
    common = book.dependence.correlated_normals(generator, n)
    return common, book.dependence.mixing(generator, n)


def _policy_scores(
    book: Book,
    policy_root: np.random.SeedSequence,
    block: int,
    n: int,
    common: NDArray[np.float64] | None,
    mixing: NDArray[np.float64] | None,
) -> NDArray[np.float64] | None:
    """A policy's copula scores (n, n_lines): sqrt(w) common + sqrt(1 - w) own, w the share
    between policies, the own part N(0, correlation) from the policy's stream; divided by the
    book's common t divisor."""
    if book.dependence is None or common is None:
        return None
    w = book.between_policies
    if w == 1.0:
        scores = common.copy()
    else:
        own = book.dependence.correlated_normals(
            block_generator(policy_root, block, DEPENDENCE_STREAM), n
        )
        scores = math.sqrt(w) * common + math.sqrt(1.0 - w) * own
    if mixing is not None:
        scores /= mixing[:, None]
    return scores


def reorder_draw(draw: SparseLineDraw, score: NDArray[np.float64]) -> SparseLineDraw:
    """Move a line's claim years so that their ranks follow ``score`` (Iman–Conover).

    The years are ranked by their claim sums (years without a claim lowest, ties in draw
    order) and given the years of the same score rank: the k claim years go to the k years of
    highest score, the smallest sum to the lowest of those.  Each year keeps its claims whole
    (count, payments, largest).  The scores are independent of the draw, so the permutation is
    uniform given the draw and the line's law is unchanged (its years are i.i.d.).  O(n) in
    the block's years (a partition), O(k log k) in its claim years.
    """
    k = draw.years.size
    n = score.shape[0]
    if k == 0:
        return draw
    top = np.argpartition(score, n - k)[n - k :] if k < n else np.arange(n)
    top = top[np.argsort(score[top], kind="stable")]
    by_value = np.argsort(draw.claim_sums, kind="stable")
    new_year = np.empty(k, dtype=np.intp)
    new_year[by_value] = top
    order = np.argsort(new_year, kind="stable")
    counts = draw.counts[order]
    payments = draw.payments
    if payments is not None:
        starts = np.cumsum(draw.counts) - draw.counts
        offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        payments = payments[np.repeat(starts[order], counts) + offsets]
    return SparseLineDraw(
        years=new_year[order],
        counts=counts,
        payments=payments,
        claim_sums=draw.claim_sums[order],
        largest=draw.largest[order],
    )


def _add_to_sums(
    out: BlockOutput,
    policy_sum: NDArray[np.float64] | None,
    rows: NDArray[np.intp],
    line: int,
    annual: NDArray[np.float64],
) -> None:
    """Add a policy line's annual losses at ``rows`` to its policy's and its line's sums."""
    assert policy_sum is not None and out.line_annual is not None
    # rows are distinct, so fancy-index += adds each year once
    policy_sum[rows] += annual
    out.line_annual[rows, line] += annual


#: Bytes of one kept occurrence (year index, payment, source) and the copies held at once
#: while they are gathered: the blocks' pieces, their concatenation and the table's own copy.
_OCCURRENCE_BYTES: int = 24
_OCCURRENCE_COPIES: int = 3


def portfolio_peak_bytes(
    book: Book,
    n_years: int,
    *,
    keep_occurrences: bool,
    workers: int = 1,
    keep_policies: bool = True,
) -> float:
    """Estimated peak memory of a portfolio simulation, bytes: what the memory guard compares.

    The result arrays (each policy's lines, the policy totals, the per-line and event maxima,
    the totals, the countries, the event flags), one block's working set of the claim loop
    for the most frequent policy line (``workers`` of them at once), and with
    ``keep_occurrences`` every occurrence with a positive payment (a line's expected claims
    times the chance that a claim exceeds the occurrence deductible, plus the shocks'
    expected events) held three times over while the blocks' pieces are gathered into the
    table.
    """
    n_policies = len(book.policies)
    if keep_policies:
        cube = n_policies * book.n_lines + n_policies
    else:  # the lines' and the book's totals; the line totals are summed once more on reading
        cube = 2 * book.n_lines
    per_year = 8.0 * (cube + book.n_lines + 2 + book.n_countries) + len(book.sources)
    specs = [spec for policy in book.policies for spec in policy.lines]
    n_block = min(BLOCK_YEARS, n_years)
    loop = max(
        (claim_loop_bytes(s.model.frequency.mean(), n_block, sparse=True) for s in specs),
        default=0.0,
    )
    # each thread's block also holds its per-line claim maxima, the shocks' draws and (without
    # the cube) its policy's running sum
    loop += 8.0 * n_block * (book.n_lines + 2 + len(book.sources))
    if book.dependence is not None:  # the common and one policy's scores, and a partition
        loop += 8.0 * n_block * (3 * book.n_lines + 2)
    if keep_occurrences:
        kept = math.fsum(
            s.model.frequency.mean() * float(s.model.severity.sf(s.model.layer.deductible))
            for s in specs
        ) + math.fsum(source.probability for source in book.sources)
        per_year += _OCCURRENCE_COPIES * _OCCURRENCE_BYTES * kept
    return per_year * n_years + loop * max(1, workers)


#: One chunk's occurrences: year index, payment and source of each, in simulation order.
ChunkOccurrences = tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]]


def allocate_output(book: Book, n: int, keep_policies: bool = True) -> BlockOutput:
    """Zero-filled result arrays for ``n`` years of the book (without the policies' cube, the
    lines' and the book's totals instead)."""
    return BlockOutput(
        annual=np.zeros((n, len(book.policies), book.n_lines), order="F")
        if keep_policies
        else None,
        max_occurrence=np.zeros((n, book.n_lines), order="F"),
        max_event=np.zeros(n),
        by_country=np.zeros((n, book.n_countries), order="F"),
        events=np.zeros((n, len(book.sources)), dtype=bool, order="F"),
        line_annual=None if keep_policies else np.zeros((n, book.n_lines), order="F"),
        total=None if keep_policies else np.zeros(n),
    )


def block_rows(out: BlockOutput, rows: slice) -> BlockOutput:
    """Views of the rows ``rows`` of every result array."""
    return BlockOutput(
        annual=None if out.annual is None else out.annual[rows],
        max_occurrence=out.max_occurrence[rows],
        max_event=out.max_event[rows],
        by_country=out.by_country[rows],
        events=out.events[rows],
        line_annual=None if out.line_annual is None else out.line_annual[rows],
        total=None if out.total is None else out.total[rows],
    )


def write_rows(out: BlockOutput, rows: slice, source: BlockOutput) -> None:
    """Copy ``source`` (a chunk's arrays) into the rows ``rows`` of every result array."""
    target = block_rows(out, rows)
    for column in fields(BlockOutput):
        array = getattr(target, column.name)
        if array is not None:
            array[...] = getattr(source, column.name)


def concatenate_occurrences(pieces: list[ChunkOccurrences]) -> ChunkOccurrences:
    """The occurrences of several blocks or chunks, one after the other (empty arrays if none)."""
    if not pieces:
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros(0), empty.copy()
    return (
        np.concatenate([o[0] for o in pieces]),
        np.concatenate([o[1] for o in pieces]),
        np.concatenate([o[2] for o in pieces]),
    )


def simulate_chunk(
    book: Book,
    blocks: range,
    root: np.random.SeedSequence,
    n_years: int,
    keep_occurrences: bool,
    keep_policies: bool = True,
    out: BlockOutput | None = None,
) -> tuple[BlockOutput, ChunkOccurrences | None]:
    """Simulate a run of whole blocks: the kernel of the engine's run loop.

    A pure function of the book, the root seed and the block indices.  ``out`` (zero-filled
    views of the chunk's rows of the result arrays) receives the rows in place; otherwise new
    arrays are returned (in a Dask worker).  The occurrences come block by block, in
    simulation order.
    """
    bounds = block_bounds(n_years)
    first_year = bounds[blocks.start][0]
    if out is None:
        out = allocate_output(book, bounds[blocks.stop - 1][1] - first_year, keep_policies)
    occurrences: list[ChunkOccurrences] | None = [] if keep_occurrences else None
    for block in blocks:
        start, stop = bounds[block]
        rows = slice(start - first_year, stop - first_year)
        simulate_block(book, root, block, start, block_rows(out, rows), occurrences)
    return out, None if occurrences is None else concatenate_occurrences(occurrences)


def _attribute_to_countries(
    by_country: NDArray[np.float64],
    spec: PolicyLine,
    annual: NDArray[np.float64],
    line_years: _LineYears,
    hits: list[tuple[_Shock, int, NDArray[np.float64]]],
    book: Book,
) -> None:
    """Split a line's annual loss (after terms, at ``line_years.rows``) over countries, pro
    rata to what caused it."""
    rows = line_years.rows
    pre_aggregate = line_years.pre_aggregate
    if hits:
        # Share of the year's pre-aggregate payments that came from the policy's own claims;
        # a year with no payment at all has a zero annual loss, whatever the share.
        claim_sums = line_years.claim_sums
        own = np.divide(
            claim_sums, pre_aggregate, out=np.zeros_like(claim_sums), where=pre_aggregate > 0.0
        )
        base = annual * own
    else:
        base = annual
    for country, weight in spec.attribution:
        by_country[rows, country] += base * weight
    for (shock, source_index, paid), at in zip(hits, line_years.shock_rows, strict=True):
        country = book.sources[source_index].country_index
        if country < 0:
            continue
        positive = paid > 0.0
        by_country[shock.years[positive], country] += (
            annual[at[positive]] * paid[positive] / pre_aggregate[at[positive]]
        )


def _collect_occurrences(
    occurrences: list[tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]]],
    spec: PolicyLine,
    policy_index: int,
    n_lines: int,
    fx: float,
    draw: SparseLineDraw,
    line_years: _LineYears,
    hits: list[tuple[_Shock, int, NDArray[np.float64]]],
    years_of_block: NDArray[np.int64],
) -> None:
    """Append a line's own occurrences, and add its shock occurrences to the shock events.

    The aggregate terms are attributed in occurrence order: the line's claims of a year first,
    then the shock occurrences in shock-source order.
    """
    assert draw.payments is not None
    layer = spec.model.layer
    paid = layer.attribute_aggregate(draw.counts, draw.payments)
    if fx != 1.0:
        paid *= fx
    keep = paid > 0.0
    year = np.repeat(years_of_block[draw.years], draw.counts)
    occurrences.append(
        (year[keep], paid[keep], np.full(int(keep.sum()), policy_index * n_lines + spec.line))
    )
    if not hits:
        return
    running = line_years.claim_sums.copy()
    for (shock, _, shock_paid), at in zip(hits, line_years.shock_rows, strict=True):
        before = running[at]
        running[at] = before + shock_paid
        shock.attributed += layer.aggregate_increment(before, shock_paid) * (layer.share * fx)
