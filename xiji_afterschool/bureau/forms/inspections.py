"""Input of special inspections: scheduling, the checklist, a finding with its photos, the school's answer, the
inspector's reopening and re-inspection (the services re-check every rule)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from safety.forms.hazards import MultipleFileInput, PhotosField
from xiji_afterschool.forms import DATE_WIDGET, NOTE_MAX_LENGTH, ModelChoice, StaffMultipleChoiceField

from ..models import CheckItem, Finding, Inspection, InspectionCheck


def _note(label, required=True):
    return forms.CharField(
        label=label, required=required, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class InspectionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *Inspection.Status.choices], required=False
    )


class ScheduleForm(forms.Form):
    school = ModelChoice(label=_("School"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Inspection.Kind.choices, widget=forms.RadioSelect)
    planned_date = forms.DateField(label=_("Day of the inspection"), widget=DATE_WIDGET)
    inspectors = StaffMultipleChoiceField(label=_("Inspectors"), queryset=None, widget=forms.CheckboxSelectMultiple)
    focus = forms.CharField(label=_("Focus (optional)"), max_length=200, required=False)

    def __init__(self, *args, schools, inspectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["inspectors"].queryset = inspectors


class ChecksForm(forms.Form):
    """One result and note per check item of the inspection: fields result_<item>, note_<item>."""

    def __init__(self, *args, checks, **kwargs):
        super().__init__(*args, **kwargs)
        self.checks = list(checks)
        for check in self.checks:
            self.fields[f"result_{check.item}"] = forms.ChoiceField(
                label=CheckItem(check.item).label,
                choices=InspectionCheck.Result.choices,
                required=False,
                initial=check.result,
            )
            self.fields[f"note_{check.item}"] = forms.CharField(
                label=_("Note"), max_length=300, required=False, initial=check.note
            )

    def rows(self, hints: dict):
        """(check, result field, note field, hint from the school's records) per item, in the checklist's order."""
        return [
            (check, self[f"result_{check.item}"], self[f"note_{check.item}"], hints.get(check.item))
            for check in self.checks
        ]

    @staticmethod
    def results_of(data: dict, checks) -> dict:
        """{item: (result, note)} from the cleaned data of a ChecksForm over `checks`."""
        return {check.item: (data[f"result_{check.item}"], data[f"note_{check.item}"]) for check in checks}


class FindingForm(forms.Form):
    check_item = ModelChoice(label=_("Check item"), queryset=None)
    severity = forms.ChoiceField(label=_("Severity"), choices=Finding.Severity.choices)
    description = _note(_("What was found"))
    deadline = forms.DateField(label=_("Rectify by"), widget=DATE_WIDGET)
    photos = PhotosField(
        label=_("Photos as evidence (JPEG or PNG, one to four, 5 MB each)"),
        required=False,  # the service refuses a finding without evidence, with its own message
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "multiple": True}),
    )

    def __init__(self, *args, checks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["check_item"].queryset = checks
        self.fields["check_item"].label_from_instance = lambda check: CheckItem(check.item).label


class ReasonForm(forms.Form):
    note = _note(_("Why"))


class ReinspectForm(forms.Form):
    note = _note(_("What the re-inspection found"))


class RespondForm(forms.Form):
    response = _note(_("What was done to rectify it"))
    photo = forms.FileField(
        label=_("Photo (optional, JPEG or PNG, 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )


class ReopenForm(forms.Form):
    note = _note(_("What is still wrong"))
    deadline = forms.DateField(label=_("New deadline (optional)"), widget=DATE_WIDGET, required=False)
