"""The notification settings form: which kinds also come as a text message, and quiet hours."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import NotificationKind

TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M")


class PreferenceForm(forms.Form):
    text_kinds = forms.MultipleChoiceField(
        label=_("Also send as a text message"),
        choices=NotificationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    quiet_from = forms.TimeField(label=_("Quiet hours from"), required=False, widget=TIME_WIDGET)
    quiet_until = forms.TimeField(label=_("Quiet hours until"), required=False, widget=TIME_WIDGET)

    def clean(self):
        data = super().clean()
        start, end = data.get("quiet_from"), data.get("quiet_until")
        if "quiet_from" in data and "quiet_until" in data:
            if (start is None) != (end is None):
                raise forms.ValidationError(_("Give both ends of the quiet hours, or neither."))
            if start is not None and start == end:
                raise forms.ValidationError(_("Quiet hours must start and end at different times."))
        return data
