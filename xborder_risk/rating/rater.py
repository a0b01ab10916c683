"""The rater: a submission and rating tables in, one loss model per line and a worksheet out.

Every number that goes into a frequency or a severity is written to the worksheet with the
table and key it came from, so an underwriter can follow how each model was built.  The rating
formula of each line is in ``docs/rating.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd

from xborder_risk._validation import check_line_name
from xborder_risk.engine import LossModel
from xborder_risk.errors import SubmissionError, XBorderRiskWarning
from xborder_risk.exposure import Submission
from xborder_risk.rating.lines import RatingContext, rater_for
from xborder_risk.rating.lines._base import (
    WORKSHEET_COLUMNS,
    expected_layer_loss,
    worksheet_frame,
)
from xborder_risk.rating.tables import RatingTables

__all__ = ["WORKSHEET_COLUMNS", "RatedSubmission", "expected_layer_loss", "rate"]

# --------------------------------------------------------------------------------------------
# result


@dataclass(frozen=True, eq=False)
class RatedSubmission:
    """The result of :func:`rate`.

    Attributes
    ----------
    models : tuple of LossModel
        One loss model per line with exposure, in canonical line order, each named by its
        line and carrying the line's :class:`~xborder_risk.engine.Layer`.  Amounts in
        :attr:`currency`; frequencies per policy period.
    worksheet : pandas.DataFrame
        How every number was built: columns ``WORKSHEET_COLUMNS``.  For each line and
        component, one row per factor (``value``) with the running expected frequency and the
        running severity parameter after it; the last rows of a line (component ``"line"``)
        give the line's expected claim count, ``E[min(X, d + l)]`` of its severity, and the
        expected occurrence-layer loss.
    currency : str
        ISO 4217 code of every amount (the submission's currency).
    table_versions : Mapping
        Version of every rating table used, by table name.
    table_checksums : Mapping
        sha256 of every rating table used, by table name.
    tables_source : str
        Where the tables were loaded from.
    messages : tuple of str
        Notes for the underwriter (zero-exposure lines, countries rated on a default class).
    """

    models: tuple[LossModel, ...]
    worksheet: pd.DataFrame = field(repr=False)
    currency: str
    table_versions: Mapping[str, str]
    table_checksums: Mapping[str, str] = field(repr=False)
    tables_source: str
    messages: tuple[str, ...] = ()

    @property
    def lines(self) -> tuple[str, ...]:
        """Names of the rated lines."""
        return tuple(model.name for model in self.models)

    def model(self, line: str) -> LossModel:
        """The loss model of ``line``.

        Raises
        ------
        ParameterError
            If the submission has no exposure for ``line`` (the message lists the rated lines).
        """
        check_line_name("RatedSubmission.model", "line", line, self.lines)
        return self.models[self.lines.index(line)]

    def summary(self) -> pd.DataFrame:
        """Expected figures per line (before aggregate terms).

        Returns
        -------
        pandas.DataFrame
            One row per line: ``expected_claims`` (E[N]), ``limited_severity``
            (E[min(X, d + l)]), ``expected_layer_loss`` = share * E[N] * (E[min(X, d + l)] -
            E[min(X, d)]), in :attr:`currency` per policy period.

        Notes
        -----
        The occurrence layer loss of the collective risk model (Loss Models, 5th ed.,
        §8.5, §9.3): :math:`E[S] = s\\,E[N]\\,(E[X\\wedge(d+l)] - E[X\\wedge d])`, ignoring the
        aggregate deductible and limit (which can only lower it).
        """
        rows = []
        for model in self.models:
            rows.append(
                {
                    "line": model.name,
                    "expected_claims": model.frequency.mean(),
                    "limited_severity": _limited_severity(model),
                    "expected_layer_loss": expected_layer_loss(model),
                    "currency": self.currency,
                }
            )
        return pd.DataFrame(rows)


def _limited_severity(model: LossModel) -> float:
    exhaustion = model.layer.deductible + model.layer.limit
    return float(model.severity.limited_expected_value(exhaustion))


# --------------------------------------------------------------------------------------------
# the rater


def rate(submission: Submission, tables: RatingTables | None = None) -> RatedSubmission:
    """Rate a submission: one loss model per line with exposure, and the worksheet.

    Parameters
    ----------
    submission : Submission
        A validated submission; every amount in ``submission.currency``.
    tables : RatingTables, optional
        Rating tables; the shipped tables by default.

    Returns
    -------
    RatedSubmission

    Raises
    ------
    SubmissionError
        If the submission's currency has no FX rate, a country has no row in the country
        table, or a heavy-tailed severity would be used without a finite limit.

    Warns
    -----
    XBorderRiskWarning
        When a line rates to zero expected claims (it is returned as a zero-frequency model,
        ``Poisson(0)``), or when a country is rated on the conservative default class because
        it has no published classification and no sovereign.

    Notes
    -----
    Frequencies are expected claims per policy period (the annual rate times the policy period
    in years); severities are per occurrence, ground-up, in the submission currency: table
    amounts (USD) times ``rate_to_usd[table currency] / rate_to_usd[submission currency]``.
    A line with several components (systems, personnel and fleet, contracts and perils) has
    one count -- Poisson, or negative binomial with the components' shared beta, whose
    ``r = E[N] / beta`` is the sum of the components' -- and the mixture of the components'
    severities weighted by their expected counts (exact for independent components, Loss
    Models 5th ed., Theorem 9.7).  Formulas per line: ``docs/rating.md``; each line is rated by
    its module in :mod:`xborder_risk.rating.lines`, looked up by name in the registry.
    """
    if not isinstance(submission, Submission):
        raise SubmissionError(
            f"rate: 'submission' must be a Submission (got {type(submission).__name__}); "
            "read one with Submission.from_file(path)"
        )
    tables = RatingTables.load() if tables is None else tables
    if not isinstance(tables, RatingTables):
        raise SubmissionError(
            f"rate: 'tables' must be RatingTables or None (got {type(tables).__name__})"
        )
    context = RatingContext(submission, tables)
    ratings = [rater_for(line).rate(context) for line in submission.lines]
    for message in context.messages:
        warnings.warn(message, XBorderRiskWarning, stacklevel=2)
    return RatedSubmission(
        models=tuple(rating.model for rating in ratings),
        worksheet=worksheet_frame([dict(row) for rating in ratings for row in rating.rows]),
        currency=submission.currency,
        table_versions=MappingProxyType(tables.versions),
        table_checksums=MappingProxyType(tables.checksums),
        tables_source=tables.source,
        messages=tuple(context.messages),
    )
