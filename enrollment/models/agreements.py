"""The voluntary service agreement (R13): the school's text for a year and each guardian's decision on it."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import School, SchoolYear, Student, User
from schools.rules import roster as roster_rules
from xiji_afterschool.models import TimeStampedModel


class AgreementText(TimeStampedModel):
    """The school's voluntary service agreement (自愿服务协议书) for a year. A new text is a new version."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="agreement_texts")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="agreement_texts")
    version = models.PositiveSmallIntegerField(_("version"))
    body = models.TextField(_("agreement text"))
    published_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["school", "school_year", "-version"]
        verbose_name = _("agreement text")
        verbose_name_plural = _("agreement texts")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "version"], name="enrollment_agreementtext_version"
            )
        ]

    def __str__(self):
        return f"{self.school} {self.school_year} v{self.version}"


class Agreement(TimeStampedModel):
    """A guardian's decision on one agreement text for one child: signed or declined. Never changed."""

    class Decision(models.TextChoices):
        SIGNED = "signed", _("Signed")
        DECLINED = "declined", _("Declined")

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="agreements")
    text = models.ForeignKey(AgreementText, on_delete=models.PROTECT, related_name="agreements")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    signer_name = models.CharField(_("signed by (typed name)"), max_length=50, validators=[roster_rules.validate_name])
    relation = models.CharField(_("relation to the child"), max_length=16)
    consent = models.BooleanField(_("consent given"), default=False)
    signed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("account"))
    entered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("entered on paper by")
    )
    paper_original_on_file = models.BooleanField(_("paper original on file"), default=False)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("voluntary agreement")
        verbose_name_plural = _("voluntary agreements")
        constraints = [
            # Signing means consenting; declining never carries consent.
            models.CheckConstraint(
                condition=Q(decision="signed", consent=True) | Q(decision="declined", consent=False),
                name="enrollment_agreement_consent_matches_decision",
            ),
            # Entered on a parent's behalf only with the paper original kept.
            models.CheckConstraint(
                condition=Q(entered_by__isnull=True) | Q(paper_original_on_file=True),
                name="enrollment_agreement_paper_on_file",
            ),
        ]

    def __str__(self):
        return f"{self.student} · {self.text} · {self.get_decision_display()}"
