"""The county console's records: summary figures, school reports, inspections, feedback, model classes."""

from .compliance import FLAG_STATE_STYLE, FlagReview, FlagState

__all__ = ["FLAG_STATE_STYLE", "FlagReview", "FlagState"]
