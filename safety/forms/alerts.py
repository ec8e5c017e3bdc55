"""Input of a late pick-up alert's resolution: what happened, and a note where that alone does not say it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import LateAlert
from ..rules import alerts as rules


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("What happened"), choices=LateAlert.Resolution.choices)
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("Required for “taken home” and “other”: who, where, when."),
        widget=forms.TextInput(attrs={"maxlength": 200}),
    )

    def clean(self):
        data = super().clean()
        if rules.note_required(data.get("resolution", "")) and not data.get("note", "").strip():
            self.add_error("note", _("Say what happened."))
        return data
