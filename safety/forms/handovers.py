"""Forms of the hand-over: the tap (with a code or a signature where the school asks), the guardian's consent by
phone, the staff hand-over, a correction, the paper sheet's entry and the school's confirmation setting. Shapes and
normalisation only: the service re-checks every rule."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from schools.rules import roster as roster_rules
from xiji_afterschool.forms import PersonNameField

from ..models import Relation, SafetySettings
from ..rules import handovers as rules

CHOICE_MAX = 40


class TapForm(forms.Form):
    to = forms.CharField(max_length=CHOICE_MAX)
    code = forms.CharField(label=_("Pick-up code"), max_length=6, required=False)
    signature = forms.CharField(required=False, max_length=rules.SIGNATURE_MAX_CHARS + 100)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if code and not code.isdigit():
            raise forms.ValidationError(_("The code is digits only."))
        return code


class ConsentForm(forms.Form):
    """ "其他人…": whom the teacher phoned, what they said, and who the adult is."""

    guardian = forms.TypedChoiceField(label=_("Guardian phoned"), coerce=int)
    phoned = forms.CharField(label=_("Number called"), max_length=20)
    said = forms.CharField(label=_("What the guardian said"), max_length=120)
    name = PersonNameField(label=_("Adult's name"), max_length=50)
    relation = forms.ChoiceField(label=_("Relation to the child"), choices=Relation.choices)
    mobile = forms.CharField(label=_("Adult's mobile"), max_length=20)

    def __init__(self, *args, guardians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].choices = [(g.pk, f"{label} {g.name}") for g, label in guardians]

    def clean_mobile(self):
        value = roster_rules.normalize_mobile(self.cleaned_data["mobile"])
        roster_rules.validate_mobile(value)
        return value

    def clean_phoned(self):
        digits = "".join(ch for ch in self.cleaned_data["phoned"] if ch.isdigit())
        if len(digits) < 7:
            raise forms.ValidationError(_("Enter the number you called."))
        return digits


class StaffHandoverForm(forms.Form):
    """交接班: the remaining children (all preselected) to one member of staff."""

    to_staff = forms.TypedChoiceField(label=_("Hand to"), coerce=int)
    children = forms.TypedMultipleChoiceField(label=_("Children"), coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, staff=(), children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_staff"].choices = [("", "—"), *((u.pk, u.full_name or u.username) for u in staff)]
        self.fields["children"].choices = list(children)
        self.fields["children"].initial = [pk for pk, _label in children]


class CorrectionForm(forms.Form):
    to = forms.ChoiceField(label=_("Actually handed to"))
    reason = forms.CharField(label=_("Why corrected"), max_length=200)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = list(choices)


class SafetySettingsForm(forms.Form):
    confirmation = forms.ChoiceField(
        label=_("Confirmation at hand-over"), choices=SafetySettings.Confirmation.choices, widget=forms.RadioSelect
    )


class PaperSheetForm(forms.Form):
    """One choice and one time per child, as written on the filled paper sheet; a child left blank is skipped."""

    def __init__(self, *args, rows=(), day: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        self.day = day
        for row in self.rows:
            pk = row.student.pk
            self.fields[f"to_{pk}"] = forms.ChoiceField(
                label=row.student.name, required=False, choices=[("", "—"), *((c.key, c.label) for c in row.choices)]
            )
            self.fields[f"time_{pk}"] = forms.TimeField(
                label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
            )

    def clean(self):
        cleaned = super().clean()
        for row in self.rows:
            pk = row.student.pk
            if cleaned.get(f"to_{pk}") and not cleaned.get(f"time_{pk}"):
                self.add_error(f"time_{pk}", _("Enter the time written on the sheet."))
        return cleaned

    def entries(self) -> list[tuple]:
        """[(row, choice key, aware datetime)] for the children filled in."""
        from django.utils import timezone

        out = []
        for row in self.rows:
            pk = row.student.pk
            choice = self.cleaned_data.get(f"to_{pk}")
            if choice:
                moment = datetime.datetime.combine(self.day, self.cleaned_data[f"time_{pk}"])
                out.append((row, choice, timezone.make_aware(moment)))
        return out

    def bound_rows(self):
        return [(row, self[f"to_{row.student.pk}"], self[f"time_{row.student.pk}"]) for row in self.rows]
