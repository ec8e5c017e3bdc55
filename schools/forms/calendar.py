"""Input of the county calendar: a school year with its semesters and milestones, and one calendar day."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import CalendarDay


class SchoolYearForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=20, help_text=_("e.g. 2026–2027"))
    start_date = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end_date = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    autumn_start = forms.DateField(
        label=_("Autumn semester starts"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    autumn_end = forms.DateField(
        label=_("Autumn semester ends"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    spring_start = forms.DateField(
        label=_("Spring semester starts"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    spring_end = forms.DateField(
        label=_("Spring semester ends"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    plan_deadline = forms.DateField(
        label=_("School plans due"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    application_deadline = forms.DateField(
        label=_("Applications due"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    refinement_deadline = forms.DateField(
        label=_("Plan refinement due"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDay.Kind.choices)
    note = forms.CharField(label=_("Note"), max_length=60, required=False)
