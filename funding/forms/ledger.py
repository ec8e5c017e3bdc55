"""Input of the ledger pages (a spending entry, a reversal) and of the spending plan; the services re-check."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.models import SchoolYear

from ..models import Category, SpendingPlan
from ..services.spending import MAX_MINUTES_BYTES

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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


class MinutesField(forms.FileField):
    def validate(self, value):
        super().validate(value)
        if value and value.size > MAX_MINUTES_BYTES:
            raise forms.ValidationError(_("The minutes file is larger than 10 MB; please scan at a lower resolution."))


class SpendingPlanForm(forms.Form):
    budget_teacher = money_field(_("Teacher subsidies (yuan)"))
    budget_staff = money_field(_("Staff and management subsidies (yuan)"))
    budget_running = money_field(_("Daily running costs (yuan)"))
    budget_consumables = money_field(_("Consumables (yuan)"))
    summary = forms.CharField(
        label=_("How the money will be used"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
        max_length=5000,
    )  # fmt: skip
    office_meeting_date = forms.DateField(label=_("Office meeting date"), widget=DATE_WIDGET, required=False)
    office_meeting_resolution = forms.CharField(
        label=_("Office meeting resolution number"), max_length=60, required=False
    )
    office_meeting_minutes = MinutesField(
        label=_("Office meeting minutes (PDF, JPEG or PNG, at most 10 MB)"), required=False
    )
    staff_congress_date = forms.DateField(label=_("Staff congress date"), widget=DATE_WIDGET, required=False)
    staff_congress_resolution = forms.CharField(
        label=_("Staff congress resolution number"), max_length=60, required=False
    )
    staff_congress_minutes = MinutesField(
        label=_("Staff congress minutes (PDF, JPEG or PNG, at most 10 MB)"), required=False
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in ("office_meeting_date", "staff_congress_date"):
            if data.get(name) and data[name] > today:
                self.add_error(name, _("A meeting date cannot be in the future."))
        office, congress = data.get("office_meeting_date"), data.get("staff_congress_date")
        if office and congress and congress < office:
            self.add_error("staff_congress_date", _("The staff congress comes after the office meeting."))
        return data

    @staticmethod
    def initial_for(plan: SpendingPlan | None) -> dict:
        if plan is None:
            return {}
        names = [
            "budget_teacher", "budget_staff", "budget_running", "budget_consumables", "summary",
            "office_meeting_date", "office_meeting_resolution", "staff_congress_date", "staff_congress_resolution",
        ]  # fmt: skip
        return {name: getattr(plan, name) for name in names}


class YearForm(forms.Form):
    """The school year a county table shows."""

    year = forms.ModelChoiceField(
        label=_("School year"), queryset=SchoolYear.objects.order_by("-start_date"), required=False,
        empty_label=None,
    )  # fmt: skip
