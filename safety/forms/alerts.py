"""Input of a late pick-up alert's resolution: what happened, and a note where that alone does not say it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import LateAlert
from ..rules import alerts as rules


class ResolveForm(forms.Form):
    # "Collected late" is recorded by the hand-over itself (who took the child, when), which resolves the alert.
    resolution = forms.ChoiceField(
        label=_("What happened"),
        choices=[c for c in LateAlert.Resolution.choices if c[0] != LateAlert.Resolution.COLLECTED],
    )
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
