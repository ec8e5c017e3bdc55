import os
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from schools.models import Role, RosterExport

from .factories import AdminClassFactory, SchoolFactory, StudentFactory, TownshipFactory, link_guardian, user_with_role


def pytest_collection_modifyitems(config, items):
    """Worker tests need a real broker. Without REDIS_URL they are deselected (and reported), never skipped."""
    if os.environ.get("REDIS_URL"):
        return
    keep, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("needs_redis") else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture(autouse=True)
def _fast_hasher_and_clean_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # login-throttle counters must not leak between tests
    yield
    cache.clear()


@pytest.fixture
def world(db):
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
    )
    w.export_a = RosterExport.objects.create(school=school_a, requested_by=w.school_admin)
    return w


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
]
