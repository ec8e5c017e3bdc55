from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import User
from .verification import clean_mobile, code_field, mobile_field


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=1000,  # the validators give the real maximum, in words; this only caps what is read
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "class": "form-control"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        max_length=1000,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "class": "form-control"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password2") and data["new_password1"] != data["new_password2"]:
            self.add_error("new_password2", _("The two new passwords are not the same."))
        return data


class PasswordRecoverForm(forms.Form):
    """A parent's recovery by SMS (issue 14): the number, the code sent to it, the new password twice. The password
    rules are checked against the number only, never against an account (which would tell whether one exists)."""

    mobile = mobile_field(_("Mobile number"))
    code = code_field()
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=1000,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        max_length=1000,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_mobile(self):
        return clean_mobile(self.cleaned_data["mobile"])

    def clean(self):
        data = super().clean()
        first, second = data.get("new_password1"), data.get("new_password2")
        if first and second:
            if first != second:
                self.add_error("new_password2", _("The two new passwords are not the same."))
            else:
                mobile = data.get("mobile", "")
                try:
                    password_validation.validate_password(second, user=User(username=mobile, mobile=mobile or None))
                except ValidationError as exc:
                    self.add_error("new_password1", exc)
        return data
