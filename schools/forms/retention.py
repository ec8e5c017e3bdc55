"""Input of the retention settings (issue #14 item 4): a number of days per data class, within the class's bounds
(the service checks them again)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..rules import retention as rules


class RetentionSettingsForm(forms.Form):
    def __init__(self, *args, initial_days: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for key in rules.KEYS:
            least, most = rules.bounds(key)
            self.fields[key] = forms.IntegerField(
                label=rules.label(key),
                initial=initial_days[key],
                error_messages={
                    "required": _("Enter a number of days."),
                    "invalid": _("Enter a whole number of days."),
                },
                widget=forms.NumberInput(attrs={"min": least, "max": most, "inputmode": "numeric"}),
            )

    def clean(self):
        cleaned = super().clean()
        for key in rules.KEYS:
            days = cleaned.get(key)
            if days is None:
                continue
            problem = rules.check_days(key, days)
            if problem:
                self.add_error(key, ValidationError(problem, code="retention_bounds"))
        return cleaned
