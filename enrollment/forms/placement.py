"""Input of placement: the confirmed suggestion, and one child placed by hand."""

from django import forms
from django.utils.translation import gettext as _

from schools.selectors import classes as classes_selectors
from xiji_afterschool.forms import ModelChoice


class IdListField(forms.Field):
    """Several ids posted under one name (the confirmed applications' checkboxes)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        try:
            return [int(v) for v in value or []]
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("Not a list of ids.")) from exc


class ApplyForm(forms.Form):
    """The applications the administrator confirmed, and the suggestion the page showed (to detect a stale page).
    The service checks each id against the suggestion it recomputes."""

    application = IdListField(required=False)
    signature = forms.CharField(required=False, max_length=100_000)


class PlaceForm(forms.Form):
    service_class = ModelChoice(queryset=None)

    def __init__(self, *args, application, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_class"].queryset = classes_selectors.service_class_list(
            viewer=viewer, school=application.school, school_year=application.school_year
        )
