"""Input of the model custody classes (R36): the bureau's proposal and its recognition."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.forms import DATE_WIDGET, NOTE_MAX_LENGTH

from ..models import Criterion


class ServiceClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.school.name} · {obj.name}"


class ProposeForm(forms.Form):
    service_class = ServiceClassChoiceField(label=_("Service class"), queryset=None)
    criteria = forms.MultipleChoiceField(
        label=_("Published criteria it meets"), choices=Criterion.choices, widget=forms.CheckboxSelectMultiple
    )
    grant_amount = forms.DecimalField(
        label=_("Grant (yuan)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    with_trade_union = forms.BooleanField(
        label=_("Together with the county trade union (总工会)"), required=False, initial=True
    )
    citation = forms.CharField(
        label=_("Why it is a model"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_class"].queryset = classes


class RecogniseForm(forms.Form):
    recognised_on = forms.DateField(label=_("Recognised on"), widget=DATE_WIDGET)
    note = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=NOTE_MAX_LENGTH
    )
