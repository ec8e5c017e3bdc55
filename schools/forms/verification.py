"""Input of the one-time SMS codes (issue 14): the number a code goes to, and the code typed back."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..rules import roster as roster_rules


def mobile_field(label):
    return forms.CharField(
        label=label,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


def clean_mobile(value: str) -> str:
    value = roster_rules.normalize_mobile(value)
    roster_rules.validate_mobile(value)
    return value


def code_field():
    return forms.CharField(
        label=_("Code from the text message"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false"}),
    )


class CodeRequestForm(forms.Form):
    """The first step of registering and of recovering a password: the number the code goes to."""

    mobile = mobile_field(_("Mobile number"))

    def clean_mobile(self):
        return clean_mobile(self.cleaned_data["mobile"])
