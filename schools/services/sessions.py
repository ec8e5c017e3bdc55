"""The session log (issue 5, R12, R19–R21, R30): a session with its roll, its confirmation, recorded substitutes.

recorded                      (logged in time, nothing to review)
unconfirmed --confirm--> confirmed   (logged late, or the content note reads like a make-up lesson / new content)

The confirmation is `workflow.transition` on Session.TRANSITIONS (compare-and-set, a SessionEvent logged) that also
stamps `confirmed_by`; two administrators confirming at once confirm it once.
"""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed, transition

from ..models import (
    Activity,
    ActivityCategory,
    Attendance,
    CalendarDay,
    CountySettings,
    HoursMonth,
    Membership,
    NotificationKind,
    ServiceClass,
    ServiceClassMember,
    Session,
    SessionAssistant,
    Student,
    Substitution,
    User,
)
from ..selectors import sessions as selectors
from . import audit as audit_services
from . import notifications as notifications_services

MAX_CLASS_HOURS = Decimal("4")  # the model's check constraint: 0 < class-hours <= 4
MAX_SPAN = datetime.timedelta(hours=4)  # no service slot is longer than the longest session one may claim
# Stored untranslated (stored values are data); templates show it with {% translate session.substitute_reason %}.
ADMIN_REASON = gettext_noop("logged by the administrator")

# R12 forbids collective make-up lessons and teaching new content in after-school time. A content note that reads
# like one is flagged for the administrator's review (never silently accepted, never refused: a teacher may write
# "no new lesson, homework only" and the administrator decides). Longer words first, so the flag names the most
# specific one. Matching is case-insensitive (the English phrases) and ignores spacing inside the English phrases.
FLAG_WORDS = (
    "集体补习",
    "讲新课",
    "上新课",
    "赶进度",
    "补课",
    "新授",
    "新课",
    "考试辅导",  # exam coaching: subject teaching dressed as tutoring
    "new lesson",
    "new content",
    "make-up lesson",
    "makeup lesson",
)
_FLAG_PATTERN = re.compile("|".join(re.escape(w).replace(r"\ ", r"\s*") for w in FLAG_WORDS), re.IGNORECASE)


def today() -> datetime.date:
    return timezone.localdate()


FLAG_PREFIX = "R12:"  # the stored flag is "R12:<word>", shown as a sentence in the reader's language


def content_flag(note: str) -> str:
    """The stored review flag for a content note that reads like a make-up lesson or new content (R12), or ""."""
    match = _FLAG_PATTERN.search(note or "")
    return f"{FLAG_PREFIX}{match.group(0)}" if match else ""


def flag_message(flag: str) -> str:
    """The flag as a sentence for the administrator (a flag of another kind is shown as stored)."""
    if not flag.startswith(FLAG_PREFIX):
        return flag
    return _(
        "The note mentions “%(word)s”: after-school time is not for make-up lessons or new content (R12). Check "
        "what was done before confirming."
    ) % {"word": flag.removeprefix(FLAG_PREFIX)}


def _already_logged() -> DomainError:
    return DomainError(_("This session is already logged: a class has one session per slot. Reload the page."))


def _require_open_month(school_id: int, day: datetime.date) -> None:
    if HoursMonth.objects.filter(school=school_id, month=day.replace(day=1)).exists():
        raise DomainError(
            _("The month %(month)s is closed; ask the administrator for an adjustment.") % {"month": f"{day:%Y-%m}"}
        )


def session_logging_role(*, actor: User, service_class: ServiceClass, day: datetime.date) -> tuple[str, str]:
    """(teacher_role, substitute_reason) the actor would log that day's session with, or PermissionDenied.

    The class's teacher logs as responsible; a Substitution recorded for THAT day makes its substitute the
    substitute (its reason); the school's administrator may log in their stead (as substitute, unless they teach it).
    """
    if service_class.teacher_id == actor.pk:
        return Session.TeacherRole.RESPONSIBLE, ""
    substitution = Substitution.objects.filter(service_class=service_class, date=day).first()
    if substitution and substitution.substitute_id == actor.pk:
        return Session.TeacherRole.SUBSTITUTE, substitution.reason
    if any(m.school_id == service_class.school_id for m in permissions.memberships_for(actor, "substitution.manage")):
        return Session.TeacherRole.SUBSTITUTE, ADMIN_REASON
    raise PermissionDenied("session.log")


def _check_times(start_time: datetime.time, end_time: datetime.time, class_hours: Decimal) -> None:
    if class_hours is None or not Decimal(0) < class_hours <= MAX_CLASS_HOURS:
        raise DomainError(
            _("Class-hours must be more than 0 and at most %(max)s.") % {"max": MAX_CLASS_HOURS.normalize()}
        )
    if class_hours != class_hours.quantize(Decimal("0.1")):
        raise DomainError(_("Class-hours take at most one decimal place (e.g. 1.5)."))
    if not start_time or not end_time or start_time >= end_time:
        raise DomainError(_("The session must end after it starts."))
    day = datetime.date(2000, 1, 1)
    if datetime.datetime.combine(day, end_time) - datetime.datetime.combine(day, start_time) > MAX_SPAN:
        raise DomainError(_("A session lasts at most 4 hours; check the start and end times."))


def _check_roll(marks: dict, members: dict[int, str], day: datetime.date) -> list[tuple[int, str, str]]:
    """Every open member exactly once with a valid mark (R30); returns (student_id, mark, reason) rows."""
    strangers = set(marks) - set(members)
    if strangers:
        raise DomainError(
            _("The roll names %(count)s child(ren) who are not in this class on %(date)s. Reload the page.")
            % {"count": len(strangers), "date": day.isoformat()}
        )
    missing = [name for student_id, name in members.items() if student_id not in marks]
    if missing:
        raise DomainError(
            _("Every child must be accounted for; missing from the roll: %(names)s.") % {"names": "、".join(missing)}
        )
    rows = []
    for student_id, (mark, reason) in marks.items():
        if mark not in Attendance.Mark.values:
            raise DomainError(_("Mark each child present, absent or on leave."))
        reason = "" if mark == Attendance.Mark.PRESENT else (reason or "").strip()
        if len(reason) > 100:
            raise DomainError(
                _("The reason for %(name)s is longer than 100 characters.") % {"name": members[student_id]}
            )
        rows.append((student_id, mark, reason))
    return rows


@transaction.atomic
def session_log(
    *,
    actor: User,
    service_class: ServiceClass,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    class_hours: Decimal,
    activity_category: str,
    activity: Activity | None,
    content_note: str,
    assistants: list[User],
    marks: dict[int, tuple[str, str]],
) -> Session:
    """Log one session of a service class with its whole roll, in one transaction and a fixed number of queries.

    The class's teacher logs as responsible; the substitute recorded for that day as substitute; the school's
    administrator may log too. Logged more than CountySettings.late_log_days late, or with a content note that
    reads like a make-up lesson (R12), it waits for the administrator's confirmation.
    Raises PermissionDenied; DomainError for a future day, a day outside the semesters or without service, a
    closed month, a slot already logged, impossible times or class-hours, a roll that is not the class's members.
    """
    permissions.require(actor, "session.log", service_class)
    role, substitute_reason = session_logging_role(actor=actor, service_class=service_class, day=date)
    now = today()
    if date > now:
        raise DomainError(_("A session cannot be logged for a day in the future."))
    _require_open_month(service_class.school_id, date)
    stage = selectors.class_stage(service_class)
    exceptions = dict(
        CalendarDay.objects.filter(school_year=service_class.school_year_id, date=date).values_list("date", "kind")
    )
    problem = selectors.day_without_service(
        day=date, semesters=list(service_class.school_year.semesters.all()), stage=stage, exceptions=exceptions
    )
    if problem:
        raise DomainError(problem)
    _check_times(start_time, end_time, class_hours)
    if activity_category not in ActivityCategory.values:
        raise DomainError(_("Choose one of the plan's activity categories."))
    if activity is not None and activity.school_id != service_class.school_id:
        raise DomainError(_("Choose an activity of this school."))
    if activity is not None and activity.category != activity_category:
        raise DomainError(
            _("“%(activity)s” is in the category “%(category)s”; choose that category or another activity.")
            % {"activity": activity.name, "category": activity.get_category_display()}
        )
    content_note = (content_note or "").strip()
    if not content_note:
        raise DomainError(_("Write a short note of what was done."))
    if len(content_note) > 300:
        raise DomainError(_("Keep the note of what was done to 300 characters."))
    assistant_ids = {a.pk for a in assistants} - {actor.pk}
    if assistant_ids:
        staff = set(
            Membership.objects.filter(
                user__in=assistant_ids, school=service_class.school_id, role__in=selectors.STAFF_ROLES
            ).values_list("user_id", flat=True)
        )
        if assistant_ids - staff:
            raise DomainError(_("Assistants must be teachers or volunteers of this school."))
    # One session per class and slot: a session overlapping these times that day is the same slot. The class row is
    # locked first, so two people saving the same day one after the other see each other's session (PostgreSQL).
    ServiceClass.objects.select_for_update().filter(pk=service_class.pk).values_list("pk").first()
    if Session.objects.filter(
        service_class=service_class, date=date, start_time__lt=end_time, end_time__gt=start_time
    ).exists():
        raise _already_logged()
    members = dict(
        ServiceClassMember.objects.filter(service_class=service_class, start_date__lte=date)
        .exclude(end_date__lt=date)
        .values_list("student_id", "student__name")
    )
    roll = _check_roll(marks, members, date)

    late = (now - date).days > CountySettings.current().late_log_days
    flag = content_flag(content_note)
    counts = {mark: sum(1 for _id, m, _r in roll if m == mark) for mark in Attendance.Mark.values}
    session = Session(
        service_class=service_class,
        date=date,
        start_time=start_time,
        end_time=end_time,
        class_hours=class_hours,
        activity_category=activity_category,
        activity=activity,
        content_note=content_note,
        teacher=actor,
        teacher_role=role,
        substitute_reason=substitute_reason,
        status=Session.Status.NEEDS_CONFIRMATION if late or flag else Session.Status.RECORDED,
        late=late,
        flag=flag[:200],
        logged_by=actor,
        present=counts[Attendance.Mark.PRESENT],
        absent=counts[Attendance.Mark.ABSENT],
        on_leave=counts[Attendance.Mark.LEAVE],
    )
    try:  # field shapes only: the rules and the relations were checked above, without a query per field
        session.full_clean(
            exclude=["service_class", "activity", "teacher", "logged_by", "confirmed_by"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None
    try:
        with transaction.atomic():  # a savepoint: the loser of a race gets the same message as a late second try
            session.save(force_insert=True)
    except IntegrityError:
        raise _already_logged() from None
    SessionAssistant.objects.bulk_create([SessionAssistant(session=session, person_id=pk) for pk in assistant_ids])
    Attendance.objects.bulk_create(
        [Attendance(session=session, student_id=sid, mark=mark, reason=reason) for sid, mark, reason in roll]
    )
    audit_services.record(
        action="session.record",
        obj=session,
        actor=actor,
        school=service_class.school_id,
        changes={
            "status": [None, session.status],
            "present": [None, session.present],
            "absent": [None, session.absent],
            "on_leave": [None, session.on_leave],
            "class_hours": [None, str(session.class_hours)],
        },
    )
    _tell_guardians_of_absence(session, {sid: reason for sid, mark, reason in roll if mark == Attendance.Mark.ABSENT})
    return session


def _tell_guardians_of_absence(session: Session, absent: dict[int, str]) -> None:
    """A child marked absent tells their guardians at once (issue 11 §3); "on leave" was asked for by the family, so
    it tells nobody. One message per session and child, whoever saves the roll."""
    for student in Student.objects.filter(pk__in=absent).order_by("pk"):
        with translation.override(settings.LANGUAGE_CODE):
            body = _("Your child %(child)s was absent from %(class)s on %(date)s.") % {
                "child": student.name,
                "class": session.service_class.name,
                "date": formats.date_format(session.date, "DATE_FORMAT"),
            }
            if absent[student.pk]:
                body += " " + _("Reason noted by the teacher: %(reason)s") % {"reason": absent[student.pk]}
            title = _("Absent from the after-school service")
        notifications_services.notify_guardians(
            student=student,
            kind=NotificationKind.ABSENT,
            title=title,
            body=body,
            url=reverse("schools:student-detail", args=[student.pk]),
            key=f"absent:{session.pk}:{student.pk}",
        )


@transaction.atomic
def session_confirm(*, actor: User, session: Session) -> Session:
    """The school administrator confirms a session logged late or flagged (unconfirmed → confirmed).

    Raises PermissionDenied; DomainError when the month is closed or the session is not waiting (also when another
    administrator confirmed it a moment earlier).
    """
    permissions.require(actor, "session.confirm", session)
    _require_open_month(session.service_class.school_id, session.date)
    try:
        transition(session, "confirm", actor=actor, confirmed_by=actor)
    except TransitionNotAllowed:
        raise DomainError(
            _("This session is “%(status)s” and has nothing to confirm.") % {"status": session.get_status_display()}
        ) from None
    return session


@transaction.atomic
def substitution_record(
    *, actor: User, service_class: ServiceClass, date: datetime.date, substitute: User, reason: str
) -> Substitution:
    """The school records who stands in for a class's teacher on a day; they may then log that day's session.

    A substitute already recorded for that day is replaced while no session of that day is logged.
    Raises PermissionDenied; DomainError for a day outside the school year or in a closed month, a substitute who is
    not staff of the school or is the class's own teacher, an empty reason, or a day already logged.
    """
    permissions.require(actor, "substitution.manage", service_class)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the substitute."))
    if len(reason) > 120:
        raise DomainError(_("Keep the reason to 120 characters."))
    year = service_class.school_year
    if not year.start_date <= date <= year.end_date:
        raise DomainError(_("Choose a day of the class's school year."))
    _require_open_month(service_class.school_id, date)
    if substitute.pk == service_class.teacher_id:
        raise DomainError(_("The class's own teacher is not a substitute."))
    if not Membership.objects.filter(
        user=substitute, school=service_class.school_id, role__in=selectors.STAFF_ROLES
    ).exists():
        raise DomainError(_("The substitute must be a teacher or volunteer of this school."))
    if Session.objects.filter(service_class=service_class, date=date).exists():
        raise DomainError(_("The session of that day is already logged; the substitute can no longer change."))
    try:
        with transaction.atomic():
            substitution, _created = Substitution.objects.update_or_create(
                service_class=service_class,
                date=date,
                defaults={"substitute": substitute, "reason": reason, "created_by": actor},
            )
    except IntegrityError:  # two administrators at once: the other one's substitute stands
        raise DomainError(
            _("Someone else recorded a substitute for that day at the same moment; reload the page.")
        ) from None
    return substitution
