"""The school plan (一校一案, R16–R17): versioned, structured sections, reviewed and filed by the bureau."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.models import TimeStampedModel, WorkflowEvent

from .calendar import SchoolYear
from .roster import School, User


class ActivityCategory(models.TextChoices):
    """What after-school time may be used for (R9–R11). Make-up lessons and new content (R12) are not here."""

    HOMEWORK = "homework", _("Homework guidance (作业辅导)")
    TUTORING = "tutoring", _("Help for students who struggle (答疑辅导)")
    EXTENSION = "extension", _("Extension learning (拓展学习)")
    ARTS = "arts", _("Arts (文艺)")
    SPORTS = "sports", _("Sports (体育)")
    LABOUR = "labour", _("Labour (劳动)")
    READING = "reading", _("Reading (阅读)")
    INTEREST = "interest", _("Interest groups (兴趣小组)")
    CLUBS = "clubs", _("Clubs (社团)")
    FESTIVALS = "festivals", _("Festivals and shows (节庆展演)")
    FILMS = "films", _("Films, shows and games (观影观演观赛)")
    CUSTODY = "custody", _("Custodial self-study (托管自习)")
    OUTDOOR = "outdoor", _("Outdoor activity (户外活动)")
    PRACTICE = "practice", _("Social practice (社会实践)")
    FOUR_THIRTY = "four_thirty", _("Community 4:30 classroom (四点半课堂)")


class SchoolPlan(TimeStampedModel):
    """One version of a school's plan for a school year. Filed versions never change (R17: refine = new version)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AT_TOWNSHIP = "at_township", _("With the township central school")
        AT_BUREAU = "at_bureau", _("Under bureau review")
        RETURNED = "returned", _("Returned for changes")
        FILED = "filed", _("Filed")

    EDITABLE = (Status.DRAFT, Status.RETURNED)
    TRANSITIONS = {  # action: (allowed source states, target state)
        "submit": ({Status.DRAFT, Status.RETURNED}, Status.AT_BUREAU),
        "submit_to_township": ({Status.DRAFT, Status.RETURNED}, Status.AT_TOWNSHIP),  # village schools, teaching points
        "forward": ({Status.AT_TOWNSHIP}, Status.AT_BUREAU),
        "return_by_township": ({Status.AT_TOWNSHIP}, Status.RETURNED),
        "file": ({Status.AT_BUREAU}, Status.FILED),
        "return": ({Status.AT_BUREAU}, Status.RETURNED),
    }
    ACTION_LABELS = {  # what the history calls each step
        "submit": _("Submitted to the bureau"),
        "submit_to_township": _("Submitted to the township central school"),
        "forward": _("Forwarded to the bureau"),
        "return_by_township": _("Returned by the township central school"),
        "file": _("Filed"),
        "return": _("Returned by the bureau"),
    }
    # The plan page's buttons, one per URL: "submit" and "return" take the township's or the bureau's step.
    BUTTON_LABELS = {
        "submit": _("Submit"),
        "forward": _("Forward to the bureau"),
        "return": _("Return for changes"),
        "file": _("File (备案)"),
    }
    STATUS_STYLE = {  # the badge's colour
        Status.DRAFT: "secondary",
        Status.AT_TOWNSHIP: "primary",
        Status.AT_BUREAU: "primary",
        Status.RETURNED: "warning",
        Status.FILED: "success",
    }

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="plans", verbose_name=_("school"))
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="plans", verbose_name=_("school year")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("previous version"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filing_number = models.CharField(_("filing number"), max_length=40, blank=True)

    class Meta:
        ordering = ["school_year", "school", "-version"]
        verbose_name = _("school plan")
        verbose_name_plural = _("school plans")
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "version"], name="schools_plan_unique_version"),
            # At most one version of a school's plan is being worked on at a time.
            models.UniqueConstraint(
                fields=["school", "school_year"], condition=~Q(status="filed"), name="schools_plan_one_open_version"
            ),
            models.CheckConstraint(
                condition=~Q(status="filed") | Q(filed_at__isnull=False), name="schools_plan_filed_has_date"
            ),
            models.UniqueConstraint(
                fields=["filing_number"], condition=~Q(filing_number=""), name="schools_plan_unique_filing_number"
            ),
        ]

    def __str__(self):
        return _("%(school)s plan %(year)s, version %(version)s") % {
            "school": self.school,
            "year": self.school_year,
            "version": self.version,
        }

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class PlanSection(TimeStampedModel):
    """One structured section of a plan, stored as the cleaned data of its form (see schools/plan_sections.py)."""

    plan = models.ForeignKey(SchoolPlan, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(_("section"), max_length=20)
    data = models.JSONField(_("content"), default=dict)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        ordering = ["plan", "key"]
        verbose_name = _("plan section")
        verbose_name_plural = _("plan sections")
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="schools_plansection_unique_key")]

    def __str__(self):
        return f"{self.plan} · {self.key}"


class PlanAttachment(TimeStampedModel):
    plan = models.ForeignKey(SchoolPlan, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=80)
    file = models.FileField(_("file"), upload_to="plans/%Y/")
    content_type = models.CharField(_("file type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("plan attachment")
        verbose_name_plural = _("plan attachments")

    def __str__(self):
        return self.title


class SchoolPlanEvent(WorkflowEvent):
    """The plan's history: never edited."""

    plan = models.ForeignKey(SchoolPlan, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("plan event")
        verbose_name_plural = _("plan events")
