"""The frozen, strict pydantic base model and the submission error type.

Every exposure model derives from :class:`FrozenModel`.  Cross-field rules raise
:func:`field_error`, which records *where* the broken field sits (``at``) relative to the model
that checks it, so that :class:`InvalidSubmissionError` can print a full field path such as
``terms.cyber.deductible`` even for a rule that involves several fields.
"""

from __future__ import annotations

import reprlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from xborder_risk._basis import STRICT_FROZEN
from xborder_risk.errors import XBorderRiskError
from xborder_risk.exposure._types import PATTERN_DESCRIPTIONS

__all__ = ["FieldError", "FrozenModel", "InvalidSubmissionError", "field_error", "format_path"]

_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxstring = 60
_SHORT_REPR.maxother = 60
_SHORT_REPR.maxlist = 4
_SHORT_REPR.maxdict = 4
_SHORT_REPR.maxlevel = 2


class FrozenModel(BaseModel):
    """Base of every exposure model: immutable, no unknown fields, no type coercion.

    ``strict=True`` stops pydantic from turning ``"1e6"`` into a number or ``True`` into ``1``;
    ``allow_inf_nan=False`` rejects ``nan`` and ``inf`` amounts.  Containers of the models are
    tuples (immutable) declared lax (``strict=False``) so that JSON arrays and Python lists are
    accepted, while every element stays strict.
    """

    model_config = ConfigDict(**STRICT_FROZEN, use_attribute_docstrings=True)

    #: Rules that involve more than one field, by name; the conformance tests generate one
    #: violation for each name, so a new rule without a test fails the suite.
    cross_field_rules: ClassVar[tuple[str, ...]] = ()


def field_error(
    rule: str, message: str, *, at: Sequence[str | int], value: object = None
) -> PydanticCustomError:
    """Build the error a cross-field rule raises.

    Parameters
    ----------
    rule : str
        The rule's name, one of the model's ``cross_field_rules``; becomes the error type.
    message : str
        What is wrong, in words, naming the field and the rule.
    at : sequence of str or int
        The location of the offending field relative to the validating model.
    value : object
        The offending value (shown in messages).
    """
    # Braces in a pre-formatted message would be read as placeholders by pydantic.
    safe = message.replace("{", "(").replace("}", ")")
    return PydanticCustomError(rule, safe, {"at": tuple(at), "value": value})


def format_path(parts: Sequence[object]) -> str:
    """Render a pydantic location as a dotted path: ``tech_failure.systems[1].countries[0]``."""
    text = ""
    for part in parts:
        if part == "[key]":
            # pydantic marks an invalid dict key with a trailing '[key]'; the key itself is
            # already the previous part of the path.
            continue
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True)
class FieldError:
    """One invalid field of a submission.

    Attributes
    ----------
    path : str
        Dotted path of the field from the top of the submission (``""`` for the whole file).
    message : str
        The rule that was broken, in words.
    input : object
        The value that was given (``None`` when the field was missing).
    rule : str
        A short machine-readable name of the rule (pydantic's error type or a
        ``cross_field_rules`` name).
    """

    path: str
    message: str
    input: object = None
    rule: str = ""

    def __str__(self) -> str:
        where = self.path or "<submission>"
        shown = "" if self.rule == "missing" else f" (got {_SHORT_REPR.repr(self.input)})"
        return f"{where}: {self.message}{shown}"


class InvalidSubmissionError(XBorderRiskError):
    """A submission (file, JSON text or mapping) broke one or more rules.

    Raised by :meth:`Submission.from_file`, :meth:`Submission.from_json` and
    :meth:`Submission.from_data` (constructing a model directly raises pydantic's
    ``ValidationError``, also a ``ValueError``).  The message lists every invalid field by its
    path from the top of the submission.

    Attributes
    ----------
    errors : tuple of FieldError
        Every broken rule, in the order pydantic found them.
    source : str or None
        The file the submission came from, if any.
    model : str
        The model that was validated (``"Submission"``).
    """

    def __init__(
        self, errors: Sequence[FieldError], *, source: str | None = None, model: str = "Submission"
    ) -> None:
        self.errors = tuple(errors)
        self.source = source
        self.model = model
        n = len(self.errors)
        head = f"{source}: " if source else ""
        lines = "\n".join(f"  - {e}" for e in self.errors)
        super().__init__(f"{head}invalid {model} ({n} error{'s' if n != 1 else ''}):\n{lines}")

    @property
    def paths(self) -> tuple[str, ...]:
        """The field paths of all errors, in order."""
        return tuple(e.path for e in self.errors)

    @classmethod
    def from_validation_error(
        cls, exc: ValidationError, *, source: str | None = None
    ) -> InvalidSubmissionError:
        """Translate pydantic's ``ValidationError`` into field paths and messages."""
        errors = []
        items = exc.errors(include_url=False)
        # pydantic counts a list's length after dropping its invalid items, so one bad item in
        # a list that needs at least one also reports "should have at least 1 item" for the
        # list: that follow-on error is left out (the item's own error says what is wrong).
        item_parents = {
            tuple(item["loc"][:i])
            for item in items
            for i, part in enumerate(item["loc"])
            if isinstance(part, int)
        }
        for item in items:
            loc: tuple[Any, ...] = tuple(item["loc"])
            if item["type"] == "too_short" and loc in item_parents:
                continue
            ctx = item.get("ctx") or {}
            loc += tuple(ctx.get("at", ()))
            message = str(item["msg"])
            if item["type"] == "extra_forbidden":
                message = "unknown field (not part of the model; check its spelling)"
            elif item["type"] == "string_pattern_mismatch":
                pattern = str(ctx.get("pattern", ""))
                message = f"must be {PATTERN_DESCRIPTIONS.get(pattern, f'like {pattern!r}')}"
            elif loc and loc[-1] == "[key]":
                message = f"invalid key: {message}"
            errors.append(
                FieldError(
                    path=format_path(loc),
                    message=message,
                    input=ctx.get("value", item.get("input")),
                    rule=str(item["type"]),
                )
            )
        return cls(errors, source=source, model=exc.title)
