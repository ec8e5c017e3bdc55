"""Input of the hours record: an adjustment of a closed month (input shape only; the service re-checks)."""

from django import forms
from django.utils.translation import gettext_lazy

from ..models import HoursAdjustment, Membership, User
from ..rules import hours as hours_rules
from ..services import hours as hours_services


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name()} ({obj.username})"


class AdjustForm(forms.Form):
    person = PersonChoiceField(label=gettext_lazy("Person"), queryset=User.objects.none())
    month = forms.TypedChoiceField(label=gettext_lazy("Closed month"), coerce=hours_rules.parse_month, choices=())
    role = forms.ChoiceField(label=gettext_lazy("As"), choices=HoursAdjustment._meta.get_field("role").choices)
    class_hours = forms.DecimalField(
        label=gettext_lazy("Class-hours (+ adds, − takes away)"),
        max_digits=4,
        decimal_places=1,
        min_value=-hours_services.MAX_ADJUST_HOURS,
        max_value=hours_services.MAX_ADJUST_HOURS,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    sessions = forms.IntegerField(
        label=gettext_lazy("Sessions (+/−)"),
        initial=0,
        min_value=-hours_services.MAX_ADJUST_SESSIONS,
        max_value=hours_services.MAX_ADJUST_SESSIONS,
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, school, closed_months, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = User.objects.filter(
            pk__in=Membership.objects.filter(school=school).values("user_id")
        ).order_by("full_name", "username")
        self.fields["month"].choices = [(f"{m:%Y-%m}", f"{m:%Y-%m}") for m in closed_months]
