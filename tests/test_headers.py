"""Response headers (issue #13 item 8): a Content-Security-Policy without 'unsafe-inline' (django-csp), a
Permissions-Policy, and `Cache-Control: no-store` on every page and file that may show personal data; the public
disclosure pages keep their cache-friendly headers. The policy holds only if no template writes inline code: the
templates are scanned here, and every page the access matrix renders is checked (tests/test_access_matrix.py)."""

import gzip
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.views.decorators.cache import never_cache

from xiji_afterschool.headers import PERMISSIONS_POLICY
from xiji_afterschool.templatetags.xiji import bar_width_filter

from .inline_code import inline_code
from .test_access_matrix import MATRIX

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Rendered by WeasyPrint into PDF files, never served as pages: their <style> blocks stay.
PDF_TEMPLATES = {"pdf/base.html"}


def test_inline_code_is_found():
    """The scanner itself: each kind it must catch, and the allowed forms it must let through."""
    html = (
        '<p style="color:red">a</p>\n<button onclick="go()">b</button>\n<style>p{}</style>\n'
        "<script>alert(1)</script>\n<SCRIPT>x()</SCRIPT>\n"
        '<script src="/static/a.js" defer></script>\n<p data-style="x" class="onclick">ok</p>\n'
        '<svg><rect fill="#fff" width="10"></rect></svg>'
    )
    assert inline_code(html) == [
        (1, '<p style="…">'),
        (2, '<button onclick="…">'),
        (3, "<style> block"),
        (4, "<script> without src"),
        (5, "<script> without src"),
    ]


def _served_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in PDF_TEMPLATES or name.endswith("_pdf.html") or name.startswith("emails/"):
            continue
        yield name, path


def test_no_template_writes_inline_code():
    found = [
        f"templates/{name}:{line}: {what}"
        for name, path in _served_templates()
        for line, what in inline_code(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "move it to static/css/xiji.css or a static/<app>/*.js file:\n" + "\n".join(found)


def test_the_scan_covers_the_pages():
    names = {name for name, _ in _served_templates()}
    assert {"base.html", "500.html", "schools/sessions/session_log.html"} <= names
    assert not any(name.endswith("_pdf.html") for name in names)


def test_policy_has_no_unsafe_directive():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for name, sources in directives.items():
        assert not any("unsafe" in source for source in sources), name
    assert directives["default-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


def assert_private(response, what):
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "script-src 'self'" in policy and "style-src 'self'" in policy, what
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy, what
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY, what
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache and "public" not in cache, f"{what}: {response['Cache-Control']}"


PAGES = [  # (actor, URL name, args) — a home page of each kind of role, and pages with ID numbers or mobiles
    ("parent", "enrollment:parent-home", None),
    ("class_teacher", "enrollment:class-home", None),
    ("service_teacher", "schools:teacher-today", None),
    ("school_admin", "schools:school-home", None),
    ("school_admin", "schools:school-detail", lambda w: [w.school_a.pk]),
    ("township", "schools:township-home", None),
    ("bureau", "bureau:home", None),
    ("leadership", "bureau:console", None),
    ("gate", "safety:gate-today", None),
    ("hr", "funding:hr-home", None),
]


@pytest.mark.parametrize(("actor", "name", "args"), PAGES)
def test_signed_in_pages_are_private_and_strict(client, world, actor, name, args):
    client.force_login(getattr(world, actor))
    response = client.get(reverse(name, args=args(world) if args else None))
    assert response.status_code == 200
    assert_private(response, f"{actor} {name}")
    assert inline_code(response.content.decode()) == []


DOWNLOADS = [  # (actor, URL name): an Excel export, PDFs, photos — set up as the access matrix does
    ("bureau", "bureau:console-export"),
    ("school_admin", "schools:hours-export"),
    ("bureau", "bureau:inspection-pdf"),
    ("school_admin", "enrollment:letter-pdf"),
    ("bureau", "bureau:finding-photo"),
    ("school_admin", "safety:hazard-photo"),
    ("school_admin", "schools:plan-attachment-download"),
]


@pytest.mark.parametrize(("actor", "name"), DOWNLOADS)
def test_downloads_are_never_stored(client, world, tmp_path, settings, actor, name):
    settings.MEDIA_ROOT = tmp_path
    case = MATRIX[name]
    if name == "schools:plan-attachment-download":
        (tmp_path / "plans").mkdir()
        (tmp_path / "plans" / "test.pdf").write_bytes(b"%PDF-1.4\n")
    if case.setup:
        case.setup(world, tmp_path)
    client.force_login(getattr(world, actor))
    response = client.get(reverse(name, args=case.args(world) if case.args else None))
    assert response.status_code == 200 and not response["Content-Type"].startswith("text/html"), name
    assert_private(response, name)


def test_the_login_page_is_not_stored(client):
    """It says nothing itself and carries a per-visitor CSRF token: no shared cache may keep it."""
    response = client.get(reverse("login"))
    assert response.status_code == 200 and "csrfmiddlewaretoken" in response.content.decode()
    assert_private(response, "login")


def test_anonymous_answers_without_a_cache_header_are_not_stored(client, world):
    """A view that says nothing (a redirect to sign in, a 404) is not stored either: no-store is the default."""
    redirect = client.get(reverse("schools:school-home"))
    assert redirect.status_code == 302
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    for response in (redirect, missing):
        assert "no-store" in response["Cache-Control"] and response["Permissions-Policy"] == PERMISSIONS_POLICY


@pytest.fixture
def published(world, tmp_path):
    MATRIX["funding:public-disclosure-detail"].setup(world, tmp_path)
    return world


PUBLIC = ["funding:public-disclosure-index", "funding:public-disclosure-county", "funding:public-disclosure-detail"]


@pytest.mark.parametrize("name", [*PUBLIC, "funding:public-disclosure-pdf"])
def test_public_pages_stay_cache_friendly_for_anonymous_readers(client, published, name):
    case = MATRIX[name]
    response = client.get(reverse(name, args=case.args(published) if case.args else None))
    assert response.status_code == 200
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "public" in cache and "no-store" not in cache and "private" not in cache
    assert any(part.startswith("max-age=") and part != "max-age=0" for part in cache)
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY and "Content-Security-Policy" in response


@pytest.mark.parametrize("name", PUBLIC)
def test_public_pages_read_signed_in_are_private(client, published, name):
    """Signed in, the page carries the reader's name and a sign-out form: it must not sit in a shared cache."""
    client.force_login(published.school_admin)
    case = MATRIX[name]
    response = client.get(reverse(name, args=case.args(published) if case.args else None))
    assert response.status_code == 200
    assert_private(response, name)
    assert "max-age" not in response["Cache-Control"]


def test_feedback_form_keeps_never_cache(client, world):
    response = client.get(reverse("bureau:feedback-submit"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_a_view_own_no_store_header_is_kept(rf):
    """The middleware adds to a view's header only what is missing; a view's exact header stays as it wrote it."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from xiji_afterschool.headers import SecurityHeadersMiddleware

    request = rf.get("/")
    request.user = AnonymousUser()
    response = SecurityHeadersMiddleware(never_cache(lambda r: HttpResponse("x")))(request)
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "bar-w-0"), (37, "bar-w-37"), ("79.6", "bar-w-80"), (100, "bar-w-100"), (140, "bar-w-100"), (-5, "bar-w-0"),
     (None, "bar-w-0"), ("", "bar-w-0"), ("12.5", "bar-w-13"), ("nan", "bar-w-0"), ("inf", "bar-w-0")],
)  # fmt: skip
def test_bar_width_is_a_class_from_0_to_100(value, expected):
    assert bar_width_filter(value) == expected


def test_every_bar_width_class_exists():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "xiji.css").read_text(encoding="utf-8")
    assert all(f".bar-w-{n}{{width:{n}%}}" in css for n in range(101))


@pytest.mark.django_db
def test_pages_go_out_gzipped_with_their_headers_kept(client):
    """Issue 15 §6: a slow phone gets every page compressed; the security headers survive the compression."""
    plain = client.get(reverse("login"))
    zipped = client.get(reverse("login"), HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in plain and zipped["Content-Encoding"] == "gzip"
    body = gzip.decompress(zipped.content).decode()
    assert "<form" in body and 'name="csrfmiddlewaretoken"' in body
    # Django pads each response with 0–100 random bytes as the gzip header's file name (Heal The Breach): the ratio is
    # of the compressed page without them. A 2.9 KB login page: ~1.35 KB; larger pages gain more.
    assert zipped.content[3] & 0x08, "the FNAME flag: the padding is there"
    padding = zipped.content.index(b"\0", 10) - 10 + 1
    assert (len(zipped.content) - padding) * 2 < len(body.encode())
    assert "Content-Security-Policy" in zipped and "no-store" in zipped["Cache-Control"]
    assert "Accept-Encoding" in zipped["Vary"]
