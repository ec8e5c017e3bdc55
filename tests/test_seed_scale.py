"""seed_demo --scale: the bulk county added around the demo county, at a tiny size (issue #16 item 1).

One seed serves the module, on PostgreSQL (COPY, the triggers): `--as-of 2025-10-15 --schools 3 --scale 2`, six
weeks into a past school year (the date test_seed_demo_options.py plays to). To keep it short (the whole demo county
takes minutes), the demo county plays only the schools' set-up (roster, logins, calendar, plans: what the bulk part
builds on; not enrollment's stories nor the year's delivery and money) through the command's own `seed`, then the
bulk part: it doubles the schools and pupils with valid resident IDs, service classes, two years of sessions and
rolls, the families' applications, agreements and consents, and the schools' plans, claims, funds, spending plans,
pay schemes and pay runs."""

import datetime
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from enrollment.models import Agreement, AgreementText, Application, Consent, ConsentKind
from funding.models import Claim, Fund, LedgerEntry, PayRun, PayScheme, SpendingPlan
from funding.services import claims as claim_services
from schools import demo as schools_demo
from schools.models import (
    Attendance,
    HoursMonth,
    Membership,
    Role,
    School,
    SchoolPlan,
    SchoolYear,
    ServiceClass,
    ServiceClassMember,
    Session,
    Student,
    StudentGuardian,
)
from schools.rules import delivery as delivery_rules
from schools.rules import roster as roster_rules
from xiji_afterschool import crypto, demo
from xiji_afterschool.bureau.models.console import ConsoleRefresh
from xiji_afterschool.demo import PARENT_MOBILE, PASSWORD, REGION, year_name
from xiji_afterschool.management.commands import seed_demo
from xiji_afterschool.money import yuan
from xiji_afterschool.scale import FIRST_CODE

# Its county is seeded once for the module: under `pytest -n` the module stays on one worker (--dist loadgroup).
pytestmark = [pytest.mark.needs_postgres, pytest.mark.xdist_group("seed_scale")]

AS_OF = datetime.date(2025, 10, 15)
AS_OF_END = timezone.make_aware(datetime.datetime.combine(AS_OF, datetime.time(23, 59, 59)))
BULK = {"code__gte": f"{REGION}{FIRST_CODE:04d}"}


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("seed-media")
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers, MEDIA_ROOT=str(media)):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            county = demo.DemoCounty(as_of=AS_OF, schools_wanted=3)
            lines = seed_demo.seed(county, apps=(schools_demo,), phases=(demo.SETUP,), scale="2")
            yield "\n".join(lines)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def seeded(_seeded_once, db):
    with mock.patch.object(timezone, "now", lambda: AS_OF_END):
        yield _seeded_once


def test_the_county_doubles_around_the_demo(seeded):
    schools = School.objects.filter(code__startswith=REGION)
    assert schools.count() == 6
    assert schools.filter(**BULK).count() == 3
    demo_pupils = Student.objects.filter(school__code__lt=f"{REGION}{FIRST_CODE:04d}").count()
    assert Student.objects.filter(school__code__startswith=REGION).count() == 2 * demo_pupils
    assert "规模数据（批量）：学校 6" in seeded


def test_every_bulk_pupil_has_a_valid_id_fitting_their_grade(seeded):
    pupils = Student.objects.filter(school__code__gte=f"{REGION}{FIRST_CODE:04d}").select_related("admin_class")
    assert pupils.exists()
    for pupil in pupils:
        roster_rules.validate_id_number(pupil.id_number)  # the check character
        assert pupil.id_number.startswith(REGION)
        assert pupil.id_number[6:14] == f"{pupil.birth_date:%Y%m%d}"
        assert int(pupil.id_number[16]) % 2 == (1 if pupil.gender == "M" else 0)
        # Age on 1 September of the school year (2025): 6 in grade 1 (7 if started late); kindergarten -2..0.
        age = 2025 - pupil.birth_date.year - ((pupil.birth_date.month, pupil.birth_date.day) > (9, 1))
        assert age - 5 - pupil.admin_class.grade in (0, 1), (pupil.birth_date, pupil.admin_class.grade)
        assert 2 <= len(pupil.name) <= 6
        assert pupil.guardian_links.filter(is_primary=True).count() == 1


def test_bulk_classes_are_served_with_whole_rolls(seeded):
    classes = ServiceClass.objects.filter(school__code__gte=f"{REGION}{FIRST_CODE:04d}")
    assert classes.exists()
    sessions = Session.objects.filter(service_class__in=classes)
    assert sessions.exists()
    assert all(d < AS_OF + datetime.timedelta(days=1) for d in sessions.values_list("date", flat=True))
    for session in sessions.order_by("?")[:20]:
        roll = Attendance.objects.filter(session=session).count()
        assert roll == session.present + session.absent + session.on_leave == session.service_class.members.count()
    # The sequences continue past the copied ids: the next session the services log gets a free id.
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM schools_session_id_seq")
        assert cursor.fetchone()[0] == Session.objects.order_by("-pk").first().pk


def test_the_guards_are_intact_after_the_bulk_part(seeded):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgname IN "
            "('schools_session_closed_month', 'schools_attendance_closed_month')"
        )
        assert dict(cursor.fetchall()) == {
            "schools_session_closed_month": "O",
            "schools_attendance_closed_month": "O",
        }


def test_the_demo_logins_still_work(seeded):
    request = RequestFactory().post("/accounts/login/")
    for username in ("jiaoshi", "xuexiao", "jiaotiju", PARENT_MOBILE):
        assert authenticate(request, username=username, password=PASSWORD) is not None, username


def test_scale_takes_county_or_a_multiple():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "1", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "big", stdout=io.StringIO())


def test_last_year_is_served_whole_and_closed(seeded):
    last = SchoolYear.objects.get(name=year_name(AS_OF.year - 1))
    classes = ServiceClass.objects.filter(school_year=last, school__code__gte=f"{REGION}{FIRST_CODE:04d}")
    assert classes.exists()
    assert not ServiceClassMember.objects.filter(service_class__in=classes).exclude(end_date=last.end_date).exists()
    sessions = Session.objects.filter(service_class__in=classes)
    days = list(sessions.values_list("service_class__school_id", "date"))
    assert days
    # The whole year: from its first semester into its last.
    assert max(d for _, d in days) >= max(last.semesters.values_list("start_date", flat=True))
    for session in sessions.order_by("?")[:20]:
        roll = Attendance.objects.filter(session=session).count()
        assert roll == session.present + session.absent + session.on_leave == session.service_class.members.count()
    # Every month served is closed for its school (after its rows: the closed-month triggers let them in first).
    served = {(school, d.replace(day=1)) for school, d in days}
    closed = set(HoursMonth.objects.values_list("school_id", "month"))
    assert served <= closed
    # The console summarised both years after the bulk rows (the nightly job's two years).
    refreshed = ConsoleRefresh.objects.filter(trigger="scale", status=ConsoleRefresh.Status.DONE)
    assert set(refreshed.values_list("school_year__name", flat=True)) == {last.name, year_name(AS_OF.year)}


def bulk_years():
    return [SchoolYear.objects.get(name=year_name(AS_OF.year - 1)), SchoolYear.objects.get(name=year_name(AS_OF.year))]


def test_every_bulk_pupil_in_service_applied_signed_and_consented(seeded):
    members = ServiceClassMember.objects.filter(service_class__school__code__gte=f"{REGION}{FIRST_CODE:04d}")
    members = list(members.select_related("service_class", "student"))
    assert members
    primary = {
        link.student_id: link.guardian
        for link in StudentGuardian.objects.filter(
            is_primary=True, student__in=[m.student for m in members]
        ).select_related("guardian__user")
    }
    parents = set(Membership.objects.filter(role=Role.PARENT).values_list("user_id", flat=True))
    applications = {
        (a.student_id, a.school_year_id): a
        for a in Application.objects.filter(student__in=[m.student for m in members]).select_related(
            "agreement__text", "school_year"
        )
    }
    newest = {}
    for school, year, version in AgreementText.objects.values_list("school_id", "school_year_id", "version"):
        newest[school, year] = max(version, newest.get((school, year), 0))
    for member in members:
        application = applications[member.student_id, member.service_class.school_year_id]
        # Attending the class the pupil is a member of, applied for by the primary guardian's own account.
        assert application.status == Application.Status.ACTIVE
        assert application.service_class_id == member.service_class_id
        guardian = primary[member.student_id]
        parent = guardian.user
        assert parent is not None and parent.username == crypto.parent_username(guardian.mobile)
        assert not parent.has_usable_password()
        assert parent.pk in parents
        assert application.applicant_id == parent.pk
        assert application.pickup_mobile == guardian.mobile  # sealed by the COPY, opened by the field
        # The signed agreement of the school's current text for that year.
        agreement = application.agreement
        assert agreement.decision == Agreement.Decision.SIGNED and agreement.consent
        assert agreement.signed_by_id == parent.pk and agreement.student_id == member.student_id
        assert agreement.text.version == newest[agreement.text.school_id, application.school_year_id]
    # The history of each, in order, and the live consent to personal information behind every application.
    sample = [applications[m.student_id, m.service_class.school_year_id] for m in members[::25]]
    for application in sample:
        steps = list(application.events.order_by("created_at", "pk").values_list("action", "to_status"))
        assert steps == [
            ("submit", "submitted"), ("class_approve", "class_approved"), ("school_approve", "approved"),
            ("place", "placed"), ("activate", "active"),
        ]  # fmt: skip
        consent = Consent.objects.get(student=application.student, kind=ConsentKind.PERSONAL, status="given")
        assert consent.given_by_id == application.applicant_id
        assert list(consent.events.values_list("action", flat=True)) == ["give"]


def test_every_bulk_school_has_a_filed_plan_and_its_claim_allocated(seeded):
    schools = list(School.objects.filter(**BULK))
    for year in bulk_years():
        for school in schools:
            plan = SchoolPlan.objects.get(school=school, school_year=year)
            assert plan.status == SchoolPlan.Status.FILED and plan.filing_number
            assert plan.events.order_by("created_at", "pk").last().action == "file"
            classes = dict.fromkeys(school.stages, 0)
            for service_class in ServiceClass.objects.filter(school=school, school_year=year).prefetch_related(
                "admin_classes"
            ):
                classes[delivery_rules.service_class_stage(service_class)] += 1
            funding = plan.sections.get(key="funding").data
            assert {stage: funding[f"classes_{stage}"] for stage in school.stages} == classes
            claim = Claim.objects.get(school=school, school_year=year, kind=Claim.Kind.ANNUAL)
            assert claim.status == Claim.Status.ALLOCATED
            # The funding rules' own computation: 30 yuan per class per class-hour on every planned service day.
            expected = claim_services._compute(
                school=school, school_year=year, from_date=claim.from_date, classes=classes
            )
            lines = list(
                claim.lines.values("stage", "service_classes", "planned_days", "class_hours_per_day", "rate", "amount")
            )
            assert lines == expected["lines"]
            for line in lines:
                assert line["rate"] == Decimal("30.00")
                assert line["amount"] == yuan(
                    line["service_classes"] * line["planned_days"] * line["class_hours_per_day"] * 30
                )
            assert claim.requested_amount == claim.approved_amount == sum(line["amount"] for line in lines)
            assert [e.action for e in claim.events.order_by("created_at", "pk")] == [
                "submit",
                "pass",
                "approve",
                "allocate",
            ]
            assert len({claim.submitted_by_id, claim.first_reviewed_by_id, claim.approved_by_id}) == 3
            fund = Fund.objects.get(school=school, school_year=year)
            assert fund.allocated == claim.approved_amount == claim.ledger_entry.amount
            assert SpendingPlan.objects.get(school=school, school_year=year).status == SpendingPlan.Status.APPROVED
            assert PayScheme.objects.get(school=school, school_year=year).status == PayScheme.Status.APPROVED


def test_last_years_pay_runs_reconcile_to_the_fen(seeded):
    last = bulk_years()[0]
    runs = PayRun.objects.filter(school__code__gte=f"{REGION}{FIRST_CODE:04d}", school_year=last)
    assert runs.count() == 2 * School.objects.filter(**BULK).count()  # the autumn's and the spring's, every school
    for run in runs.select_related("ledger_entry"):
        assert run.status == PayRun.Status.APPROVED
        shares = list(run.shares.all())
        assert shares and sum(s.amount for s in shares) == run.pool
        assert run.ledger_entry.amount == run.pool and run.ledger_entry.category == "teacher"
        assert HoursMonth.objects.filter(
            school=run.school, month__gte=run.first_month, month__lte=run.last_month
        ).count() == (
            (run.last_month.year - run.first_month.year) * 12 + run.last_month.month - run.first_month.month + 1
        )
        assert list(run.events.values_list("action", flat=True)) == ["approve"]
    for fund in Fund.objects.filter(school__code__gte=f"{REGION}{FIRST_CODE:04d}"):
        entries = LedgerEntry.objects.filter(fund=fund)
        spent = sum(e.amount for e in entries.filter(kind="spending")) - sum(
            e.amount for e in entries.filter(kind="reversal")
        )
        assert fund.allocated == sum(e.amount for e in entries.filter(kind="allocation"))
        assert fund.spent == spent
        assert fund.spent == sum(
            r.pool for r in PayRun.objects.filter(school=fund.school, school_year=fund.school_year)
        )
    # The deferred totals guard, run now instead of at the (rolled back) commit: every fund matches its ledger.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_a_second_bulk_run_writes_nothing(seeded):
    before = seed_demo.rows()
    seed_demo.seed(demo.DemoCounty(as_of=AS_OF, schools_wanted=3), apps=(), phases=(), scale="2")
    assert seed_demo.rows() == before


def test_a_second_run_of_the_demo_set_up_beside_the_bulk_schools_writes_nothing(seeded):
    """The demo's stories play on the demo's schools only: the bulk village schools' townships have no coordinator
    to write their plans (a second run once stopped on that)."""
    county = demo.DemoCounty(as_of=AS_OF, schools_wanted=3)
    assert county.in_county().count() == 3 and not county.in_county().filter(**BULK).exists()
    before = seed_demo.rows()
    seed_demo.seed(county, apps=(schools_demo,), phases=(demo.SETUP,), scale="2")
    assert seed_demo.rows() == before
