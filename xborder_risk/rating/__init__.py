"""Rating: validated rating tables and the rater that turns a submission into loss models."""

from xborder_risk.rating.tables import RatingTables, refresh_checksums, shipped_tables_location

__all__ = ["RatingTables", "refresh_checksums", "shipped_tables_location"]
