"""Reads of the schools app (roster, calendar, plans, activities, service classes), always scoped to the viewer
through the access policy. The session log and the hours record have their own modules (selectors_sessions, hours)."""

import datetime
from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xiji_afterschool import permissions

from .models import (
    Activity,
    AdminClass,
    Grade,
    Partner,
    PlanAttachment,
    Role,
    RosterExport,
    RosterImport,
    School,
    SchoolPlan,
    SchoolPlanEvent,
    SchoolYear,
    ServiceClass,
    ServiceClassMember,
    Student,
    Timetable,
    Township,
    User,
)


def school_list(*, viewer, township_id: int | None = None, school_type: str = "") -> QuerySet[School]:
    """Schools the viewer may see, with their student counts; filterable by township and type."""
    qs = permissions.scope(viewer, School.objects.all())
    if township_id:
        qs = qs.filter(township_id=township_id)
    if school_type:
        qs = qs.filter(school_type=school_type)
    # Meta.ordering is dropped from GROUP BY queries: order explicitly for stable pages.
    return (
        qs.select_related("township", "central_school")
        .annotate(student_count=Count("students"))
        .order_by("township__code", "code")
    )


def admin_class_list(*, viewer, school: School | None = None) -> QuerySet[AdminClass]:
    qs = permissions.scope(viewer, AdminClass.objects.all())
    if school is not None:
        qs = qs.filter(school=school)
    return qs.select_related("school").annotate(student_count=Count("students")).order_by("school", "grade", "number")


def student_list(
    *, viewer, school: School | None = None, admin_class_id: int | None = None, search: str = ""
) -> QuerySet[Student]:
    """Students the viewer may see; a parent sees only their own children."""
    qs = permissions.scope(viewer, Student.objects.all())
    if school is not None:
        qs = qs.filter(school=school)
    if admin_class_id:
        qs = qs.filter(admin_class_id=admin_class_id)
    if search:
        qs = qs.filter(Q(name__contains=search) | Q(id_number__endswith=search.upper()))
    return qs.select_related("school", "admin_class")


def student_guardians(*, student: Student):
    """The guardian links of one student the caller has already fetched through `student_list`."""
    return student.guardian_links.select_related("guardian").order_by("-is_primary", "pk")


def children_of(*, parent) -> QuerySet[Student]:
    """A parent's own children, for the parent's home page."""
    return student_list(viewer=parent).filter(guardian_links__guardian__user=parent).distinct()


def roster_export_list(*, viewer) -> QuerySet[RosterExport]:
    return permissions.scope(viewer, RosterExport.objects.all()).select_related("school", "requested_by")


def township_summary(*, viewer) -> list[dict]:
    """Per township: how many schools and students the viewer can see (19 rows, two queries)."""
    rows = {t.pk: {"township": t, "schools": 0, "students": 0} for t in Township.objects.all()}
    for school in school_list(viewer=viewer):
        rows[school.township_id]["schools"] += 1
        rows[school.township_id]["students"] += school.student_count
    return list(rows.values())


def county_totals() -> dict:
    """Headline numbers of the county console (the caller has already checked it may see them)."""
    return {
        "schools": School.objects.count(),
        "students": Student.objects.count(),
        "boarders": Student.objects.filter(is_boarder=True).count(),
        "dependent_schools": School.objects.filter(school_type__in=School.DEPENDENT_TYPES).count(),
    }


# ---------------------------------------------------------------- calendar, timetables, plans


def current_school_year() -> SchoolYear | None:
    """The school year containing today, else the latest one."""
    today = timezone.localdate()
    years = SchoolYear.objects.prefetch_related("semesters")
    return years.filter(start_date__lte=today, end_date__gte=today).first() or years.order_by("-start_date").first()


def school_year_list(*, viewer) -> QuerySet[SchoolYear]:
    return permissions.scope(viewer, SchoolYear.objects.all()).prefetch_related("semesters", "calendar_days")


def timetable_list_qs(*, viewer) -> QuerySet[Timetable]:
    return permissions.scope(viewer, Timetable.objects.all()).prefetch_related("slots")


def timetable_list(*, viewer, school: School, school_year: SchoolYear) -> list[Timetable]:
    """Every version of the school's timetables for the year, newest first within (semester, stage)."""
    qs = permissions.scope(viewer, Timetable.objects.all()).filter(school=school, semester__school_year=school_year)
    return list(
        qs.select_related("semester").prefetch_related("slots").order_by("semester__number", "stage", "-version")
    )


def plan_list(
    *, viewer, school_year: SchoolYear | None = None, township_id=None, school_type="", status="", overdue=False
) -> QuerySet[SchoolPlan]:
    """Plans the viewer may see; the bureau's review queue is this list filtered by status."""
    qs = permissions.scope(viewer, SchoolPlan.objects.all())
    if school_year:
        qs = qs.filter(school_year=school_year)
    if township_id:
        qs = qs.filter(school__township_id=township_id)
    if school_type:
        qs = qs.filter(school__school_type=school_type)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.exclude(status=SchoolPlan.Status.FILED).filter(school_year__plan_deadline__lt=timezone.localdate())
    return qs.select_related("school", "school__township", "school_year").order_by(
        "school__township__code", "school__code", "-version"
    )


def plan_detail(*, viewer) -> QuerySet[SchoolPlan]:
    return (
        plan_list(viewer=viewer)
        .select_related("created_by", "previous")
        .prefetch_related(
            "sections", "attachments", Prefetch("events", queryset=SchoolPlanEvent.objects.select_related("actor"))
        )
    )


def plan_attachment_list(*, viewer) -> QuerySet[PlanAttachment]:
    return permissions.scope(viewer, PlanAttachment.objects.all()).select_related("plan", "plan__school")


def plan_status(*, viewer, school_year: SchoolYear, township_id=None, school_type="", only_missing=False) -> list[dict]:
    """R3: every school the viewer sees with its latest plan version and its filed version, in three queries."""
    schools = school_list(viewer=viewer, township_id=township_id, school_type=school_type)
    plans = SchoolPlan.objects.filter(school_year=school_year, school__in=schools.values("pk")).order_by("version")
    latest, filed = {}, {}
    for plan in plans:
        latest[plan.school_id] = plan
        if plan.status == SchoolPlan.Status.FILED:
            filed[plan.school_id] = plan
    late = timezone.localdate() > school_year.plan_deadline
    rows = []
    for school in schools:
        row = {
            "school": school,
            "latest": latest.get(school.pk),
            "filed": filed.get(school.pk),
        }
        row["overdue"] = late and row["filed"] is None
        if not only_missing or row["filed"] is None:
            rows.append(row)
    return rows


def milestones(*, school: School, school_year: SchoolYear) -> list[dict]:
    """R18: what the school has due this year, and whether it is done or late."""
    today = timezone.localdate()
    plans = list(SchoolPlan.objects.filter(school=school, school_year=school_year).order_by("version"))
    filed = [p for p in plans if p.status == SchoolPlan.Status.FILED]
    items = [
        {
            "key": "plan",
            "label": _("School plan filed with the bureau"),
            "deadline": school_year.plan_deadline,
            "done": bool(filed),
        },
        {
            "key": "applications",
            "label": _("Parents' applications collected"),
            "deadline": school_year.application_deadline,
            "done": None,  # arrives with enrollment
        },
        {
            "key": "refinement",
            "label": _("Plan refined after the first weeks (second version filed)"),
            "deadline": school_year.refinement_deadline,
            "done": any(p.version >= 2 for p in filed),
        },
    ]
    for item in items:
        item["overdue"] = item["done"] is False and today > item["deadline"]
        item["due_soon"] = item["done"] is False and not item["overdue"] and (item["deadline"] - today).days <= 14
    return items


# ---------------------------------------------------------------- activities and partners


def activity_list_qs(*, viewer, school: School) -> QuerySet[Activity]:
    """The school's activities the viewer may see, with their partners, in category order."""
    qs = permissions.scope(viewer, Activity.objects.filter(school=school))
    return qs.select_related("partner").order_by("category", "name")


def partner_list_qs(*, viewer, school: School) -> QuerySet[Partner]:
    """The school's partners the viewer may see, each with how many activities it hosts."""
    qs = permissions.scope(viewer, Partner.objects.filter(school=school))
    return qs.annotate(activity_count=Count("activities")).order_by("name")


# ---------------------------------------------------------------- service classes (组班) and roster imports

# Who may be a service class's responsible teacher: anyone teaching or running the programme at that school.
TEACHER_ROLES = (Role.SERVICE_TEACHER, Role.VOLUNTEER, Role.CLASS_TEACHER, Role.SCHOOL_ADMIN)


def occupying(day: datetime.date, prefix: str = "") -> Q:
    """Members holding a place on `day` or later: not left, or leaving after that day."""
    return Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": day})


def eligible_teachers(*, school: School) -> QuerySet[User]:
    """Active people who may be responsible for a service class of `school` (see TEACHER_ROLES)."""
    return (
        User.objects.filter(is_active=True, memberships__school=school, memberships__role__in=TEACHER_ROLES)
        .distinct()
        .order_by("full_name", "username")
    )


def service_class_list(*, viewer, school: School | None = None, school_year: SchoolYear | None = None, day=None):
    """Service classes the viewer may see (a teacher: the ones they teach), each annotated with `occupied`:
    places taken on `day` (default: today). Teacher and drawn-from classes are loaded in the same two queries."""
    day = day or timezone.localdate()
    qs = permissions.scope(viewer, ServiceClass.objects.all())
    if school is not None:
        qs = qs.filter(school=school)
    if school_year is not None:
        qs = qs.filter(school_year=school_year)
    return (
        qs.select_related("school", "school_year", "teacher")
        .prefetch_related(Prefetch("admin_classes", queryset=AdminClass.objects.order_by("grade", "number")))
        .annotate(occupied=Count("members", filter=occupying(day, "members__")))
        .order_by("kind", "name", "pk")
    )


def service_class_members(*, service_class: ServiceClass) -> QuerySet[ServiceClassMember]:
    """Members of a class the caller has fetched through `service_class_list`, current ones first."""
    return service_class.members.select_related("student", "student__admin_class", "added_by").order_by(
        "end_date", "student__admin_class__grade", "student__admin_class__number", "student__name", "pk"
    )


def draws_from_labels(service_class: ServiceClass, school_classes: Iterable[AdminClass]) -> list[str]:
    """What a class draws from, in words: a whole grade is named once ("Grade 3"), single classes by name.

    `school_classes` are all administrative classes of the school (to tell a whole grade from part of it).
    """
    chosen = list(service_class.admin_classes.all())
    if not chosen:
        return [_("All classes of the school")]
    per_grade: dict[int, int] = {}
    for ac in school_classes:
        per_grade[ac.grade] = per_grade.get(ac.grade, 0) + 1
    chosen_per_grade: dict[int, list[AdminClass]] = {}
    for ac in chosen:
        chosen_per_grade.setdefault(ac.grade, []).append(ac)
    labels = []
    for grade, classes in sorted(chosen_per_grade.items()):
        if per_grade.get(grade) == len(classes):
            labels.append(_("%(grade)s (all classes)") % {"grade": Grade(grade).label})
        else:
            labels.extend(str(ac) for ac in classes)
    return labels


def roster_import_list(*, viewer) -> QuerySet[RosterImport]:
    """The roster imports the viewer may see (a school's own administrators)."""
    return permissions.scope(viewer, RosterImport.objects.all()).select_related("school", "uploaded_by")
