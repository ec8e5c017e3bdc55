"""Input of who may take a child: an adult, a delegation, the permission to go home alone, a bus or dormitory place,
a bus route, a dormitory, and the school list's filter. Shapes only; the services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from schools.rules import roster as roster_rules
from xiji_afterschool.forms import ModelChoice, PersonNameField, StaffChoiceField

from ..models import Relation, TravelArrangement

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
PAPER_REFERENCE = _("Paper original no. (原件存档编号)")


def _date(label, required=True):
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class MobileField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = roster_rules.normalize_mobile(super().clean(value))
        roster_rules.validate_mobile(value)
        return value


class CollectorForm(forms.Form):
    name = PersonNameField(label=_("Name"), max_length=50)
    relation = forms.ChoiceField(label=_("Relation to the child"), choices=Relation.choices)
    mobile = MobileField()
    valid_from = _date(_("Valid from"))
    valid_until = _date(_("Valid until (leave empty: until removed)"), required=False)
    photo = forms.FileField(
        label=_("Photo (optional)"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )

    def __init__(self, *args, paper: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if paper:
            self.fields["paper_reference"] = forms.CharField(label=PAPER_REFERENCE, max_length=40)

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
            self.add_error("valid_until", _("The last day is before the first day."))
        return data


class DelegationForm(forms.Form):
    date = _date(_("Which day"))
    name = PersonNameField(label=_("Name"), max_length=50)
    relation = forms.ChoiceField(label=_("Relation to the child"), choices=Relation.choices)
    mobile = MobileField()
    note = forms.CharField(label=_("Note"), max_length=100, required=False)


class WalkHomeForm(forms.Form):
    route = forms.CharField(
        label=_("Route home"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: out of the main gate, along the county road to the village shop, left to home."),
    )  # fmt: skip
    valid_from = _date(_("Valid from"))
    valid_until = _date(_("Valid until"))
    leave_by = forms.TimeField(label=_("Leaves school no later than"), required=False, widget=TIME_WIDGET)
    signer_name = PersonNameField(label=_("Your name (signature)"), max_length=50)
    accepted = forms.BooleanField(label=_("I understand and accept the responsibility"), required=True)

    def __init__(self, *args, paper: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if paper:
            self.fields["paper_reference"] = forms.CharField(label=PAPER_REFERENCE, max_length=40)
            self.fields["signer_name"].label = _("Signed on paper by (name)")
            self.fields["accepted"].label = _("The paper form is signed and the box on it ticked")

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
            self.add_error("valid_until", _("The last day is before the first day."))
        return data


class TravelForm(forms.Form):
    kind = forms.ChoiceField(label=_("How the child leaves"), choices=TravelArrangement.Kind.choices)
    bus_route = ModelChoice(label=_("Bus route"), queryset=None, required=False)
    bus_stop = forms.CharField(label=_("Stop"), max_length=40, required=False)
    dormitory = ModelChoice(label=_("Dormitory"), queryset=None, required=False)
    valid_from = _date(_("Valid from"))

    def __init__(self, *args, routes, dormitories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bus_route"].queryset = routes
        self.fields["dormitory"].queryset = dormitories


class TravelEndForm(forms.Form):
    last_day = _date(_("Last day"))


class BusRouteForm(forms.Form):
    name = forms.CharField(label=_("Route"), max_length=40)
    stops = forms.CharField(
        label=_("Stops"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("In order, separated by commas."),
    )  # fmt: skip
    departs_at = forms.TimeField(label=_("Departs at"), widget=TIME_WIDGET)
    escort = StaffChoiceField(label=_("Escort"), queryset=None, required=False)
    active = forms.BooleanField(label=_("Running"), required=False, initial=True)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["escort"].queryset = staff


class DormitoryForm(forms.Form):
    name = forms.CharField(label=_("Dormitory"), max_length=40)
    teacher = StaffChoiceField(label=_("Dormitory teacher"), queryset=None, required=False)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = staff


SHOW_CHOICES = [
    ("", _("Every child")),
    ("nothing", _("Nothing arranged (guardians only)")),
    ("collector", _("With an authorised adult")),
    ("bus", _("By bus")),
    ("dormitory", _("Boarding")),
    ("walk_home", _("Going home alone")),
]


class PickupFilterForm(forms.Form):
    admin_class = ModelChoice(label=_("Class"), queryset=None, required=False, empty_label=_("All classes"))
    show = forms.ChoiceField(label=_("Show"), choices=SHOW_CHOICES, required=False)

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["admin_class"].queryset = classes
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"
