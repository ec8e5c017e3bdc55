"""Filters of the roster pages, and a student's roster data as the school corrects it."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiji_afterschool.forms import DATE_WIDGET, ModelChoice, PersonNameField

from ..models import AdminClass, School, Student, Township
from ..rules import roster as roster_rules


class SchoolFilterForm(forms.Form):
    township = ModelChoice(
        label=_("Township"), queryset=Township.objects.all(), required=False, empty_label=_("All townships")
    )
    school_type = forms.ChoiceField(
        label=_("School type"), choices=[("", _("All types")), *School.Type.choices], required=False
    )


class StudentSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or last digits of ID"), max_length=50, required=False)
    admin_class = forms.IntegerField(required=False, widget=forms.HiddenInput)


class StudentForm(forms.Form):
    """A student's roster data as the school corrects it (a parent's correction request, a typo in the import)."""

    name = PersonNameField(label=pgettext_lazy("person", "Name"))
    gender = forms.ChoiceField(label=_("Gender"), choices=Student.Gender.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(label=_("Birth date"), widget=DATE_WIDGET)
    id_number = forms.CharField(
        label=_("Resident ID number"),
        required=False,
        max_length=30,
        help_text=_("Optional. 18 characters; the last may be X."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    admin_class = ModelChoice(label=_("Class"), queryset=AdminClass.objects.none())
    is_boarder = forms.BooleanField(label=_("Boarder"), required=False)

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["admin_class"].queryset = AdminClass.objects.filter(school=school).order_by("grade", "number")

    def clean_id_number(self):
        value = roster_rules.normalize_id_number(self.cleaned_data["id_number"])
        if value:
            roster_rules.validate_id_number(value)
        return value or None
