"""A book's simulated results in the Oasis Open Results Data (ORD) layout.

Each simulated year is one ORD *period* of weight ``1 / n_years`` with one sample (a Monte
Carlo year-loss table is "full uncertainty": every year is a draw, not a mean), so:

* **ALT** (``palt``): ``SummaryId, SampleType, MeanLoss, SDLoss`` -- the sample mean and
  standard deviation (``ddof=1``) of the annual loss, ``SampleType = 2`` (sample statistics);
* **EPT** (``ept``): ``SummaryId, EPCalc, EPType, ReturnPeriod, Loss`` -- ``EPCalc = 2`` (full
  uncertainty); ``EPType`` 1 OEP, 2 OEP TVaR, 3 AEP, 4 AEP TVaR (ktools ``aggreports.h``),
  read from the empirical curves exactly as :func:`xborder_risk.measures.ep_curve` and
  :func:`xborder_risk.measures.tvar` read them;
* **PLT** (``splt``, sample period loss table): ``Period, PeriodWeight, EventId, SummaryId,
  SampleId, Loss`` -- one row per occurrence of the book's occurrence table (simulate with
  ``keep_occurrences=True``), the whole book as summary 1;
* ``summary_info``: what each ``SummaryId`` stands for.

The ELT does not apply: a frequency-severity simulation has no event catalogue whose event
would recur across periods (each occurrence is its own event, which the PLT already lists).
See ``docs/portfolio.md`` ("Results in the Oasis ORD layout").
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from xborder_risk import measures
from xborder_risk.errors import ParameterError
from xborder_risk.portfolio.results import PortfolioResult

__all__ = ["EP_CALC_FULL_UNCERTAINTY", "ORD_FORMATS", "SUMMARY_BY", "ord_tables", "write_ord"]

#: ORD ``EPCalc`` of a Monte Carlo year-loss table: every period a full-uncertainty sample.
EP_CALC_FULL_UNCERTAINTY: int = 2
#: ORD ``EPType`` codes (OasisLMF ktools, ``aggreports.h``).
_OEP, _OEP_TVAR, _AEP, _AEP_TVAR = 1, 2, 3, 4
#: ORD ``SampleType`` of statistics over the samples (1 is the analytical mean).
_SAMPLE_STATISTICS = 2

SummaryBy = Literal["total", "line", "country"]
SUMMARY_BY: tuple[SummaryBy, ...] = ("total", "line", "country")
ORD_FORMATS: tuple[str, ...] = ("csv", "parquet")

_OWNER = "ord_tables"


def _summaries(
    result: PortfolioResult, by: SummaryBy
) -> list[tuple[str, NDArray[np.float64], NDArray[np.float64] | None]]:
    """(label, annual losses, largest occurrence or None) of each summary, SummaryId order."""
    if by == "total":
        return [("total", result.total, result.max_event)]
    if by == "line":
        annual = result.line_annual()
        return [
            (line, annual[:, i], result.max_occurrence[:, i]) for i, line in enumerate(result.lines)
        ]
    return [(code, result.by_country[:, i], None) for i, code in enumerate(result.countries)]


def _ept_rows(
    summary_id: int,
    sample: NDArray[np.float64],
    ep_type: int,
    tvar_type: int,
    return_periods: Sequence[float] | None,
) -> list[tuple[int, int, int, float, float]]:
    curve = measures.ep_curve(sample, return_periods)
    rows = []
    for period, loss in zip(curve["return_period"], curve["loss"], strict=True):
        rows.append((summary_id, EP_CALC_FULL_UNCERTAINTY, ep_type, float(period), float(loss)))
    for period in curve["return_period"]:
        level = 1.0 - 1.0 / float(period)
        rows.append(
            (
                summary_id,
                EP_CALC_FULL_UNCERTAINTY,
                tvar_type,
                float(period),
                measures.tvar(sample, level),
            )
        )
    return rows


def ord_tables(
    result: PortfolioResult,
    *,
    summary_by: SummaryBy = "total",
    return_periods: Sequence[float] | None = None,
) -> dict[str, pd.DataFrame]:
    """The ORD tables of a book's simulation.

    Parameters
    ----------
    result : PortfolioResult
        The simulated book (amounts in ``result.currency`` per year).
    summary_by : {"total", "line", "country"}, default "total"
        What a ``SummaryId`` is: the whole book (1), each line of cover in canonical order
        (1, 2, ...), or each country's attributed loss (AEP only: a country has no largest
        occurrence of its own).
    return_periods : sequence of float, optional
        Return periods of the EPT, years (> 1); by default those of
        :func:`xborder_risk.measures.ep_curve` that the number of years can show.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"palt"``, ``"ept"``, ``"summary_info"`` and, when the result kept its occurrences and
        ``summary_by="total"``, ``"splt"``; ORD column names.

    Raises
    ------
    ParameterError
        ``result`` is not a PortfolioResult, or a bad ``summary_by`` / ``return_periods``.
    """
    if not isinstance(result, PortfolioResult):
        raise ParameterError(_OWNER, "result", result, "must be a PortfolioResult")
    if not isinstance(summary_by, str) or summary_by not in SUMMARY_BY:
        raise ParameterError(_OWNER, "summary_by", summary_by, f"must be one of {SUMMARY_BY}")
    summaries = _summaries(result, summary_by)
    alt, ept, info = [], [], []
    for summary_id, (label, annual, largest) in enumerate(summaries, start=1):
        std = float(annual.std(ddof=1)) if annual.size > 1 else 0.0
        alt.append((summary_id, _SAMPLE_STATISTICS, float(annual.mean()), std))
        info.append((summary_id, summary_by, label, result.currency))
        if largest is not None:
            ept += _ept_rows(summary_id, largest, _OEP, _OEP_TVAR, return_periods)
        ept += _ept_rows(summary_id, annual, _AEP, _AEP_TVAR, return_periods)
    tables = {
        "palt": pd.DataFrame(alt, columns=["SummaryId", "SampleType", "MeanLoss", "SDLoss"]),
        "ept": pd.DataFrame(ept, columns=["SummaryId", "EPCalc", "EPType", "ReturnPeriod", "Loss"])
        .sort_values(
            ["SummaryId", "EPCalc", "EPType", "ReturnPeriod"],
            ascending=[True, True, True, False],
        )
        .reset_index(drop=True),
        "summary_info": pd.DataFrame(
            info, columns=["SummaryId", "summary_by", "label", "currency"]
        ),
    }
    table = result.occurrences
    if table is not None and summary_by == "total":
        n = table.year_index.shape[0]
        tables["splt"] = pd.DataFrame(
            {
                "Period": table.year_index + 1,
                "PeriodWeight": np.full(n, 1.0 / result.n_years),
                "EventId": np.arange(1, n + 1, dtype=np.int64),
                "SummaryId": np.ones(n, dtype=np.int64),
                "SampleId": np.ones(n, dtype=np.int64),
                "Loss": table.loss,
            }
        )
    return tables


def write_ord(
    result: PortfolioResult,
    directory: str | Path,
    *,
    file_format: str = "csv",
    summary_by: SummaryBy = "total",
    return_periods: Sequence[float] | None = None,
    prefix: str = "il_S1",
) -> list[Path]:
    """Write :func:`ord_tables` as ORD files ``<prefix>_<table>.csv`` (or ``.parquet``).

    ``file_format="parquet"`` needs pyarrow (the ``parquet`` extra). The directory is created.
    Returns the paths written, in table order.
    """
    if not isinstance(file_format, str) or file_format not in ORD_FORMATS:
        raise ParameterError("write_ord", "file_format", file_format, "must be 'csv' or 'parquet'")
    tables = ord_tables(result, summary_by=summary_by, return_periods=return_periods)
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = target / f"{prefix}_{name}.{file_format}"
        if file_format == "csv":
            frame.to_csv(path, index=False)
        else:
            try:
                frame.to_parquet(path, index=False)
            except ImportError as error:
                raise ParameterError(
                    "write_ord",
                    "file_format",
                    file_format,
                    "needs pyarrow: pip install 'xborder-risk[parquet]'",
                ) from error
        written.append(path)
    return written
