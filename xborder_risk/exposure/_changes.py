"""Changes to a submission by field path (``"terms.cyber.deductible"``): the options an
underwriter quotes side by side, and the expiring terms of a renewal."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from xborder_risk.exposure._base import FieldError, InvalidSubmissionError, format_path

__all__ = ["apply_changes", "split_path"]

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split_path(path: str) -> tuple[str | int, ...]:
    """``"tech_failure.systems[0].age_years"`` -> ``("tech_failure", "systems", 0, "age_years")``.

    A list item is ``[i]`` or ``.i``.  Raises :class:`InvalidSubmissionError` (rule
    ``path``) for an empty or malformed path.
    """
    text = path.strip() if isinstance(path, str) else ""
    parts: list[str | int] = []
    position = 0
    while text and position < len(text):
        if parts and text[position] == ".":
            position += 1
        found = _PART.match(text, position)
        if found is None:
            break
        name, index = found.groups()
        parts.append(int(index) if index is not None else int(name) if name.isdigit() else name)
        position = found.end()
    if not parts or position != len(text):
        raise InvalidSubmissionError(
            [
                FieldError(
                    str(path), "not a field path such as 'terms.cyber.deductible'", path, "path"
                )
            ]
        )
    return tuple(parts)


def _plain(value: object) -> object:
    """A model (or a list or mapping of them) as the plain data a submission file holds."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def apply_changes(data: dict[str, Any], changes: Mapping[str, object]) -> dict[str, Any]:
    """Set each ``path: value`` of ``changes`` in ``data`` (a submission as plain data).

    Every step but the last must exist (a field of the model that is set, or an item of a
    list); the last may be a field that is unset (``None``) or absent, pydantic then judges it.

    Raises
    ------
    InvalidSubmissionError
        Naming each path that leads nowhere (rule ``unknown_path``).
    """
    errors: list[FieldError] = []
    for path, value in changes.items():
        parts = split_path(path)
        node: Any = data
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            where = format_path(parts[: depth + 1])
            if isinstance(node, dict) and isinstance(part, str):
                if last:
                    node[part] = _plain(value)
                elif isinstance(node.get(part), dict | list):
                    node = node[part]
                else:
                    known = node.get(part, "absent") is None
                    errors.append(
                        FieldError(
                            path,
                            f"'{where}' is not set in the submission, so it has no field "
                            f"'{parts[depth + 1]}'; give '{where}' whole"
                            if known
                            else f"no field '{part}' here (fields: {', '.join(sorted(node))})",
                            value,
                            "unknown_path",
                        )
                    )
                    break
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                if last:
                    node[part] = _plain(value)
                else:
                    node = node[part]
            else:
                kind = "a list" if isinstance(node, list) else "a single value"
                errors.append(
                    FieldError(
                        path, f"'{where}' does not exist ({kind} here)", value, "unknown_path"
                    )
                )
                break
    if errors:
        raise InvalidSubmissionError(errors)
    return data
