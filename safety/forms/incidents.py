"""Input of incidents, follow-ups, guardians told and insurance (the services re-check every rule)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.forms import DATE_WIDGET, PersonNameField

from ..models import GuardianContact, Incident, IncidentFollowUp, InsuranceClaim

CHILD_ROWS = 3  # a record names up to three children; more are rare and go in a second record
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
TEXT = {"rows": 3}
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


def _date_field(label):
    return forms.DateField(label=label, widget=DATE_WIDGET)


def _datetime_field(label):
    return forms.DateTimeField(label=label, widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS)


class IncidentForm(forms.Form):
    occurred_at = _datetime_field(_("When it happened"))
    place = forms.CharField(label=_("Place"), max_length=100)
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs=TEXT), max_length=5000)
    severity = forms.ChoiceField(label=_("Severity"), choices=Incident.Severity.choices)
    during_service = forms.BooleanField(label=_("During the after-school service"), required=False, initial=True)
    staff_present = forms.CharField(label=_("Staff present"), max_length=200, required=False)

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.students = {str(s.pk): s for s in students}
        groups: dict[str, list] = {}
        for s in students:
            groups.setdefault(str(s.admin_class), []).append((str(s.pk), s.name))
        choices = [("", _("— choose —")), *groups.items()]
        for i in range(1, CHILD_ROWS + 1):
            first = i == 1
            self.fields[f"student_{i}"] = forms.ChoiceField(
                label=_("Child %(n)s") % {"n": i}, choices=choices, required=first
            )
            self.fields[f"injury_{i}"] = forms.CharField(label=_("Injury"), max_length=300, required=False)
            self.fields[f"first_aid_{i}"] = forms.CharField(label=_("First aid given"), max_length=300, required=False)
            self.fields[f"first_aid_by_{i}"] = forms.CharField(
                label=_("First aid given by"), max_length=50, required=False
            )

    def clean(self):
        data = super().clean()
        self.children = []
        for i in range(1, CHILD_ROWS + 1):
            pk = data.get(f"student_{i}")
            if not pk:
                continue
            if not data.get(f"injury_{i}"):
                self.add_error(f"injury_{i}", _("Describe the injury (or write “none”)."))
            self.children.append(
                {
                    "student": self.students[pk],
                    "injury": data.get(f"injury_{i}", ""),
                    "first_aid": data.get(f"first_aid_{i}", ""),
                    "first_aid_by": data.get(f"first_aid_by_{i}", ""),
                }
            )
        return data

    def child_rows(self):
        return [
            [self[f"{name}_{i}"] for name in ("student", "injury", "first_aid", "first_aid_by")]
            for i in range(1, CHILD_ROWS + 1)
        ]


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentFollowUp.Kind.choices)
    date = _date_field(_("Date"))
    child = forms.ChoiceField(label=_("About"), required=False)
    note = forms.CharField(
        label=_("Note (for a correction: the corrected text)"), widget=forms.Textarea(attrs=TEXT), max_length=3000
    )

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.children_by_pk = {str(c.pk): c for c in children}
        self.fields["child"].choices = [("", _("The whole incident")), *((str(c.pk), c.student.name) for c in children)]

    def clean_child(self):
        pk = self.cleaned_data.get("child")
        return self.children_by_pk.get(pk) if pk else None


class GuardianToldForm(forms.Form):
    told_at = _datetime_field(_("Told at"))
    how = forms.ChoiceField(label=_("How"), choices=GuardianContact.How.choices)
    guardian_name = PersonNameField(label=_("Guardian told"), max_length=50)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CloseForm(forms.Form):
    summary = forms.CharField(label=_("Closing summary"), widget=forms.Textarea(attrs=TEXT), max_length=3000)


class InsuranceForm(forms.Form):
    policy = forms.ChoiceField(label=_("Insurance"), choices=InsuranceClaim.Policy.choices)
    insurer = forms.CharField(label=_("Insurer"), max_length=60)
    policy_no = forms.CharField(label=_("Policy no."), max_length=40)


class InsuranceFileForm(forms.Form):
    filed_on = _date_field(_("Filed on"))
    amount_claimed = forms.DecimalField(label=_("Amount claimed (yuan)"), **MONEY)


class InsuranceAcceptForm(forms.Form):
    decided_on = _date_field(_("Decided on"))


class InsuranceRefuseForm(forms.Form):
    decided_on = _date_field(_("Decided on"))
    reason = forms.CharField(label=_("Why refused"), max_length=200)


class InsurancePayForm(forms.Form):
    paid_on = _date_field(_("Paid on"))
    amount_paid = forms.DecimalField(label=_("Amount paid (yuan)"), **MONEY)


class CompensationForm(forms.Form):
    total = forms.DecimalField(label=_("Total compensation (yuan)"), **MONEY)
    share_insurer = forms.DecimalField(label=_("Paid by the insurer"), **MONEY)
    share_school = forms.DecimalField(label=_("Paid by the school"), **MONEY)
    share_other_party = forms.DecimalField(label=_("Paid by another party"), **MONEY)
    share_family = forms.DecimalField(label=_("Borne by the family"), **MONEY)
    other_party = forms.CharField(label=_("Other party"), max_length=60, required=False)


class IncidentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *Incident.Status.choices], required=False)
