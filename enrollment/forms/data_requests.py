"""Input of the guardian's requests about their data, and of the school's answer (the services re-check)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import DataRequest


class DataRequestForm(forms.Form):
    """`targets` are (value, label, student, school) from `selectors.request_targets`: the parent's children and
    their own data at each school."""

    about = forms.ChoiceField(label=_("About"))
    kind = forms.ChoiceField(
        label=_("I ask the school to"),
        choices=[(k.value, k.label) for k in DataRequest.NEW_KINDS],
        widget=forms.RadioSelect,
        help_text=_("To withdraw a consent, use “My consents”: it takes effect at once."),
    )
    what_is_wrong = forms.CharField(label=_("What is wrong now"), max_length=300, required=False)
    should_be = forms.CharField(label=_("What it should be"), max_length=300, required=False)
    details = forms.CharField(
        label=_("Details"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a deletion: which data."),
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {value: (student, school) for value, _label, student, school in targets}
        choices = []
        for value, label, student, _school in targets:
            choices.append((value, label if student else _("Me, as the guardian (%(school)s)") % {"school": label}))
        self.fields["about"].choices = choices

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == DataRequest.Kind.CORRECTION:
            if not data.get("what_is_wrong", "").strip():
                self.add_error("what_is_wrong", _("Say what is wrong."))
            if not data.get("should_be", "").strip():
                self.add_error("should_be", _("Say what it should be."))
        elif kind == DataRequest.Kind.DELETION and not data.get("details", "").strip():
            self.add_error("details", _("Say which data should be deleted."))
        about = data.get("about")
        if about:
            if about not in self.targets:
                raise ValidationError(_("Choose a child of yours, or yourself."))
            data["student"], data["school"] = self.targets[about]
        return data


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Answer"),
        choices=[("done", _("Done: the data was corrected, deleted or the consent withdrawn")),
                 ("refused", _("Refused (give the reason)"))],
        widget=forms.RadioSelect,
    )  # fmt: skip
    answer = forms.CharField(
        label=_("Answer to the family"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "refused" and not data.get("answer", "").strip():
            self.add_error("answer", _("Give the family the reason for refusing."))
        return data
