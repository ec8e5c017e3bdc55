from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import ActivityCategory, CalendarDay, Partner, School, SchoolPlan, Timetable, TimetableSlot, Township


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Mobile number or username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "inputmode": "text"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class SchoolFilterForm(forms.Form):
    township = forms.ModelChoiceField(
        label=_("Township"), queryset=Township.objects.all(), required=False, empty_label=_("All townships")
    )
    school_type = forms.ChoiceField(
        label=_("School type"), choices=[("", _("All types")), *School.Type.choices], required=False
    )


class StudentSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or last digits of ID"), max_length=50, required=False)
    admin_class = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=80)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG, at most 5 MB)"))


class PlanFilterForm(forms.Form):
    township = forms.ModelChoiceField(
        label=_("Township"), queryset=Township.objects.all(), required=False, empty_label=_("All townships")
    )
    school_type = forms.ChoiceField(
        label=_("School type"), choices=[("", _("All types")), *School.Type.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *SchoolPlan.Status.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class PlanStatusFilterForm(SchoolFilterForm):
    only_missing = forms.BooleanField(label=_("Only schools without a filed plan"), required=False)


WEEKDAY_CHOICES = [
    (1, _("Mon")),
    (2, _("Tue")),
    (3, _("Wed")),
    (4, _("Thu")),
    (5, _("Fri")),
    (6, _("Sat")),
    (7, _("Sun")),
]


class TimetableHeaderForm(forms.Form):
    opening_season = forms.ChoiceField(
        label=_("Timetable at the start of the semester"), choices=Timetable.Season.choices
    )
    switch_date = forms.DateField(
        label=_("Switch to the other timetable on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
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
    effective_from = forms.DateField(
        label=_("New version in force from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


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


class ActivityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    # Only the plan's fifteen categories (R9–R11): a crafted value such as 补课 or 新授 is not a valid choice.
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("Choose a category")), *ActivityCategory.choices])
    partner = forms.ModelChoiceField(
        label=_("Hosted by a partner"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("No partner: the school runs it"),
    )
    description = forms.CharField(
        label=_("Description"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, partners: QuerySet[Partner], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Partner.Kind.choices,
        help_text=_(
            "Subject-type off-campus training institutions (学科类校外培训机构) may not take part in after-school "
            "service."
        ),
    )
    contact = forms.CharField(label=_("Contact person and phone"), max_length=60, required=False)
