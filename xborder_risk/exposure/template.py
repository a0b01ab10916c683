"""A commented submission to start from (``xborder-risk init``).

The values come from the shipped templates (``exposure/templates/agency.yaml`` and
``contractor.yaml``, the example submissions of a border agency and of a systems contractor);
every field is preceded by a comment with its description from the models, so the file
documents itself.  The text is validated before it is returned: it is a valid submission as
written, which the user then edits.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal

import yaml
from pydantic import BaseModel

from xborder_risk.errors import ParameterError
from xborder_risk.exposure._loading import SubmissionYamlDumper, load_yaml_text
from xborder_risk.exposure._types import LINES
from xborder_risk.exposure.submission import Submission

__all__ = ["TEMPLATE_KINDS", "submission_template"]

TEMPLATE_KINDS: Final[tuple[str, ...]] = ("agency", "contractor")
_TEMPLATES: Final[Path] = Path(__file__).with_name("templates")
_WIDTH: Final[int] = 96


def _template_data(kind: str) -> dict[str, Any]:
    data = load_yaml_text((_TEMPLATES / f"{kind}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (``X | None``, ``tuple[X, ...]``,
    ``Mapping[K, X]``, ``Annotated[...]``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def _scalar(value: object) -> str:
    text = yaml.dump(
        value, Dumper=SubmissionYamlDumper, default_flow_style=True, width=10_000
    ).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def _comment(model: type[BaseModel] | None, key: str, pad: str) -> list[str]:
    if model is None or key not in model.model_fields:
        return []
    description = model.model_fields[key].description or ""
    first = " ".join(description.strip().split("\n\n")[0].split())
    if not first:
        return []
    words, lines, current = first.split(), [], ""
    for word in words:
        if current and len(pad) + 2 + len(current) + 1 + len(word) > _WIDTH:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    return [f"{pad}# {line}" for line in lines]


def _mapping(data: Mapping[str, Any], model: type[BaseModel] | None, depth: int) -> list[str]:
    pad = "  " * depth
    out: list[str] = []
    for key, value in data.items():
        out += _comment(model, key, pad)
        field = model.model_fields.get(key) if model is not None else None
        inner = _model_in(field.annotation) if field is not None else None
        if isinstance(value, Mapping) and value:
            out.append(f"{pad}{key}:")
            # A mapping of models (terms by line) or a model.
            if inner is not None and set(value) <= set(LINES) and key == "terms":
                for line, terms in value.items():
                    out.append(f"{pad}  {line}:")
                    out += _mapping(terms, inner, depth + 2)
            else:
                out += _mapping(value, inner, depth + 1)
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            out.append(f"{pad}{key}:")
            for item in value:
                lines = _mapping(item, inner, depth + 2)
                first = next(i for i, line in enumerate(lines) if not line.lstrip().startswith("#"))
                for i in range(first):  # the first field's comment above the dash
                    lines[i] = f"{pad}  {lines[i].lstrip()}"
                lines[first] = f"{pad}  - {lines[first].lstrip()}"
                out += lines
        else:
            out.append(f"{pad}{key}: {_scalar(value)}")
    return out


def submission_template(
    kind: Literal["agency", "contractor"] = "contractor", lines: Sequence[str] | None = None
) -> str:
    """A commented submission (YAML text) that validates as written.

    Parameters
    ----------
    kind : {"agency", "contractor"}
        The insured: a border agency (the traveller-data platform example) or a systems
        contractor (the e-gates example).
    lines : sequence of str, optional
        The lines to cover, among ``tech_failure``, ``cyber``, ``operational_liability`` and
        ``political_risk``; the template's own lines by default.  A line the kind's template
        lacks is taken from the other template.

    Raises
    ------
    ParameterError
        For an unknown kind or line, or no line.
    """
    if kind not in TEMPLATE_KINDS:
        raise ParameterError(
            "submission_template", "kind", kind, f"must be one of {TEMPLATE_KINDS}"
        )
    data = _template_data(kind)
    other = _template_data(TEMPLATE_KINDS[1 - TEMPLATE_KINDS.index(kind)])
    wanted = (
        [line for line in LINES if data.get(line) is not None] if lines is None else list(lines)
    )
    unknown = [line for line in wanted if line not in LINES]
    if unknown or not wanted:
        raise ParameterError(
            "submission_template",
            "lines",
            ",".join(str(line) for line in wanted),
            f"must name at least one of {', '.join(LINES)}",
        )
    for line in LINES:
        if line not in wanted:
            data.pop(line, None)
            data["terms"].pop(line, None)
        elif data.get(line) is None:
            data[line] = other[line]
            data["terms"][line] = other["terms"][line]
    data["notes"] = (
        "Template written by 'xborder-risk init': replace every value with the risk's own."
    )
    data["submission_id"] = f"TEMPLATE-{kind.upper()}"
    ordered = {key: data[key] for key in Submission.model_fields if key in data}
    header = [
        "# A submission to price with 'xborder-risk quote'. Every value below is an",
        "# illustrative example: replace it with the risk's own. Amounts are in `currency`.",
        "# 'xborder-risk schema' prints every field and rule;",
        "# 'xborder-risk validate FILE' checks the file.",
        "",
    ]
    text = "\n".join(header + _mapping(ordered, Submission, 0)) + "\n"
    Submission.from_yaml(text, source="template")  # valid as written
    return text
