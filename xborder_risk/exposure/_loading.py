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

References
----------
YAML 1.2.2 specification, §10.3 "Core Schema", https://yaml.org/spec/1.2.2/#103-core-schema;
YAML 1.1 boolean type, https://yaml.org/type/bool.html.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, ScalarNode

__all__ = [
    "DuplicateKeyError",
    "SubmissionYamlDumper",
    "SubmissionYamlLoader",
    "dump_yaml_text",
    "load_json_text",
    "load_yaml_text",
]

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


class SubmissionYamlLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with YAML 1.2-style scalar resolution and no duplicate keys."""

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

    def construct_decimal_int(self, node: ScalarNode) -> int:
        return int(str(self.construct_scalar(node)), 10)

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


def load_json_text(text: str | bytes) -> Any:
    """Parse JSON text, rejecting duplicate keys.

    ``NaN`` and ``Infinity`` are parsed (Python's json accepts them) so that the models can
    reject them with a message naming the field.
    """
    return json.loads(text, object_pairs_hook=_no_duplicate_keys)
