"""Input of the spending plan (R25): the four budgets, the resolutions and the two sets of minutes."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.forms import DATE_WIDGET

from ..models import SpendingPlan
from ..services import spending as spending_services
from .ledger import money_field


class MinutesField(forms.FileField):
    def validate(self, value):
        super().validate(value)
        if value and value.size > spending_services.MAX_MINUTES_BYTES:
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
