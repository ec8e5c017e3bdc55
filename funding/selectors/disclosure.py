"""Reads of the public disclosure (公示, R26): the semester's figures, published disclosures, the county's view.

The figures never name a person: teacher pay appears as a total, a head count and the lowest and highest single
amount. Amounts are summed in Python from the exact Decimals (SQLite sums decimals as floats).
"""

import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from schools.models import School, SchoolPlan, Semester, ServiceClass
from xiji_afterschool import permissions
from xiji_afterschool.money import yuan

from ..models import Category, Disclosure, LedgerEntry, PayRun, PayShare

ZERO = yuan(0)
FIGURES_VERSION = 1  # the shape of Disclosure.data; a published disclosure keeps the shape it was published with


def _as_of(semester: Semester) -> datetime.date:
    """The day the figures stop: the semester's last day, or today while the semester is still running."""
    return min(semester.end_date, timezone.localdate())


def disclosure_figures(*, school: School, semester: Semester) -> dict:
    """The school's subsidy figures for one semester, JSON-safe (amounts as "1234.50" strings, dates ISO).

    Money in: ALLOCATION entries of the school's fund for the semester's year, dated in the semester and in the
    year up to the semester's end (or today). Money out: SPENDING minus REVERSAL entries dated in the semester, by
    earmarked category. Teacher pay: the shares of the school's APPROVED pay runs paid in the semester — total,
    number of teachers, lowest and highest single amount, nothing per person. Numbers only: the words are made
    when the disclosure is shown, in the reader's language. The caller has already fetched `school` through the
    access policy; this reads no user's scope.
    """
    start, end, as_of = semester.start_date, semester.end_date, _as_of(semester)
    entries = LedgerEntry.objects.filter(
        fund__school=school, fund__school_year=semester.school_year_id, date__lte=as_of
    ).values_list("kind", "category", "amount", "date")
    allocated_semester = allocated_year = spent_year = ZERO
    spent = dict.fromkeys(Category.values, ZERO)
    for kind, category, amount, day in entries:
        in_semester = start <= day <= end
        if kind == LedgerEntry.Kind.ALLOCATION:
            allocated_year += amount
            if in_semester:
                allocated_semester += amount
            continue
        signed = amount if kind == LedgerEntry.Kind.SPENDING else -amount
        spent_year += signed
        if in_semester:
            spent[category] += signed
    shares = [
        amount
        for amount in PayShare.objects.filter(
            run__school=school,
            run__status=PayRun.Status.APPROVED,
            run__paid_on__gte=start,
            run__paid_on__lte=end,
            amount__gt=0,
        ).values_list("amount", flat=True)
    ]
    return {
        "version": FIGURES_VERSION,
        "semester_start": start.isoformat(),
        "semester_end": end.isoformat(),
        "as_of": as_of.isoformat(),
        "allocated_semester": str(yuan(allocated_semester)),
        "allocated_year": str(yuan(allocated_year)),
        "spent": {category: str(yuan(amount)) for category, amount in spent.items()},
        "spent_total": str(yuan(sum(spent.values(), ZERO))),
        "spent_year": str(yuan(spent_year)),
        "balance": str(yuan(allocated_year - spent_year)),
        "teacher_pay": {
            "total": str(yuan(sum(shares, ZERO))),
            "teachers": len(shares),
            "lowest": str(yuan(min(shares))) if shares else None,
            "highest": str(yuan(max(shares))) if shares else None,
        },
        # R37: the programme is paid by county finance; no family is ever charged. Shown as a sentence.
        "families_charged": str(ZERO),
    }


def spent_rows(data: dict) -> list[tuple[str, Decimal]]:
    """(category label in the reader's language, amount) for the four earmarked categories, in their order."""
    spent = data.get("spent", {})
    return [(label, Decimal(spent.get(value, "0.00"))) for value, label in Category.choices]


def disclosure_list(*, viewer) -> QuerySet[Disclosure]:
    """Published disclosures the viewer may read (parents: their children's schools; the county: all)."""
    qs = permissions.scope(viewer, Disclosure.objects.all(), action="disclosure.view")
    return qs.select_related("school__township", "semester__school_year")


def disclosure_schools(*, viewer) -> QuerySet[School]:
    """Schools whose disclosures the viewer may read; pages taking a school_pk fetch it from here (else 404)."""
    return permissions.scope(viewer, School.objects.all(), action="disclosure.view").select_related("township")


def current_semester(school_year) -> Semester | None:
    """The semester running today; between semesters the last one that has started; else the first one."""
    if school_year is None:
        return None
    today = timezone.localdate()
    semesters = sorted(school_year.semesters.all(), key=lambda s: s.start_date)
    started = [s for s in semesters if s.start_date <= today]
    return started[-1] if started else (semesters[0] if semesters else None)


def disclosure_county(*, viewer, semester: Semester, township_id: int | None = None) -> list[dict]:
    """Per school the viewer may read: whether the semester's disclosure is published. Three queries, any size."""
    schools = disclosure_schools(viewer=viewer).order_by("township__code", "code")
    if township_id:
        schools = schools.filter(township_id=township_id)
    schools = list(schools)
    published = {
        d.school_id: d
        for d in disclosure_list(viewer=viewer).filter(semester=semester, school__in=[s.pk for s in schools])
    }
    return [{"school": s, "disclosure": published.get(s.pk)} for s in schools]


# ---------------------------------------------------------------- public reads (no login; issue #12 item 7)
# A Disclosure row exists only once published and is frozen from then on: every row is public by design (R26).
# These reads take no viewer and need no policy: they return only published figures, which never name a person.


def public_disclosure_list() -> QuerySet[Disclosure]:
    """Every published disclosure, for anyone (no login): figures only, never a person's name."""
    return Disclosure.objects.select_related("school__township", "semester__school_year")


def public_school_list() -> QuerySet[School]:
    """Schools with at least one published disclosure, by township and code (the public index)."""
    return (
        School.objects.filter(pk__in=Disclosure.objects.values("school"))
        .select_related("township")
        .order_by("township__code", "code")
    )


def public_semesters() -> list[Semester]:
    """Semesters with at least one published disclosure, newest first (the public summary's choice)."""
    return list(
        Semester.objects.filter(pk__in=Disclosure.objects.values("semester"))
        .select_related("school_year")
        .order_by("-start_date")
    )


SUMMARY_COUNTS = ("schools", "offering", "published")  # the summary's head counts (the rest are yuan)


def public_county_summary(*, semester: Semester) -> dict:
    """The county's own public summary for one semester: per township, the schools, those offering the service (a
    filed plan or a service class in the semester's year), those that published, and per the published disclosures
    the subsidy received in the semester and in the year so far and spent in the semester (exact Decimal sums in
    Python). Five queries, any size."""
    year = semester.school_year_id
    offering = set(
        SchoolPlan.objects.filter(school_year=year, status=SchoolPlan.Status.FILED).values_list("school_id", flat=True)
    ) | set(ServiceClass.objects.filter(school_year=year).values_list("school_id", flat=True))
    published = {d.school_id: d for d in Disclosure.objects.filter(semester=semester)}
    rows: dict[int, dict] = {}
    for school in School.objects.select_related("township").order_by("township__code", "code"):
        row = rows.setdefault(
            school.township_id,
            {
                "township": school.township,
                "schools": 0,
                "offering": 0,
                "published": 0,
                "allocated": ZERO,
                "allocated_year": ZERO,
                "spent": ZERO,
            },
        )
        row["schools"] += 1
        row["offering"] += school.pk in offering
        disclosure = published.get(school.pk)
        if disclosure:
            row["published"] += 1
            row["allocated"] += Decimal(disclosure.data.get("allocated_semester", "0.00"))
            row["allocated_year"] += Decimal(disclosure.data.get("allocated_year", "0.00"))
            row["spent"] += Decimal(disclosure.data.get("spent_total", "0.00"))
    townships = list(rows.values())
    total = {
        key: sum((r[key] for r in townships), 0 if key in SUMMARY_COUNTS else ZERO)
        for key in (*SUMMARY_COUNTS, "allocated", "allocated_year", "spent")
    }
    return {"townships": townships, "total": total}
