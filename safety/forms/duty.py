"""Input of the duty roster: one day's duty teacher and gate keeper, the week to copy into, the month shown."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from schools.models import School
from xiji_afterschool.forms import DATE_WIDGET, ModelChoice

from ..selectors import duty as selectors


class DutyDayForm(forms.Form):
    duty_teacher = ModelChoice(label=_("Duty teacher"), queryset=None, empty_label=_("Choose…"))
    gate_keeper = ModelChoice(label=_("Gate keeper"), queryset=None, required=False, empty_label=_("Nobody named"))
    note = forms.CharField(label=_("Note"), max_length=100, required=False)

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the school's people are offered; someone else's id is refused as an invalid choice.
        self.fields["duty_teacher"].queryset = selectors.duty_teacher_choices(school=school)
        self.fields["gate_keeper"].queryset = selectors.gate_keeper_choices(school=school)


class CopyWeekForm(forms.Form):
    week = forms.DateField(label=_("Week of"), widget=DATE_WIDGET)


def parse_month(value: str | None, default: datetime.date) -> datetime.date:
    """ "2026-12" → 2026-12-01; anything else → the month of `default`."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if 2000 <= year <= 2100:
            return datetime.date(year, month, 1)
    except (TypeError, ValueError):
        pass
    return default.replace(day=1)
