"""The year-loss table (YLT) of a quote, for an actuary to take the simulation elsewhere.

One row per simulated policy period: the aggregate loss of each line and of the total to
this policy (after its terms and share), and the largest single occurrence of each line and
overall, in the quote's currency.  The row number is the period's index in the simulation:
with the quote's seed and number of periods it is the same period in every re-run.
"""

from __future__ import annotations

import importlib.util
import io
from typing import Final

import numpy as np
import pandas as pd

from xborder_risk.quote import Quote

__all__ = ["YLT_COLUMNS_DOC", "parquet_available", "ylt_frame", "ylt_parquet"]

YLT_COLUMNS_DOC: Final[str] = (
    "period, <line> (aggregate loss), total, <line>_max_occurrence, max_occurrence"
)


def parquet_available() -> bool:
    """Whether pyarrow is installed (``pip install 'xborder-risk[parquet]'``)."""
    return importlib.util.find_spec("pyarrow") is not None


def ylt_frame(quote: Quote) -> pd.DataFrame:
    """The year-loss table as a frame (see the module docstring); column ``period`` counts
    from 1; amounts in ``quote.currency`` (``frame.attrs["currency"]``)."""
    simulation = quote.simulation
    lines = list(simulation.lines)
    annual = np.asarray(simulation.annual)
    largest = np.asarray(simulation.max_occurrence)
    frame = pd.DataFrame({"period": np.arange(1, simulation.n_years + 1, dtype=np.int64)})
    for j, line in enumerate(lines):
        frame[line] = annual[:, j]
    frame["total"] = np.asarray(simulation.total)
    for j, line in enumerate(lines):
        frame[f"{line}_max_occurrence"] = largest[:, j]
    frame["max_occurrence"] = largest.max(axis=1)
    frame.attrs["currency"] = quote.currency
    return frame


def ylt_parquet(quote: Quote) -> bytes:
    """The year-loss table as Parquet bytes, with the currency, seed and number of periods
    in the file's key-value metadata (needs pyarrow)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(ylt_frame(quote), preserve_index=False)
    provenance = quote.provenance
    extra = {
        b"xborder_risk.currency": quote.currency.encode(),
        b"xborder_risk.seed": str(provenance.to_record()["seed"]).encode(),
        b"xborder_risk.n_years": str(quote.simulation.n_years).encode(),
        b"xborder_risk.version": provenance.library_version.encode(),
    }
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **extra})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()
