"""Input of the school plan (一校一案, R16): the sections, each a form; a section's stored data is its cleaned form data.

Two sections are computed rather than typed: the timetable (a snapshot of the school's timetables) and the
funding estimate (classes typed per stage × planned class-hours from the calendar × the rate in force).
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.forms import DATE_WIDGET, PersonNameField

from ..models import ActivityCategory, Membership, SchoolPlan, Stage
from .roster import SchoolFilterForm

TEXT = {"rows": 3}


class LeadershipForm(forms.Form):
    leader_name = PersonNameField(label=_("Group leader"), max_length=30)
    leader_title = forms.CharField(label=_("Leader's post"), max_length=30, help_text=_("e.g. principal"))
    members = forms.CharField(
        label=_("Members"), widget=forms.Textarea(attrs=TEXT), max_length=1000, help_text=_("One per line: name, post.")
    )
    duties = forms.CharField(label=_("Duties"), widget=forms.Textarea(attrs=TEXT), max_length=2000)


class SurveyForm(forms.Form):
    survey_date = forms.DateField(label=_("Survey date"), widget=DATE_WIDGET)
    families_asked = forms.IntegerField(label=_("Families asked"), min_value=0, max_value=100000)
    families_wanting = forms.IntegerField(label=_("Families wanting the service"), min_value=0, max_value=100000)
    main_needs = forms.CharField(label=_("Main needs"), widget=forms.Textarea(attrs=TEXT), max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("families_wanting") is not None and data.get("families_asked") is not None:
            if data["families_wanting"] > data["families_asked"]:
                raise ValidationError(_("More families want the service than were asked: please check the numbers."))
        return data


class ContentForm(forms.Form):
    # Only the categories of R9–R11 are offered; make-up lessons and new content (R12) cannot be chosen.
    categories = forms.MultipleChoiceField(
        label=_("Activities offered"), choices=ActivityCategory.choices, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(
        label=_("How the activities are run"), widget=forms.Textarea(attrs=TEXT), max_length=3000
    )
    partners = forms.CharField(
        label=_("Outside partners"),
        required=False,
        max_length=500,
        help_text=_(
            "Youth activity centre, village youth palace, community, enterprises. No subject-type training institutions."
        ),
    )


class StaffingForm(forms.Form):
    teachers_planned = forms.IntegerField(label=_("Teachers planned"), min_value=0, max_value=2000)
    volunteers_planned = forms.IntegerField(label=_("Volunteers planned"), min_value=0, max_value=2000)
    volunteer_sources = forms.MultipleChoiceField(
        label=_("Volunteers from"),
        choices=Membership.VolunteerKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs=TEXT), required=False, max_length=2000)


class SafetyForm(forms.Form):
    safety_officer = forms.CharField(label=_("Person responsible for safety"), max_length=30)
    measures = forms.CharField(label=_("Safety measures"), widget=forms.Textarea(attrs=TEXT), max_length=3000)
    emergency_plan = forms.CharField(label=_("Emergency plan"), widget=forms.Textarea(attrs=TEXT), max_length=3000)
    insured = forms.BooleanField(label=_("Campus injury insurance in place"), required=False)


class PublicityForm(forms.Form):
    CHANNELS = [
        ("letter", _("Letter to Parents")),
        ("meeting", _("Parent meeting")),
        ("group", _("Parents' chat group")),
        ("website", _("School website")),
        ("notice", _("Notice board")),
    ]
    channels = forms.MultipleChoiceField(
        label=_("How parents are told"), choices=CHANNELS, widget=forms.CheckboxSelectMultiple
    )
    informed = forms.BooleanField(
        label=_("Parents are told the method, content, times, and that the service is free, before they apply")
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs=TEXT), required=False, max_length=2000)


class FundingForm(forms.Form):
    """Service classes planned per stage; the estimate is computed by the service from the calendar and rate."""

    def __init__(self, *args, stages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for stage in stages:
            self.fields[f"classes_{stage}"] = forms.IntegerField(
                label=_("Service classes planned: %(stage)s") % {"stage": Stage(stage).label},
                min_value=0,
                max_value=500,
            )


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    form: type[forms.Form] | None  # None: computed by the service


SECTIONS = [
    Section("leadership", _("Leadership group"), LeadershipForm),
    Section("survey", _("Parent survey"), SurveyForm),
    Section("content", _("Service content"), ContentForm),
    Section("staffing", _("Staffing"), StaffingForm),
    Section("timetable", _("Service times"), None),
    Section("funding", _("Funding estimate"), FundingForm),
    Section("safety", _("Safety and emergency plan"), SafetyForm),
    Section("publicity", _("Publicity"), PublicityForm),
]
SECTION_BY_KEY = {s.key: s for s in SECTIONS}


def build_form(key: str, *, school, data=None, initial=None) -> forms.Form:
    section = SECTION_BY_KEY[key]
    kwargs = {"stages": school.stages} if section.form is FundingForm else {}
    return section.form(data=data, initial=initial, **kwargs)


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=80)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG, at most 5 MB)"))


class PlanFilterForm(SchoolFilterForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *SchoolPlan.Status.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class PlanStatusFilterForm(SchoolFilterForm):
    only_missing = forms.BooleanField(label=_("Only schools without a filed plan"), required=False)
