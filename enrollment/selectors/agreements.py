"""Reads of the agreements and their texts, and what a parent is told before signing (R13)."""

from django.db.models import QuerySet

from schools.models import (
    ActivityCategory,
    School,
    SchoolYear,
    ServiceMode,
)
from schools.rules import plans as plans_rules
from xiji_afterschool import permissions

from ..models import Agreement, AgreementText, Application
from . import letters as letters_selectors


def agreement_list(*, viewer) -> QuerySet[Agreement]:
    return permissions.scope(viewer, Agreement.objects.all()).select_related(
        "student", "text", "text__school", "signed_by"
    )


def agreement_text_list(*, viewer) -> QuerySet[AgreementText]:
    return permissions.scope(viewer, AgreementText.objects.all()).select_related("school", "school_year")


def current_agreement_text(*, school, school_year) -> AgreementText | None:
    """The newest published agreement text of a school for a year (the one parents sign now)."""
    return AgreementText.objects.filter(school=school, school_year=school_year).order_by("-version").first()


def needs_new_signature(application: Application, current_version: int | None) -> bool:
    """A live application signed on an older text than the school's current one (R13: sign again)."""
    return (
        application.status != Application.Status.WITHDRAWN
        and current_version is not None
        and application.agreement.text.version < current_version
    )


def informed_items(*, school: School, school_year: SchoolYear) -> dict:
    """R13: what the parent is told before signing: method, content, times (from the filed plan) and the fee."""
    plan = letters_selectors.filed_plan(school=school, school_year=school_year)
    sections = {s.key: s.data for s in plan.sections.all()} if plan else {}
    content = sections.get("content", {})
    labels = dict(ActivityCategory.choices)
    categories = [c for c in content.get("categories", []) if c in labels]
    modes = list(dict.fromkeys(ServiceMode.for_stage(stage).label for stage in school.stages))
    return {
        "plan": plan,
        "modes": modes,
        "categories": categories,
        "category_labels": [labels[c] for c in categories],
        "description": content.get("description", ""),
        "times": plans_rules.display_rows("timetable", sections.get("timetable", {}), school=school),
        "safety": sections.get("safety", {}).get("measures", ""),
    }


def outdated_signature_count(*, school: School, school_year: SchoolYear | None, current: AgreementText | None) -> int:
    """How many live applications of the school are signed on an older text than `current` (to be signed again)."""
    if current is None or school_year is None:
        return 0
    return (
        Application.objects.filter(school=school, school_year=school_year, agreement__text__version__lt=current.version)
        .exclude(status=Application.Status.WITHDRAWN)
        .count()
    )
