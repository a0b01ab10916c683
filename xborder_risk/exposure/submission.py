"""The submission: insured, exposures of up to four lines, policy terms and period."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Final, Self, TypeVar, cast

import yaml
from pydantic import (
    AfterValidator,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    WrapSerializer,
    model_serializer,
    model_validator,
)

from xborder_risk._validation import check_line_name
from xborder_risk.exposure._base import FieldError, FrozenModel, InvalidSubmissionError, field_error
from xborder_risk.exposure._changes import apply_changes
from xborder_risk.exposure._loading import (
    DocumentTooLargeError,
    InputFileError,
    dump_yaml_text,
    load_json_text,
    load_yaml_text,
    read_regular_file,
)
from xborder_risk.exposure._types import (
    LINES,
    CurrencyCode,
    Identifier,
    IsoDate,
    Line,
    Notes,
)
from xborder_risk.exposure.cyber import CyberExposure
from xborder_risk.exposure.history import LossHistory
from xborder_risk.exposure.insured import Insured
from xborder_risk.exposure.operational_liability import OperationalLiabilityExposure
from xborder_risk.exposure.political_risk import PoliticalRiskExposure
from xborder_risk.exposure.programme import PROGRAMME_RULES, Programme, check_programme
from xborder_risk.exposure.renewal import Renewal
from xborder_risk.exposure.tech_failure import TechFailureExposure
from xborder_risk.exposure.terms import PolicyTerms, check_line_terms

__all__ = ["MAX_FILE_BYTES", "MAX_POLICY_YEARS", "Exposure", "Submission", "policy_years"]

#: Longest policy period accepted.  Political-risk insurers write multi-year cover; MIGA, the
#: longest-tenor public insurer, covers up to 15 years, "possibly 20 if justified by the nature
#: of the project" (MIGA, Terms & Conditions, https://www.miga.org/terms-conditions).  Longer is
#: taken as a mistyped year.
MAX_POLICY_YEARS: Final[int] = 20
#: Largest submission file read (a real submission is a few kilobytes).
MAX_FILE_BYTES: Final[int] = 16 * 2**20

Exposure = (
    TechFailureExposure | CyberExposure | OperationalLiabilityExposure | PoliticalRiskExposure
)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap target year
        return day.replace(year=day.year + years, day=28)


def policy_years(start: date, end: date) -> float:
    """Length of the period ``[start, end)`` in years, counting whole anniversaries exactly.

    Parameters
    ----------
    start, end : datetime.date
        Inception and expiry; ``end > start``.

    Returns
    -------
    float
        ``n + f`` where ``n`` is the number of whole years from ``start`` (anniversaries on or
        before ``end``) and ``f`` the remaining days divided by the days of the following
        policy year.

    Notes
    -----
    This is the Actual/Actual (ICMA) day-count fraction with one coupon period a year
    (ICMA Rule 251; 2006 ISDA Definitions §4.16(c)): 2026-01-01 to 2027-01-01 and 2024-02-29 to
    2025-02-28 are each exactly 1.0, where ``days / 365.25`` would give 0.9993 for both.
    """
    whole = end.year - start.year
    while whole > 0 and _add_years(start, whole) > end:
        whole -= 1
    anchor = _add_years(start, whole)
    # The Gregorian calendar repeats every 400 years: a policy year ending after 9999-12-31
    # (beyond datetime.date) has the length of the same policy year 400 years earlier.
    shift = 400 if anchor.year == date.max.year else 0
    year_days = (_add_years(start, whole + 1 - shift) - _add_years(start, whole - shift)).days
    return whole + (end - anchor).days / year_days


_V = TypeVar("_V")


def _too_deep(kind: str) -> FieldError:
    # Python's json and PyYAML parse nested lists and mappings recursively: a file nested a
    # few hundred levels deep exhausts the interpreter's stack (a submission is 4 levels deep).
    return FieldError("", f"not a submission: {kind} nested too deeply to read", None, "nesting")


def _read_only(terms: Mapping[str, _V]) -> Mapping[str, _V]:
    # Stored read-only so that a frozen Submission cannot be changed through its terms;
    # the lines are kept in canonical order for stable output.
    return MappingProxyType({line: terms[line] for line in LINES if line in terms})


TermsByLine = Annotated[
    Mapping[Line, PolicyTerms],
    Field(strict=False),
    AfterValidator(_read_only),
    WrapSerializer(lambda value, handler: handler(dict(value))),
]
HistoryByLine = Annotated[
    Mapping[Line, LossHistory],
    Field(strict=False),
    AfterValidator(_read_only),
    WrapSerializer(lambda value, handler: handler(dict(value))),
]


class Submission(FrozenModel):
    """An insurance submission for cross-border security operations.

    Attributes
    ----------
    submission_id : str or None
        Optional reference.
    insured : Insured
        Who is insured.
    currency : str
        ISO 4217 code of every amount in the exposures and terms, and of the rated results
        (``Insured.annual_revenue`` alone is in ``Insured.currency``).
    inception_date, expiry_date : datetime.date
        Policy period ``[inception, expiry)``; expiry after inception, at most 20 years.
    tech_failure, cyber, operational_liability, political_risk : model or None
        The exposure of each line; at least one is given.
    terms : mapping of line to PolicyTerms
        Terms for exactly the lines that have an exposure (read-only, canonical line order).
    notes : str or None
        Free text for the underwriter.
    loss_history : mapping of line to LossHistory or None
        The insured's own loss history per line (optional, only for lines with an exposure,
        every year before the inception year); the rater blends it with the exposure rate by
        credibility (``docs/experience.md``).
    programme : mapping of line to LinePlacement or None
        International programme: per line its local (admitted) policies with local limits
        and deductibles, and optional allocation weights by country (``docs/programme.md``).

    Notes
    -----
    Build one from a file with :meth:`from_file` (YAML or JSON), from text with
    :meth:`from_json` or from parsed data with :meth:`from_data`; these raise
    :class:`InvalidSubmissionError` listing every invalid field by its path.  Constructing
    directly (``Submission(...)``) raises pydantic's ``ValidationError``.

    A line with zero exposure (no records, no staff hours, zero-value contracts) is a valid
    submission: the rater decides how to price it or tells the user it cannot.
    """

    cross_field_rules: ClassVar[tuple[str, ...]] = (
        "at_least_one_exposure",
        "terms_for_every_exposure",
        "no_terms_without_exposure",
        "expiry_after_inception",
        "policy_period_at_most_max",
        "penetration_test_not_after_expiry",
        "claims_made_only_for_cyber_and_tech_failure",
        "retroactive_date_not_after_inception",
        "sublimit_component_of_the_line",
        "exclusion_of_the_line",
        "history_only_for_exposure",
        "history_before_inception",
        *PROGRAMME_RULES,
    )

    submission_id: Identifier | None = None
    """Optional reference of the submission."""
    insured: Insured
    """Who is insured."""
    currency: CurrencyCode
    """ISO 4217 code of all exposure and terms amounts and of the rated results."""
    inception_date: IsoDate
    """First day of cover (YYYY-MM-DD)."""
    expiry_date: IsoDate
    """Day cover ends (YYYY-MM-DD), after inception_date."""
    tech_failure: TechFailureExposure | None = None
    """Technology-failure exposure, if covered."""
    cyber: CyberExposure | None = None
    """Cyber exposure, if covered."""
    operational_liability: OperationalLiabilityExposure | None = None
    """Operational-liability exposure, if covered."""
    political_risk: PoliticalRiskExposure | None = None
    """Political-risk exposure, if covered."""
    terms: TermsByLine
    """Policy terms per line, for exactly the lines with an exposure."""
    notes: Notes | None = None
    """Free text."""
    loss_history: HistoryByLine | None = None
    """The insured's loss history per line (optional), for experience rating."""

    programme: Programme | None = None
    """International programme: per line its local policies (``docs/programme.md``)."""

    renewal: Renewal | None = None
    """The expiring policy, for a renewal: its premium and how it differed (or its quote id)."""

    #: Optional fields added after release 0.1.0, left out of the serialised form when absent
    #: so that a submission without them keeps its JSON and its hash (``quote`` provenance).
    omitted_when_absent: ClassVar[tuple[str, ...]] = ("loss_history", "programme", "renewal")

    @model_serializer(mode="wrap")
    def _omit_absent(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for name in self.omitted_when_absent:
                if data.get(name, 0) is None:
                    del data[name]
        return data

    @model_validator(mode="after")
    def _check_cross_field(self) -> Self:
        present = self.lines
        if not present:
            raise field_error(
                "at_least_one_exposure",
                "a submission needs at least one exposure: "
                "tech_failure, cyber, operational_liability or political_risk",
                at=(),
            )
        for line in present:
            if line not in self.terms:
                raise field_error(
                    "terms_for_every_exposure",
                    f"missing policy terms for line '{line}' (the submission has a {line} "
                    "exposure)",
                    at=("terms", line),
                )
        for line in self.terms:
            if line not in present:
                raise field_error(
                    "no_terms_without_exposure",
                    f"policy terms given for line '{line}' but the submission has no {line} "
                    "exposure",
                    at=("terms", line),
                    value=self.terms[line],
                )
        if self.expiry_date <= self.inception_date:
            raise field_error(
                "expiry_after_inception",
                f"expiry_date {self.expiry_date} must be after inception_date "
                f"{self.inception_date}",
                at=("expiry_date",),
                value=self.expiry_date,
            )
        if self.policy_period_years > MAX_POLICY_YEARS:
            raise field_error(
                "policy_period_at_most_max",
                f"policy period {self.policy_period_years:.2f} years exceeds the maximum "
                f"of {MAX_POLICY_YEARS} years",
                at=("expiry_date",),
                value=self.expiry_date,
            )
        if self.cyber is not None:
            tested = self.cyber.controls.last_penetration_test
            if tested is not None and tested > self.expiry_date:
                raise field_error(
                    "penetration_test_not_after_expiry",
                    f"last_penetration_test {tested} is after the policy's expiry_date "
                    f"{self.expiry_date}",
                    at=("cyber", "controls", "last_penetration_test"),
                    value=tested,
                )
        for line, terms in self.terms.items():
            check_line_terms(line, terms, self.inception_date)
        for line, history in (self.loss_history or {}).items():
            if line not in present:
                raise field_error(
                    "history_only_for_exposure",
                    f"loss history given for line '{line}' but the submission has no {line} "
                    "exposure",
                    at=("loss_history", line),
                )
            last = history.years[-1]
            if last.year > self.inception_date.year:
                raise field_error(
                    "history_before_inception",
                    f"loss history year {last.year} is after the policy's inception year "
                    f"{self.inception_date.year}",
                    at=("loss_history", line, "years", len(history.years) - 1, "year"),
                    value=last.year,
                )
        check_programme(self)
        return self

    def __hash__(self) -> int:
        # pydantic's frozen hash would hash the read-only terms mapping, which is unhashable;
        # hash its items instead so submissions can key caches (equal submissions hash equal).
        return hash(
            tuple(
                (name, tuple(value.items()) if isinstance(value, Mapping) else value)
                for name, value in self.__dict__.items()
            )
        )

    # --- derived ------------------------------------------------------------------------

    @property
    def lines(self) -> tuple[str, ...]:
        """The lines with an exposure, in canonical order (``LINES``)."""
        return tuple(line for line in LINES if getattr(self, line) is not None)

    @property
    def policy_period_years(self) -> float:
        """Length of the policy period in years (Actual/Actual, see :func:`policy_years`)."""
        return policy_years(self.inception_date, self.expiry_date)

    def exposure(self, line: str) -> Exposure:
        """The exposure model of ``line``.

        Raises
        ------
        ParameterError
            If ``line`` is not one of the submission's :attr:`lines` (the message lists them).
        """
        check_line_name("Submission.exposure", "line", line, self.lines)
        exposure: Exposure = getattr(self, line)
        return exposure

    def layer_terms(self, line: str) -> dict[str, float]:
        """Keyword arguments of the engine's ``Layer`` for ``line``, in ``currency``.

        ``Layer(**submission.layer_terms("cyber"))``; no aggregate limit becomes ``inf``.

        Raises
        ------
        ParameterError
            If ``line`` has no terms (the message lists the lines that have).
        """
        check_line_name("Submission.layer_terms", "line", line, tuple(self.terms))
        return self.terms[cast(Line, line)].layer_kwargs()

    def with_changes(self, changes: Mapping[str, object]) -> Submission:
        """A new, validated submission with the fields at the given paths changed.

        Parameters
        ----------
        changes : mapping of str to value
            Field path (dotted, list items as ``[i]``: ``"terms.cyber.deductible"``,
            ``"tech_failure.systems[0].age_years"``) to its new value, as a submission file
            would give it (plain data, or a model such as a ``PolicyTerms``).

        Returns
        -------
        Submission
            The changed copy; this submission is unchanged (it is frozen).

        Raises
        ------
        InvalidSubmissionError
            Naming the path and the rule: a path that leads to no field, or a value that
            breaks a rule of the models (wrong type, out of range, cross-field rules).
        """
        data = apply_changes(self.model_dump(mode="json"), changes)
        return Submission.from_data(data, source="changes")

    # --- input and output ---------------------------------------------------------------

    @classmethod
    def from_data(cls, data: object, *, source: str | None = None) -> Submission:
        """Validate parsed data (a mapping such as ``json.load`` gives).

        Parameters
        ----------
        data : mapping
            The submission as plain data: dates may be ISO strings.
        source : str, optional
            Where the data came from, shown in error messages.

        Raises
        ------
        InvalidSubmissionError
            Listing every invalid field by its path.
        """
        if not isinstance(data, Mapping):
            raise InvalidSubmissionError(
                [FieldError("", "the top level of a submission must be a mapping of fields", data)],
                source=source,
            )
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise InvalidSubmissionError.from_validation_error(exc, source=source) from None

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str | None = None) -> Submission:
        """Parse JSON text (the inverse of :meth:`to_json`).

        Raises
        ------
        InvalidSubmissionError
            If the text is not JSON, repeats a key, or breaks a rule of the models.
        """
        try:
            data = load_json_text(text)
        except DocumentTooLargeError as exc:
            raise InvalidSubmissionError(
                [FieldError("", str(exc), None, "size")], source=source
            ) from None
        except ValueError as exc:  # json.JSONDecodeError and duplicate keys
            raise InvalidSubmissionError(
                [FieldError("", f"not valid JSON: {exc}", None, "json")], source=source
            ) from None
        except RecursionError:
            raise InvalidSubmissionError([_too_deep("JSON")], source=source) from None
        return cls.from_data(data, source=source)

    @classmethod
    def from_yaml(cls, text: str, *, source: str | None = None) -> Submission:
        """Parse YAML text with the YAML 1.2-style safe loader (``NO`` stays Norway).

        Raises
        ------
        InvalidSubmissionError
            If the text is not YAML, repeats a key, or breaks a rule of the models.
        """
        try:
            data = load_yaml_text(text)
        except DocumentTooLargeError as exc:
            raise InvalidSubmissionError(
                [FieldError("", str(exc), None, "size")], source=source
            ) from None
        except yaml.YAMLError as exc:
            raise InvalidSubmissionError(
                [FieldError("", f"not valid YAML: {exc}", None, "yaml")], source=source
            ) from None
        except RecursionError:
            raise InvalidSubmissionError([_too_deep("YAML")], source=source) from None
        return cls.from_data(data, source=source)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Submission:
        """Read a submission from a ``.yaml``/``.yml`` or ``.json`` file.

        Parameters
        ----------
        path : str or path-like
            The file; its suffix chooses the format.

        Raises
        ------
        FileNotFoundError
            If the file does not exist.
        InvalidSubmissionError
            Naming the file and each invalid field's path.
        """
        file = Path(path)
        source = str(file)
        suffix = file.suffix.lower()
        if suffix not in {".yaml", ".yml", ".json"}:
            raise InvalidSubmissionError(
                [FieldError("", f"unsupported file type {suffix!r}: use .yaml, .yml or .json")],
                source=source,
            )
        try:  # a FIFO, a device or an oversize file is refused before anything is read
            text = read_regular_file(file, MAX_FILE_BYTES).decode("utf-8")
        except InputFileError as exc:
            raise InvalidSubmissionError(
                [FieldError("", str(exc), None, "file")], source=source
            ) from None
        except UnicodeDecodeError as exc:
            raise InvalidSubmissionError(
                [FieldError("", f"not UTF-8 text: {exc}", None, "encoding")], source=source
            ) from None
        if suffix == ".json":
            return cls.from_json(text, source=source)
        return cls.from_yaml(text, source=source)

    def to_json(self, *, indent: int | None = 2) -> str:
        """Serialise to JSON; ``Submission.from_json(s.to_json()) == s``."""
        return self.model_dump_json(indent=indent)

    def to_yaml(self) -> str:
        """Serialise to YAML; ``Submission.from_yaml(s.to_yaml()) == s``.

        Strings that a YAML 1.1 reader would misread (``NO``, ``012``, dates) are quoted.
        """
        data: dict[str, Any] = self.model_dump(mode="json")
        return dump_yaml_text(data)
