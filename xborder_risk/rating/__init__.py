"""Rating: validated rating tables and the rater that turns a submission into loss models.

Each line of cover is rated by its own module in :mod:`xborder_risk.rating.lines`, found by
the line's name in the registry :data:`LINE_RATERS` (:func:`rater_for`).

>>> from xborder_risk.exposure import Submission
>>> from xborder_risk.rating import rate
>>> path = "examples/submissions/eu_egates_contractor.yaml"
>>> rated = rate(Submission.from_file(path))  # doctest: +SKIP
>>> rated.summary()  # doctest: +SKIP
"""

from xborder_risk.rating._severities import Capped, Mixture, Scaled
from xborder_risk.rating.lines import LINE_RATERS, LineRater, rater_for
from xborder_risk.rating.rater import WORKSHEET_COLUMNS, RatedSubmission, expected_layer_loss, rate
from xborder_risk.rating.tables import RatingTables, refresh_checksums, shipped_tables_location

__all__ = [
    "LINE_RATERS",
    "WORKSHEET_COLUMNS",
    "Capped",
    "LineRater",
    "Mixture",
    "RatedSubmission",
    "RatingTables",
    "Scaled",
    "expected_layer_loss",
    "rate",
    "rater_for",
    "refresh_checksums",
    "shipped_tables_location",
]
