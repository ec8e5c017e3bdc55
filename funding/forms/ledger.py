"""Input of the ledger: a spending entry, a reversal, and the school year chosen on the county's pages."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.models import SchoolYear
from xiji_afterschool.forms import DATE_WIDGET, ModelChoice

from ..models import Category


def money_field(label, *, minimum: str = "0.00", required: bool = True) -> forms.DecimalField:
    """Yuan with at most two decimals (fen); Django refuses a third decimal with a clear message."""
    return forms.DecimalField(
        label=label, max_digits=12, decimal_places=2, min_value=Decimal(minimum), required=required,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )  # fmt: skip


class SpendForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    amount = money_field(_("Amount (yuan)"), minimum="0.01")
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    description = forms.CharField(label=_("What the money was spent on"), max_length=200)
    voucher_no = forms.CharField(label=_("Voucher number"), max_length=40, required=False)

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if not text:
            raise forms.ValidationError(_("Say what the money was spent on."))
        return text

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Why the entry is reversed"), max_length=150)

    def clean_reason(self):
        text = self.cleaned_data["reason"].strip()
        if not text:
            raise forms.ValidationError(_("Say why the entry is reversed."))
        return text


class YearForm(forms.Form):
    """The school year a county table shows."""

    year = ModelChoice(
        label=_("School year"), queryset=SchoolYear.objects.order_by("-start_date"), required=False,
        empty_label=None,
    )  # fmt: skip
