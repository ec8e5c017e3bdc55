"""Compliance flags at the county (issue #12): the county's review of a flagged session, and the daily digest.

The bureau or an inspector reviews a flagged session once, and only after the school's administrator has confirmed
it: accepted, or a violation with a note (the school's administrators are told). The review is logged in the
session's own history. Every day the bureau hears how many confirmed flags wait for its review.
"""

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from schools.models import Membership, NotificationKind, Role, Session, User
from schools.services import sessions as sessions_services
from schools.services.notifications import notify
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import log

from ..models import FlagReview
from ..selectors import compliance as selectors

REVIEW_ACTIONS = {FlagReview.Outcome.ACCEPTED: "county_accept", FlagReview.Outcome.VIOLATION: "county_violation"}


def _already_reviewed(session: Session) -> DomainError:
    review = FlagReview.objects.select_related("reviewed_by").get(session=session)
    return DomainError(
        _("The county has already reviewed this session (%(outcome)s, by %(who)s); a review is never changed.")
        % {"outcome": review.get_outcome_display(), "who": review.reviewed_by}
    )


@transaction.atomic
def flag_review(*, actor: User, session: Session, outcome: str, note: str = "") -> FlagReview:
    """The bureau or an inspector reviews a flagged session the school has confirmed: accepted, or a violation with
    a note (the school's administrators are told). Raises PermissionDenied; DomainError when the session carries no
    flag, the school has not confirmed it yet, the outcome is unknown, a violation has no note, or it was reviewed
    already (also when another reviewer saved a moment earlier: the database allows one review per session)."""
    permissions.require(actor, "compliance.review", session)
    note = (note or "").strip()
    if outcome not in FlagReview.Outcome.values:
        raise DomainError(_("Choose whether the session is accepted or a violation."))
    if outcome == FlagReview.Outcome.VIOLATION and not note:
        raise DomainError(_("Say what the violation is: the school is told, and it needs to know why."))
    session = Session.objects.select_for_update().select_related("service_class__school").get(pk=session.pk)
    if not session.flag:
        raise DomainError(_("This session carries no compliance flag; there is nothing for the county to review."))
    if FlagReview.objects.filter(session=session).exists():
        raise _already_reviewed(session)
    if session.status != Session.Status.CONFIRMED:
        raise DomainError(
            _("The school has not confirmed this session yet (it is “%(status)s”); the county reviews it after.")
            % {"status": session.get_status_display()}
        )
    try:
        with transaction.atomic():
            review = FlagReview.objects.create(
                session=session, outcome=outcome, note=note, reviewed_by=actor, reviewed_at=timezone.now()
            )  # the time asked for now, not the field default's (bound at import: the demo clock never reaches it)
    except IntegrityError:
        raise _already_reviewed(session) from None
    log(session, REVIEW_ACTIONS[outcome], actor=actor, note=note)
    if outcome == FlagReview.Outcome.VIOLATION:
        _tell_school(review)
    return review


def _tell_school(review: FlagReview) -> None:
    session = review.session
    school = session.service_class.school
    admins = User.objects.filter(
        memberships__role=Role.SCHOOL_ADMIN, memberships__school=school, is_active=True
    ).distinct()
    for user in admins.order_by("pk"):
        notify(
            user=user,
            kind=NotificationKind.GENERAL,
            title=_("The county found a violation: %(class)s on %(day)s")
            % {"class": session.service_class.name, "day": session.date.isoformat()},
            body=f"{sessions_services.flag_message(session.flag)} {review.note}",
            url=reverse("schools:session-detail", args=[session.pk]),
            key=f"flag-violation:{session.pk}",
        )


def send_flag_digest(*, today: datetime.date | None = None) -> int:
    """The daily digest (the integrator schedules it): every bureau user hears how many flagged sessions the schools
    have confirmed and the county has not reviewed yet — once a day (a key per day), nothing when there are none.
    Returns how many people were told."""
    today = today or timezone.localdate()
    waiting = selectors.waiting_county_count()
    if not waiting:
        return 0
    bureau = User.objects.filter(
        pk__in=Membership.objects.filter(role=Role.BUREAU).values("user"), is_active=True
    ).order_by("pk")
    told = 0
    url = reverse("bureau:compliance-list") + "?state=" + selectors.State.WAITING_COUNTY
    for user in bureau:
        sent = notify(
            user=user,
            kind=NotificationKind.GENERAL,
            title=_("Compliance flags waiting for the county: %(n)d") % {"n": waiting},
            body=ngettext(
                "%(n)d flagged session, confirmed by its school, waits for the county's review.",
                "%(n)d flagged sessions, confirmed by their schools, wait for the county's review.",
                waiting,
            )
            % {"n": waiting},
            url=url,
            key=f"flag-digest:{today.isoformat()}",
        )
        told += sent is not None
    return told
