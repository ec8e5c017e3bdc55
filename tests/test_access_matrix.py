"""Every URL × every actor: the status each must get. A URL missing here fails the suite.

Outside a user's scope -> 404; inside it without the right -> 403; anonymous -> login redirect.

The world is built once for this module (tests/conftest.py `module_world`); each case runs in its own savepoint,
rolled back when it ends, and gets its own copy of the Python objects. test_a_post_in_one_case_is_gone_in_the_next
proves it.
"""

import re

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from schools.models import PlanAttachment, RosterExport, SchoolPlan

from .access import extra_matrix
from .access.cases import Case, only
from .conftest import ACTORS
from .inline_code import inline_code

# Django's own admin is for superusers (support staff) and guards itself; it is checked once below.
EXCLUDED_NAMESPACES = {"admin"}


SCHOOL_A_VIEWERS_WITHOUT_RIGHT = {  # see school_a (parents: their child's school) but may not open its pages or act
    "parent": 403,
    "other_parent": 403,
    "class_teacher": 403,
    "service_teacher": 403,
    "volunteer": 403,
    "finance": 403,
    "hr": 403,
    "auditor": 403,
}

# Plans, timetables and attachments of school_a: who reads them, and who may act (302) or is refused (403).
PLAN_VIEWERS = {"school_admin": 200, "township": 200, "bureau": 200, "inspector": 200}
PLAN_REFUSED = {"school_admin": 302, "township": 403, "bureau": 403, "inspector": 403}


def _failed_export(w, tmp_path):
    RosterExport.objects.filter(pk=w.export_a.pk).update(status=RosterExport.Status.FAILED, error="queue down")


MATRIX: dict[str, Case] = {
    "home": Case(ok={a: 302 for a in ACTORS}),
    "login": Case(ok={a: 302 for a in ACTORS}, anonymous=200),
    "logout": Case(method="post", ok={a: 302 for a in ACTORS}),
    "set_language": Case(method="post", ok={a: 302 for a in ACTORS}, anonymous=302),
    "schools:school-home": only("school_admin", "other_school_admin"),
    "enrollment:class-home": only("class_teacher"),
    "schools:township-home": only("township"),
    "schools:school-list": only("township", "bureau", "inspector"),
    "schools:school-detail": Case(
        args=lambda w: [w.school_a.pk],
        ok={"school_admin": 200, "township": 200, "bureau": 200, "inspector": 200, **SCHOOL_A_VIEWERS_WITHOUT_RIGHT},
        default=404,
    ),
    "schools:roster-export-create": Case(
        method="post",
        args=lambda w: [w.school_a.pk],
        ok={
            "school_admin": 302,
            "township": 403,
            "bureau": 403,
            "inspector": 403,
            **SCHOOL_A_VIEWERS_WITHOUT_RIGHT,
        },
        default=404,
    ),
    "schools:student-list": only(
        "class_teacher", "school_admin", "other_school_admin", "township", "bureau", "inspector"
    ),
    "schools:student-detail": Case(
        args=lambda w: [w.child.pk],
        ok={a: 200 for a in ("parent", "class_teacher", "school_admin", "township", "bureau", "inspector")},
        default=404,
    ),
    # Only the child's school corrects the roster; those who see the child without the right: 403; the rest: 404.
    "schools:student-edit": Case(
        args=lambda w: [w.child.pk],
        ok={"school_admin": 200} | {a: 403 for a in ("parent", "class_teacher", "township", "bureau", "inspector")},
        default=404,
    ),
    "schools:roster-export-detail": only("school_admin", default=404, args=lambda w: [w.export_a.pk]),
    "schools:roster-export-download": only("school_admin", default=404, args=lambda w: [w.export_a.pk]),
    "schools:roster-export-retry": only(
        "school_admin", status=302, default=404, method="post", args=lambda w: [w.export_a.pk], setup=_failed_export
    ),
    # Timetables (R4–R8)
    "schools:timetable-list": Case(
        args=lambda w: [w.school_a.pk], ok={**PLAN_VIEWERS, **SCHOOL_A_VIEWERS_WITHOUT_RIGHT}, default=404
    ),
    "schools:timetable-start": Case(
        method="post",
        args=lambda w: [w.school_a.pk],
        ok={**PLAN_REFUSED, **SCHOOL_A_VIEWERS_WITHOUT_RIGHT},
        default=404,
    ),
    "schools:timetable-edit": Case(args=lambda w: [w.timetable.pk], ok=PLAN_VIEWERS, default=404),
    "schools:timetable-revise": Case(method="post", args=lambda w: [w.timetable.pk], ok=PLAN_REFUSED, default=404),
    # The school plan (R16–R18): school_a is not a village school, so its township may read but not write.
    "schools:plan-list": only("school_admin", "other_school_admin", "township", "bureau", "inspector"),
    "schools:plan-start": Case(
        method="post",
        args=lambda w: [w.school_a.pk],
        ok={**PLAN_REFUSED, **SCHOOL_A_VIEWERS_WITHOUT_RIGHT},
        default=404,
    ),
    "schools:plan-detail": Case(args=lambda w: [w.plan.pk], ok=PLAN_VIEWERS, default=404),
    "schools:plan-section-edit": Case(
        args=lambda w: [w.plan.pk, "survey"], ok={**PLAN_REFUSED, "school_admin": 200}, default=404
    ),
    "schools:plan-submit": Case(method="post", args=lambda w: [w.plan.pk], ok=PLAN_REFUSED, default=404),
    "schools:plan-forward": Case(
        method="post",
        args=lambda w: [w.plan.pk],
        ok={**PLAN_REFUSED, "school_admin": 403, "township": 302},
        default=404,
    ),
    "schools:plan-return": Case(
        method="post", args=lambda w: [w.plan.pk], ok={**PLAN_REFUSED, "school_admin": 403, "bureau": 302}, default=404
    ),
    "schools:plan-file": Case(
        method="post", args=lambda w: [w.plan.pk], ok={**PLAN_REFUSED, "school_admin": 403, "bureau": 302}, default=404
    ),
    "schools:plan-revise": Case(method="post", args=lambda w: [w.plan_filed.pk], ok=PLAN_REFUSED, default=404),
    "schools:plan-diff": Case(args=lambda w: [w.plan.pk], ok=PLAN_VIEWERS, default=404),
    "schools:plan-filing-pdf": Case(args=lambda w: [w.plan_filed.pk], ok=PLAN_VIEWERS, default=404),
    "schools:plan-attachment-add": Case(method="post", args=lambda w: [w.plan.pk], ok=PLAN_REFUSED, default=404),
    "schools:plan-attachment-download": Case(args=lambda w: [w.attachment.pk], ok=PLAN_VIEWERS, default=404),
    "schools:plan-attachment-remove": Case(
        method="post", args=lambda w: [w.attachment.pk], ok=PLAN_REFUSED, default=404
    ),
    # The county calendar and the bureau's view of every school's plan
    "bureau:calendar": only("school_admin", "other_school_admin", "township", "bureau", "inspector"),
    "bureau:calendar-year": only(
        "school_admin", "other_school_admin", "township", "bureau", "inspector", args=lambda w: [w.school_year.pk]
    ),
    "bureau:school-year-create": only("bureau"),
    "bureau:school-year-edit": only("bureau", args=lambda w: [w.school_year.pk]),
    "bureau:calendar-day-add": only("bureau", status=302, method="post", args=lambda w: [w.school_year.pk]),
    "bureau:calendar-day-remove": only("bureau", status=302, method="post", args=lambda w: [w.calendar_day.pk]),
    "bureau:plan-status": only("bureau", "inspector"),
    "bureau:plan-status-export": only("bureau", "inspector"),
    "enrollment:parent-home": only("parent", "other_parent"),
    "bureau:home": only("bureau"),
    "bureau:inspector-home": only("inspector"),
}


MATRIX.update(extra_matrix())  # each area keeps its rows in tests/access/<area>.py


@pytest.fixture
def world(shared_world):
    """One world for the whole module (about 2,000 cases), fresh for each case."""
    return shared_world


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            if ns in EXCLUDED_NAMESPACES:
                continue
            yield from _url_names(p, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(p, URLPattern):
            assert p.name, f"URL pattern {p.pattern} has no name, so the access matrix cannot cover it"
            yield f"{namespace}{p.name}"


def test_every_url_is_in_the_access_matrix():
    names = set(_url_names())
    assert names - set(MATRIX) == set(), "add these URLs to MATRIX with the status each actor must get"
    assert set(MATRIX) - names == set(), "MATRIX names URLs that no longer exist"


def leads_on(html: str) -> bool:
    """The page's own content (<main>, not the menu) holds a link somewhere or a form to act with."""
    main = html[html.find("<main") : html.rfind("</main>")]
    return bool(re.search(r'<a\s[^>]*href="(?!#)[^"]+"', main) or "<form" in main)


def _finished_export(export):
    export.file.save("roster-test.xlsx", ContentFile(b"PK test"), save=False)
    export.status = RosterExport.Status.DONE
    export.save()


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("actor", ACTORS)
def test_access(client, world, name, actor, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    case = MATRIX[name]
    if name == "schools:roster-export-download":
        _finished_export(world.export_a)
    if name == "schools:plan-attachment-download":
        (tmp_path / "plans").mkdir()
        (tmp_path / "plans" / "test.pdf").write_bytes(b"%PDF-1.4\n")
    if case.setup:
        case.setup(world, tmp_path)
    url = reverse(name, args=case.args(world) if case.args else None)
    user = getattr(world, actor)
    if user is not None:
        client.force_login(user)
    response = getattr(client, case.method)(url)
    expected = case.anonymous if user is None else case.ok.get(actor, case.default)
    assert response.status_code == expected, f"{actor} {case.method.upper()} {url}"
    if user is not None:  # every answer to a signed-in reader, page or file, is never stored (tests/test_headers.py)
        assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"], url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        assert inline_code(response.content.decode()) == [], f"{url} writes inline code the policy refuses"
        if user is not None:  # issue 15 §2: no dead end — the page itself offers a link or an action, not only the menu
            assert leads_on(response.content.decode()), f"{url} as {actor}: the page offers no link or action"
            assert ">---------<" not in response.content.decode(), f"{url}: an empty choice reads ---------"
            # and a way back: the name at the top of every page leads home, visible on a phone too
            assert f'class="navbar-brand" href="{reverse("home")}"' in response.content.decode(), url
    if user is None and expected == 302 and name not in {"login", "set_language", "enrollment:register"}:
        assert response["Location"].startswith(reverse("login")), "anonymous users are sent to sign in"


def test_admin_is_closed_to_every_role(client, world):
    for actor in ACTORS[1:]:
        client.force_login(getattr(world, actor))
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"], actor


def _row_counts() -> dict:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture(scope="module")
def counts_as_built(module_world, django_db_blocker):
    with django_db_blocker.unblock():
        return _row_counts()


@pytest.mark.parametrize("case", ["one", "two"])
def test_a_post_in_one_case_is_gone_in_the_next(client, world, counts_as_built, case):
    """Both cases find the world as built, then change it; whichever runs second would see the first's changes."""
    assert _row_counts() == counts_as_built
    assert not hasattr(world, "touched") and world.school_a.name == "甲乡中心小学"
    assert world.plan.status == SchoolPlan.Status.DRAFT and world.export_a.status == RosterExport.Status.PENDING
    assert SchoolPlan.objects.get(pk=world.plan.pk).status == SchoolPlan.Status.DRAFT
    assert PlanAttachment.objects.filter(pk=world.attachment.pk).exists()

    client.force_login(world.school_admin)
    assert client.post(reverse("schools:plan-attachment-remove", args=[world.attachment.pk])).status_code == 302
    assert client.post(reverse("schools:roster-export-create", args=[world.school_a.pk])).status_code == 302
    assert client.post(reverse("schools:plan-submit", args=[world.plan.pk])).status_code == 302
    world.touched = case
    world.plan.status = SchoolPlan.Status.FILED
    world.export_a.status = RosterExport.Status.DONE
    world.school_a.name = case
    assert not PlanAttachment.objects.filter(pk=world.attachment.pk).exists()
    assert RosterExport.objects.count() == counts_as_built["schools.RosterExport"] + 1
