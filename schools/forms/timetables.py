"""Input of a timetable: its header, its rows (a formset) and a revision's date."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiji_afterschool.forms import DATE_WIDGET

from ..models import Timetable, TimetableSlot

WEEKDAY_CHOICES = TimetableSlot._meta.get_field("weekday").choices  # one list: the model's


class TimetableHeaderForm(forms.Form):
    opening_season = forms.ChoiceField(
        label=_("Timetable at the start of the semester"), choices=Timetable.Season.choices
    )
    switch_date = forms.DateField(
        label=_("Switch to the other timetable on"),
        required=False,
        widget=DATE_WIDGET,
    )


class TimetableRowForm(forms.Form):
    season = forms.ChoiceField(label=_("Season"), choices=Timetable.Season.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=TimetableSlot.Kind.choices)
    weekdays = forms.TypedMultipleChoiceField(
        label=pgettext_lazy("weekdays", "Days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    start_time = forms.TimeField(label=_("Start"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=_("End"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def clean(self):
        data = super().clean()
        if data.get("start_time") and data.get("end_time") and data["start_time"] >= data["end_time"]:
            raise forms.ValidationError(_("The end must come after the start."))
        return data


TimetableRowFormSet = forms.formset_factory(TimetableRowForm, extra=2, max_num=20, validate_max=True, can_delete=True)


class TimetableReviseForm(forms.Form):
    effective_from = forms.DateField(label=_("New version in force from"), widget=DATE_WIDGET)
