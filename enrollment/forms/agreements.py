"""Input of the agreement: signing, declining, a paper signature, and the school's agreement text."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.forms import PersonNameField

from .parents import CHOOSE_RELATION

MAX_AGREEMENT_CHARS = 20000


class _SignerFields(forms.Form):
    text_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    signer_name = PersonNameField(
        label=_("Your full name, typed as your signature"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    relation = forms.ChoiceField(label=_("You are the child's"), choices=CHOOSE_RELATION)


class SignForm(_SignerFields):
    consent = forms.BooleanField(
        # The consent to processing the child's data is its own act (issue #14 item 2: forms/consents.py).
        label=_("I have read the information and the agreement above, and I agree to it."),
        error_messages={"required": _("To sign, tick the box to show that you agree.")},
    )


class DeclineForm(_SignerFields):
    """“I do not agree”: recorded like a signature, without consent."""


class PaperSignForm(_SignerFields):
    """代录: the agreement as the guardian signed it on paper."""

    signer_name = PersonNameField(label=_("Guardian's name, as signed on paper"), max_length=50)
    relation = forms.ChoiceField(label=_("Guardian's relation to the child, as on paper"), choices=CHOOSE_RELATION)
    paper_original_on_file = forms.BooleanField(
        label=_("The signed paper application and agreement are kept on file at the school"),
        error_messages={"required": _("A paper application can be entered only when the signed original is on file.")},
    )


class AgreementTextForm(forms.Form):
    body = forms.CharField(
        label=_("Agreement text"),
        max_length=MAX_AGREEMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 18}),
    )

    def clean_body(self):
        body = self.cleaned_data["body"].replace("\r\n", "\n").strip()
        if len(body) < 50:
            raise ValidationError(_("The agreement text is too short."), code="short")
        return body
