"""The gate's forms (issue 11 §5): big, few fields. Shape and normalisation only; the services re-check the rules
(ID last four only, times, the adult on today's list)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.rules import roster as roster_rules
from xiji_afterschool.forms import DATE_WIDGET, ModelChoice, PersonNameField, StaffChoiceField

from ..models import EarlyLeave, Visit

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _mobile(value: str) -> str:
    value = roster_rules.normalize_mobile(value)
    if value:
        roster_rules.validate_mobile(value)
    return value


class _VisitorFields(forms.Form):
    name = PersonNameField(label=_("Visitor's name"), max_length=50)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Visit.Purpose.choices, widget=forms.RadioSelect)
    purpose_note = forms.CharField(label=_("Details"), max_length=100, required=False)
    id_checked = forms.BooleanField(label=_("ID checked"), required=False)
    # Room for a mistyped whole number so the service can refuse it with a clear message; the page allows 4.
    id_last4 = forms.CharField(
        label=_("Last 4 characters of the ID"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 4, "autocomplete": "off", "autocapitalize": "characters"}),
    )
    host_name = PersonNameField(label=_("Visiting (whom)"), max_length=50, required=False)
    mobile = forms.CharField(
        label=_("Mobile (optional)"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )

    def clean_mobile(self):
        return _mobile(self.cleaned_data["mobile"])


class VisitForm(_VisitorFields):
    """A visitor entering now: the time in defaults to now and may be set back up to 2 hours."""

    host = StaffChoiceField(label=_("Or a member of staff"), queryset=None, required=False)
    time_in = forms.TimeField(label=_("Time in (empty: now)"), required=False, widget=TIME_WIDGET)

    field_order = ["name", "purpose", "purpose_note", "id_checked", "id_last4", "host_name", "host", "mobile"]

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = staff


class PaperVisitForm(_VisitorFields):
    """One visitor typed in from a paper gate sheet."""

    day = forms.DateField(label=_("Day of the sheet"), widget=DATE_WIDGET)
    time_in = forms.TimeField(label=_("Time in"), widget=TIME_WIDGET)
    time_out = forms.TimeField(label=_("Time out"), required=False, widget=TIME_WIDGET)

    field_order = ["day", "name", "purpose", "purpose_note", "id_checked", "id_last4", "host_name", "mobile"]


class VisitCorrectionForm(_VisitorFields):
    """A new entry correcting one: the whole entry again, and why."""

    time_in = forms.TimeField(label=_("Time in"), widget=TIME_WIDGET)
    time_out = forms.TimeField(label=_("Time out"), required=False, widget=TIME_WIDGET)
    reason = forms.CharField(label=_("Why corrected"), max_length=200)

    @classmethod
    def initial_of(cls, visit: Visit) -> dict:
        return {
            "name": visit.name,
            "purpose": visit.purpose,
            "purpose_note": visit.purpose_note,
            "id_checked": visit.id_checked,
            "id_last4": visit.id_last4,
            "host_name": visit.visiting,
            "mobile": visit.mobile,
            "time_in": timezone.localtime(visit.time_in).strftime("%H:%M"),
            "time_out": timezone.localtime(visit.time_out).strftime("%H:%M") if visit.time_out else "",
        }


class DepartForm(forms.Form):
    confirmed = forms.BooleanField(
        label=_("It is this adult"),
        error_messages={"required": _("Confirm that the adult at the gate is the one named.")},
    )


class ChildSearchForm(forms.Form):
    q = forms.CharField(label=_("Child's name"), max_length=50, required=False)
    admin_class = ModelChoice(label=_("Class"), queryset=None, required=False, empty_label=_("All classes"))

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["admin_class"].queryset = classes


class LogDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)


class MonthForm(forms.Form):
    month = forms.CharField(label=_("Month"), max_length=7, widget=forms.TextInput(attrs={"type": "month"}))

    def clean_month(self) -> datetime.date:
        try:
            return datetime.datetime.strptime(self.cleaned_data["month"], "%Y-%m").date()
        except ValueError as exc:
            raise forms.ValidationError(_("Enter a month as YYYY-MM.")) from exc


class EarlyLeaveForm(forms.Form):
    """The class teacher's permission: the child and day first, then the adult from that day's list."""

    student = ModelChoice(label=_("Child"), queryset=None)
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    leave_at = forms.TimeField(label=_("Leaves at"), widget=TIME_WIDGET)
    reason = forms.ChoiceField(label=_("Reason"), choices=EarlyLeave.Reason.choices)
    note = forms.CharField(label=_("Note"), max_length=100, required=False)
    adult = forms.ChoiceField(label=_("Collected by"), choices=(), widget=forms.RadioSelect)

    def __init__(self, *args, students, adults=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students
        self.fields["adult"].choices = list(adults)
        for name in ("student", "reason"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-lg"
        for name in ("date", "leave_at", "note"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-lg"
        self.fields["adult"].widget.attrs["class"] = "form-check-input"
