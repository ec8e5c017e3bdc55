"""Coverage of the programme (R3, R2): who applied, who was approved, who has a place — per school and grade.

Reads only, scoped by the viewer. Every count is one aggregate query grouped by grade or by school, so a page
costs the same number of queries for 3 schools or 300.

What each number means (for one school year; a child counts once per number):

- **students**: children on the school's roster now (per grade: in an administrative class of that grade).
- **applicants**: children who applied this year — every live application (any status but withdrawn) plus
  children whose application was withdrawn and who have not applied again. A child who withdrew and applied
  again counts once, with the new application.
- **in review**: applicants waiting for the class teacher or the school, or returned to the parent
  (submitted, returned, class_approved).
- **approved**: applicants the school has approved and who have not withdrawn: approved (waiting for a place),
  waiting (on the waiting list), placed, active. So applicants = in review + approved + withdrawn.
- **placed**: approved applicants with a place in a service class (placed, active).
- **waiting**: approved applicants on the waiting list because the classes are full (waiting).
- **withdrawn**: applicants whose (latest) application is withdrawn.
- **not placed**: live applicants without a place yet (applicants − withdrawn − placed): the children the
  bureau must still see covered (R3).
- **coverage**: placed / applicants, in per cent with one decimal (half up); None when nobody applied.

The same numbers (but students) are given for each R2 priority group: a family counts in every group it ticked.
Grades are the children's grades now; an application counts at the school the child applied at.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from schools.models import Grade, School, SchoolPlan, SchoolYear, ServiceClass, Student
from schools.selectors import roster as roster_selectors
from xiji_afterschool import permissions

from ..models import Application, ConsentKind
from . import consents as consents_selectors

S = Application.Status
IN_REVIEW = (S.SUBMITTED, S.RETURNED, S.CLASS_APPROVED)
APPROVED = (S.APPROVED, S.WAITING, S.PLACED, S.ACTIVE)
PLACED = (S.PLACED, S.ACTIVE)
WAITING = (S.WAITING,)

# The R2 priority groups: field of Application -> label.
PRIORITY_GROUPS = {
    "dual_working": _("Both parents work"),
    "migrant_child": _("Child of migrant workers"),
    "disability": _("Disability"),
    "economic_hardship": _("Economic hardship"),
}
SENSITIVE_GROUPS = ("disability", "economic_hardship")
# Counted numbers (besides students); "not_placed" and "coverage" are derived from them.
METRICS = ("applicants", "in_review", "approved", "placed", "waiting", "withdrawn")
METRIC_LABELS = {
    "students": _("Students"),
    "applicants": _("Applicants"),
    "in_review": _("In review"),
    "approved": _("Approved"),
    "placed": _("Placed"),
    "waiting": _("Waiting list"),
    "withdrawn": _("Withdrawn"),
    "not_placed": _("Not placed yet"),
    "coverage": _("Coverage (%)"),
}
_METRIC_Q = {
    "applicants": Q(),
    "in_review": Q(status__in=IN_REVIEW),
    "approved": Q(status__in=APPROVED),
    "placed": Q(status__in=PLACED),
    "waiting": Q(status__in=WAITING),
    "withdrawn": Q(status=S.WITHDRAWN),
}


def scoped_for(viewer, qs: QuerySet, action: str) -> QuerySet:
    """Rows of qs the viewer sees through the memberships allowed to do `action` (see permissions.scope)."""
    return permissions.scope(viewer, qs, action=action)


def counted_applications(school_year: SchoolYear) -> QuerySet[Application]:
    """This year's applications, leaving out withdrawn ones that a live application of the same child replaced."""
    live_again = Application.objects.filter(student=OuterRef("student"), school_year=OuterRef("school_year")).exclude(
        status=S.WITHDRAWN
    )
    return Application.objects.filter(school_year=school_year).filter(~Q(status=S.WITHDRAWN) | ~Exists(live_again))


def application_counts() -> dict:
    """Count(...) expressions: each metric, and each metric within each priority group (a child counts once)."""
    out = {}
    # Disability and hardship are counted only under the guardian's live sensitive consent (issue #14 item 2).
    consented = consents_selectors.live_consent_exists(ConsentKind.SENSITIVE)
    for metric, q in _METRIC_Q.items():
        out[metric] = Count("student", filter=q, distinct=True)
        for group in PRIORITY_GROUPS:
            group_q = Q(**{group: True}) & consented if group in SENSITIVE_GROUPS else Q(**{group: True})
            out[f"{group}__{metric}"] = Count("student", filter=q & group_q, distinct=True)
    return out


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _numbers(counts: dict, students: int | None) -> dict:
    row = {"students": students} if students is not None else {}
    row.update({metric: counts.get(metric, 0) for metric in METRICS})
    row["not_placed"] = row["applicants"] - row["withdrawn"] - row["placed"]
    row["coverage"] = _percent(row["placed"], row["applicants"])
    return row


def _split(counts: dict | None, students: int | None) -> dict:
    """One aggregate row -> the overall numbers plus `groups`: {group: numbers} for the priority groups."""
    counts = counts or {}
    row = _numbers(counts, students)
    row["groups"] = {
        group: _numbers({m: counts.get(f"{group}__{m}", 0) for m in METRICS}, None) for group in PRIORITY_GROUPS
    }
    row["group_rows"] = [{"label": label, **row["groups"][group]} for group, label in PRIORITY_GROUPS.items()]
    return row


def _total(rows: list[dict]) -> dict:
    """Sum of the rows, percentages recomputed from the sums. A child is in one grade and (but for one who left a
    withdrawn application at another school) one school, so the sums count each child once."""
    counts = {m: sum(r[m] for r in rows) for m in METRICS}
    for group in PRIORITY_GROUPS:
        counts.update({f"{group}__{m}": sum(r["groups"][group][m] for r in rows) for m in METRICS})
    return _split(counts, sum(r["students"] for r in rows))


def school_coverage(*, viewer, school: School, school_year: SchoolYear) -> dict:
    """Per grade of one school: the numbers above and the same per priority group; plus the school's total.

    The viewer must have "coverage.view" on the school (PermissionDenied otherwise). Three queries.
    Returns {"grades": [{"grade", "grade_label", numbers…, "groups"}], "total": {…}}.
    """
    permissions.require(viewer, "coverage.view", school)
    students = dict(
        Student.objects.filter(school=school)
        .order_by()
        .values("admin_class__grade")
        .annotate(n=Count("pk"))
        .values_list("admin_class__grade", "n")
    )
    applied = {
        row.pop("grade"): row
        for row in counted_applications(school_year)
        .filter(school=school)
        .order_by()
        .values(grade=F("student__admin_class__grade"))
        .annotate(**application_counts())
    }
    grades = []
    for grade in sorted(set(students) | set(applied)):
        row = _split(applied.get(grade), students.get(grade, 0))
        row.update(grade=grade, grade_label=Grade(grade).label if grade in Grade.values else grade)
        grades.append(row)
    return {"grades": grades, "total": _total(grades)}


def county_coverage(*, viewer, school_year: SchoolYear, township_id: int | None = None, school_type: str = "") -> dict:
    """Per school the viewer may see coverage of ("coverage.view": the school admin their school, a township its
    schools, the bureau and inspectors all): the numbers above, whether it has a filed plan. Least covered first;
    schools without applicants last.

    Five queries whatever the number of schools. Returns {"schools": [row…], "total": {…}}; each row has
    "school" (with township), the numbers, "groups", "has_filed_plan", "offers_service" (a service class this year)
    and "needs_attention" (children on the waiting list, no filed plan, or neither a service class nor an
    application: R3, the bureau sees which schools and applicants are not covered).
    """
    schools = scoped_for(viewer, School.objects.all(), "coverage.view")
    if township_id:
        schools = schools.filter(township_id=township_id)
    if school_type:
        schools = schools.filter(school_type=school_type)
    schools = list(
        schools.select_related("township")
        .annotate(student_count=roster_selectors.student_count())  # an index-only count per school, no join
        .order_by("township__code", "code")
    )
    ids = [s.pk for s in schools]
    applied = {
        row.pop("school"): row
        for row in counted_applications(school_year)
        .filter(school__in=ids)
        .order_by()
        .values("school")
        .annotate(**application_counts())
    }
    filed = set(
        SchoolPlan.objects.filter(school__in=ids, school_year=school_year, status=SchoolPlan.Status.FILED)
        .order_by()
        .values_list("school", flat=True)
        .distinct()
    )
    offering = set(
        ServiceClass.objects.filter(school__in=ids, school_year=school_year)
        .order_by()
        .values_list("school", flat=True)
        .distinct()
    )
    rows = []
    for school in schools:
        row = _split(applied.get(school.pk), school.student_count)
        row.update(school=school, has_filed_plan=school.pk in filed, offers_service=school.pk in offering)
        # R3: children waiting, no filed plan, or no service at all (no service class and nobody applied: a filed
        # plan alone serves no child).
        row["needs_attention"] = bool(
            row["waiting"] or not row["has_filed_plan"] or not (row["offers_service"] or row["applicants"])
        )
        rows.append(row)

    # Least covered first, and among equals the one with more children without a place. Schools nobody has applied
    # at yet have no coverage to compare: they come last (the page marks them).
    def least_covered(r):
        return (r["coverage"] is None, r["coverage"] or 0, -r["not_placed"], r["school"].code)

    rows.sort(key=least_covered)
    return {"schools": rows, "total": _total(rows)}


def county_export_rows(*, coverage: dict):
    """(header, rows) of the county table for Excel: one row per school, then the total; priority groups after."""
    main = ["students", "applicants", "in_review", "approved", "placed", "waiting", "withdrawn", "not_placed"]
    header = [gettext("Township"), gettext("School"), gettext("School type")]
    header += [str(METRIC_LABELS[m]) for m in main] + [str(METRIC_LABELS["coverage"]), gettext("Filed plan")]
    for label in PRIORITY_GROUPS.values():
        header += [f"{label}: {METRIC_LABELS[m]}" for m in METRICS] + [f"{label}: {METRIC_LABELS['coverage']}"]
    yes, no = gettext("Yes"), gettext("No")

    def line(first: list, r: dict, plan: str) -> list:
        out = first + [r[m] for m in main] + [r["coverage"], plan]
        for group in PRIORITY_GROUPS:
            g = r["groups"][group]
            out += [g[m] for m in METRICS] + [g["coverage"]]
        return out

    def rows():
        for r in coverage["schools"]:
            s = r["school"]
            yield line([str(s.township), s.name, s.get_school_type_display()], r, yes if r["has_filed_plan"] else no)
        yield line([gettext("Total"), "", ""], coverage["total"], "")

    return header, rows()
