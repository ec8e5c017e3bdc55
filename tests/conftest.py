"""Fixtures and helpers shared by every test package: the world, English pages, media, eager Celery, PDFs, today."""

import copy
import datetime
import os
import subprocess
import sys
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation

from schools.models import (
    CalendarDay,
    CountySettings,
    PlanAttachment,
    Role,
    RosterExport,
    SchoolPlan,
    SchoolYear,
    Semester,
    Stage,
    SubsidyRate,
    Timetable,
)
from xiji_afterschool.celery import app as celery_app

from .factories import AdminClassFactory, SchoolFactory, StudentFactory, TownshipFactory, link_guardian, user_with_role


def _own_redis_database_per_xdist_worker() -> None:
    """`pytest -n 2` (CI): each worker process clears the cache in every test, so two workers on one Redis database
    would wipe each other's login-throttle counters and queues. Worker N uses database base + N instead (Redis has 16);
    the real Celery worker a test starts inherits it through the environment."""
    worker, url = os.environ.get("PYTEST_XDIST_WORKER", ""), os.environ.get("REDIS_URL", "")
    if not (worker.startswith("gw") and url):
        return
    server, _, base = url.rpartition("/")
    own = f"{server}/{(int(base or 0) + int(worker[2:])) % 16}"
    os.environ["REDIS_URL"] = own
    django_settings.CACHES["default"]["LOCATION"] = own
    django_settings.REDIS_URL = django_settings.CELERY_BROKER_URL = django_settings.CELERY_RESULT_BACKEND = own
    celery_app.conf.update(broker_url=own, result_backend=own)


_own_redis_database_per_xdist_worker()


def pytest_collection_modifyitems(config, items):
    """Worker tests need a real broker, trigger tests PostgreSQL. Without REDIS_URL / a PostgreSQL DATABASE_URL they
    are deselected (and reported), never skipped: CI's PostgreSQL + Redis pass runs them."""
    missing = set()
    if not os.environ.get("REDIS_URL"):
        missing.add("needs_redis")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        missing.add("needs_postgres")
    if not missing:
        return
    keep, dropped = [], []
    for item in items:
        (dropped if any(item.get_closest_marker(m) for m in missing) else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_hasher_and_clean_cache(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    cache.clear()  # login-throttle counters must not leak between tests
    yield
    cache.clear()


@pytest.fixture
def english(settings):
    """Messages in English, so assertions survive the Chinese catalog: in the test's own code and in every
    request the test client makes (it sends no Accept-Language, so LocaleMiddleware uses LANGUAGE_CODE)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def pages_in_english(client) -> None:
    """From now on the test client asks for English pages, as a reader who chose English (the language cookie)."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def english_pages(client):
    """`pages_in_english` for the whole test: the test's own code stays in the default language."""
    pages_in_english(client)


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded and generated files go to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def eager_celery():
    """Run tasks in-process for this test, whatever REDIS_URL says (the worker tests cover the broker)."""
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = old


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def database_url_for_worker() -> str:
    """The test database as a URL another process (a real Celery worker) can open."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "postgresql":
        return (
            f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        )
    assert connection.vendor == "sqlite" and not connection.is_in_memory_db(), (
        "the worker test needs a database another process can open: run it with DATABASE_URL=postgres://…"
    )
    return f"sqlite:///{s['NAME']}"


def start_celery_worker(media_root, queue: str) -> subprocess.Popen:
    """A real `celery worker` process (solo pool) on the test database and `queue`, writing files to media_root.
    Its output (text) is read with `.communicate()` once it is stopped. Tests marked `needs_redis` only."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_worker(),
        "MEDIA_ROOT": str(media_root),
        "DJANGO_SETTINGS_MODULE": "xiji_afterschool.settings",
    }
    command = [sys.executable, "-m", "celery", "-A", "xiji_afterschool", "worker", "--pool=solo", "-Q", queue]
    command += ["--loglevel=INFO", "--without-heartbeat", "--without-mingle", "--without-gossip"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def pretend_today(monkeypatch, day: datetime.date) -> datetime.date:
    """For the rest of the test timezone.localdate() answers `day` (given a value, it still converts that value)."""
    real = timezone.localdate
    monkeypatch.setattr(timezone, "localdate", lambda value=None, tz=None: real(value, tz) if value else day)
    return day


def messages_of(response) -> list[str]:
    """The flash messages a response left for the next page."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def events(record) -> list[tuple]:
    """A workflow record's history: (action, from, to, actor id, note) in order."""
    return list(record.events.values_list("action", "from_status", "to_status", "actor", "note"))


def read_pdf(pdf: bytes, tmp_path, name: str = "document.pdf") -> tuple[str, str]:
    """The text of a PDF as poppler's pdftotext reads it (pages split by form feeds), and pdffonts' listing."""
    path = tmp_path / name
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return text, fonts


def pdf_text_and_fonts(pdf: bytes, tmp_path, name: str = "document.pdf") -> tuple[str, str]:
    """`read_pdf` with all whitespace removed (pdftotext breaks lines where the layout does)."""
    text, fonts = read_pdf(pdf, tmp_path, name)
    return "".join(text.split()), fonts


def has_cjk_font(fonts: str) -> bool:
    """pdffonts lists an embedded Chinese font: WenQuanYi Micro Hei (e.g. ABCDEF+WenQuanYiMicroHei), or its fallback
    Noto Sans CJK SC."""
    names = fonts.replace("-", "").replace(" ", "")
    return "WenQuanYiMicroHei" in names or "NotoSansCJKSC" in names


@pytest.fixture
def rate(db):
    """R22: 30.00 yuan per service class per class-hour from 2021-09-01; two class-hours a day."""
    CountySettings.objects.update_or_create(pk=1, defaults={"class_hours_per_day": 2})
    return SubsidyRate.objects.create(amount=Decimal("30.00"), effective_from=datetime.date(2021, 9, 1))


@pytest.fixture
def world(db):
    """The world of `build_world`, built for this test alone."""
    return build_world()


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """The world built once for a module, inside a transaction rolled back when the module is done.

    Use it through `shared_world` (below), never directly: each test then runs in its own savepoint inside this
    transaction (pytest-django's `db`), so whatever a test writes is rolled back before the next one starts.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                built = build_world()
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def shared_world(module_world, db):
    """The module's world for one test: the same rows, fresh Python objects (a deep copy, as Django's
    setUpTestData gives each test), so attributes a test sets or objects it changes do not reach the next test.
    A module overrides `world` with it: `world = shared_world` does not work; define `def world(shared_world)`."""
    return copy.deepcopy(module_world)


def build_world():
    """Two schools in two townships, three families, and one person per role (plus outsiders).

    school_a (township_a): class_a1 holds `child` (of `parent`) and `other_child` (of `other_parent`).
    school_b (township_b): `child_b`; its admin is `other_school_admin`.
    """
    township_a, township_b = TownshipFactory(name="甲乡"), TownshipFactory(name="乙乡")
    school_a = SchoolFactory(name="甲乡中心小学", township=township_a, is_township_central=True)
    school_b = SchoolFactory(name="乙乡中心小学", township=township_b, is_township_central=True)
    class_a1 = AdminClassFactory(school=school_a, grade=3, number=1)
    class_a2 = AdminClassFactory(school=school_a, grade=4, number=1)
    class_b1 = AdminClassFactory(school=school_b, grade=3, number=1)
    child = StudentFactory(admin_class=class_a1, name="马小明")
    other_child = StudentFactory(admin_class=class_a1, name="李小红", gender="F")
    child_a2 = StudentFactory(admin_class=class_a2, name="王小军")
    child_b = StudentFactory(admin_class=class_b1, name="杨小花", gender="F")
    parent = user_with_role(Role.PARENT, full_name="马文清")
    other_parent = user_with_role(Role.PARENT, full_name="李建国")
    link_guardian(child, user=parent)
    link_guardian(other_child, user=other_parent, relation="mother")
    w = SimpleNamespace(
        township_a=township_a,
        township_b=township_b,
        school_a=school_a,
        school_b=school_b,
        class_a1=class_a1,
        class_a2=class_a2,
        class_b1=class_b1,
        child=child,
        other_child=other_child,
        child_a2=child_a2,
        child_b=child_b,
        anonymous=None,
        parent=parent,
        other_parent=other_parent,
        class_teacher=user_with_role(Role.CLASS_TEACHER, admin_class=class_a1),
        service_teacher=user_with_role(Role.SERVICE_TEACHER, school=school_a),
        volunteer=user_with_role(Role.VOLUNTEER, school=school_a),
        school_admin=user_with_role(Role.SCHOOL_ADMIN, school=school_a),
        other_school_admin=user_with_role(Role.SCHOOL_ADMIN, school=school_b),
        township=user_with_role(Role.TOWNSHIP_COORDINATOR, township=township_a),
        bureau=user_with_role(Role.BUREAU),
        finance=user_with_role(Role.FINANCE),
        inspector=user_with_role(Role.INSPECTOR),
        hr=user_with_role(Role.HR),
        auditor=user_with_role(Role.AUDITOR),
        leadership=user_with_role(Role.LEADERSHIP),
        gate=user_with_role(Role.GATE, school=school_a),
        care_staff=user_with_role(Role.CARE_STAFF, school=school_a),
    )
    w.export_a = RosterExport.objects.create(school=school_a, requested_by=w.school_admin)
    _add_plans(w)
    return w


def _add_plans(w):
    """The current school year; school_a has a filed v1 and a draft v2 of its plan, and a timetable."""
    today = timezone.localdate()
    start = datetime.date(today.year if today.month >= 8 else today.year - 1, 8, 1)
    w.school_year = SchoolYear.objects.create(
        name=f"{start.year}–{start.year + 1}", start_date=start, end_date=datetime.date(start.year + 1, 7, 31),
        plan_deadline=datetime.date(start.year, 8, 31), application_deadline=datetime.date(start.year, 9, 30),
        refinement_deadline=datetime.date(start.year, 10, 31),
    )  # fmt: skip
    w.autumn = Semester.objects.create(
        school_year=w.school_year, number=1, start_date=datetime.date(start.year, 9, 1),
        end_date=datetime.date(start.year + 1, 1, 20),
    )  # fmt: skip
    w.spring = Semester.objects.create(
        school_year=w.school_year, number=2, start_date=datetime.date(start.year + 1, 2, 20),
        end_date=datetime.date(start.year + 1, 7, 10),
    )  # fmt: skip
    w.calendar_day = CalendarDay.objects.create(
        school_year=w.school_year, date=datetime.date(start.year, 10, 1), kind=CalendarDay.Kind.HOLIDAY, note="国庆节"
    )
    w.plan_filed = SchoolPlan.objects.create(
        school=w.school_a, school_year=w.school_year, version=1, status=SchoolPlan.Status.FILED,
        created_by=w.school_admin, filed_at=timezone.now(), filing_number=f"西教体备〔{start.year}〕1号",
    )  # fmt: skip
    w.plan = SchoolPlan.objects.create(
        school=w.school_a, school_year=w.school_year, version=2, previous=w.plan_filed, created_by=w.school_admin
    )
    w.attachment = PlanAttachment.objects.create(
        plan=w.plan, title="领导小组文件", file="plans/test.pdf", content_type="application/pdf", size=9,
        uploaded_by=w.school_admin,
    )  # fmt: skip
    w.timetable = Timetable.objects.create(
        school=w.school_a, semester=w.autumn, stage=Stage.PRIMARY, effective_from=w.autumn.start_date,
        opening_season=Timetable.Season.SUMMER, created_by=w.school_admin,
    )  # fmt: skip


ACTORS = [
    "anonymous",
    "parent",
    "other_parent",
    "class_teacher",
    "service_teacher",
    "volunteer",
    "school_admin",
    "other_school_admin",
    "township",
    "bureau",
    "finance",
    "inspector",
    "hr",
    "auditor",
    "leadership",
    "gate",
    "care_staff",
]
