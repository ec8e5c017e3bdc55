"""Input of a subsidy rate."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.forms import DATE_WIDGET


class RateForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Yuan per service class per class-hour"),
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    effective_from = forms.DateField(label=_("Takes effect on"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Basis (document number)"), max_length=200, required=False)
