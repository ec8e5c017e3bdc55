"""Input of the subsidy claims: the filter of the county's list, the classes claimed, approval and allocation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from schools.models import SchoolYear, Stage, Township
from xiji_afterschool.forms import DATE_WIDGET, ModelChoice

from ..models import Claim

MAX_CLASSES = 500


class ClaimFilterForm(forms.Form):
    school_year = ModelChoice(
        label=_("School year"), queryset=SchoolYear.objects.all(), required=False, empty_label=_("All years")
    )
    township = ModelChoice(
        label=_("Township"), queryset=Township.objects.all(), required=False, empty_label=_("All townships")
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *Claim.Status.choices], required=False
    )
    exceeding = forms.BooleanField(label=_("Only claims exceeding the classes formed"), required=False)


class ClaimClassesForm(forms.Form):
    """Service classes per stage of the school; a supplementary claim also has its first day and reason."""

    def __init__(self, *args, stages: list[str], supplementary: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.stages = list(stages)
        for stage in self.stages:
            label = _("Additional service classes: %(stage)s") if supplementary else _("Service classes: %(stage)s")
            self.fields[f"classes_{stage}"] = forms.IntegerField(
                label=label % {"stage": Stage(stage).label},
                min_value=0,
                max_value=MAX_CLASSES,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1", "min": "0"}),
            )
        if supplementary:
            for stage in self.stages:  # only the classes added, never the annual count again
                self.fields[f"classes_{stage}"].help_text = _(
                    "Only the classes added since the annual claim; 0 if none."
                )
            self.fields["from_date"] = forms.DateField(label=_("Count service days from"), widget=DATE_WIDGET)
            self.fields["reason"] = forms.CharField(
                label=_("Why the supplementary claim is needed"),
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=2000,
            )

    def clean(self):
        cleaned = super().clean()
        counts = [cleaned.get(f"classes_{stage}") for stage in self.stages]
        if all(c is not None for c in counts) and sum(counts) < 1:
            raise forms.ValidationError(_("Claim for at least one service class."))
        return cleaned

    @property
    def classes(self) -> dict[str, int]:
        return {stage: self.cleaned_data[f"classes_{stage}"] for stage in self.stages}


class ApproveForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount approved (yuan)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    reason = forms.CharField(
        label=_("Why less than claimed (required when lower)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class AllocateForm(forms.Form):
    allocated_on = forms.DateField(label=_("Allocated on"), widget=DATE_WIDGET)
    voucher_no = forms.CharField(label=_("Voucher number"), max_length=40)
