"""Input of the disclosure pages: the county table's filters (publishing takes no input)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from schools.models import Semester, Township
from xiji_afterschool.forms import ModelChoice


class DisclosureCountyFilterForm(forms.Form):
    township = ModelChoice(
        label=_("Township"), queryset=Township.objects.all(), required=False, empty_label=_("All townships")
    )
    semester = ModelChoice(label=_("Semester"), queryset=Semester.objects.none(), required=False)

    def __init__(self, *args, school_year=None, **kwargs):
        super().__init__(*args, **kwargs)
        if school_year is not None:
            self.fields["semester"].queryset = (
                Semester.objects.filter(school_year=school_year).select_related("school_year").order_by("number")
            )
        self.fields["semester"].empty_label = _("Current semester")
