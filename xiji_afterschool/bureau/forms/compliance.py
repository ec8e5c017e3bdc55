"""Compliance flags at the county: the list's filter and the county's review."""

from django import forms
from django.utils.translation import gettext_lazy as _

from schools.models import School, Township
from xiji_afterschool.forms import DATE_WIDGET, ModelChoice

from ..models import FlagReview, FlagState

STATE_CHOICES = [("", _("Every state")), *FlagState.choices]


class FlagFilterForm(forms.Form):
    township = ModelChoice(
        label=_("Township"), queryset=Township.objects.none(), required=False, empty_label=_("All townships")
    )
    school = ModelChoice(
        label=_("School"), queryset=School.objects.none(), required=False, empty_label=_("All schools")
    )
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)
    date_from = forms.DateField(label=_("Dates from"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Dates to"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, townships, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships
        self.fields["school"].queryset = schools

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The first day must not come after the last day."))
        return data


class FlagReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FlagReview.Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a violation: the school is told."),
    )
