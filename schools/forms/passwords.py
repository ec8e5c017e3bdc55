from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _


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
