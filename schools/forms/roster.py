"""Filters of the roster pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.forms import ModelChoice

from ..models import School, Township


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
