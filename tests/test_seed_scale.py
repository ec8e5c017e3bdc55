"""seed_demo --scale: the bulk county added around the demo county, at a tiny size (issue #16 item 1).

One seed serves the module, on PostgreSQL (COPY, the triggers): `--as-of 2025-10-15 --schools 3 --scale 2`, six
weeks into a past school year (the date test_seed_demo_options.py plays to), so the demo part stays small. The demo county keeps its logins and story; the bulk
part doubles its schools and pupils with valid resident IDs, service classes, sessions and their rolls."""

import datetime
import io
from unittest import mock

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from schools.models import (
    Attendance,
    HoursMonth,
    School,
    SchoolYear,
    ServiceClass,
    ServiceClassMember,
    Session,
    Student,
)
from schools.rules import roster as roster_rules
from xiji_afterschool.bureau.models.console import ConsoleRefresh
from xiji_afterschool.demo import PASSWORD, REGION, year_name
from xiji_afterschool.scale import FIRST_CODE

pytestmark = pytest.mark.needs_postgres

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
            out = io.StringIO()
            args = ["--as-of", AS_OF.isoformat(), "--schools", "3", "--scale", "2"]
            call_command("seed_demo", *args, stdout=out)
            yield out.getvalue()
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
    for username in ("jiaoshi", "xuexiao", "jiaotiju"):
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
