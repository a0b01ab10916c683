"""Options side by side: one submission quoted under several sets of changes on the same
random numbers (the line streams are keyed by line name, so an option that changes one line's
terms moves that line's figures only), in one table.

>>> frame = compare(sub, {"higher retention": {"terms.cyber.deductible": 1e6}})  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import pandas as pd
import yaml

from xborder_risk.errors import ParameterError
from xborder_risk.exposure import InvalidSubmissionError, Submission, load_yaml_text
from xborder_risk.exposure._base import FieldError
from xborder_risk.exposure._loading import read_regular_file
from xborder_risk.quote import DEFAULT_N_YEARS, DEFAULT_SEED, QuoteBasis, quote
from xborder_risk.rating import RatingTables

__all__ = ["BASE_OPTION", "COMPARE_COLUMNS", "compare", "parse_option", "read_options"]

#: Label of the submission as given (no changes), the row the others are compared with.
BASE_OPTION: Final[str] = "base"
#: Columns of :func:`compare` (amounts in the submission's currency per policy period).
COMPARE_COLUMNS: Final[tuple[str, ...]] = (
    "limit",
    "deductible",
    "share",
    "gross_premium",
    "rate_on_line",
    "expected_loss",
    "expected_loss_ratio",
    "minimum_applied",
    "premium_change",
)
#: Largest options file read (a few kilobytes in practice).
MAX_OPTIONS_BYTES: Final[int] = 1 << 20

Options = Mapping[str, Mapping[str, object]]


def _value(text: str, where: str) -> object:
    try:
        return load_yaml_text(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise ParameterError(
            "compare", "option", where, f"value {text!r} is not YAML: {exc}"
        ) from None


def parse_option(text: str) -> tuple[str, dict[str, object]]:
    """Read ``"label: path=value; path=value"`` (the label is optional).

    Values are read as YAML (``1e6`` a number, ``[GB, FR]`` a list, ``null`` unset).

    Returns
    -------
    (str, dict)
        The label (the changes' text when none is given) and the changes by path.

    Raises
    ------
    ParameterError
        If a change is not ``path=value``.
    """
    label, sep, body = text.partition(":")
    if not sep or "=" in label:
        label, body = "", text
    changes: dict[str, object] = {}
    for part in body.split(";"):
        if not part.strip():
            continue
        path, eq, value = part.partition("=")
        if not eq or not path.strip():
            raise ParameterError("compare", "option", text, f"{part.strip()!r} is not 'path=value'")
        changes[path.strip()] = _value(value.strip(), text)
    if not changes:
        raise ParameterError("compare", "option", text, "gives no change ('path=value')")
    return label.strip() or body.strip(), changes


def read_options(path: str | os.PathLike[str]) -> dict[str, dict[str, object]]:
    """Read an options file: a YAML (or JSON) mapping of option label to ``{path: value}``.

    Raises
    ------
    ParameterError
        If the file is not such a mapping.
    """
    file = Path(path)
    data = load_yaml_text(read_regular_file(file, MAX_OPTIONS_BYTES).decode("utf-8"))
    if not isinstance(data, Mapping) or not all(
        isinstance(changes, Mapping) and changes for changes in data.values()
    ):
        raise ParameterError(
            "read_options",
            "path",
            str(file),
            "must be a mapping of option label to a mapping of field path to value",
        )
    return {str(label): {str(k): v for k, v in changes.items()} for label, changes in data.items()}


def compare(
    submission: Submission,
    options: Options,
    *,
    n_years: int = DEFAULT_N_YEARS,
    seed: int = DEFAULT_SEED,
    tables: RatingTables | None = None,
    valuation_date: dt.date | str | None = None,
    basis: QuoteBasis | None = None,
    book: Any = None,
) -> pd.DataFrame:
    """Quote the submission as given and under each option, on the same random numbers.

    Parameters
    ----------
    submission : Submission
        The base option (labelled :data:`BASE_OPTION`).
    options : mapping of label to mapping of path to value
        Each option's changes, as :meth:`Submission.with_changes` takes them.
    n_years, seed, tables, valuation_date, basis, book
        As :func:`xborder_risk.quote.quote`; one seed for every option.

    Returns
    -------
    pandas.DataFrame
        Index ``(option, line)`` with each option's lines and ``total``; columns
        :data:`COMPARE_COLUMNS`: limit, deductible (the attachment), share, gross premium,
        rate on line, expected loss, expected loss ratio, the minimum that set the premium
        (``none``, ``minimum_premium``, ...), and ``premium_change``, the
        relative change of the gross premium against the base option's same line (NaN for a
        line the base does not have).  Amounts in the submission's currency per policy period.

    Raises
    ------
    InvalidSubmissionError
        Before anything is simulated, naming the option, each bad path and the rule.
    """
    if BASE_OPTION in options:
        raise ParameterError("compare", "options", BASE_OPTION, "is the label of the base")
    variants = {BASE_OPTION: submission}
    errors: list[FieldError] = []
    for label, changes in options.items():
        try:
            variants[label] = submission.with_changes(changes)
        except InvalidSubmissionError as exc:
            errors += [
                FieldError(
                    error.path, f"option '{label}': {error.message}", error.input, error.rule
                )
                for error in exc.errors
            ]
    if errors:
        raise InvalidSubmissionError(errors, source="compare")
    tables = RatingTables.load() if tables is None else tables
    frames = []
    for label, variant in variants.items():
        q = quote(
            variant,
            n_years=n_years,
            seed=seed,
            tables=tables,
            valuation_date=valuation_date,
            basis=basis,
            book=book,
        )
        frame = q.to_frame()[[c for c in COMPARE_COLUMNS if c != "premium_change"]]
        frames.append(frame.assign(option=label).set_index("option", append=True))
    result = pd.concat(frames).reorder_levels(["option", "line"])
    base = result.xs(BASE_OPTION, level="option")["gross_premium"]
    lines = result.index.get_level_values("line")
    result["premium_change"] = (
        result["gross_premium"].to_numpy() / base.reindex(lines).to_numpy() - 1.0
    )
    result.attrs["currency"] = submission.currency
    return result
