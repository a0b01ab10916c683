"""Rating: validated rating tables and the rater that turns a submission into loss models.

>>> from xborder_risk.exposure import Submission
>>> from xborder_risk.rating import rate
>>> path = "examples/submissions/eu_egates_contractor.yaml"
>>> rated = rate(Submission.from_file(path))  # doctest: +SKIP
>>> rated.summary()  # doctest: +SKIP
"""

from xborder_risk.rating._severities import Capped, Mixture
from xborder_risk.rating.rater import WORKSHEET_COLUMNS, RatedSubmission, expected_layer_loss, rate
from xborder_risk.rating.tables import RatingTables, refresh_checksums, shipped_tables_location

__all__ = [
    "WORKSHEET_COLUMNS",
    "Capped",
    "Mixture",
    "RatedSubmission",
    "RatingTables",
    "expected_layer_loss",
    "rate",
    "refresh_checksums",
    "shipped_tables_location",
]
