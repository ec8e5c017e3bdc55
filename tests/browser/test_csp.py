"""Issue #13 item 8: with the Content-Security-Policy (no 'unsafe-inline'), Chromium refuses nothing on the pages a
few roles use — the login page, a school administrator's pages (home, delivery bars, the Letter to Parents, the review
queue and its "select all"), a teacher's session page and its roll script, the gate's visitor form, the county
console's charts, and Django's admin — and the scripts we moved out of the templates still run."""

import pytest

from .conftest import sign_in

pytestmark = pytest.mark.browser

# Runs before any page script: every refusal the browser reports to the page. Chromium writes its "Refused to …"
# lines to its own log, which Playwright's console event does not always see; this listener sees each refusal.
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def watched(page):
    """The page, with every console message about the policy and every script error collected."""
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Refused to" in m.text or "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: refused.append(f"script error: {e}"))
    page.add_init_script(WATCH)
    page.refused = refused
    return page


def _visit(page, url):
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response.status == 200, url
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "script-src 'self'" in policy, url
    assert "no-store" in response.headers["cache-control"] or "/login/" in url, url
    violations = page.evaluate("window.__cspViolations")
    assert violations == [] and page.refused == [], f"{url}: {violations} {page.refused}"


def _unlogged_service_day(manage, username):
    """A class of the teacher and a recent weekday without a logged session: the page shows the roll and its script."""
    out = manage.shell(
        "import datetime\n"
        "from django.utils import timezone\n"
        "from schools.models import ServiceClass, Session\n"
        f"sc = ServiceClass.objects.filter(teacher__username='{username}').order_by('pk').first()\n"
        "today = timezone.localdate()\n"
        "logged = set(Session.objects.filter(service_class=sc).values_list('date', flat=True))\n"
        "days = [today - datetime.timedelta(days=i) for i in range(0, 8)]\n"
        "free = [d for d in days if d.weekday() < 5 and d not in logged]\n"
        "print(sc.pk, free[0].isoformat() if free else '')\n"
    )
    pk, _, day = out.strip().splitlines()[-1].partition(" ")
    return int(pk), day


def test_no_page_breaks_the_policy(watched, base_url, manage):
    page = watched
    _visit(page, base_url + "/login/")
    _visit(page, base_url + "/admin/login/")

    sign_in(page, base_url, "xuexiao")
    school = page.evaluate("location.pathname")
    assert school == "/school/"
    _visit(page, base_url + "/school/")
    school_pk = manage.shell("from schools.models import School; print(School.objects.get(name='西吉县第一小学').pk)")
    school_pk = int(school_pk.strip().splitlines()[-1])
    _visit(page, f"{base_url}/schools/{school_pk}/delivery/")
    bars = page.locator(".progress-bar")
    assert bars.count() > 0
    widths = [bars.nth(i).evaluate("e => e.getBoundingClientRect().width") for i in range(bars.count())]
    assert any(w > 0 for w in widths), "the delivery bars take their width from the bar-w-* classes"
    _visit(page, f"{base_url}/enrollment/letters/{school_pk}/")
    _visit(page, base_url + "/enrollment/review/school/?show=all")
    if page.locator("#select-all").count():
        page.check("#select-all")
        boxes = page.locator("input[name=application]")
        assert all(boxes.nth(i).is_checked() for i in range(boxes.count())), "select all ticks every application"

    page.context.clear_cookies()
    sign_in(page, base_url, "jiaoshi")
    _visit(page, base_url + "/today/")
    pk, day = _unlogged_service_day(manage, "jiaoshi")
    _visit(page, f"{base_url}/service-classes/{pk}/sessions/new/" + (f"?date={day}" if day else ""))
    if page.locator(".roll-row").count():  # the roll script (static/schools/sessions.js) counts and fills
        counts = page.locator("#roll-counts").inner_text().strip()
        assert counts != ""
        page.locator(".roll-row label[for$='-absent']").first.click()
        assert page.locator("#roll-counts").inner_text().strip() != counts
        page.click("#all-present")
        assert page.locator(".roll-row input[value=absent]:checked").count() == 0
        assert page.locator("#roll-counts").inner_text().strip() == counts

    page.context.clear_cookies()
    sign_in(page, base_url, "menwei")
    _visit(page, base_url + "/safety/gate/visitors/new/")

    page.context.clear_cookies()
    sign_in(page, base_url, "lingdao")
    _visit(page, base_url + "/bureau/console/")
    assert page.locator("svg.xiji-chart").count() > 0

    page.context.clear_cookies()
    page.goto(base_url + "/admin/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "Xiji-2021")
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/").endswith("/admin"), page.url
    for path in ("/admin/", "/admin/schools/school/", "/admin/schools/student/"):
        _visit(page, base_url + path)
    _visit(page, base_url + page.locator("#result_list tbody th a").first.get_attribute("href"))
