"""Input of emergency plans (with the named responsibilities), drills and safety-education sessions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.forms import DATE_WIDGET, StaffChoiceField

from ..models import PlanDuty, SafetyEducation, Scenario

TEXT = {"rows": 3}


class PlanForm(forms.Form):
    scenario = forms.ChoiceField(label=_("Scenario"), choices=Scenario.choices)
    title = forms.CharField(label=_("Title"), max_length=80)
    effective_from = forms.DateField(label=_("In force from"), widget=DATE_WIDGET)
    procedure = forms.CharField(label=_("Procedure"), widget=forms.Textarea(attrs={"rows": 8}), max_length=10000)

    def __init__(self, *args, staff, revising: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if revising:
            del self.fields["scenario"]
        for duty, label in PlanDuty.Duty.choices:
            self.fields[f"duty_{duty}"] = StaffChoiceField(
                label=label, queryset=staff, required=duty == PlanDuty.Duty.COMMANDER
            )

    @property
    def duties(self) -> dict:
        return {duty: self.cleaned_data.get(f"duty_{duty}") for duty in PlanDuty.Duty.values}

    def duty_fields(self):
        return [self[f"duty_{duty}"] for duty in PlanDuty.Duty.values]


class DrillForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    scenario = forms.ChoiceField(label=_("Scenario"), choices=Scenario.choices)
    pupils = forms.IntegerField(label=_("Pupils taking part"), min_value=0, max_value=20000)
    staff = forms.IntegerField(label=_("Staff taking part"), min_value=1, max_value=2000)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=600)
    went_wrong = forms.CharField(
        label=_("What went wrong"), widget=forms.Textarea(attrs=TEXT), max_length=3000, required=False
    )
    changes = forms.CharField(
        label=_("What will change"), widget=forms.Textarea(attrs=TEXT), max_length=3000, required=False
    )


class EducationForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    topic = forms.CharField(label=_("Topic"), max_length=80)
    audience = forms.ChoiceField(label=_("Audience"), choices=SafetyEducation.Audience.choices)
    class_hours = forms.IntegerField(label=_("Class-hours"), min_value=1, max_value=40)
    attendees = forms.IntegerField(label=_("Attendees"), min_value=1, max_value=20000)
