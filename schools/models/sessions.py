"""Sessions (R19–R20, R30): one session of a service class on a day with its roll, assistants and substitutes."""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.models import TimeStampedModel, WorkflowEvent

from .activities import Activity
from .classes import ServiceClass
from .plans import ActivityCategory
from .roster import Student, User


class Session(TimeStampedModel):
    """One session of a service class on one day: who ran it, what was done, and the roll."""

    class TeacherRole(models.TextChoices):
        RESPONSIBLE = "responsible", _("Responsible teacher")
        SUBSTITUTE = "substitute", _("Substitute")

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        NEEDS_CONFIRMATION = "unconfirmed", _("Waiting for the administrator")  # logged late, or flagged content
        CONFIRMED = "confirmed", _("Confirmed by the administrator")

    # A session starts recorded, or unconfirmed when logged late or its content note is flagged (R12).
    TRANSITIONS = {"confirm": ({Status.NEEDS_CONFIRMATION}, Status.CONFIRMED)}  # action: (sources, target)
    ACTION_LABELS = {
        "confirm": _("Confirmed by the administrator"),
        # the county's review of a flagged session (bureau.FlagReview), logged in the session's history
        "county_accept": _("Accepted by the county"),
        "county_violation": _("Found a violation by the county"),
    }
    STATUS_STYLE = {Status.RECORDED: "secondary", Status.NEEDS_CONFIRMATION: "warning", Status.CONFIRMED: "success"}

    service_class = models.ForeignKey(ServiceClass, on_delete=models.PROTECT, related_name="sessions")
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    class_hours = models.DecimalField(_("class-hours"), max_digits=3, decimal_places=1)
    activity_category = models.CharField(_("activity"), max_length=16, choices=ActivityCategory.choices)
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions")
    content_note = models.CharField(_("what was done"), max_length=300)
    teacher = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="sessions_taught", verbose_name=_("teacher")
    )
    teacher_role = models.CharField(_("as"), max_length=12, choices=TeacherRole.choices)
    substitute_reason = models.CharField(_("why a substitute"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, db_index=True)
    late = models.BooleanField(_("logged late"), default=False)
    flag = models.CharField(_("flag for review"), max_length=200, blank=True)  # e.g. looks like a make-up lesson (R12)
    logged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    present = models.PositiveSmallIntegerField(_("present"), default=0)  # roll summary, kept with the roll
    absent = models.PositiveSmallIntegerField(_("absent"), default=0)
    on_leave = models.PositiveSmallIntegerField(_("on leave"), default=0)

    class Meta:
        ordering = ["-date", "start_time"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            # Twice for the same class and slot is refused (also under a race: the database says no).
            models.UniqueConstraint(
                fields=["service_class", "date", "start_time"], name="schools_session_one_per_slot"
            ),
            models.CheckConstraint(condition=Q(start_time__lt=F("end_time")), name="schools_session_starts_before_end"),
            models.CheckConstraint(
                condition=Q(class_hours__gt=Decimal("0"), class_hours__lte=Decimal("4")),
                name="schools_session_hours_0_4",
            ),
            models.CheckConstraint(
                condition=Q(teacher_role="responsible") | ~Q(substitute_reason=""),
                name="schools_session_substitute_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["teacher", "date"], name="schools_session_teacher_date"),
            # The county's delivery and the weeks-behind check read one school year's (or four weeks') counted
            # sessions of every class: an index-only range scan on the date instead of every year's sessions.
            models.Index(
                fields=["date"], include=["service_class", "status", "class_hours"], name="schools_session_date_cover"
            ),
        ]

    def __str__(self):
        return f"{self.service_class} {self.date:%Y-%m-%d} {self.start_time:%H:%M}"


class SessionEvent(WorkflowEvent):
    """The session's history (its confirmation): never edited."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("session event")
        verbose_name_plural = _("session events")


class SessionAssistant(models.Model):
    """A teacher or volunteer who assisted in a session (counted as assistant in the hours record)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="assistants")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="sessions_assisted")

    class Meta:
        verbose_name = _("session assistant")
        verbose_name_plural = _("session assistants")
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="schools_sessionassistant_unique")]

    def __str__(self):
        return f"{self.person} · {self.session}"


class Attendance(models.Model):
    """One child on one session's roll (R30: every child accounted for)."""

    class Mark(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        LEAVE = "leave", _("On leave")

    # No single-column indexes: (session, student) and (student, session) below lead with each of them, and the
    # roll is the largest table (written on every roll save).
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="roll", db_index=False)
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="attendance", db_index=False)
    mark = models.CharField(_("attendance"), max_length=8, choices=Mark.choices)
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "student"], name="schools_attendance_once")]
        indexes = [models.Index(fields=["student", "session"], name="schools_attendance_student")]

    def __str__(self):
        return f"{self.student} · {self.get_mark_display()}"


class Substitution(TimeStampedModel):
    """The school records who stands in for a service class's teacher on a day (a recorded substitute, issue 5)."""

    service_class = models.ForeignKey(ServiceClass, on_delete=models.CASCADE, related_name="substitutions")
    date = models.DateField(_("date"))
    substitute = models.ForeignKey(User, on_delete=models.PROTECT, related_name="substitutions")
    reason = models.CharField(_("reason"), max_length=120)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-date"]
        verbose_name = _("substitution")
        verbose_name_plural = _("substitutions")
        constraints = [
            models.UniqueConstraint(fields=["service_class", "date"], name="schools_substitution_one_per_day"),
            models.CheckConstraint(condition=~Q(reason=""), name="schools_substitution_has_reason"),
        ]

    def __str__(self):
        return f"{self.substitute} → {self.service_class} {self.date:%Y-%m-%d}"
