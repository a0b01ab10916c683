"""Random streams keyed to fixed blocks of simulated years.

A result must not depend on how the work is cut into compute chunks or spread over
workers, and numpy does not promise that five draws of one equal one draw of five.
So the years are split into fixed blocks of :data:`BLOCK_YEARS` (the last block may be
shorter) and every (block, stream) pair owns a generator seeded from the root
``SeedSequence`` by its spawn key ``(block, stream)`` — never ``seed + block``, which
makes neighbouring seeds share streams (numpy, "Parallel random number generation").
A compute chunk is always a run of whole blocks.

A line's stream id is derived from its *name* (:func:`line_stream_key`), not from its position
in the list of lines, so a line's draws are the same whatever else is simulated beside it
(issue 17: a line priced on its own). Results made before that change keyed a line by its
position; :func:`line_stream_keys` with ``stream_keys="position"`` reproduces them.
"""

from __future__ import annotations

import hashlib
import numbers
from collections.abc import Sequence
from typing import Literal

import numpy as np

from xborder_risk.errors import ParameterError

__all__ = [
    "BLOCK_YEARS",
    "DEFAULT_STREAM_KEYS",
    "STREAM_KEYS",
    "StreamKeys",
    "block_bounds",
    "block_generator",
    "line_stream_key",
    "line_stream_keys",
    "root_seed_sequence",
]

#: Years per random block. Fixed: changing it changes every simulated result.
BLOCK_YEARS: int = 1 << 16

#: Stream ids at or above this are reserved for draws shared across lines
#: (dependence, common shocks), so adding them never moves a line's own stream.
SHARED_STREAM_BASE: int = 1 << 20

#: How a line's stream id is chosen: ``"name"`` (from the line's name, the default since
#: issue 17) or ``"position"`` (its index in the list of lines: every result made before).
StreamKeys = Literal["name", "position"]
STREAM_KEYS: tuple[StreamKeys, ...] = ("name", "position")

#: The keying of every new simulation. The one place the choice is made: quotes record it
#: in their provenance, and a record without it was made with ``"position"``.
DEFAULT_STREAM_KEYS: StreamKeys = "name"

#: Top bit set on every name key, so a name key (>= 2**63) can never equal a position or a
#: shared stream id (all far below 2**63).
_NAME_KEY_BIT: int = 1 << 63


def line_stream_key(name: str) -> int:
    """The stream id of the line called ``name``: a stable 64-bit integer.

    The first 8 bytes of the SHA-256 of the UTF-8 name, big-endian, with the top bit set.
    Never Python's ``hash()``, which is salted per process.
    """
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") | _NAME_KEY_BIT


def line_stream_keys(owner: str, names: Sequence[str], stream_keys: object) -> tuple[int, ...]:
    """The stream id of each line of a simulation, in order.

    Parameters
    ----------
    owner : str
        The function asking, for error messages.
    names : sequence of str
        The lines' names, unique.
    stream_keys : {"name", "position"}
        ``"name"``: :func:`line_stream_key` of each name, so a line's draws do not depend on
        the other lines; ``"position"``: the line's index (results made before issue 17).

    Raises
    ------
    ParameterError
        ``stream_keys`` is neither, a name is repeated, or two names share a key (a 63-bit
        hash collision: rename one).
    """
    if not isinstance(stream_keys, str) or stream_keys not in STREAM_KEYS:
        raise ParameterError(owner, "stream_keys", stream_keys, "must be 'name' or 'position'")
    duplicates = sorted({n for n in names if list(names).count(n) > 1})
    if duplicates:
        raise ParameterError(
            owner, "models", duplicates, "line names must be unique (a line's stream is its name)"
        )
    if stream_keys == "position":
        return tuple(range(len(names)))
    keys = tuple(line_stream_key(n) for n in names)
    if len(set(keys)) != len(keys):  # pragma: no cover - a 63-bit hash collision
        raise ParameterError(owner, "models", list(names), "collide in their stream keys")
    return keys


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
    """The generator owning ``stream`` (a line's key, or a shared stream) in ``block``."""
    child = np.random.SeedSequence(
        entropy=root.entropy,
        spawn_key=(*root.spawn_key, block, stream),
        pool_size=root.pool_size,
    )
    return np.random.Generator(np.random.PCG64(child))


def block_bounds(n_years: int) -> list[tuple[int, int]]:
    """``(start, stop)`` year indices of every block of an ``n_years`` simulation."""
    return [(start, min(start + BLOCK_YEARS, n_years)) for start in range(0, n_years, BLOCK_YEARS)]
