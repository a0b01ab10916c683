"""The base of the pricing and reserving bases: frozen, strict pydantic models.

A basis is a handful of named parameters with declared domains; adding an option is adding
one annotated field (no ``__post_init__`` check, no ``to_dict``/``from_dict`` to extend).
Bad values raise the library's :class:`~xborder_risk.errors.ParameterError` naming the
field, the value and the rule, not pydantic's ``ValidationError``.
"""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from xborder_risk.errors import ParameterError

__all__ = ["STRICT_FROZEN", "FrozenBasis", "Level", "parameter_error"]

#: The pydantic settings of every model at the boundary (exposure models, bases): immutable,
#: no unknown fields, no type coercion (``"1e6"`` and ``True`` are not amounts), no NaN or
#: inf, defaults validated too.
STRICT_FROZEN = ConfigDict(
    frozen=True,
    extra="forbid",
    strict=True,
    allow_inf_nan=False,
    validate_default=True,
)

#: A confidence level, in the open interval (0, 1).
Level = Annotated[float, Field(gt=0.0, lt=1.0)]


def parameter_error(owner: str, exc: ValidationError) -> ParameterError:
    """The first error of a pydantic ``ValidationError`` as a :class:`ParameterError`.

    A :class:`ParameterError` raised inside a validator (a cross-field rule, or a principle's
    own check) is returned as it was raised.
    """
    first = exc.errors(include_url=False)[0]
    original = (first.get("ctx") or {}).get("error")
    if isinstance(original, ParameterError):
        return original
    name = ".".join(str(part) for part in first["loc"]) or "<basis>"
    message = str(first["msg"])
    if first["type"] == "extra_forbidden":
        message = "is not a field of this basis (check its spelling)"
    return ParameterError(owner, name, first.get("input"), message)


class FrozenBasis(BaseModel):
    """Immutable, no unknown fields, no type coercion, no NaN or inf."""

    model_config = ConfigDict(**STRICT_FROZEN, populate_by_name=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise parameter_error(type(self).__name__, exc) from None

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        """Read a basis (a record mapping, e.g. ``model_dump(mode="json")``), with a
        :class:`ParameterError` naming the first bad field."""
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise parameter_error(cls.__name__, exc) from None
