"""The audit page's filter (issue #13): person, school, object type, action, dates."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.forms import DATE_WIDGET, ModelChoice

from ..models import School
from ..models.audit import ACTION_AREAS, AuditRecord

RESULT_CHOICES = [("", _("Every result")), *AuditRecord.Result.choices]


class AuditFilterForm(forms.Form):
    person = forms.CharField(
        label=_("Person"), required=False, max_length=50, help_text=_("Part of the login or the name.")
    )
    school = ModelChoice(
        label=_("School"), queryset=School.objects.none(), required=False, empty_label=_("All schools")
    )
    object_type = forms.ChoiceField(label=_("Object"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    result = forms.ChoiceField(label=_("Result"), choices=RESULT_CHOICES, required=False)
    date_from = forms.DateField(label=_("Dates from"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Dates to"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, schools, object_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["object_type"].choices = [("", _("Every object")), *object_types]
        self.fields["action"].choices = [("", _("Every action")), *ACTION_AREAS.items()]

    def clean_person(self):
        return (self.cleaned_data.get("person") or "").strip()

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The first day must not come after the last day."))
        return data
