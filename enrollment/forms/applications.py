"""Input of the application: the form a parent (or the school, from paper) fills, withdrawal and resubmission.

Forms check and normalise what was typed; the services re-check every rule (deadline, boarder-only evening
service, the agreement version, one live application per child).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.models import ActivityCategory
from xiji_afterschool.forms import DATE_WIDGET

from ..models import Application
from ..rules import applications as applications_rules
from .parents import CHOOSE_RELATION, clean_mobile, mobile_field

PREFERENCE_SLOTS = 3  # ranked choices: three selects are easier on a phone than drag-and-drop


class ApplicationForm(forms.Form):
    """Screen 1: 《自愿参加课后服务工作申请表》. The choices depend on the child (boarder) and the school's plan."""

    service_kind = forms.ChoiceField(label=_("Service wanted"), widget=forms.RadioSelect)
    extended_reason = forms.CharField(
        label=_("Why extended care is needed"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for extended care."),
    )
    pickup_difficulty = forms.CharField(
        label=_("Why picking the child up after school is difficult"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    dual_working = forms.BooleanField(label=_("Both parents work"), required=False)
    migrant_child = forms.BooleanField(label=_("Child of migrant workers (随迁子女)"), required=False)
    disability = forms.BooleanField(label=_("Child with a disability"), required=False)
    economic_hardship = forms.BooleanField(label=_("Family in economic difficulty"), required=False)
    priority_note = forms.CharField(label=_("Note on the above (optional)"), max_length=300, required=False)
    pickup_person = forms.CharField(label=_("Who usually picks the child up"), max_length=50)
    pickup_relation = forms.ChoiceField(label=_("Their relation to the child"), choices=CHOOSE_RELATION)
    pickup_mobile = mobile_field(_("Their mobile number"))

    PRIORITY_FIELDS = ("dual_working", "migrant_child", "disability", "economic_hardship")
    MODEL_FIELDS = (
        "service_kind",
        "extended_reason",
        "pickup_difficulty",
        *PRIORITY_FIELDS,
        "priority_note",
        "pickup_person",
        "pickup_relation",
        "pickup_mobile",
    )

    def __init__(self, *args, student, categories: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = Application.ServiceKind
        allowed = (
            [kinds.REGULAR, kinds.EVENING, kinds.EXTENDED]
            if applications_rules.evening_service_open_to(student)
            else [kinds.REGULAR, kinds.EXTENDED]
        )
        self.fields["service_kind"].choices = [(k.value, k.label) for k in allowed]
        self.fields["service_kind"].initial = kinds.REGULAR
        offered = categories or list(ActivityCategory.values)
        labels = dict(ActivityCategory.choices)
        choices = [("", _("— none —"))] + [(c, labels[c]) for c in offered if c in labels]
        for n in range(1, PREFERENCE_SLOTS + 1):
            self.fields[f"preference_{n}"] = forms.ChoiceField(
                label=_("Activity wanted, choice %(n)s") % {"n": n}, choices=choices, required=False
            )

    @classmethod
    def initial_from(cls, application: Application) -> dict:
        initial = {name: getattr(application, name) for name in cls.MODEL_FIELDS}
        for n, value in enumerate(application.preferences[:PREFERENCE_SLOTS], start=1):
            initial[f"preference_{n}"] = value
        return initial

    def clean_pickup_mobile(self):
        return clean_mobile(self.cleaned_data["pickup_mobile"])

    def clean(self):
        data = super().clean()
        if (
            data.get("service_kind") == Application.ServiceKind.EXTENDED
            and not (data.get("extended_reason") or "").strip()
        ):
            self.add_error("extended_reason", _("Please say why the child needs extended care."))
        chosen = [data.get(f"preference_{n}") for n in range(1, PREFERENCE_SLOTS + 1)]
        chosen = [c for c in chosen if c]
        if len(chosen) != len(set(chosen)):
            raise ValidationError(_("Each activity can be chosen only once."))
        data["preferences"] = chosen
        return data

    def application_data(self) -> dict:
        """The cleaned values named as the Application's fields (preferences as a ranked list)."""
        data = {name: self.cleaned_data[name] for name in self.MODEL_FIELDS}
        if data["service_kind"] != Application.ServiceKind.EXTENDED:
            data["extended_reason"] = ""
        data["preferences"] = self.cleaned_data["preferences"]
        return data


class WithdrawForm(forms.Form):
    effective = forms.DateField(label=_("Leave the service from"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective"].initial = timezone.localdate()

    def clean_effective(self):
        effective = self.cleaned_data["effective"]
        if effective < timezone.localdate():
            raise ValidationError(_("The date cannot be in the past."), code="past")
        return effective


class ResubmitForm(forms.Form):
    note = forms.CharField(label=_("What you changed (optional)"), max_length=300, required=False)
