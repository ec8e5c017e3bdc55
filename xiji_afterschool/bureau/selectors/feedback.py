"""Reads of feedback (R33): the handlers' lists, a sender's lookup by tracking code, theme counts and response
times for the console. Every list starts from the access policy; the lookup by code is the public one."""

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from xiji_afterschool import permissions

from ..models import Feedback
from ..rules import feedback as rules


def feedback_list(*, viewer, action: str = "feedback.view") -> QuerySet[Feedback]:
    """Feedback the viewer may see (bureau, inspectors, leadership: all; a school's admin: what is routed to the
    school; a parent: what they sent)."""
    qs = permissions.scope(viewer, Feedback.objects.all(), action=action)
    return qs.select_related("school__township")


def feedback_filtered(
    *, viewer, status: str = "", theme: str = "", kind: str = "", overdue: bool = False
) -> QuerySet[Feedback]:
    """The handlers' list with its filters; overdue = still waiting for an answer after its due day."""
    qs = feedback_list(viewer=viewer, action="feedback.list")
    if status:
        qs = qs.filter(status=status)
    if theme:
        qs = qs.filter(theme=theme)
    if kind:
        qs = qs.filter(kind=kind)
    if overdue:
        qs = qs.filter(status__in=Feedback.OPEN, due_on__lt=timezone.localdate())
    return qs


def feedback_by_code(code: str) -> Feedback | None:
    """Public: the message a tracking code names (the sender's receipt), or None. The code is the only key."""
    code = rules.normalize_code(code)
    if len(code) != rules.CODE_LENGTH:
        return None
    return Feedback.objects.select_related("school").filter(code=code).first()


def feedback_counts(viewer, since: datetime.date | None = None) -> list[dict]:
    """For the console: per theme, how many the viewer may see were received since `since` (every theme listed,
    zeros included), with how many of them are still open and overdue. One query."""
    qs = feedback_list(viewer=viewer, action="feedback.list")
    if since:
        qs = qs.filter(created_at__date__gte=since)
    today = timezone.localdate()
    counts = {
        row["theme"]: row
        for row in qs.values("theme").annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=Feedback.OPEN)),
            overdue=Count("pk", filter=Q(status__in=Feedback.OPEN, due_on__lt=today)),
        )
    }
    return [
        {
            "theme": value,
            "label": label,
            "total": counts.get(value, {}).get("total", 0),
            "open": counts.get(value, {}).get("open", 0),
            "overdue": counts.get(value, {}).get("overdue", 0),
        }
        for value, label in Feedback.Theme.choices
    ]


def feedback_response_stats(viewer, since: datetime.date | None = None) -> dict:
    """Response times of answered messages the viewer may see: how many, the average and slowest in hours, how
    many were answered by their due day; and how many are open and overdue now. Computed in Python (two queries)."""
    qs = feedback_list(viewer=viewer, action="feedback.list")
    if since:
        qs = qs.filter(created_at__date__gte=since)
    answered = list(qs.filter(answered_at__isnull=False).values_list("created_at", "answered_at", "due_on"))
    hours = [(a - c).total_seconds() / 3600 for c, a, _due in answered]
    on_time = sum(1 for _c, a, due in answered if timezone.localdate(a) <= due)
    return {
        "answered": len(answered),
        "on_time": on_time,
        "average_hours": round(sum(hours) / len(hours), 1) if hours else None,
        "slowest_hours": round(max(hours), 1) if hours else None,
        "open": qs.filter(status__in=Feedback.OPEN).count(),
        "overdue": qs.filter(status__in=Feedback.OPEN, due_on__lt=timezone.localdate()).count(),
    }
