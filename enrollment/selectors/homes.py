"""Reads of the parent's home and the class teacher's: each child with this year's application."""

from collections import Counter

from django.db.models import Max, Prefetch

from schools.models import (
    SchoolYear,
)
from schools.selectors import roster as roster_selectors

from ..models import Agreement, Application, ApplicationEvent
from . import agreements as agreements_selectors
from . import applications as applications_selectors


def parent_home_rows(*, parent, school_year: SchoolYear | None) -> list[dict]:
    """Each of the parent's children with this year's application, its newest event, whether the agreement must be
    signed again, a recorded “I do not agree”, and whether the parent may apply online now (after the county's
    deadline too: a late application, which the school accepts or wait-lists).

    A fixed number of queries, however many children (children, applications + events, current texts, declines).
    """
    children = list(roster_selectors.children_of(parent=parent).order_by("name", "pk"))
    if not children or school_year is None:
        return [{"student": s, "application": None, "can_apply": False} for s in children]
    ids = [s.pk for s in children]
    events = ApplicationEvent.objects.order_by("created_at", "pk")
    applications = (
        applications_selectors.application_list(viewer=parent, school_year=school_year)
        .filter(student_id__in=ids)
        .select_related("agreement__text")
        .prefetch_related(Prefetch("events", queryset=events))
        .order_by("submitted_at", "pk")
    )
    by_child: dict[int, Application] = {}
    for app in applications:  # the live one wins over an older withdrawn one
        kept = by_child.get(app.student_id)
        if kept is None or kept.status == Application.Status.WITHDRAWN:
            by_child[app.student_id] = app
    current_versions = dict(
        agreements_selectors.agreement_text_list(viewer=parent)
        .filter(school_year=school_year, school_id__in={s.school_id for s in children})
        .values("school_id")
        .annotate(v=Max("version"))
        .values_list("school_id", "v")
        .order_by()
    )
    declines: dict[int, Agreement] = {}
    for agreement in (
        agreements_selectors.agreement_list(viewer=parent)
        .filter(student_id__in=ids, text__school_year=school_year, decision=Agreement.Decision.DECLINED)
        .order_by("created_at", "pk")
    ):
        declines[agreement.student_id] = agreement  # the newest
    rows = []
    for student in children:
        app = by_child.get(student.pk)
        live = app is not None and app.status != Application.Status.WITHDRAWN
        history = list(app.events.all()) if app else []
        decline = declines.get(student.pk)
        if decline is not None and (live or (app is not None and decline.created_at < app.updated_at)):
            decline = None  # an application came after it: the choice was changed
        rows.append(
            {
                "student": student,
                "application": app,
                "last_event": history[-1] if history else None,
                "needs_new_signature": live
                and agreements_selectors.needs_new_signature(app, current_versions.get(student.school_id)),
                "declined": decline,
                "can_apply": not live and student.school_id in current_versions,
                "no_agreement_yet": student.school_id not in current_versions,
            }
        )
    return rows


def class_home_rows(*, viewer, classes, school_year: SchoolYear | None) -> dict:
    """The class teacher's students, each with this year's application (the live one over a withdrawn one), and the
    number waiting for their review. Children who share a name in a class are told apart by birth month. Three
    queries, however many children."""
    students = list(
        roster_selectors.student_list(viewer=viewer)
        .filter(admin_class__in=classes)
        .select_related("admin_class")
        .order_by("admin_class__grade", "admin_class__number", "name", "pk")
    )
    by_child: dict[int, Application] = {}
    if school_year is not None and students:
        applications = applications_selectors.application_list(viewer=viewer, school_year=school_year).filter(
            student_id__in=[s.pk for s in students]
        )
        for app in applications.order_by("submitted_at", "pk"):
            kept = by_child.get(app.student_id)
            if kept is None or kept.status == Application.Status.WITHDRAWN:
                by_child[app.student_id] = app
    names = Counter((s.admin_class_id, s.name) for s in students)
    rows = [
        {
            "student": s,
            "application": by_child.get(s.pk),
            "same_name": names[(s.admin_class_id, s.name)] > 1,
        }
        for s in students
    ]
    waiting = sum(1 for row in rows if row["application"] and row["application"].status == Application.Status.SUBMITTED)
    return {"rows": rows, "waiting": waiting}
