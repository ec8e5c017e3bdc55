"""Writes to the hours record (明细档案, R21): closing a month, and the adjustments that correct a closed month.

A closed month is never edited: its sessions stay as they were (the session log refuses to log or change a
session of a closed month, asking `month_is_closed`), and a correction is a signed HoursAdjustment with a
reason. Adjustments are never edited or deleted either; a wrong one is corrected by another.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..models import HoursAdjustment, HoursMonth, Membership, School, Session, User
from ..rules import hours as rules
from ..selectors import hours as selectors

# One adjustment moves at most a full month of service in one role: 31 days × 4 class-hours, 31 × 4 sessions.
MAX_ADJUST_HOURS = Decimal("124.0")
MAX_ADJUST_SESSIONS = 124


def month_is_closed(school: School | int, day: datetime.date) -> bool:
    """True when the school has closed the month containing `day`: no session may then be logged or changed."""
    school_id = school if isinstance(school, int) else school.pk
    return HoursMonth.objects.filter(school_id=school_id, month=rules.month_start(day)).exists()


def _month_label(month: datetime.date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


@transaction.atomic
def hours_month_close(*, actor: User, school: School, month: datetime.date) -> HoursMonth:
    """Close a school's month of the hours record ("hours.close_month", the school admin).

    Refused (DomainError): a month that has not ended yet (closing is possible from its last day), a month already
    closed, a month with sessions still waiting for confirmation (their number is named). Two admins closing at
    once: the unique constraint lets one through, the other hears that the month is already closed.
    """
    permissions.require(actor, "hours.close_month", school)
    month = rules.month_start(month)
    last_day = rules.month_end(month)
    label = _month_label(month)
    if last_day > timezone.localdate():
        raise DomainError(
            _("%(month)s cannot be closed before its last day (%(day)s).")
            % {"month": label, "day": date_format(last_day, "SHORT_DATE_FORMAT")}
        )
    closed = selectors.closed_month(school=school, month=month)
    if closed is not None:
        raise DomainError(
            _("%(month)s was already closed on %(day)s by %(name)s.")
            % {
                "month": label,
                "day": date_format(timezone.localtime(closed.created_at), "SHORT_DATE_FORMAT"),
                "name": closed.closed_by,
            }
        )
    waiting = Session.objects.filter(
        service_class__school=school, date__range=(month, last_day), status=rules.WAITING
    ).count()
    if waiting:
        raise DomainError(
            ngettext(
                "%(count)s session of %(month)s is still waiting for confirmation: confirm it before closing the month.",
                "%(count)s sessions of %(month)s are still waiting for confirmation: confirm them before closing "
                "the month.",
                waiting,
            )
            % {"count": waiting, "month": label}
        )
    try:
        with transaction.atomic():  # a savepoint: the race loser's error must not break the outer transaction
            return HoursMonth.objects.create(school=school, month=month, closed_by=actor)
    except IntegrityError:
        raise DomainError(_("%(month)s has just been closed by someone else.") % {"month": label}) from None


@transaction.atomic
def hours_adjust(
    *,
    actor: User,
    school: School,
    person: User,
    month: datetime.date,
    role: str,
    class_hours: Decimal,
    sessions: int,
    reason: str,
) -> HoursAdjustment:
    """Correct a closed month of one person's hours ("hours.adjust", the school admin): a signed entry, never an
    edit of a session. Raises DomainError for an open month (fix its sessions instead), a person without a role at
    the school, an unknown role, class-hours that are zero, not a one-decimal number or too large, no reason,
    or a correction that would take the person's month in that role below zero. Adjustments of one month are
    serialised on the closed month's row, so two corrections cannot both pass the below-zero check.
    """
    permissions.require(actor, "hours.adjust", school)
    month = rules.month_start(month)
    closed = HoursMonth.objects.select_for_update().filter(school=school, month=month).first()
    if closed is None:
        raise DomainError(
            _("%(month)s is still open: correct its sessions. Adjustments are for closed months only.")
            % {"month": _month_label(month)}
        )
    if not Membership.objects.filter(user=person, school=school).exists():
        raise DomainError(_("%(name)s holds no role at this school.") % {"name": person})
    if role not in rules.ROLES:
        raise DomainError(_("Choose whether the hours were as responsible teacher, substitute or assistant."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the adjustment."))
    try:
        class_hours = Decimal(class_hours)
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(_("Enter the class-hours as a number such as 2 or -1.5.")) from None
    if not class_hours.is_finite() or class_hours.as_tuple().exponent < -1:
        raise DomainError(_("Class-hours take at most one decimal place (e.g. 1.5)."))
    if class_hours == 0:
        raise DomainError(_("An adjustment must change the class-hours."))
    if abs(class_hours) > MAX_ADJUST_HOURS:
        raise DomainError(
            _("One adjustment moves at most %(max)s class-hours; split a larger correction.")
            % {"max": MAX_ADJUST_HOURS}
        )
    try:
        sessions = int(sessions or 0)
    except (TypeError, ValueError):
        raise DomainError(_("Enter the number of sessions as a whole number.")) from None
    if abs(sessions) > MAX_ADJUST_SESSIONS:
        raise DomainError(_("One adjustment moves at most %(max)s sessions.") % {"max": MAX_ADJUST_SESSIONS})
    by_role, _adjusted = selectors.month_tallies(school=school, month=month, person_ids=[person.pk])
    current = by_role.get((person.pk, role), rules.Tally())
    if current.class_hours + class_hours < 0 or current.sessions + sessions < 0:
        raise DomainError(
            _(
                "This would leave %(name)s below zero as %(role)s in %(month)s "
                "(now %(sessions)s sessions, %(hours)s class-hours)."
            )
            % {
                "name": person,
                "role": rules.role_label(role),
                "month": _month_label(month),
                "sessions": current.sessions,
                "hours": current.class_hours,
            }
        )
    adjustment = HoursAdjustment(
        school=school,
        person=person,
        month=month,
        role=role,
        class_hours=class_hours.quantize(rules.TENTH),
        sessions=sessions,
        reason=reason,
        created_by=actor,
    )
    try:
        adjustment.full_clean()
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None
    adjustment.save()
    return adjustment
