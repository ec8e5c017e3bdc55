"""Hazards (排查整治隐患, R31, issue 11 §6): when a hazard is overdue, and the text a failed check item gives it. Pure."""

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

# Statuses in which the school still has to act on the hazard itself (a referred one waits for the department).
OVERDUE_STATUSES = ("assigned",)
MAX_PHOTOS = 4
MAX_PHOTO_BYTES = 5 * 1024 * 1024


def is_overdue(*, status: str, deadline: datetime.date | None, today: datetime.date) -> bool:
    """Assigned with a deadline that has passed and not yet rectified (R31: fixed on time or escalated)."""
    return status in OVERDUE_STATUSES and deadline is not None and deadline < today


def overdue_q(today: datetime.date) -> Q:
    """The same rule as a query condition (the lists, the counts, the daily escalation)."""
    return Q(status__in=OVERDUE_STATUSES, deadline__lt=today)


def description_from_item(*, item: str, note: str) -> str:
    """The hazard a failed check item opens: the item's wording, then what the checker noted."""
    note = note.strip()
    if note:
        return _("%(item)s: failed. %(note)s") % {"item": item, "note": note}
    return _("%(item)s: failed.") % {"item": item}
