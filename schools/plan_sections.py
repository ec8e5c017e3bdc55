"""The sections of a school plan (一校一案, R16): each a form; a section's stored data is its cleaned form data.

Two sections are computed rather than typed: the timetable (a snapshot of the school's timetables) and the
funding estimate (classes typed per stage × planned class-hours from the calendar × the rate in force).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.money import format_yuan

from .models import ActivityCategory, Membership, Stage, Timetable

TEXT = {"rows": 3}


class LeadershipForm(forms.Form):
    leader_name = forms.CharField(label=_("Group leader"), max_length=30)
    leader_title = forms.CharField(label=_("Leader's post"), max_length=30, help_text=_("e.g. principal"))
    members = forms.CharField(
        label=_("Members"), widget=forms.Textarea(attrs=TEXT), max_length=1000, help_text=_("One per line: name, post.")
    )
    duties = forms.CharField(label=_("Duties"), widget=forms.Textarea(attrs=TEXT), max_length=2000)


class SurveyForm(forms.Form):
    survey_date = forms.DateField(
        label=_("Survey date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
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


def to_json(cleaned: dict) -> dict:
    def convert(value):
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value

    return {k: convert(v) for k, v in cleaned.items()}


def build_form(key: str, *, school, data=None, initial=None) -> forms.Form:
    section = SECTION_BY_KEY[key]
    kwargs = {"stages": school.stages} if section.form is FundingForm else {}
    return section.form(data=data, initial=initial, **kwargs)


def display_rows(key: str, data: dict, *, school) -> list[tuple[str, str]]:
    """(label, shown value) pairs of a section's stored data, in form order, in the reader's language."""
    if not data:
        return []
    if key == "timetable":
        return [_timetable_row(row) for row in data.get("timetables", [])]
    form = build_form(key, school=school)
    rows = []
    for name, field in form.fields.items():
        value = data.get(name)
        if isinstance(field, forms.MultipleChoiceField):
            labels = dict(field.choices)
            shown = "、".join(str(labels.get(v, v)) for v in value or [])
        elif isinstance(field, forms.BooleanField):
            shown = str(_("Yes") if value else _("No"))
        elif isinstance(field, forms.DateField) and value:
            shown = formats.date_format(datetime.date.fromisoformat(value))  # 2026年8月28日
        else:
            shown = "" if value is None else str(value)
        rows.append((str(field.label), shown))
    if key == "funding" and "total" in data:
        rate = format_yuan(data["rate"])
        for line in data.get("lines", []):
            text = _("%(classes)s classes × %(hours)s class-hours × %(rate)s = %(amount)s") % {
                "classes": line["classes"],
                "hours": line["class_hours_per_class"],
                "rate": rate,
                "amount": format_yuan(line["amount"]),
            }
            rows.append((str(Stage(line["stage"]).label), text))
        rows.append((str(_("Estimated subsidy for the year")), format_yuan(data["total"])))
    return rows


def _timetable_row(row: dict) -> tuple[str, str]:
    semester = _("Autumn semester") if row["semester"] == 1 else _("Spring semester")
    title = f"{semester} · {Stage(row['stage']).label} · v{row['version']}"
    seasons = dict(Timetable.Season.choices)
    parts = [
        _("%(season)s: %(times)s, %(days)s days a week")
        % {"season": seasons[s["season"]], "times": "、".join(s["times"]), "days": s["days"]}
        for s in row["seasons"]
    ]
    return title, "；".join(parts)


def diff(old_sections: dict, new_sections: dict, *, school) -> list[dict]:
    """Section by section: the rows whose shown value changed between two versions."""
    out = []
    for section in SECTIONS:
        old = dict(display_rows(section.key, old_sections.get(section.key, {}), school=school))
        new = dict(display_rows(section.key, new_sections.get(section.key, {}), school=school))
        changes = [
            {"label": label, "old": old.get(label, ""), "new": new.get(label, "")}
            for label in list(dict.fromkeys([*old, *new]))
            if old.get(label, "") != new.get(label, "")
        ]
        out.append({"key": section.key, "title": section.title, "changes": changes})
    return out
