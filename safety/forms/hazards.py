"""Input of hazards: a report, the assignment, a rectification with photos, the referral and its reply."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.forms import DATE_WIDGET, NOTE_MAX_LENGTH, ModelChoice, StaffChoiceField

from ..models import CheckCategory, Hazard, Referral


def _note(label, required=True):
    return forms.CharField(
        label=label, required=required, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class HazardFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *Hazard.Status.choices], required=False
    )


class ReportForm(forms.Form):
    category = forms.ChoiceField(label=_("Kind of hazard"), choices=CheckCategory.choices)
    venue = ModelChoice(label=_("Venue"), queryset=None, required=False)
    place = forms.CharField(label=_("Or the place"), max_length=60, required=False)
    description = _note(_("What is wrong"))

    def __init__(self, *args, venues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues

    def clean(self):
        data = super().clean()
        if not data.get("venue") and not (data.get("place") or "").strip():
            raise forms.ValidationError(_("Say where the hazard is: choose a venue or describe the place."))
        return data


class AssignForm(forms.Form):
    responsible = StaffChoiceField(label=_("Responsible person"), queryset=None)
    deadline = forms.DateField(label=_("Rectify by"), widget=DATE_WIDGET)
    note = _note(_("Comment"), required=False)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = staff


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(PhotosField, self).clean(f, initial) for f in files]


class RectifyForm(forms.Form):
    note = _note(_("What was done to rectify it"))
    photos = PhotosField(
        label=_("Photos (JPEG or PNG, at most four, 5 MB each)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "multiple": True}),
    )


class ReturnForm(forms.Form):
    note = _note(_("What is still wrong"))
    deadline = forms.DateField(label=_("New deadline (optional)"), widget=DATE_WIDGET, required=False)


class ReferForm(forms.Form):
    to = forms.ChoiceField(label=_("Refer to"), choices=Referral.choices)
    reference = forms.CharField(label=_("Reference number"), max_length=40, required=False)
    note = _note(_("Why it is referred"))


class ReplyForm(forms.Form):
    OUTCOMES = [("return", _("Back to the school to act on it")), ("close", _("Dealt with: close the hazard"))]
    reply = _note(_("Reply"))
    outcome = forms.ChoiceField(label=_("Then"), choices=OUTCOMES, widget=forms.RadioSelect, initial="return")
