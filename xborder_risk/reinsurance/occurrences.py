"""Occurrence-level losses: the table a per-occurrence treaty needs, drawn as the engine draws.

The engine (:func:`xborder_risk.engine.simulate`) keeps only annual sums and the largest
occurrence of each year.  A per-occurrence excess of loss treaty needs every occurrence, so this
module redraws them from the *same* random streams with the engine's own claim loop
(:func:`xborder_risk.engine.claims.draw_line_block`): for each block of
:data:`~xborder_risk.engine.BLOCK_YEARS` years and each line, the generator
``block_generator(root, block, key)`` (``key`` the line's stream key, from its name) gives the
claim counts and then the severities.
Summing the occurrences of a year therefore gives the engine's annual loss (see
:func:`occurrences_from_models`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from xborder_risk._validation import as_float_array, as_int_array, check_int
from xborder_risk.engine import Layer, LossModel
from xborder_risk.engine.claims import claim_loop_bytes, draw_line_block
from xborder_risk.engine.kernel import check_models
from xborder_risk.engine.rng import (
    BLOCK_YEARS,
    DEFAULT_STREAM_KEYS,
    StreamKeys,
    block_bounds,
    block_generator,
    line_stream_keys,
    root_seed_sequence,
)
from xborder_risk.engine.runner import ChunkRun, run_chunks, run_options
from xborder_risk.errors import ParameterError, SimulationError

__all__ = ["OccurrenceTable", "attribute_aggregate_terms", "occurrences_from_models"]

# Bytes per stored occurrence: year index (int64), loss (float64), source (int64).
_BYTES_PER_OCCURRENCE = 24
# Copies held at once: the blocks' pieces, their concatenation, the table's own copy.
_OCCURRENCE_COPIES = 3


@dataclass(frozen=True, slots=True, eq=False)
class OccurrenceTable:
    """Every simulated occurrence: the year it fell in and the insurer's payment for it.

    Parameters
    ----------
    year_index : array_like of int, shape (n_occurrences,)
        Simulated year of each occurrence, ``0 <= year_index < n_years``.
    loss : array_like of float, shape (n_occurrences,)
        Payment for each occurrence, currency units, finite and ``>= 0``.
    n_years : int
        Number of simulated years (years without an occurrence have none in the table).
    source : array_like of int, shape (n_occurrences,), optional
        Where each occurrence came from: the line index for :func:`occurrences_from_models`;
        ``policy * n_lines + line`` for a portfolio's own claims and ``-1 - k`` for an event of
        the portfolio's common shock ``k``, summed over the policies and lines it hit
        (:mod:`xborder_risk.portfolio`).

    Notes
    -----
    Arrays are copied and made read-only.  Rows are in simulation order (block by block, then
    line by line, claims of a year in draw order); no reduction depends on that order except
    through float rounding, and the order itself does not depend on how the simulation was
    chunked.
    """

    year_index: NDArray[np.int64]
    loss: NDArray[np.float64]
    n_years: int
    source: NDArray[np.int64] | None = None

    def __post_init__(self) -> None:
        owner = "OccurrenceTable"
        n_years = check_int(owner, "n_years", self.n_years, lower=1)
        years = as_int_array(owner, "year_index", self.year_index)
        loss = as_float_array(
            owner, "loss", self.loss, non_empty=False, non_negative=True, copy=True
        )
        if loss.shape != years.shape:
            raise ParameterError(
                owner, "loss", f"array of shape {loss.shape}", f"must have shape {years.shape}"
            )
        if years.size and (years.min() < 0 or years.max() >= n_years):
            raise ParameterError(
                owner,
                "year_index",
                f"range [{years.min()}, {years.max()}]",
                f"must lie in [0, n_years) = [0, {n_years})",
            )
        source = None
        if self.source is not None:
            source = as_int_array(owner, "source", self.source)
            if source.shape != years.shape:
                raise ParameterError(
                    owner,
                    "source",
                    f"array of shape {source.shape}",
                    f"must have shape {years.shape}",
                )
            source.flags.writeable = False
        years.flags.writeable = False
        loss.flags.writeable = False
        object.__setattr__(self, "n_years", n_years)
        object.__setattr__(self, "year_index", years)
        object.__setattr__(self, "loss", loss)
        object.__setattr__(self, "source", source)

    @property
    def n_occurrences(self) -> int:
        """Number of occurrences in the table."""
        return int(self.loss.size)

    def annual(self) -> NDArray[np.float64]:
        """Sum of the occurrences of each year, shape ``(n_years,)``, currency units per year.

        Notes
        -----
        A segmented sum by ``np.bincount(year_index, weights=loss, minlength=n_years)``; years
        without an occurrence sum to exactly 0.
        """
        return np.bincount(self.year_index, weights=self.loss, minlength=self.n_years).astype(
            np.float64, copy=False
        )

    def max_occurrence(self) -> NDArray[np.float64]:
        """Largest occurrence of each year (0 for a year without one), shape ``(n_years,)``."""
        largest = np.zeros(self.n_years, dtype=np.float64)
        np.maximum.at(largest, self.year_index, self.loss)
        return largest

    def count(self) -> NDArray[np.int64]:
        """Number of occurrences in each year, shape ``(n_years,)``."""
        return np.bincount(self.year_index, minlength=self.n_years).astype(np.int64, copy=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per occurrence: ``year``, ``loss`` (and ``source`` when known)."""
        columns: dict[str, NDArray[np.generic]] = {
            "year": np.asarray(self.year_index),
            "loss": np.asarray(self.loss),
        }
        if self.source is not None:
            columns["source"] = np.asarray(self.source)
        return pd.DataFrame(columns)


def attribute_aggregate_terms(
    layer: Layer, counts: NDArray[np.int64], payments: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Each occurrence's share of its year's layer loss: :meth:`Layer.attribute_aggregate`."""
    return layer.attribute_aggregate(counts, payments)


def occurrences_from_models(
    models: LossModel | Sequence[LossModel],
    n_years: int,
    seed: int | np.random.SeedSequence,
    *,
    max_memory_bytes: int | None = None,
    max_claims_per_year: float | None = None,
    stream_keys: StreamKeys = DEFAULT_STREAM_KEYS,
) -> OccurrenceTable:
    """Every occurrence of a simulation, drawn from the engine's own random streams.

    Parameters
    ----------
    models : LossModel or sequence of LossModel
        The lines, as given to :func:`xborder_risk.engine.simulate` (a line's random stream
        is keyed by its name, so the order does not matter; it only orders ``source``).
    n_years : int
        Number of simulated years, ``>= 1``.
    seed : int or numpy.random.SeedSequence
        Root seed, as given to ``simulate``.
    max_memory_bytes : int, optional
        Refuse (before drawing) a table whose estimated peak memory exceeds this: 24 bytes per
        expected occurrence above the deductible, held three times over while the blocks'
        pieces are gathered into the table, plus one block's claim loop. By default as
        :func:`~xborder_risk.engine.simulate` (``XBORDER_RISK_MAX_MEMORY``, else 85 % of
        what physical memory, ``RLIMIT_AS`` and the cgroup limit leave the process).
    max_claims_per_year : float, optional
        Refuse (before drawing) a line expecting more claims per simulated year; by default
        as :func:`~xborder_risk.engine.simulate` (1e5).
    stream_keys : {"name", "position"}, default "name"
        How each line's stream is keyed, as :func:`~xborder_risk.engine.simulate` takes it.

    Returns
    -------
    OccurrenceTable
        One row per occurrence with a positive payment: ``year_index``, ``loss`` (the
        insurer's payment after every term of the line's layer, share included, currency
        units) and ``source`` (the line index).

    Notes
    -----
    Block by block, line by line, the counts and then the severities are drawn from
    ``block_generator(root, block, key)`` (the line's stream key) by the engine's own claim loop
    (:func:`~xborder_risk.engine.claims.draw_line_block`), so ``table.annual()`` equals
    ``simulate(models, n_years, seed).total`` up to float rounding, and the per-line sums
    without aggregate terms are the engine's bit for bit.  The aggregate deductible and limit
    are attributed to occurrences in the order they fall within the year
    (:meth:`Layer.attribute_aggregate`).  Only the independent-lines engine is reproduced: a
    ``dependence`` reordering of annual losses has no occurrence-level meaning.
    """
    owner = "occurrences_from_models"
    checked = check_models(owner, models, total_reserved=False)
    options = run_options(
        owner,
        n_years=n_years,
        chunk_years=None,
        backend="local",
        client=None,
        progress=None,
        max_memory_bytes=max_memory_bytes,
        max_claims_per_year=max_claims_per_year,
    )
    n_years = options.n_years
    root = root_seed_sequence(seed)
    keys = line_stream_keys(owner, [m.name for m in checked], stream_keys)
    options.refuse_frequent((repr(m.name), m.frequency.mean()) for m in checked)
    expected = n_years * math.fsum(
        m.frequency.mean() * float(m.severity.sf(m.layer.deductible)) for m in checked
    )
    loop = max(claim_loop_bytes(m.frequency.mean(), min(BLOCK_YEARS, n_years)) for m in checked)
    options.refuse_oversize(
        f"n_years={n_years} with {expected:.3g} expected occurrences",
        _OCCURRENCE_COPIES * _BYTES_PER_OCCURRENCE * expected + loop,
    )
    pieces: list[_Occurrences] = []
    run = ChunkRun(
        kernel=_occurrence_chunk,
        shared=checked,
        args=(root, n_years, keys, stream_keys == "position"),
        rows=lambda years: None,
        store=lambda blocks, years, result, in_place: pieces.extend(result),
    )
    run_chunks(options, run)
    return OccurrenceTable(
        year_index=np.concatenate([piece[0] for piece in pieces]),
        loss=np.concatenate([piece[1] for piece in pieces]),
        n_years=n_years,
        source=np.concatenate([piece[2] for piece in pieces]),
    )


#: One line's kept occurrences over one block: year index, payment, source.
_Occurrences = tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]]


def _occurrence_chunk(
    models: tuple[LossModel, ...],
    blocks: range,
    root: np.random.SeedSequence,
    n_years: int,
    keys: tuple[int, ...],
    legacy: bool = False,
    out: None = None,
) -> list[_Occurrences]:
    """The occurrences of a run of whole blocks, block by block and line by line."""
    pieces: list[_Occurrences] = []
    bounds = block_bounds(n_years)
    for block in blocks:
        start, stop = bounds[block]
        for line_index, model in enumerate(models):
            draw = draw_line_block(
                model,
                block_generator(root, block, keys[line_index]),
                stop - start,
                keep_payments=True,
                legacy=legacy,
            )
            assert draw.payments is not None
            paid = model.layer.attribute_aggregate(draw.counts, draw.payments)
            if not np.isfinite(paid).all():
                raise SimulationError(
                    f"line {model.name!r}: a simulated occurrence overflowed to inf; give the "
                    "layer a finite limit or use a lighter-tailed severity"
                )
            year = np.repeat(np.arange(start, stop, dtype=np.int64), draw.counts)
            keep = paid > 0.0
            pieces.append(
                (year[keep], paid[keep], np.full(int(keep.sum()), line_index, dtype=np.int64))
            )
    return pieces
