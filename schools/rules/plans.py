"""The plan's sections as data: stored JSON, the rows a reader sees, and the changes between two versions."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.money import format_yuan

from ..forms.plans import SECTIONS, build_form
from ..models import Stage, Timetable


def to_json(cleaned: dict) -> dict:
    def convert(value):
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value

    return {k: convert(v) for k, v in cleaned.items()}


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
    title = f"{semester} · {Stage(row['stage']).label}"  # the version means nothing to a parent (#15 §5)
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
