"""Benchmark: the weight and cold load time of a parent's and a teacher's pages on a slow link (#15 §6). Prints
numbers; asserts nothing.

    DATABASE_URL=... .venv/bin/python bench/phone_pages.py http://127.0.0.1:8000

Against a running server on a seeded demo database (the same DATABASE_URL), as production serves it: static files
collected and compressed (XIJI_COMPRESSED_STATIC=1 manage.py collectstatic, then the server with the same variable),
HTML gzipped by Django's GZipMiddleware. The script makes (once) a parent account linked to a child of
西吉县第一小学 who has not applied, signs in as it, the demo parent and the demo service teacher (jiaoshi), then opens each page in a fresh browser context (an empty cache: cold) in
Chromium with the link throttled through the DevTools protocol (Network.emulateNetworkConditions: 400 kbps down and
up, 400 ms latency) at 375 px, and prints per page the bytes on the wire (HTML, CSS, JS, other; as transferred,
compressed) and the time to the load event.
"""

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiji_afterschool.settings")

import logging

import django

django.setup()
logging.disable(logging.INFO)

from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from enrollment.models import AgreementText, Application  # noqa: E402
from enrollment.services.parents import child_link  # noqa: E402
from schools.models import Membership, Role, ServiceClass, Session, Student, User  # noqa: E402
from xiji_afterschool import crypto  # noqa: E402
from xiji_afterschool.demo import FIRST, PARENT_MOBILE  # noqa: E402
from xiji_afterschool.demo import PASSWORD as DEMO_PASSWORD  # noqa: E402

MOBILE, PASSWORD = "13912349999", "Xiji-Bench-2026"
KBPS, LATENCY_MS = 400, 400
PHONE = {"width": 375, "height": 740}
KINDS = {"Document": "html", "Stylesheet": "css", "Script": "js"}


def bench_parent() -> tuple[User, Student]:
    """A parent linked to a child of the first primary school who has no application (made once)."""
    user = User.objects.by_mobile(MOBILE).first()
    if user is None:
        user = User(username=crypto.parent_username(MOBILE), mobile=MOBILE, full_name="马测试")
        user.set_password(PASSWORD)
        user.save()
        Membership.objects.create(user=user, role=Role.PARENT)
        texts = AgreementText.objects.values_list("school_id", flat=True)
        child = (
            Student.objects.filter(school__name=FIRST, school_id__in=texts)
            .exclude(pk__in=Application.objects.values("student_id"))
            .order_by("pk")
            .first()
        )
        child_link(actor=user, code=child.link_code, relation="father")
    child = Student.objects.filter(guardian_links__guardian__user=user).exclude(
        pk__in=Application.objects.values("student_id")
    )[0]
    return user, child


def measure(browser, base_url: str, storage_state, path: str) -> dict:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", storage_state=storage_state)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    rate = KBPS * 1000 / 8  # bytes per second
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": LATENCY_MS, "downloadThroughput": rate, "uploadThroughput": rate},
    )
    kinds, sizes = {}, {}
    cdp.on("Network.responseReceived", lambda e: kinds.__setitem__(e["requestId"], KINDS.get(e["type"], "other")))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    start = time.monotonic()
    response = page.goto(base_url + path, wait_until="load", timeout=60000)
    elapsed = time.monotonic() - start
    page.wait_for_timeout(200)  # the last loadingFinished events
    by_kind = {"html": 0, "css": 0, "js": 0, "other": 0}
    for request_id, size in sizes.items():
        by_kind[kinds.get(request_id, "other")] += size
    result = {"path": path, "status": response.status, "final": page.url, "seconds": elapsed, **by_kind}
    context.close()
    return result


def unlogged_weekday(service_class) -> datetime.date:
    """The last weekday before today on which the class has no session yet (the form, not a saved record)."""
    day = timezone.localdate() - datetime.timedelta(days=1)
    while day.isoweekday() > 5 or Session.objects.filter(service_class=service_class, date=day).exists():
        day -= datetime.timedelta(days=1)
    return day


def signed_in(browser, base_url: str, login: str, password: str):
    """The cookies of a signed-in session (the login page itself is not measured)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base_url + "/login/")
    page.fill("input[name=username]", login)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    state = context.storage_state()
    context.close()
    return state


def main() -> None:
    from playwright.sync_api import sync_playwright

    base_url = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    _user, child = bench_parent()
    demo = User.objects.by_mobile(PARENT_MOBILE).get()
    demo_app = Application.objects.filter(applicant=demo).order_by("pk").first()
    teacher = User.objects.get(username="jiaoshi")
    taught = ServiceClass.objects.filter(teacher=teacher).order_by("-school_year__start_date", "pk").first()
    day = taught and unlogged_weekday(taught)  # the database before Playwright's event loop (no ORM inside it)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        parent = signed_in(browser, base_url, MOBILE, PASSWORD)
        pages = [
            ("parent home", parent, reverse("enrollment:parent-home")),
            ("child page: letter, apply and sign", parent, reverse("enrollment:application-create", args=[child.pk])),
            ("Letter to Parents (own page)", parent, reverse("enrollment:letter-detail", args=[child.school_id])),
        ]
        if demo_app is not None:  # the status page, as the demo parent
            demo_state = signed_in(browser, base_url, PARENT_MOBILE, DEMO_PASSWORD)
            path = reverse("enrollment:application-detail", args=[demo_app.pk])
            pages.append(("application status (demo parent)", demo_state, path))
        staff = signed_in(browser, base_url, "jiaoshi", DEMO_PASSWORD)
        pages += [
            ("teacher: today", staff, reverse("schools:teacher-today")),
            ("teacher: hours record", staff, reverse("schools:hours-mine")),
            ("teacher: pay slips", staff, reverse("funding:pay-slip-mine")),
        ]
        if taught is not None:  # the session form with its roll, for the last weekday not logged yet
            path = reverse("schools:session-log", args=[taught.pk]) + f"?date={day.isoformat()}"
            pages.append(("teacher: session and roll", staff, path))
        rows = [(name, measure(browser, base_url, state, path)) for name, state, path in pages]
        browser.close()
    print(f"cold, {KBPS} kbps, {LATENCY_MS} ms latency, 375 px; bytes as transferred (compressed)")
    print(f"{'page':40} {'status':>6} {'HTML':>8} {'CSS':>8} {'JS':>8} {'other':>8} {'H+C+J KB':>9} {'load s':>7}")
    for name, r in rows:
        total = (r["html"] + r["css"] + r["js"]) / 1024
        print(
            f"{name:40} {r['status']:>6} {r['html']:>8} {r['css']:>8} {r['js']:>8} {r['other']:>8} "
            f"{total:>9.1f} {r['seconds']:>7.2f}" + ("" if r["final"].endswith(r["path"]) else f"  → {r['final']}")
        )  # a redirect is named: its weight is the page it ended on


if __name__ == "__main__":
    main()
