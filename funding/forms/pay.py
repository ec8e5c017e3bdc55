"""Input shapes of teacher pay (R27). The services re-check every rule; these give clear messages early."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from schools.models import SchoolYear
from schools.rules import hours as hours_rules
from xiji_afterschool.forms import DATE_WIDGET, ModelChoice

from ..models import PERFORMANCE_CEILING, PERFORMANCE_FLOOR

MAX_WEIGHT = Decimal("3.00")


def _weight(label):
    return forms.DecimalField(
        label=label,
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_WEIGHT,
        help_text=_("More than 0, at most 3.00."),
    )


def _factor(label):
    return forms.DecimalField(
        label=label, max_digits=4, decimal_places=2, min_value=PERFORMANCE_FLOOR, max_value=PERFORMANCE_CEILING
    )


class PaySchemeForm(forms.Form):
    weight_responsible = _weight(_("Weight: class-hours as responsible teacher"))
    weight_substitute = _weight(_("Weight: class-hours as substitute"))
    weight_assistant = _weight(_("Weight: class-hours as assistant"))
    performance_min = _factor(_("Lowest performance factor"))
    performance_max = _factor(_("Highest performance factor"))
    assessment = forms.CharField(
        label=_("How performance is assessed"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=5000,
        help_text=_("Required before the scheme is submitted to HR."),
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("performance_min"), data.get("performance_max")
        if low is not None and high is not None and not (low <= Decimal("1.00") <= high):
            raise forms.ValidationError(_("The range of the performance factor must contain 1.00."))
        return data


class PayReturnForm(forms.Form):
    note = forms.CharField(label=_("What must change"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class MonthField(forms.CharField):
    """A month typed or picked as YYYY-MM; cleans to the month's first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-09"})

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        month = hours_rules.parse_month(text)
        if month is None:
            raise forms.ValidationError(_("Enter a month as YYYY-MM, e.g. 2026-09."))
        return month


class PayRunCreateForm(forms.Form):
    school_year = ModelChoice(label=_("School year"), queryset=SchoolYear.objects.order_by("-start_date"))
    first_month = MonthField(label=_("From month"))
    last_month = MonthField(label=_("To month"))
    pool = forms.DecimalField(
        label=_("Amount to divide (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )

    def clean(self):
        data = super().clean()
        first, last = data.get("first_month"), data.get("last_month")
        if first and last and first > last:
            self.add_error("last_month", _("The last month must not come before the first month."))
        return data


class PayFactorForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    factor = forms.DecimalField(
        label=_("Performance factor"),
        max_digits=4,
        decimal_places=2,
        min_value=PERFORMANCE_FLOOR,
        max_value=PERFORMANCE_CEILING,
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        factor = data.get("factor")
        if factor is not None and factor != Decimal("1.00") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for a performance factor other than 1.00."))
        return data


class PayApproveForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Comment"), max_length=2000, required=False)
