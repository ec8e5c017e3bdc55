"""Input of the parent's registration and of linking a child."""

import re

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from schools.forms.verification import clean_mobile, code_field, mobile_field  # the first two: forms.applications too
from schools.models import StudentGuardian, User
from xiji_afterschool.forms import PersonNameField

RELATION_CHOICES = StudentGuardian.Relation.choices
CHOOSE_RELATION = [("", _("— choose —")), *RELATION_CHOICES]  # no silent default where the answer matters


class RegisterForm(forms.Form):
    mobile = mobile_field(_("Mobile number"))
    code = code_field()
    full_name = PersonNameField(
        label=_("Your full name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_mobile(self):
        return clean_mobile(self.cleaned_data["mobile"])

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
