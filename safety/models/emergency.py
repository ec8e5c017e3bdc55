"""Emergency plans, drills and safety education (应急预案、演练、安全教育, R28, issue 11 §8).

A school keeps one plan per scenario, with named responsibilities (总指挥, 疏散引导…, each a person of the school)
and the procedure. A plan is never rewritten: a new version supersedes it (`previous`), and the old versions stay
readable. Drills and safety-education sessions are records of what was done."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import School, User
from xiji_afterschool.models import TimeStampedModel


class Scenario(models.TextChoices):
    FIRE = "fire", _("Fire")
    INJURY = "injury", _("Injury")
    MISSING = "missing", _("Missing child")
    WEATHER = "weather", _("Severe weather")
    TRAFFIC = "traffic", _("Traffic")
    EARTHQUAKE = "earthquake", _("Earthquake / evacuation")
    OTHER = "other", _("Other")


class EmergencyPlan(TimeStampedModel):
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="emergency_plans", verbose_name=_("school")
    )
    scenario = models.CharField(_("scenario"), max_length=12, choices=Scenario.choices)
    title = models.CharField(_("title"), max_length=80)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )  # one successor at most: two people revising at once cannot both supersede the same version
    procedure = models.TextField(_("procedure"))
    effective_from = models.DateField(_("in force from"))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by"))

    class Meta:
        ordering = ["school", "scenario", "-version"]
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        constraints = [
            models.UniqueConstraint(fields=["school", "scenario", "version"], name="safety_emergencyplan_version"),
            models.CheckConstraint(
                condition=Q(version=1, previous__isnull=True) | Q(version__gt=1, previous__isnull=False),
                name="safety_emergencyplan_versions_chain",
            ),
        ]

    def __str__(self):
        return f"{self.school} {self.get_scenario_display()} v{self.version}"

    @property
    def is_current(self) -> bool:
        return not hasattr(self, "next_version")


class PlanDuty(models.Model):
    """A named responsibility in a plan: 总指挥 → 王校长."""

    class Duty(models.TextChoices):
        COMMANDER = "commander", _("Commander")
        EVACUATION = "evacuation", _("Evacuation guide")
        FIRST_AID = "first_aid", _("First aid")
        PARENTS = "parents", _("Contacting parents")
        SECURITY = "security", _("Security and cordon")
        REPORTING = "reporting", _("Reporting to the bureau")

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="duties")
    duty = models.CharField(_("responsibility"), max_length=12, choices=Duty.choices)
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))

    class Meta:
        ordering = ["plan", "pk"]
        verbose_name = _("plan responsibility")
        verbose_name_plural = _("plan responsibilities")
        constraints = [models.UniqueConstraint(fields=["plan", "duty"], name="safety_planduty_once")]

    def __str__(self):
        return f"{self.get_duty_display()}: {self.person}"


class Drill(models.Model):
    """An emergency drill (应急演练) held at the school."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="drills", verbose_name=_("school"))
    date = models.DateField(_("date"))
    scenario = models.CharField(_("scenario"), max_length=12, choices=Scenario.choices)
    plan = models.ForeignKey(
        EmergencyPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="drills", verbose_name=_("plan")
    )
    pupils = models.PositiveIntegerField(_("pupils taking part"))
    staff = models.PositiveIntegerField(_("staff taking part"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    went_wrong = models.TextField(_("what went wrong"), blank=True)
    changes = models.TextField(_("what will change"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["school", "-date", "-pk"]
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gte=1), name="safety_drill_duration_gte_1"),
        ]

    def __str__(self):
        return f"{self.school} {self.date} {self.get_scenario_display()}"


class SafetyEducation(models.Model):
    """A safety-education session (安全教育) for teachers or pupils."""

    class Audience(models.TextChoices):
        PUPILS = "pupils", _("Pupils")
        TEACHERS = "teachers", _("Teachers")
        PARENTS = "parents", _("Parents")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="safety_education", verbose_name=_("school")
    )
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=80)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    class_hours = models.PositiveSmallIntegerField(_("class-hours"))
    attendees = models.PositiveIntegerField(_("attendees"))
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["school", "-date", "-pk"]
        verbose_name = _("safety-education session")
        verbose_name_plural = _("safety-education sessions")
        constraints = [
            models.CheckConstraint(condition=Q(class_hours__gte=1), name="safety_education_hours_gte_1"),
        ]

    def __str__(self):
        return f"{self.school} {self.date} {self.topic}"
