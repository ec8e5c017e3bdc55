"""Late pick-up alerts (R30, issue 11 §3): a child still held by the school some minutes after their last session
of the day ends. A scheduled job (`late_alerts_raise`, every minute) raises, repeats and — once the child has been
handed over — resolves them as the system; a person (the holder, the duty teacher, the school admin) resolves an
alert with what happened.

Safe to run twice or overlapping: one alert per child and session (a database constraint), a reminder is counted
by a compare-and-set on `reminders`, and every notification carries a dedupe key."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from schools.models import CountySettings, Membership, NotificationKind, Role, Student, User
from schools.services import notifications as notifications_services
from xiji_afterschool import permissions, workflow
from xiji_afterschool.errors import DomainError

from ..models import DutyRoster, Handover, LateAlert
from ..rules import alerts as rules
from ..selectors import alerts as selectors


@dataclass
class RunSummary:
    raised: int = 0
    reminded: int = 0
    resolved: int = 0


class _People:
    """Who is told about a school's late children today, loaded once for the run (four queries)."""

    def __init__(self, *, day: datetime.date, school_ids: set[int], user_ids: set[int], student_ids: set[int]):
        self.rosters = {r.school_id: r for r in DutyRoster.objects.filter(date=day, school__in=school_ids)}
        self.fallback: dict[tuple[int, str], list[int]] = {}
        members = Membership.objects.filter(
            school__in=school_ids, role__in=[Role.SCHOOL_ADMIN, Role.GATE], user__is_active=True
        ).values_list("school_id", "role", "user_id")
        for school_id, role, user_id in members:
            self.fallback.setdefault((school_id, role), []).append(user_id)
        ids = set(user_ids) | {uid for ids in self.fallback.values() for uid in ids}
        for roster in self.rosters.values():
            ids |= {roster.duty_teacher_id, roster.gate_keeper_id} - {None}
        self.users = User.objects.in_bulk(ids)
        self.students = Student.objects.select_related("admin_class").in_bulk(student_ids)

    def duty(self, school_id: int) -> list[User]:
        """The day's duty teacher; without a roster for the day, the school's administrators answer."""
        roster = self.rosters.get(school_id)
        ids = [roster.duty_teacher_id] if roster else self.fallback.get((school_id, Role.SCHOOL_ADMIN), [])
        return [self.users[i] for i in ids if i in self.users]

    def gate(self, school_id: int) -> list[User]:
        """The day's gate keeper; without one on the roster, every gate keeper of the school."""
        roster = self.rosters.get(school_id)
        if roster and roster.gate_keeper_id:
            ids = [roster.gate_keeper_id]
        else:
            ids = self.fallback.get((school_id, Role.GATE), [])
        return [self.users[i] for i in ids if i in self.users]


def _tell(alert: LateAlert, *, holder_id: int | None, people: _People, reminder: int = 0) -> None:
    """Notify the holder, the duty teacher, the gate keeper and the guardians (in the county's language: a job has
    no request). One key per alert (and per reminder): a second run tells nobody twice."""
    student = people.students[alert.student_id]
    holder = people.users.get(holder_id) if holder_id else None
    staff: dict[int, User] = {}
    for user in [holder, *people.duty(alert.school_id), *people.gate(alert.school_id)]:
        if user is not None:
            staff.setdefault(user.pk, user)
    key = f"late:{alert.pk}" + (f":remind:{reminder}" if reminder else "")
    with translation.override(settings.LANGUAGE_CODE):
        words = {
            "child": student.name,
            "class": str(student.admin_class),
            "end": f"{alert.session.end_time:%H:%M}",
            "holder": str(holder) if holder else "-",
        }
        if reminder:
            title = _("Still not collected: %(child)s") % words
        else:
            title = _("Late pick-up: %(child)s") % words
        body = (
            _("%(child)s (%(class)s) has not been collected: the session ended at %(end)s. Held by %(holder)s.") % words
        )
        url = reverse("safety:alert-detail", args=[alert.pk])
        for user in staff.values():
            notifications_services.notify(
                user=user, kind=NotificationKind.LATE_PICKUP, title=title, body=body, url=url, key=key
            )
        notifications_services.notify_guardians(
            student=student,
            kind=NotificationKind.LATE_PICKUP,
            url=reverse("safety:student-handovers", args=[student.pk]),
            title=_("Your child has not been collected") if not reminder else title,
            body=_(
                "%(child)s is still at school: the after-school service ended at %(end)s. Please collect your child "
                "or call the school; %(holder)s is looking after them."
            )
            % words,
            key=key,
        )


@transaction.atomic
def _raise(held: selectors.Held, *, day: datetime.date, now: datetime.datetime, people: _People) -> bool:
    try:
        with transaction.atomic():  # another run may have raised it a moment ago: the constraint says so
            alert = LateAlert.objects.create(
                school_id=held.session.service_class.school_id, student_id=held.student_id, date=day,
                session=held.session, holder_id=held.holder_id, last_reminded_at=now,
            )  # fmt: skip
    except IntegrityError:
        return False
    workflow.start(alert, actor=None, action="raise", system=True)
    _tell(alert, holder_id=held.holder_id, people=people)
    return True


@transaction.atomic
def _remind(alert: LateAlert, held: selectors.Held, *, now: datetime.datetime, people: _People) -> bool:
    n = alert.reminders + 1
    # Compare-and-set: of two overlapping runs, only one counts this reminder (and tells anyone).
    won = LateAlert.objects.filter(pk=alert.pk, status=LateAlert.Status.OPEN, reminders=alert.reminders).update(
        reminders=n, last_reminded_at=now, updated_at=timezone.now()
    )
    if won != 1:
        return False
    alert.reminders, alert.last_reminded_at = n, now
    workflow.log(alert, "remind", actor=None, system=True, note=str(n))
    _tell(alert, holder_id=held.holder_id, people=people, reminder=n)
    return True


@transaction.atomic
def _resolve_handed_over(alert: LateAlert, handover: Handover, *, now: datetime.datetime) -> bool:
    try:
        workflow.transition(
            alert, "resolve", actor=None, system=True, resolved_at=now,
            resolution=LateAlert.Resolution.COLLECTED, handover=handover,
        )  # fmt: skip
    except workflow.TransitionNotAllowed:  # resolved meanwhile by a person or another run
        return False
    return True


def late_alerts_resolve_collected(*, handovers: list[Handover]) -> int:
    """Late children just handed over: their open alerts of that day are resolved at once, by the system, pointing
    at the hand-over (the job would do it a minute later; the board and the guardian should not wait)."""
    finals = {(h.student_id, h.date): h for h in handovers if h.is_final}
    if not finals:
        return 0
    alerts = LateAlert.objects.filter(
        status=LateAlert.Status.OPEN,
        student_id__in={student_id for student_id, _day in finals},
        date__in={day for _student, day in finals},
    )
    now = timezone.now()
    return sum(
        _resolve_handed_over(alert, finals[(alert.student_id, alert.date)], now=now)
        for alert in alerts
        if (alert.student_id, alert.date) in finals
    )


def late_alerts_raise(*, now: datetime.datetime | None = None) -> RunSummary:
    """The scheduled job's work, as the system: for every child still held (by their session's teacher or the
    member of staff they were handed to) once their last session of the day ended `late_pickup_minutes` ago, an
    alert, and the holder, the duty teacher, the gate keeper and the guardians told; every open alert of today
    repeated each `late_pickup_repeat_minutes`; an open alert whose child has since been handed over, resolved.

    A fixed number of queries (five) when nothing is due, whatever the number of schools and children; each
    alert raised, repeated or resolved is its own transaction. Safe to run twice or overlapping."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    county = CountySettings.current()
    summary = RunSummary()
    held = selectors.custody_for_day(day=day)
    if not held:
        return summary
    alerts = {(a.student_id, a.session_id): a for a in LateAlert.objects.filter(date=day).select_related("session")}
    new = [
        h
        for h in held.values()
        if h.holder_id is not None
        and (h.student_id, h.session.pk) not in alerts
        and rules.is_late(now, day, h.session.end_time, county.late_pickup_minutes)
    ]
    to_resolve, to_remind = [], []
    for alert in alerts.values():
        h = held.get(alert.student_id)
        if alert.status != LateAlert.Status.OPEN or h is None:
            continue
        if h.final is not None:
            to_resolve.append((alert, h.final))
        elif rules.reminder_due(now, alert.last_reminded_at, county.late_pickup_repeat_minutes):
            to_remind.append((alert, h))
    for alert, handover in to_resolve:
        summary.resolved += _resolve_handed_over(alert, handover, now=now)
    if not new and not to_remind:
        return summary
    people = _People(
        day=day,
        school_ids={h.session.service_class.school_id for h in new} | {a.school_id for a, _h in to_remind},
        user_ids={h.holder_id for h in new} | {h.holder_id for _a, h in to_remind},
        student_ids={h.student_id for h in new} | {a.student_id for a, _h in to_remind},
    )
    for h in new:
        summary.raised += _raise(h, day=day, now=now, people=people)
    for alert, h in to_remind:
        summary.reminded += _remind(alert, h, now=now, people=people)
    return summary


@transaction.atomic
def late_alert_resolve(*, actor: User, alert: LateAlert, resolution: str, note: str = "") -> LateAlert:
    """A person says what happened to a late child: the adult who held the child, the day's duty teacher, or the
    school admin (late_alert.resolve). A note is required for "taken home" and "other". "Collected" is not a
    person's word: the hand-over that records who collected the child resolves the alert (by the system).
    Raises PermissionDenied; DomainError for an unknown resolution, a missing note, an alert already resolved."""
    permissions.require(actor, "late_alert.resolve", alert)
    if resolution == LateAlert.Resolution.COLLECTED:
        # Who took the child is a hand-over, with its recipient and time; the hand-over then resolves the alert.
        raise DomainError(_("Record who collected the child on the dismissal page: the alert then closes by itself."))
    if resolution not in LateAlert.Resolution.values:
        raise DomainError(_("Choose what happened."))
    note = (note or "").strip()
    if rules.note_required(resolution) and not note:
        raise DomainError(
            _("Say what happened: a note is required for “%(resolution)s”.")
            % {"resolution": LateAlert.Resolution(resolution).label}
        )
    workflow.transition(
        alert, "resolve", actor=actor, note=note, resolved_by=actor, resolved_at=timezone.now(), resolution=resolution
    )
    return alert
