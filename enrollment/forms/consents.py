"""Input of the guardian's separate consent (issue #14, item 2): two unticked boxes, one per kind, each with its
text to read (the partial `enrollment/consents/_consent_fields.html`); the paper form's boxes and scan (代录).
The services re-check everything (the text version, a consent already live, the scan's bytes)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.forms import PersonNameField

from ..models import ConsentKind
from ..selectors import consents as selectors
from .parents import CHOOSE_RELATION

SENSITIVE_FIELDS = selectors.SENSITIVE_FIELDS


class ConsentForm(forms.Form):
    """The two separate consents, offered for the kinds not live yet for this child. With `require_personal` (the
    application) the personal-information consent must be ticked; with `application_form` (valid) disability or
    economic hardship need the sensitive one."""

    personal = forms.BooleanField(
        label=_("I consent to the school processing my child's personal information for the after-school service."),
        required=False,
    )
    personal_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    sensitive = forms.BooleanField(
        label=_(
            "I separately consent to the school processing my child's sensitive information (disability, economic "
            "hardship, health notes for safety), only to give priority and keep the child safe."
        ),
        required=False,
    )
    sensitive_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    prefix = "consent"

    def __init__(self, *args, student, require_personal: bool = True, application_form=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.student = student
        self.require_personal = require_personal
        self.application_form = application_form
        self.live = selectors.live_consents(student)
        self.texts = selectors.current_texts()
        for kind in ConsentKind.values:
            if kind in self.live or kind not in self.texts:  # already given (or no text): nothing to tick
                del self.fields[kind]
                del self.fields[f"{kind}_version"]
            else:
                self.fields[f"{kind}_version"].initial = self.texts[kind].version

    def offered(self) -> list[dict]:
        """For the partial: each kind with its box (or the live consent already given) and the text to read."""
        rows = []
        for kind in ConsentKind.values:
            if kind not in self.fields and kind not in self.live:
                continue
            rows.append(
                {
                    "kind": kind,
                    "field": self[kind] if kind in self.fields else None,
                    "version": self[f"{kind}_version"] if kind in self.fields else None,
                    "live": self.live.get(kind),
                    "text": self.live[kind].text if kind in self.live else self.texts.get(kind),
                }
            )
        return rows

    def clean(self):
        data = super().clean()
        for kind in ConsentKind.values:
            if data.get(kind) and not data.get(f"{kind}_version"):
                self.add_error(kind, _("Reload the page and read the consent text again."))
        if self.require_personal and "personal" in self.fields and not data.get("personal"):
            self.add_error(
                "personal",
                _("To apply, tick the box to consent to the processing of your child's personal information."),
            )
        app = self.application_form
        if app is not None and app.is_valid() and any(app.cleaned_data.get(n) for n in SENSITIVE_FIELDS):
            if "sensitive" in self.fields and not data.get("sensitive"):
                self.add_error(
                    "sensitive",
                    _(
                        "You ticked disability or economic hardship: give this separate consent too, or go back "
                        "and untick them."
                    ),
                )
        return data

    def versions(self) -> dict[str, int]:
        """{kind: version read} for each box ticked (the service's `versions`)."""
        return {
            kind: self.cleaned_data[f"{kind}_version"]
            for kind in ConsentKind.values
            if kind in self.fields and self.cleaned_data.get(kind)
        }


class PaperConsentForm(forms.Form):
    """代录: which consents the guardian signed on the paper form, and its scan (PDF, JPEG or PNG)."""

    personal = forms.BooleanField(
        label=_("The guardian signed the consent to process the child's personal information"), required=False
    )
    sensitive = forms.BooleanField(
        label=_("The guardian signed the separate consent to sensitive information (disability, economic hardship)"),
        required=False,
    )
    scan = forms.FileField(
        label=_("Scan or photo of the signed consent form"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most 5 MB. The paper original is kept on file at the school."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    prefix = "consent"

    def __init__(self, *args, student, require_personal: bool = True, application_form=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_personal = require_personal
        self.application_form = application_form
        self.live = selectors.live_consents(student)
        for kind in ConsentKind.values:
            if kind in self.live:
                del self.fields[kind]

    def clean(self):
        data = super().clean()
        if self.require_personal and "personal" in self.fields and not data.get("personal"):
            self.add_error("personal", _("An application can be entered only with the guardian's signed consent."))
        app = self.application_form
        if app is not None and app.is_valid() and any(app.cleaned_data.get(n) for n in SENSITIVE_FIELDS):
            if "sensitive" in self.fields and not data.get("sensitive"):
                self.add_error(
                    "sensitive",
                    _(
                        "Disability or economic hardship can be entered only with the guardian's signed sensitive consent."
                    ),
                )
        if self.kinds() and not data.get("scan"):
            self.add_error("scan", _("Upload the scan or photo of the signed consent form."))
        return data

    def kinds(self) -> list[str]:
        data = getattr(self, "cleaned_data", {})
        return [kind for kind in ConsentKind.values if kind in self.fields and data.get(kind)]


class PaperSignerForm(forms.Form):
    """Who signed the paper consent form (the standalone paper page; 代录 of an application takes the agreement's)."""

    signer_name = PersonNameField(label=_("Guardian's name, as signed on paper"), max_length=50)
    relation = forms.ChoiceField(label=_("Guardian's relation to the child, as on paper"), choices=CHOOSE_RELATION)


class WithdrawConsentForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have read what withdrawing means and I withdraw this consent."),
        error_messages={"required": _("Tick the box to confirm the withdrawal.")},
    )
    note = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)
