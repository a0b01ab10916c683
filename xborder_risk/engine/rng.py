"""Random streams keyed to fixed blocks of simulated years.

A result must not depend on how the work is cut into compute chunks or spread over
workers, and numpy does not promise that five draws of one equal one draw of five.
So the years are split into fixed blocks of :data:`BLOCK_YEARS` (the last block may be
shorter) and every (block, stream) pair owns a generator seeded from the root
``SeedSequence`` by its spawn key ``(block, stream)`` — never ``seed + block``, which
makes neighbouring seeds share streams (numpy, "Parallel random number generation").
A compute chunk is always a run of whole blocks.
"""

from __future__ import annotations

import numbers

import numpy as np

from xborder_risk.errors import ParameterError

__all__ = ["BLOCK_YEARS", "block_bounds", "block_generator", "root_seed_sequence"]

#: Years per random block. Fixed: changing it changes every simulated result.
BLOCK_YEARS: int = 1 << 16

#: Stream ids at or above this are reserved for draws shared across lines
#: (dependence, common shocks), so adding them never moves a line's own stream.
SHARED_STREAM_BASE: int = 1 << 20


def root_seed_sequence(seed: object) -> np.random.SeedSequence:
    """The root ``SeedSequence`` from an int >= 0 or a ``SeedSequence``."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, bool | np.bool_) or not isinstance(seed, numbers.Integral):
        raise ParameterError(
            "simulate", "seed", seed, "must be a non-negative integer or a numpy SeedSequence"
        )
    if int(seed) < 0:
        raise ParameterError("simulate", "seed", seed, "must be >= 0")
    return np.random.SeedSequence(int(seed))


def block_generator(root: np.random.SeedSequence, block: int, stream: int) -> np.random.Generator:
    """The generator owning ``stream`` (a line index, or a shared stream) in ``block``."""
    child = np.random.SeedSequence(
        entropy=root.entropy,
        spawn_key=(*root.spawn_key, block, stream),
        pool_size=root.pool_size,
    )
    return np.random.Generator(np.random.PCG64(child))


def block_bounds(n_years: int) -> list[tuple[int, int]]:
    """``(start, stop)`` year indices of every block of an ``n_years`` simulation."""
    return [(start, min(start + BLOCK_YEARS, n_years)) for start in range(0, n_years, BLOCK_YEARS)]
