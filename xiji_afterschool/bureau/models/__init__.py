"""The county console's records: summary figures, school reports, inspections, feedback, model classes."""

from .feedback import Feedback, FeedbackEvent

__all__ = ["Feedback", "FeedbackEvent"]
