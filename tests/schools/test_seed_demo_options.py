"""seed_demo --as-of and --schools: a small county played to a day in October stops there, and keeps its story.

One seed serves the module: `--as-of 2025-10-15 --schools 5` (its own module, so its transaction never nests in the
full county's of test_seed_demo.py). The figures of the story schools are those of the full county played to the
same day: --schools drops schools, never changes the ones it keeps."""

import datetime
import io
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models, transaction
from django.test import (
    RequestFactory,  # the sign-in guard (axes) needs the request
    override_settings,
)
from django.utils import timezone

from enrollment.models import AgreementText, Application, ApplicationEvent
from funding.models import Claim
from schools.models import HoursMonth, Membership, School, SchoolPlan, Session, Student, User
from xiji_afterschool.demo import KEPT_SCHOOLS, LOGINS, PASSWORD

# Its county is seeded once for the module: under `pytest -n` the module stays on one worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("seed_demo_options")

AS_OF = datetime.date(2025, 10, 15)
AS_OF_END = timezone.make_aware(datetime.datetime.combine(AS_OF, datetime.time(23, 59, 59)))
SCHOOLS = 5
FIRST = "西吉县第一小学"


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the module, inside a transaction rolled back at its end (see test_seed_demo.py)."""
    media = tmp_path_factory.mktemp("seed-media")
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers, MEDIA_ROOT=str(media)):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = io.StringIO()
            call_command("seed_demo", "--as-of", AS_OF.isoformat(), "--schools", str(SCHOOLS), stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def seeded(_seeded_once, db):
    with mock.patch.object(timezone, "now", lambda: AS_OF_END):  # read the county on AS_OF
        yield _seeded_once


@pytest.mark.django_db
def test_only_the_first_schools_and_the_logins_schools_are_seeded(seeded):
    names = list(School.objects.order_by("code").values_list("name", flat=True))
    assert len(names) == SCHOOLS and set(KEPT_SCHOOLS) <= set(names)
    assert set(names) - set(KEPT_SCHOOLS) == {"吉强镇中心小学", "平峰镇中心小学"}  # the first ones drawn
    assert "学校 5 ·" in seeded
    assert not Student.objects.exclude(school__name__in=names).exists()
    staff = Membership.objects.exclude(school=None)
    assert not staff.exclude(school__name__in=names).exists()
    for login in LOGINS:  # every printed login is there and signs in
        assert authenticate(RequestFactory().post("/login/"), username=login.username, password=PASSWORD) is not None, (
            login.username
        )
    # The plans of the kept schools are played; the others' stories are not.
    assert set(SchoolPlan.objects.values_list("school__name", flat=True)) <= set(names)
    assert set(Claim.objects.values_list("school__name", flat=True)) <= set(names)


@pytest.mark.django_db
def test_the_kept_schools_story_is_the_full_countys(seeded):
    # As the full county (all 40 schools) played to 15 October 2025 prints them.
    assert "课后服务申请 325 份（3 所学校，代录 185 份）" in seeded
    assert "自愿服务协议书文本 3 版 · 签署 325 · 不同意 2" in seeded
    assert "课后服务记录 102 次 · 点名 3031 人次 · 代课 0 · 待管理员确认 0" in seeded


@pytest.mark.django_db
def test_the_story_stops_on_the_as_of_day(seeded):
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField):
                assert not model.objects.filter(**{f"{field.name}__gt": AS_OF_END}).exists(), (model, field.name)
    last = Session.objects.latest("date").date
    assert last < AS_OF and (AS_OF - last).days <= 3  # logged up to the last service day before it
    # What the story does from 20 October has not happened: version 2 of the agreement, the re-signing.
    assert not AgreementText.objects.filter(version=2).exists()
    assert not ApplicationEvent.objects.filter(action="resign").exists()
    # September is closed (on 9 October), October is not; no application came after the day.
    months = set(HoursMonth.objects.filter(month__gte=datetime.date(2025, 8, 1)).values_list("month", flat=True))
    assert months == {datetime.date(2025, 9, 1)}
    assert not Application.objects.filter(submitted_at__gt=AS_OF_END).exists()
    assert User.objects.filter(date_joined__date=AS_OF).exists()  # the roster is written "now", on the day


@pytest.mark.django_db
def test_a_second_run_with_the_same_arguments_writes_nothing(seeded):
    out = io.StringIO()
    call_command("seed_demo", "--as-of", AS_OF.isoformat(), "--schools", str(SCHOOLS), stdout=out)
    assert "未写入" in out.getvalue()


def test_the_options_refuse_a_future_day_and_no_schools():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(CommandError, match="future"):
        call_command("seed_demo", "--as-of", tomorrow.isoformat(), stdout=io.StringIO())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("seed_demo", "--as-of", "15/10/2025", stdout=io.StringIO())
    with pytest.raises(CommandError, match="1 or more"):
        call_command("seed_demo", "--schools", "0", stdout=io.StringIO())
