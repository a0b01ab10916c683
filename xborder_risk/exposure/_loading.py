"""Reading submission files: a YAML 1.2-style safe loader and a duplicate-key-aware JSON reader.

PyYAML implements YAML 1.1, whose implicit typing is a trap for cross-border data: the country
code ``NO`` (Norway) becomes ``False``, ``ON`` becomes ``True``, ``012`` becomes the octal 10
and ``2026-01-01`` a ``date``.  :class:`SubmissionYamlLoader` keeps PyYAML's safe constructors
(no Python objects are ever built) but resolves plain scalars with the rules of the YAML 1.2
core schema, narrowed further:

* booleans are only ``true`` / ``false`` (``True``, ``TRUE``, ...); ``yes``, ``no``, ``on``,
  ``off``, ``y``, ``n`` stay strings;
* integers are decimal without leading zeros (``0``, ``-12``, ``350000``); ``012``, ``0x1F``
  and ``1_000`` stay strings, so a strict number field rejects them instead of misreading them;
* floats are decimal with a dot and/or an exponent (``1.5``, ``1e6``, ``-2.5E-3``) and the
  YAML spellings ``.inf`` / ``.nan`` (which the models then reject with a clear message);
* null is ``~``, ``null`` or empty; timestamps are not resolved (dates stay ISO strings and
  the models parse them).

A mapping with the same key twice is an error (PyYAML and ``json`` silently keep the last).

Parse cost is bounded, not only the file's size (:func:`read_regular_file` checks that before
reading): a document may hold at most :data:`MAX_NODES` values (mappings, lists and scalars, an
alias counted as the whole value it repeats, so a "billion laughs" document is refused as it is
read) and a list at most :data:`MAX_LIST_ITEMS` items; an integer literal longer than
:data:`MAX_INT_DIGITS` digits (no field accepts one) is read as an :class:`OversizedNumber`
that the models reject naming the field, instead of meeting Python's integer-string
conversion limit (4,300 digits) as an unnamed ``ValueError``.

References
----------
YAML 1.2.2 specification, §10.3 "Core Schema", https://yaml.org/spec/1.2.2/#103-core-schema;
YAML 1.1 boolean type, https://yaml.org/type/bool.html.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from typing import Any, Final

import yaml
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = [
    "MAX_INT_DIGITS",
    "MAX_LIST_ITEMS",
    "MAX_NODES",
    "DocumentTooLargeError",
    "DuplicateKeyError",
    "InputFileError",
    "OversizedNumber",
    "SubmissionYamlDumper",
    "SubmissionYamlLoader",
    "dump_yaml_text",
    "load_json_text",
    "load_yaml_text",
    "read_regular_file",
]

#: Most values (mappings, lists, scalars; an alias counts as the value it repeats) one
#: submission document may hold.  A four-line submission holds about 150; a tech-failure
#: system about 17, so the cap leaves room for some 10,000 systems.  Reading YAML costs about
#: 40 microseconds a value, so the cap also bounds the parse at a few seconds.
MAX_NODES: Final[int] = 200_000
#: Most items one list may hold (systems, personnel groups, contracts, countries...).
MAX_LIST_ITEMS: Final[int] = 10_000
#: Longest integer literal read as a number.  The largest value any field accepts is 1e18
#: (19 digits); Python refuses to convert integers of more than 4,300 digits.
MAX_INT_DIGITS: Final[int] = 30

_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(
    r"""^(?:
        [-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?   # 1.5  .5  1.  1.5e3
      | [-+]?[0-9]+[eE][-+]?[0-9]+                             # 1e6
      | [-+]?\.(?:inf|Inf|INF)
      | \.(?:nan|NaN|NAN)
    )$""",
    re.VERBOSE,
)
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


class DuplicateKeyError(ValueError):
    """A YAML or JSON mapping names the same key twice."""


class DocumentTooLargeError(ValueError):
    """A document holds more values, or a list more items, than the documented caps."""


class InputFileError(ValueError):
    """An input path is not a regular file, or is larger than the cap; nothing was read."""


class OversizedNumber:
    """An integer literal too long to be any field's value, kept as its digit count.

    The models reject it like any value of the wrong type (``Input should be a valid
    integer``), naming the field, and show it as ``<integer of N digits>``.
    """

    __slots__ = ("digits",)

    def __init__(self, text: str) -> None:
        self.digits = sum(ch.isdigit() for ch in text)

    def __repr__(self) -> str:
        return f"<integer of {self.digits:,} digits>"


def _integer(text: str) -> int | OversizedNumber:
    if len(text.lstrip("+-")) > MAX_INT_DIGITS:
        return OversizedNumber(text)
    return int(text, 10)


def _too_many_nodes(count: int) -> DocumentTooLargeError:
    return DocumentTooLargeError(
        f"document holds more than {MAX_NODES:,} values (read {count:,} so far): "
        "refused before validation"
    )


def _too_many_items(count: int, where: str) -> DocumentTooLargeError:
    return DocumentTooLargeError(
        f"a list{where} holds more than {MAX_LIST_ITEMS:,} items (read {count:,} so far)"
    )


def read_regular_file(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """Read a whole regular file of at most ``max_bytes`` bytes.

    The file is opened without blocking (a FIFO would otherwise wait for a writer) and its
    type and size are checked on the open descriptor before anything is read, so a FIFO, a
    device such as ``/dev/zero``, a directory or an oversize file is refused at once.

    Parameters
    ----------
    path : str or path-like
        The file.
    max_bytes : int
        Largest size accepted, in bytes.

    Raises
    ------
    FileNotFoundError, PermissionError
        If the file cannot be opened.
    InputFileError
        If it is not a regular file or is larger than ``max_bytes`` (also if it grows past
        the cap while being read).
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = (
                "a directory"
                if stat.S_ISDIR(info.st_mode)
                else "a FIFO (named pipe)"
                if stat.S_ISFIFO(info.st_mode)
                else "a device"
                if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
                else "a socket"
                if stat.S_ISSOCK(info.st_mode)
                else "not a regular file"
            )
            raise InputFileError(f"{kind}, not a regular file: only regular files are read")
        if info.st_size > max_bytes:
            raise InputFileError(
                f"file of {info.st_size:,} bytes exceeds the {max_bytes:,}-byte limit"
            )
        chunks = []
        total = 0
        while chunk := os.read(fd, min(1 << 20, max_bytes + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:  # grew while being read (e.g. a log file)
                raise InputFileError(f"file grew past the {max_bytes:,}-byte limit while read")
        return b"".join(chunks)
    finally:
        os.close(fd)


class SubmissionYamlLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with YAML 1.2-style scalar resolution and no duplicate keys.

    It counts values as it composes them and stops at :data:`MAX_NODES` (an alias adds the
    size of the value it repeats) or at a list of more than :data:`MAX_LIST_ITEMS` items.
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._n_nodes = 0
        self._anchored_sizes: dict[str, int] = {}

    def _count(self, n: int) -> None:
        self._n_nodes += n
        if self._n_nodes > MAX_NODES:
            raise _too_many_nodes(self._n_nodes)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(parent, SequenceNode) and isinstance(index, int) and index >= MAX_LIST_ITEMS:
            mark = parent.start_mark
            raise _too_many_items(index + 1, f" at line {mark.line + 1}, column {mark.column + 1}")
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)
            self._count(self._anchored_sizes.get(str(event.anchor), 1))
            return node
        start = self._n_nodes
        self._count(1)
        node = super().compose_node(parent, index)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._anchored_sizes[str(anchor)] = self._n_nodes - start
        return node

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, ScalarNode):
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                if key in seen:
                    raise ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"found duplicate key {key!r} (first at line {seen[key].line + 1})",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark
            except TypeError:  # unhashable key: the base class reports it
                continue
        return super().construct_mapping(node, deep=deep)

    def construct_strict_bool(self, node: ScalarNode) -> bool:
        return str(self.construct_scalar(node)).lower() == "true"

    def construct_decimal_int(self, node: ScalarNode) -> int | OversizedNumber:
        return _integer(str(self.construct_scalar(node)))

    def construct_decimal_float(self, node: ScalarNode) -> float:
        text = str(self.construct_scalar(node)).lower()
        if text.endswith(".inf"):
            return -math.inf if text.startswith("-") else math.inf
        if text == ".nan":
            return math.nan
        return float(text)


# Start from no implicit resolvers at all, then add the narrowed YAML 1.2 set.
SubmissionYamlLoader.yaml_implicit_resolvers = {}
SubmissionYamlLoader.add_implicit_resolver(_BOOL_TAG, _BOOL, list("tTfF"))
SubmissionYamlLoader.add_implicit_resolver(_INT_TAG, _INT, list("-+0123456789"))
SubmissionYamlLoader.add_implicit_resolver(_FLOAT_TAG, _FLOAT, list("-+0123456789."))
SubmissionYamlLoader.add_implicit_resolver(_NULL_TAG, _NULL, ["~", "n", "N", ""])
SubmissionYamlLoader.add_implicit_resolver(_MERGE_TAG, re.compile(r"^(?:<<)$"), ["<"])
SubmissionYamlLoader.add_constructor(_BOOL_TAG, SubmissionYamlLoader.construct_strict_bool)
SubmissionYamlLoader.add_constructor(_INT_TAG, SubmissionYamlLoader.construct_decimal_int)
SubmissionYamlLoader.add_constructor(_FLOAT_TAG, SubmissionYamlLoader.construct_decimal_float)


class SubmissionYamlDumper(yaml.SafeDumper):
    """``yaml.SafeDumper`` that quotes every string either YAML 1.1 or our loader would misread.

    PyYAML quotes a string only when its own (YAML 1.1) resolvers would read it as another
    type; ``0E0`` is a string in YAML 1.1 but a float under the YAML 1.2 rules of
    :class:`SubmissionYamlLoader`, and ``NO`` the reverse.  Registering both sets of resolvers
    quotes both, so the output reads back identically with either reader.
    """


_LINE_BREAKS = re.compile("[\r\x85\u2028\u2029]")


def _represent_str(dumper: SubmissionYamlDumper, value: str) -> ScalarNode:
    # YAML 1.1 folds NEL and the Unicode line/paragraph separators in plain and block scalars;
    # only the double-quoted style escapes them (\N, \L, \P) so that they survive.
    style = '"' if _LINE_BREAKS.search(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


SubmissionYamlDumper.add_representer(str, _represent_str)

for _first, _resolvers in SubmissionYamlLoader.yaml_implicit_resolvers.items():
    for _tag, _regexp in _resolvers:
        SubmissionYamlDumper.add_implicit_resolver(_tag, _regexp, [_first])


def dump_yaml_text(data: Any) -> str:
    """Serialise plain data to YAML text readable by both YAML 1.1 and our loader."""
    return yaml.dump(data, Dumper=SubmissionYamlDumper, sort_keys=False, allow_unicode=True)


def load_yaml_text(text: str) -> Any:
    """Parse YAML text with :class:`SubmissionYamlLoader` (safe: builds only plain data).

    This is ``yaml.safe_load`` with the narrowed resolvers: the loader derives from
    ``yaml.SafeLoader``, so tags such as ``!!python/object`` are refused.

    Raises
    ------
    yaml.YAMLError
        If the text is not YAML or repeats a key.
    DocumentTooLargeError
        Over :data:`MAX_NODES` values or a list over :data:`MAX_LIST_ITEMS` items.
    """
    loader = SubmissionYamlLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKeyError(f"duplicate key {key!r} in a JSON object")
        result[key] = value
    return result


def _check_json_size(data: Any) -> None:
    # json.loads is C code and linear in the text (capped by the file size); what is costly is
    # validating a huge document, so its values are counted before the models see it.
    count = 0
    stack = [data]
    while stack:
        item = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise _too_many_nodes(count)
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            if len(item) > MAX_LIST_ITEMS:
                raise _too_many_items(len(item), "")
            stack.extend(item)


def load_json_text(text: str | bytes) -> Any:
    """Parse JSON text, rejecting duplicate keys and documents over the size caps.

    ``NaN`` and ``Infinity`` are parsed (Python's json accepts them) so that the models can
    reject them with a message naming the field.

    Raises
    ------
    json.JSONDecodeError, DuplicateKeyError
        If the text is not JSON or repeats a key.
    DocumentTooLargeError
        Over :data:`MAX_NODES` values or a list over :data:`MAX_LIST_ITEMS` items.
    """
    data = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_int=_integer)
    _check_json_size(data)
    return data
