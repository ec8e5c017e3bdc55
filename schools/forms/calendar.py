"""Input of the county calendar: a school year with its semesters and milestones, and one calendar day."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiji_afterschool.forms import DATE_WIDGET

from ..models import CalendarDay


class SchoolYearForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=20, help_text=_("e.g. 2026–2027"))
    start_date = forms.DateField(label=_("First day"), widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("Last day"), widget=DATE_WIDGET)
    autumn_start = forms.DateField(label=_("Autumn semester starts"), widget=DATE_WIDGET)
    autumn_end = forms.DateField(label=_("Autumn semester ends"), widget=DATE_WIDGET)
    spring_start = forms.DateField(label=_("Spring semester starts"), widget=DATE_WIDGET)
    spring_end = forms.DateField(label=_("Spring semester ends"), widget=DATE_WIDGET)
    plan_deadline = forms.DateField(label=_("School plans due"), widget=DATE_WIDGET)
    application_deadline = forms.DateField(label=_("Applications due"), widget=DATE_WIDGET)
    refinement_deadline = forms.DateField(label=_("Plan refinement due"), widget=DATE_WIDGET)


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDay.Kind.choices)
    note = forms.CharField(label=_("Note"), max_length=60, required=False)
