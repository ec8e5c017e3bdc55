"""Input shape of the parent's journey: registration, linking a child, the application, signing, withdrawal.

Forms check and normalise what was typed; the services re-check every rule (deadline, boarder-only evening
service, the agreement version, one live application per child).
"""

import re

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.models import ActivityCategory, StudentGuardian, User
from schools.validators import normalize_mobile, validate_mobile

from .models import Application

RELATION_CHOICES = StudentGuardian.Relation.choices
CHOOSE_RELATION = [("", _("— choose —")), *RELATION_CHOICES]  # no silent default where the answer matters
PREFERENCE_SLOTS = 3  # ranked choices: three selects are easier on a phone than drag-and-drop
MAX_AGREEMENT_CHARS = 20000


def _mobile_field(label):
    return forms.CharField(
        label=label,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


def _clean_mobile(value: str) -> str:
    value = normalize_mobile(value)
    validate_mobile(value)
    return value


class RegisterForm(forms.Form):
    mobile = _mobile_field(_("Mobile number"))
    full_name = forms.CharField(
        label=_("Your full name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_mobile(self):
        return _clean_mobile(self.cleaned_data["mobile"])

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second:
            if first != second:
                self.add_error("password2", _("The two passwords are not the same."))
            else:
                candidate = User(
                    username=data.get("mobile", ""), mobile=data.get("mobile"), full_name=data.get("full_name", "")
                )
                try:
                    validate_password(second, user=candidate)
                except ValidationError as exc:
                    self.add_error("password1", exc)
        return data


class ChildLinkForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the Letter to Parents"),
        max_length=20,
        help_text=_("8 letters and digits, printed on your child's letter."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
    )
    relation = forms.ChoiceField(label=_("You are the child's"), choices=CHOOSE_RELATION)

    def clean_code(self):
        code = re.sub(r"[\s\-]", "", self.cleaned_data["code"]).upper()
        if len(code) != 8 or not code.isalnum():
            raise ValidationError(_("The code has exactly 8 letters and digits."), code="code_shape")
        return code


class ApplicationForm(forms.Form):
    """Screen 1: 《自愿参加课后服务工作申请表》. The choices depend on the child (boarder) and the school's plan."""

    service_kind = forms.ChoiceField(label=_("Service wanted"), widget=forms.RadioSelect)
    extended_reason = forms.CharField(
        label=_("Why extended care is needed"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for extended care."),
    )
    pickup_difficulty = forms.CharField(
        label=_("Why picking the child up after school is difficult"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    dual_working = forms.BooleanField(label=_("Both parents work"), required=False)
    migrant_child = forms.BooleanField(label=_("Child of migrant workers (随迁子女)"), required=False)
    disability = forms.BooleanField(label=_("Child with a disability"), required=False)
    economic_hardship = forms.BooleanField(label=_("Family in economic difficulty"), required=False)
    priority_note = forms.CharField(label=_("Note on the above (optional)"), max_length=300, required=False)
    pickup_person = forms.CharField(label=_("Who usually picks the child up"), max_length=50)
    pickup_relation = forms.ChoiceField(label=_("Their relation to the child"), choices=CHOOSE_RELATION)
    pickup_mobile = _mobile_field(_("Their mobile number"))

    PRIORITY_FIELDS = ("dual_working", "migrant_child", "disability", "economic_hardship")
    MODEL_FIELDS = (
        "service_kind",
        "extended_reason",
        "pickup_difficulty",
        *PRIORITY_FIELDS,
        "priority_note",
        "pickup_person",
        "pickup_relation",
        "pickup_mobile",
    )

    def __init__(self, *args, student, categories: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = Application.ServiceKind
        allowed = (
            [kinds.REGULAR, kinds.EVENING, kinds.EXTENDED] if student.is_boarder else [kinds.REGULAR, kinds.EXTENDED]
        )
        self.fields["service_kind"].choices = [(k.value, k.label) for k in allowed]
        self.fields["service_kind"].initial = kinds.REGULAR
        offered = categories or list(ActivityCategory.values)
        labels = dict(ActivityCategory.choices)
        choices = [("", _("— none —"))] + [(c, labels[c]) for c in offered if c in labels]
        for n in range(1, PREFERENCE_SLOTS + 1):
            self.fields[f"preference_{n}"] = forms.ChoiceField(
                label=_("Activity wanted, choice %(n)s") % {"n": n}, choices=choices, required=False
            )

    @classmethod
    def initial_from(cls, application: Application) -> dict:
        initial = {name: getattr(application, name) for name in cls.MODEL_FIELDS}
        for n, value in enumerate(application.preferences[:PREFERENCE_SLOTS], start=1):
            initial[f"preference_{n}"] = value
        return initial

    def clean_pickup_mobile(self):
        return _clean_mobile(self.cleaned_data["pickup_mobile"])

    def clean(self):
        data = super().clean()
        if (
            data.get("service_kind") == Application.ServiceKind.EXTENDED
            and not (data.get("extended_reason") or "").strip()
        ):
            self.add_error("extended_reason", _("Please say why the child needs extended care."))
        chosen = [data.get(f"preference_{n}") for n in range(1, PREFERENCE_SLOTS + 1)]
        chosen = [c for c in chosen if c]
        if len(chosen) != len(set(chosen)):
            raise ValidationError(_("Each activity can be chosen only once."))
        data["preferences"] = chosen
        return data

    def application_data(self) -> dict:
        """The cleaned values named as the Application's fields (preferences as a ranked list)."""
        data = {name: self.cleaned_data[name] for name in self.MODEL_FIELDS}
        if data["service_kind"] != Application.ServiceKind.EXTENDED:
            data["extended_reason"] = ""
        data["preferences"] = self.cleaned_data["preferences"]
        return data


class _SignerFields(forms.Form):
    text_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    signer_name = forms.CharField(
        label=_("Your full name, typed as your signature"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    relation = forms.ChoiceField(label=_("You are the child's"), choices=CHOOSE_RELATION)

    def clean_signer_name(self):
        return " ".join(self.cleaned_data["signer_name"].split())


class SignForm(_SignerFields):
    consent = forms.BooleanField(
        label=_(
            "I have read the information and the agreement above. I agree to it, and I consent to the school "
            "processing my child's personal data for this service."
        ),
        error_messages={"required": _("To sign, tick the box to show that you agree.")},
    )


class DeclineForm(_SignerFields):
    """“I do not agree”: recorded like a signature, without consent."""


class PaperSignForm(_SignerFields):
    """代录: the agreement as the guardian signed it on paper."""

    signer_name = forms.CharField(label=_("Guardian's name, as signed on paper"), max_length=50)
    relation = forms.ChoiceField(label=_("Guardian's relation to the child, as on paper"), choices=CHOOSE_RELATION)
    paper_original_on_file = forms.BooleanField(
        label=_("The signed paper application and agreement are kept on file at the school"),
        error_messages={"required": _("A paper application can be entered only when the signed original is on file.")},
    )


class WithdrawForm(forms.Form):
    effective = forms.DateField(
        label=_("Leave the service from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective"].initial = timezone.localdate()

    def clean_effective(self):
        effective = self.cleaned_data["effective"]
        if effective < timezone.localdate():
            raise ValidationError(_("The date cannot be in the past."), code="past")
        return effective


class ResubmitForm(forms.Form):
    note = forms.CharField(label=_("What you changed (optional)"), max_length=300, required=False)


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
