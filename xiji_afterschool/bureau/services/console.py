"""Keeping the console's summary tables current (R3, R34): compute every school's numbers from the raw rows, then
replace that school year's rows in one transaction.

Runs as the system — nightly for every school, and for one school a minute after something that changes its numbers
(see `signals.py`); the bureau may ask for a refresh. Reads are grouped by school (or class, or class and week), so
a refresh of 250 schools is a fixed number of queries; pages never compute, they read `SchoolFigures`,
`ClassFigures` and `WeekFigures`.

- Two refreshes of one school year never run at once: a lock in the cache (Redis in production) lets one through;
  the other is told and does nothing ("already running").
- Everything is computed before anything is written; the write is one transaction. A refresh that fails half-way
  leaves the previous numbers, and its `ConsoleRefresh` row says it failed and why.
"""

import datetime
import logging
from collections import defaultdict
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from enrollment.selectors import coverage as coverage_selectors
from funding.models import Claim, Fund, Settlement
from safety.models import Hazard, Incident, LateAlert
from schools.models import (
    CountySettings,
    Membership,
    Role,
    School,
    SchoolPlan,
    SchoolYear,
    ServiceClass,
    ServiceClassMember,
    ServiceMode,
    Session,
    Stage,
    Student,
)
from schools.rules import calendar as calendar_rules
from schools.rules import delivery as delivery_rules
from schools.rules import hours as hours_rules

from ..models import (
    ClassFigures,
    ConsoleRefresh,
    Finding,
    FlagReview,
    Inspection,
    Rectification,
    SchoolFigures,
    WeekFigures,
)
from ..rules import console as rules

log = logging.getLogger("xiji.bureau")
LOCK_SECONDS = 15 * 60  # longer than a county refresh takes; a crashed holder's lock ends by itself
ZERO = Decimal("0.00")
CLAIMED = (Claim.Status.SUBMITTED, Claim.Status.PASSED, Claim.Status.APPROVED, Claim.Status.ALLOCATED)
CLOSED_HAZARDS = (Hazard.Status.CLOSED,)


class RefreshRunning(Exception):
    """Another refresh of the same school year holds the lock."""


def _lock_key(school_year: SchoolYear) -> str:
    return f"bureau:console-refresh:{school_year.pk}"


def refresh(
    *, school_year: SchoolYear, school_ids=None, trigger: str, requested_by_id: int | None = None, today=None
) -> ConsoleRefresh:
    """Recompute the console numbers of `school_ids` (None: every school) for one school year.

    Raises RefreshRunning when another refresh of the year holds the lock. A failure is recorded on the returned
    row's status and error, and re-raised; the previous numbers stay."""
    token = f"{timezone.now().timestamp()}"
    if not cache.add(_lock_key(school_year), token, LOCK_SECONDS):
        raise RefreshRunning
    run = ConsoleRefresh.objects.create(
        school_year=school_year,
        school_id=school_ids[0] if school_ids and len(school_ids) == 1 else None,
        trigger=trigger,
        requested_by_id=requested_by_id,
    )
    try:
        today = today or timezone.localdate()
        computed = compute(school_year=school_year, school_ids=school_ids, today=today)
        _replace(school_year, computed)
    except Exception as exc:
        ConsoleRefresh.objects.filter(pk=run.pk).update(
            status=ConsoleRefresh.Status.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"
        )
        log.exception("console refresh %s failed", run.pk)
        run.refresh_from_db()
        raise
    finally:
        if cache.get(_lock_key(school_year)) == token:
            cache.delete(_lock_key(school_year))
    ConsoleRefresh.objects.filter(pk=run.pk).update(
        status=ConsoleRefresh.Status.DONE, finished_at=timezone.now(), schools=len(computed["schools"])
    )
    run.refresh_from_db()
    return run


@transaction.atomic
def _replace(school_year: SchoolYear, computed: dict) -> None:
    ids = [row.school_id for row in computed["schools"]]
    SchoolFigures.objects.filter(school_year=school_year, school__in=ids).delete()
    ClassFigures.objects.filter(school_year=school_year, school__in=ids).delete()
    WeekFigures.objects.filter(school_year=school_year, school__in=ids).delete()
    SchoolFigures.objects.bulk_create(computed["schools"], batch_size=500)
    ClassFigures.objects.bulk_create(computed["classes"], batch_size=500)
    WeekFigures.objects.bulk_create(computed["weeks"], batch_size=1000)


def _count_by(qs, key: str, **aggregates) -> dict:
    return {row.pop(key): row for row in qs.order_by().values(key).annotate(**aggregates)}


def compute(*, school_year: SchoolYear, school_ids=None, today: datetime.date) -> dict:
    """Unsaved SchoolFigures, ClassFigures and WeekFigures of the schools, computed from the raw rows."""
    now = timezone.now()
    to_date = min(today, school_year.end_date)
    year_start = school_year.start_date
    schools = School.objects.select_related("township").order_by("pk")
    if school_ids is not None:
        schools = schools.filter(pk__in=school_ids)
    schools = list(schools)
    ids = [s.pk for s in schools]
    by_school = {s.pk: s for s in schools}

    # The calendar: each stage's service days, so planned hours per class and per week.
    semesters = list(school_year.semesters.all())
    exceptions = calendar_rules.calendar_exceptions(school_year)
    per_day = CountySettings.current().class_hours_per_day
    days_of = {
        stage: calendar_rules.service_days(
            semesters=semesters, mode=ServiceMode.for_stage(stage), exceptions=exceptions
        )
        for stage in Stage.values
    }
    checked_weeks = delivery_rules.complete_weeks(to_date)

    # Coverage (the coverage page's own definitions: one meaning of "applicant").
    students = dict(
        Student.objects.filter(school__in=ids)
        .order_by()
        .values("school")
        .annotate(n=Count("pk"))
        .values_list("school", "n")
    )
    applied = _count_by(
        coverage_selectors.counted_applications(school_year).filter(school__in=ids),
        "school",
        **coverage_selectors.application_counts(),
    )
    filed = set(
        SchoolPlan.objects.filter(school__in=ids, school_year=school_year, status=SchoolPlan.Status.FILED)
        .order_by()
        .values_list("school", flat=True)
    )

    # Service classes, their stage, members now and who serves.
    classes = list(
        ServiceClass.objects.filter(school__in=ids, school_year=school_year).prefetch_related("admin_classes")
    )
    stage_of = {}
    for service_class in classes:
        service_class.school = by_school[service_class.school_id]
        stage_of[service_class.pk] = delivery_rules.service_class_stage(service_class)
    current = ServiceClassMember.objects.filter(
        service_class__school__in=ids, service_class__school_year=school_year, start_date__lte=to_date
    ).filter(Q(end_date__isnull=True) | Q(end_date__gt=to_date))
    members = dict(current.order_by().values("service_class").annotate(n=Count("pk")).values_list("service_class", "n"))
    served = dict(
        current.order_by()
        .values("service_class__school")
        .annotate(n=Count("student", distinct=True))
        .values_list("service_class__school", "n")
    )
    counted = Session.objects.filter(
        service_class__school__in=ids,
        service_class__school_year=school_year,
        status__in=hours_rules.COUNTED,
        date__gte=year_start,
        date__lte=to_date,
    )
    teachers = defaultdict(set)
    for school_id, teacher_id in counted.order_by().values_list("service_class__school", "teacher").distinct():
        teachers[school_id].add(teacher_id)
    for service_class in classes:
        if service_class.teacher_id:
            teachers[service_class.school_id].add(service_class.teacher_id)
    volunteers = dict(
        Membership.objects.filter(role=Role.VOLUNTEER, school__in=ids)
        .order_by()
        .values("school")
        .annotate(n=Count("user", distinct=True))
        .values_list("school", "n")
    )

    # Sessions per class and day: delivered hours, roll marks, and which days each class was served.
    per_class_week = defaultdict(lambda: {"hours": Decimal("0.0"), "sessions": 0, "present": 0, "roll": 0})
    served_days = defaultdict(set)
    weeks_of_class = defaultdict(set)
    last_session = {}
    for class_id, day, hours, n, present, roll in (
        counted.order_by()
        .values("service_class", "date")
        .annotate(
            h=Sum("class_hours"),
            n=Count("pk"),
            p=Sum("present"),
            r=Sum("present") + Sum("absent") + Sum("on_leave"),
        )
        .values_list("service_class", "date", "h", "n", "p", "r")
    ):
        week = per_class_week[class_id, rules.monday(day)]
        week["hours"] += hours
        week["sessions"] += n
        week["present"] += present or 0
        week["roll"] += roll or 0
        served_days[class_id].add(day)
        weeks_of_class[class_id].add(rules.monday(day))
        last_session[class_id] = max(day, last_session.get(class_id, day))
    flags_of_class = dict(
        Session.objects.filter(service_class__school__in=ids, service_class__school_year=school_year)
        .exclude(flag="")
        .order_by()
        .values("service_class")
        .annotate(n=Count("pk"))
        .values_list("service_class", "n")
    )
    flags = _count_by(
        Session.objects.filter(service_class__school__in=ids, service_class__school_year=school_year).exclude(flag=""),
        "service_class__school",
        n=Count("pk"),
        confirmed=Count("pk", filter=Q(status=Session.Status.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=Session.Status.NEEDS_CONFIRMATION)),
    )

    reviews = _count_by(
        FlagReview.objects.filter(
            session__service_class__school__in=ids, session__service_class__school_year=school_year
        ),
        "session__service_class__school",
        accepted=Count("pk", filter=Q(outcome=FlagReview.Outcome.ACCEPTED)),
        violations=Count("pk", filter=Q(outcome=FlagReview.Outcome.VIOLATION)),
    )

    # Special inspections.
    inspections = _count_by(
        Inspection.objects.filter(school__in=ids, school_year=school_year).exclude(status=Inspection.Status.CANCELLED),
        "school",
        n=Count("pk"),
        closed=Count("pk", filter=Q(status=Inspection.Status.CLOSED)),
    )
    findings = dict(
        Finding.objects.filter(
            inspection__school__in=ids, inspection__school_year=school_year, inspection__status__in=Inspection.ISSUED
        )
        .order_by()
        .values("inspection__school")
        .annotate(n=Count("pk"))
        .values_list("inspection__school", "n")
    )
    rectifications = _count_by(
        Rectification.objects.filter(
            finding__inspection__school__in=ids,
            finding__inspection__school_year=school_year,
            finding__inspection__status__in=Inspection.ISSUED,
        ).exclude(status=Rectification.Status.ACCEPTED),
        "finding__inspection__school",
        n=Count("pk"),
        overdue=Count("pk", filter=Q(deadline__lt=to_date)),
    )

    # Money.
    claims = _count_by(
        Claim.objects.filter(school__in=ids, school_year=school_year),
        "school",
        claimed=Sum("requested_amount", filter=Q(status__in=CLAIMED)),
        approved=Sum("approved_amount", filter=Q(status__in=Claim.FIXED)),
        first_review=Count("pk", filter=Q(status=Claim.Status.SUBMITTED)),
    )
    funds = _count_by(
        Fund.objects.filter(school__in=ids, school_year=school_year), "school", a=Sum("allocated"), s=Sum("spent")
    )
    settled = dict(
        Settlement.objects.filter(school__in=ids, school_year=school_year, status=Settlement.Status.CONFIRMED)
        .order_by()
        .values("school")
        .annotate(v=Sum("delivered_amount"))
        .values_list("school", "v")
    )

    # Safety: late pick-ups and incidents of the year (and their weeks), hazards open now.
    late_weeks, late_total = defaultdict(int), defaultdict(int)
    for school_id, day, n in (
        LateAlert.objects.filter(school__in=ids, date__gte=year_start, date__lte=to_date)
        .order_by()
        .values("school", "date")
        .annotate(n=Count("pk"))
        .values_list("school", "date", "n")
    ):
        late_weeks[school_id, rules.monday(day)] += n
        late_total[school_id] += n
    incident_weeks, incident_total = defaultdict(int), defaultdict(int)
    for school_id, day, n in (
        Incident.objects.filter(school__in=ids, occurred_at__date__gte=year_start, occurred_at__date__lte=to_date)
        .annotate(day=TruncDate("occurred_at"))
        .order_by()
        .values("school", "day")
        .annotate(n=Count("pk"))
        .values_list("school", "day", "n")
    ):
        incident_weeks[school_id, rules.monday(day)] += n
        incident_total[school_id] += n
    hazards = dict(
        Hazard.objects.filter(school__in=ids)
        .exclude(status__in=CLOSED_HAZARDS)
        .order_by()
        .values("school")
        .annotate(n=Count("pk"))
        .values_list("school", "n")
    )

    # Assemble: classes and their weeks first, then each school from its classes.
    class_rows, week_rows = [], []
    school_weeks = defaultdict(lambda: defaultdict(lambda: {"planned": 0, "hours": Decimal("0.0"), "sessions": 0,
                                                           "present": 0, "roll": 0}))  # fmt: skip
    per_school = defaultdict(
        lambda: {"classes": 0, "planned": 0, "year_planned": 0, "idle": 0, "behind": set(), "served_weeks": set()}
    )
    for service_class in classes:
        stage = stage_of[service_class.pk]
        days = days_of[stage]
        planned_weeks = defaultdict(int)
        for day in days:
            if day <= to_date:  # planned to date: the weeks sum to the class's planned hours
                planned_weeks[rules.monday(day)] += per_day
        planned_to_date = sum(1 for d in days if d <= to_date) * per_day
        totals = {"hours": Decimal("0.0"), "sessions": 0, "present": 0, "roll": 0}
        for week in sorted(set(planned_weeks) | weeks_of_class[service_class.pk]):
            got = per_class_week.get((service_class.pk, week), {"hours": Decimal("0.0"), "sessions": 0, "present": 0,
                                                                 "roll": 0})  # fmt: skip
            for k in totals:
                totals[k] += got[k]
            week_rows.append(
                WeekFigures(
                    school_year=school_year,
                    school_id=service_class.school_id,
                    service_class=service_class,
                    week=week,
                    planned_hours=planned_weeks.get(week, 0),
                    delivered_hours=got["hours"],
                    sessions=got["sessions"],
                    present_marks=got["present"],
                    roll_marks=got["roll"],
                )
            )
            school_week = school_weeks[service_class.school_id][week]
            school_week["planned"] += planned_weeks.get(week, 0)
            for k in totals:
                school_week[k] += got[k]
        behind = delivery_rules.weeks_behind(stage, checked_weeks, set(days), served_days[service_class.pk])
        class_rows.append(
            ClassFigures(
                school_year=school_year,
                school_id=service_class.school_id,
                service_class=service_class,
                stage=stage,
                members=members.get(service_class.pk, 0),
                planned_hours=planned_to_date,
                delivered_hours=totals["hours"],
                sessions=totals["sessions"],
                present_marks=totals["present"],
                roll_marks=totals["roll"],
                weeks_behind=len(behind),
                last_session=last_session.get(service_class.pk),
                flags=flags_of_class.get(service_class.pk, 0),
            )
        )
        school = per_school[service_class.school_id]
        school["planned"] += planned_to_date
        school["year_planned"] += len(days) * per_day
        school["idle"] += 0 if totals["sessions"] or not planned_to_date else 1
        school["behind"] |= {w["start"] for w in behind}
        school["classes"] += 1
        school["served_weeks"] |= weeks_of_class[service_class.pk]

    late_weeks_of, incident_weeks_of = defaultdict(set), defaultdict(set)
    for school_id, week in late_weeks:
        late_weeks_of[school_id].add(week)
    for school_id, week in incident_weeks:
        incident_weeks_of[school_id].add(week)
    school_rows = []
    for school in schools:
        pk = school.pk
        counts = applied.get(pk, {})
        stage = school.stages[0] if school.stages else Stage.PRIMARY
        weeks = school_weeks.get(pk, {})
        own = per_school[pk]
        safety_weeks = late_weeks_of[pk] | incident_weeks_of[pk]
        for week in sorted(set(weeks) | safety_weeks):
            got = weeks.get(week, {"planned": 0, "hours": Decimal("0.0"), "sessions": 0, "present": 0, "roll": 0})
            week_rows.append(
                WeekFigures(
                    school_year=school_year,
                    school_id=pk,
                    service_class=None,
                    week=week,
                    planned_hours=got["planned"],
                    delivered_hours=got["hours"],
                    sessions=got["sessions"],
                    present_marks=got["present"],
                    roll_marks=got["roll"],
                    late_pickups=late_weeks.get((pk, week), 0),
                    incidents=incident_weeks.get((pk, week), 0),
                )
            )
        money = claims.get(pk, {})
        fund = funds.get(pk, {})
        flag = flags.get(pk, {})
        review = reviews.get(pk, {})
        inspected = inspections.get(pk, {})
        rectifying = rectifications.get(pk, {})
        n_applicants = counts.get("applicants", 0)
        n_placed = counts.get("placed", 0)
        school_rows.append(
            SchoolFigures(
                school_year=school_year,
                school=school,
                computed_at=now,
                computed_for=to_date,
                required=school.school_type in rules.REQUIRED_TYPES,
                offers_service=own["classes"] > 0,
                has_filed_plan=pk in filed,
                students=students.get(pk, 0),
                applicants=n_applicants,
                approved=counts.get("approved", 0),
                placed=n_placed,
                waiting=counts.get("waiting", 0),
                not_placed=max(n_applicants - counts.get("withdrawn", 0) - n_placed, 0),
                served=served.get(pk, 0),
                groups={
                    g: {"applicants": counts.get(f"{g}__applicants", 0), "placed": counts.get(f"{g}__placed", 0)}
                    for g in coverage_selectors.PRIORITY_GROUPS
                },
                service_classes=own["classes"],
                teachers=len(teachers.get(pk, ())),
                volunteers=volunteers.get(pk, 0),
                planned_hours=own["planned"],
                year_planned_hours=own["year_planned"],
                delivered_hours=sum((w["hours"] for w in weeks.values()), Decimal("0.0")),
                service_weeks=delivery_rules.service_weeks(days_of[stage]),
                delivered_weeks=len(own["served_weeks"]),
                target_weeks=ServiceMode.for_stage(stage).weeks,
                classes_without_sessions=own["idle"],
                weeks_behind=len(own["behind"]),
                sessions=sum(w["sessions"] for w in weeks.values()),
                present_marks=sum(w["present"] for w in weeks.values()),
                roll_marks=sum(w["roll"] for w in weeks.values()),
                claimed=money.get("claimed") or ZERO,
                approved_amount=money.get("approved") or ZERO,
                claims_first_review=money.get("first_review", 0),
                allocated=fund.get("a") or ZERO,
                spent=fund.get("s") or ZERO,
                settled=settled.get(pk) or ZERO,
                late_pickups=late_total[pk],
                open_hazards=hazards.get(pk, 0),
                incidents=incident_total[pk],
                flags=flag.get("n", 0),
                flags_confirmed=flag.get("confirmed", 0),
                flags_waiting=flag.get("waiting", 0),
                flags_accepted=review.get("accepted", 0),
                flags_violations=review.get("violations", 0),
                inspections=inspected.get("n", 0),
                inspections_closed=inspected.get("closed", 0),
                findings=findings.get(pk, 0),
                rectifications_open=rectifying.get("n", 0),
                rectifications_overdue=rectifying.get("overdue", 0),
            )
        )
    return {"schools": school_rows, "classes": class_rows, "weeks": week_rows}


def refresh_all(*, trigger: str, requested_by_id: int | None = None) -> list[ConsoleRefresh]:
    """Refresh every school year that has begun and not ended more than a year ago (the current and the last)."""
    today = timezone.localdate()
    years = SchoolYear.objects.filter(start_date__lte=today, end_date__gte=today - datetime.timedelta(days=366))
    return [refresh(school_year=year, trigger=trigger, requested_by_id=requested_by_id) for year in years]


# ---------------------------------------------------------------- one school's numbers after a change

CHANGE_DELAY_SECONDS = 60  # changes within a minute of each other cost one refresh of the school


def _pending_key(school_year_id: int, school_id: int) -> str:
    return f"bureau:console-pending:{school_year_id}:{school_id}"


def school_changed(*, school_year_id: int, school_id: int) -> None:
    """Something that changes a school's numbers was saved: refresh that school once, a minute after the change
    is committed (later changes in that minute ride along). Called by signals.py."""
    from ..tasks import refresh_school_figures_task

    def queue():
        # Marked only once committed (a rolled-back change queues nothing and blocks nothing); one queued refresh
        # per school at a time. The change itself is done: a refresh that cannot be queued (or, run eagerly,
        # fails) is logged and left to the nightly one, never turned into an error for the person who saved.
        try:
            if cache.add(_pending_key(school_year_id, school_id), 1, CHANGE_DELAY_SECONDS * 10):
                refresh_school_figures_task.apply_async((school_year_id, school_id), countdown=CHANGE_DELAY_SECONDS)
        except Exception:
            log.exception("console refresh of school %s not queued", school_id)

    transaction.on_commit(queue)


def clear_pending(school_year_id: int, school_id: int) -> None:
    """The queued refresh starts: a change from now on queues the next one."""
    cache.delete(_pending_key(school_year_id, school_id))
