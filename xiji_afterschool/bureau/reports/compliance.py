"""Rows of the county's compliance-flag list export (issue #12): one row per flagged session the viewer sees."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import Session
from schools.services import sessions as sessions_services

from ..models import FLAG_STATE_STYLE, FlagState


def state_words(session: Session) -> tuple[str, str]:
    """(label, badge colour) of a session annotated by `selectors.flag_list` with its `state`."""
    if session.state not in FlagState.values:
        return "", "secondary"
    state = FlagState(session.state)
    return str(state.label), FLAG_STATE_STYLE[state]


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0) if moment else None


def flag_rows(*, sessions: QuerySet[Session]) -> tuple[list[str], Iterable[list]]:
    """(header, rows) of the scoped flag list; the caller passes `selectors.flag_list(viewer=..., ...)`."""
    header = [
        _("Township"),
        _("School code"),
        _("School"),
        _("Service class"),
        _("Date"),
        _("Teacher"),
        _("What was done"),
        _("Flag"),
        _("State"),
        _("Confirmed by"),
        _("Confirmed at"),
        _("County outcome"),
        _("Reviewed by"),
        _("Reviewed at"),
        _("Note"),
    ]

    def rows():
        for session in sessions:
            school = session.service_class.school
            review = getattr(session, "flag_review", None)
            yield [
                school.township.name,
                school.code,
                school.name,
                session.service_class.name,
                session.date,
                str(session.teacher),
                session.content_note,
                sessions_services.flag_message(session.flag),
                state_words(session)[0],
                str(session.confirmed_by) if session.confirmed_by_id else "",
                _local(session.confirmed_at),
                review.get_outcome_display() if review else "",
                str(review.reviewed_by) if review else "",
                _local(review.reviewed_at) if review else None,
                review.note if review else "",
            ]

    return header, rows()
