"""Input of the roster import: the filled-in workbook."""

from django import forms
from django.utils.translation import gettext_lazy

from xiji_afterschool.exports import XLSX


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster workbook (.xlsx)"),
        help_text=gettext_lazy("Fill in the template and upload it here; at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )
