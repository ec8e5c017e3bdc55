"""Reads of enrollment, always scoped to the viewer through the access policy."""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone

from schools import selectors as school_selectors
from schools.models import (
    ActivityCategory,
    School,
    SchoolPlan,
    SchoolYear,
    ServiceClass,
    ServiceMode,
    Student,
    StudentGuardian,
)
from schools.plan_sections import display_rows
from xiji_afterschool import permissions

from .models import Agreement, AgreementText, Application, ApplicationEvent, LetterBatch
from .placement_rules import (
    PLACEABLE,
    Status,
    is_suitable,
    placement_start_date,
    suggest_placements,
    suggestion_signature,
    waiting_order_key,
)


def application_list(*, viewer, school_year=None, status: str = "", school=None) -> QuerySet[Application]:
    """Applications the viewer may see: a parent only their own children's, a class teacher their class's."""
    qs = permissions.scope(viewer, Application.objects.all())
    if school_year is not None:
        qs = qs.filter(school_year=school_year)
    if status:
        qs = qs.filter(status=status)
    if school is not None:
        qs = qs.filter(school=school)
    return qs.select_related("student", "student__admin_class", "school", "school_year", "service_class")


def application_detail(*, viewer) -> QuerySet[Application]:
    return (
        application_list(viewer=viewer)
        .select_related("agreement", "agreement__text", "applicant", "entered_by")
        .prefetch_related(Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")))
    )


def agreement_list(*, viewer) -> QuerySet[Agreement]:
    return permissions.scope(viewer, Agreement.objects.all()).select_related(
        "student", "text", "text__school", "signed_by"
    )


def agreement_text_list(*, viewer) -> QuerySet[AgreementText]:
    return permissions.scope(viewer, AgreementText.objects.all()).select_related("school", "school_year")


def current_agreement_text(*, school, school_year) -> AgreementText | None:
    """The newest published agreement text of a school for a year (the one parents sign now)."""
    return AgreementText.objects.filter(school=school, school_year=school_year).order_by("-version").first()


def letter_batch_list(*, viewer) -> QuerySet[LetterBatch]:
    return permissions.scope(viewer, LetterBatch.objects.all()).select_related("school", "admin_class", "requested_by")


# ---------------------------------------------------------------- what parents are told, and their home page


def applications_open(school_year: SchoolYear | None, today: datetime.date | None = None) -> bool:
    """Online applications are taken until the county's deadline (R18); the school can still enter paper ones."""
    today = today or timezone.localdate()
    return school_year is not None and today <= school_year.application_deadline


def needs_new_signature(application: Application, current_version: int | None) -> bool:
    """A live application signed on an older text than the school's current one (R13: sign again)."""
    return (
        application.status != Application.Status.WITHDRAWN
        and current_version is not None
        and application.agreement.text.version < current_version
    )


def filed_plan(*, school: School, school_year: SchoolYear) -> SchoolPlan | None:
    """The school's newest filed plan. Unscoped on purpose: its service part is what parents must be told (R13)."""
    return (
        SchoolPlan.objects.filter(school=school, school_year=school_year, status=SchoolPlan.Status.FILED)
        .order_by("-version")
        .prefetch_related("sections")
        .first()
    )


def informed_items(*, school: School, school_year: SchoolYear) -> dict:
    """R13: what the parent is told before signing: method, content, times (from the filed plan) and the fee."""
    plan = filed_plan(school=school, school_year=school_year)
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
        "times": display_rows("timetable", sections.get("timetable", {}), school=school),
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


def guardian_relation(*, user, student: Student) -> str:
    """How this account's guardian record is related to the child ("" if not linked): the default on signing."""
    links = StudentGuardian.objects.filter(student=student, guardian__user=user).values_list("relation", flat=True)
    return links.first() or ""


def parent_home_rows(*, parent, school_year: SchoolYear | None) -> list[dict]:
    """Each of the parent's children with this year's application, its newest event, whether the agreement must be
    signed again, a recorded “I do not agree”, and whether the parent may apply online now.

    A fixed number of queries, however many children (children, applications + events, current texts, declines).
    """
    children = list(school_selectors.children_of(parent=parent).order_by("name", "pk"))
    if not children or school_year is None:
        return [{"student": s, "application": None, "can_apply": False} for s in children]
    ids = [s.pk for s in children]
    events = ApplicationEvent.objects.order_by("created_at", "pk")
    applications = (
        application_list(viewer=parent, school_year=school_year)
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
        agreement_text_list(viewer=parent)
        .filter(school_year=school_year, school_id__in={s.school_id for s in children})
        .values("school_id")
        .annotate(v=Max("version"))
        .values_list("school_id", "v")
        .order_by()
    )
    declines: dict[int, Agreement] = {}
    for agreement in (
        agreement_list(viewer=parent)
        .filter(student_id__in=ids, text__school_year=school_year, decision=Agreement.Decision.DECLINED)
        .order_by("created_at", "pk")
    ):
        declines[agreement.student_id] = agreement  # the newest
    is_open = applications_open(school_year)
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
                "needs_new_signature": live and needs_new_signature(app, current_versions.get(student.school_id)),
                "declined": decline,
                "can_apply": is_open and not live and student.school_id in current_versions,
                "no_agreement_yet": student.school_id not in current_versions,
            }
        )
    return rows


# ---------------------------------------------------------------- the placement board (组班)


def placement_classes(*, viewer, school: School, school_year: SchoolYear, day: datetime.date) -> list[ServiceClass]:
    """The school's service classes for the year with `occupied`, `free` and `admin_class_ids` (two queries)."""
    classes = list(school_selectors.service_class_list(viewer=viewer, school=school, school_year=school_year, day=day))
    for c in classes:
        c.admin_class_ids = {ac.pk for ac in c.admin_classes.all()}
        c.free = max(c.capacity - c.occupied, 0)
    return classes


@dataclass
class PlacementBoard:
    """Everything the placement page shows, for one school and year."""

    school: School
    school_year: SchoolYear
    start_date: datetime.date
    classes: list = field(default_factory=list)
    suggestion: list = field(default_factory=list)  # [(application, class or None)] in waiting-list order
    waiting: list = field(default_factory=list)  # [(position, application)]
    placed: list = field(default_factory=list)  # placed and attending applications
    signature: str = ""

    def choices(self, application) -> list[ServiceClass]:
        """The classes this child could be placed in by hand (suitable ones; full ones are shown disabled)."""
        return [c for c in self.classes if is_suitable(c, application)]

    @cached_property
    def rows(self) -> list[dict]:
        return [{"application": a, "suggested": c, "choices": self.choices(a)} for a, c in self.suggestion]

    @cached_property
    def placed_rows(self) -> list[dict]:
        return [
            {"application": a, "choices": [c for c in self.choices(a) if c.pk != a.service_class_id]}
            for a in self.placed
        ]

    @property
    def suggested_count(self) -> int:
        return sum(1 for _a, c in self.suggestion if c is not None)

    @property
    def free_places(self) -> int:
        return sum(c.free for c in self.classes if c.teacher_id is not None)


def placement_board(*, viewer, school: School, school_year: SchoolYear, today=None) -> PlacementBoard:
    """The placement page's data in a fixed number of queries: the classes (+ drawn-from classes) and one query for
    the approved, waiting, placed and attending applications, whatever their number."""
    day = placement_start_date(school_year, today)
    board = PlacementBoard(school=school, school_year=school_year, start_date=day)
    board.classes = placement_classes(viewer=viewer, school=school, school_year=school_year, day=day)
    applications = list(
        application_list(viewer=viewer, school_year=school_year, school=school).filter(
            status__in=[*PLACEABLE, Status.PLACED, Status.ACTIVE]
        )
    )
    labels = dict(ActivityCategory.choices)
    for a in applications:
        a.preference_labels = [labels[p] for p in a.preferences or [] if p in labels]
    open_ones = [a for a in applications if a.status in PLACEABLE]
    board.suggestion = suggest_placements(open_ones, board.classes, {c.pk: c.occupied for c in board.classes})
    board.signature = suggestion_signature(board.suggestion)
    waiting = sorted((a for a in open_ones if a.status == Status.WAITING), key=waiting_order_key)
    board.waiting = list(enumerate(waiting, start=1))
    board.placed = sorted(
        (a for a in applications if a.status in (Status.PLACED, Status.ACTIVE)),
        key=lambda a: (a.service_class.name, a.student.name, a.pk),
    )
    return board
