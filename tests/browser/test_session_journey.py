"""A teacher logs a session with its roll in at most two screens (counted: #15 item 1) and lands
back on today with the next session ready; what was done comes filled in from the class's last session.
All on a 375 px phone.

The seed logs 三四年级作业辅导班 (王海燕, "jiaoshi") up to yesterday but leaves its last service day before today
unlogged. On a service day the teacher logs today's session; on any other day (a weekend, a holiday) the newest
day of the "not logged yet" list.
"""

import datetime
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.conf import settings

from .conftest import PHONE, Screens, sign_in

pytestmark = pytest.mark.browser

TEACHER, TEACHER_NAME, CLASS = "jiaoshi", "王海燕", "三四年级作业辅导班"
REASON = "未到，已电话联系家长"


def _no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _shot(page, screenshot_dir, name, full_page=True):
    assert _no_horizontal_scroll(page), f"{name}: the page must not scroll sideways on a 375 px phone"
    page.screenshot(path=str(screenshot_dir / f"session-{name}-phone.png"), full_page=full_page)


def _hours_of_teacher(page, base_url, month: str) -> tuple[Decimal, object]:
    """The service teacher's total class-hours on the school's hours record of `month` (YYYY-MM), as shown."""
    page.goto(base_url + "/school/")
    href = page.get_attribute("a[href*='/hours/']", "href")
    page.goto(base_url + href.split("?")[0] + f"?month={month}")
    rows = page.locator("tbody tr", has=page.locator(f"a[href*='/hours/people/']:text-is('{TEACHER_NAME}')"))
    rows = rows.filter(has_text=re.compile("课后服务教师|After-school teacher"))
    if rows.count() == 0:
        return Decimal(0), None
    assert rows.count() == 1
    total = rows.first.locator("td").last.inner_text().split()[0]
    return Decimal(total), rows.first


def test_teacher_logs_a_session_and_the_administrator_sees_the_hours(page, base_url, screenshot_dir):
    page.set_viewport_size(PHONE)
    # What the hours record shows before: this month and last (the day logged may fall in either).
    sign_in(page, base_url, "xuexiao")
    this_month = datetime.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date().replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    before = {f"{m:%Y-%m}": _hours_of_teacher(page, base_url, f"{m:%Y-%m}")[0] for m in (this_month, last_month)}
    page.context.clear_cookies()

    # The journey starts on the teacher's "today" page, where signing in lands; at most two screens to the goal:
    # the session saved and the teacher back on today with the next session to log on top.
    sign_in(page, base_url, TEACHER)
    assert page.url.endswith("/today/")
    screens = Screens(page, screenshot_dir, "session")
    card = page.locator("section#next")
    assert card.count() == 1, "no next session is offered: " + page.inner_text("main")
    first = card.get_attribute("data-next")
    log_url = card.locator("a[href*='/sessions/new/']").get_attribute("href")
    day = re.search(r"date=(\d{4}-\d{2}-\d{2})", log_url).group(1)
    class_name = card.locator("h2").inner_text()

    # Screen 1: the log page, prefilled from the timetable and with what the class did last time.
    card.locator("a[href*='/sessions/new/']").click()
    screens.shot()
    assert class_name in page.inner_text("h1")
    assert page.input_value("input[name=start_time]") and page.input_value("input[name=class_hours]")
    class_hours = Decimal(page.input_value("input[name=class_hours]"))
    note = page.input_value("textarea[name=content_note]")
    assert note, "what was done is not filled in from the class's last session"
    assert page.locator("[data-prefilled]").count() == 1
    page.click("#all-present")
    rows = page.locator(".roll-row")
    children = rows.count()
    assert children >= 10
    absent = rows.nth(2)
    absent_name = absent.locator(".fw-semibold").inner_text()
    absent.locator("label[for$='-absent']").click()
    absent.locator("input.reason").fill(REASON)
    assert page.locator(".roll input.btn-check[value=present]:checked").count() == children - 1
    # Thumb-sized marks (#15 item 4): every button of the roll at least 44 px tall.
    heights = page.eval_on_selector_all(
        ".roll .btn-group .btn", "els => els.map((e) => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, min(heights)
    # A long roll is filtered by name: only the matching rows stay, the marks are kept; cleared, all come back.
    other = rows.nth(children - 1).get_attribute("data-name")
    page.fill("#roll-filter", other)
    visible = page.locator(".roll-row:visible")
    assert 1 <= visible.count() < children and all(
        other in n for n in visible.evaluate_all("els => els.map((e) => e.dataset.name)")
    )
    page.fill("#roll-filter", "不存在的名字")
    assert page.locator(".roll-row:visible").count() == 0 and page.inner_text("#roll-filter-none")
    page.fill("#roll-filter", "")
    assert page.locator(".roll-row:visible").count() == children
    assert page.locator(".roll input.btn-check[value=present]:checked").count() == children - 1
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.click("main form[method=post] button.btn-success.btn-lg")
    page.wait_for_load_state("networkidle")
    assert "/sessions/new/" in posted.value.url

    # Screen 2, the goal: back on today, the session saved, the next one (or "all logged") on top.
    screens.shot()
    assert page.url.endswith("/today/"), page.inner_text("main")[:500]
    assert page.locator(".alert-success").count() >= 1
    following = page.locator("section#next")
    assert page.locator("[data-next=none]").count() == 1 or following.get_attribute("data-next") != first
    assert screens.stop() <= 2, screens.urls

    # 3. The session, as logged: the counts and the absent child's reason.
    page.goto(base_url + log_url)
    page.click(".alert-success a.alert-link[href*='/sessions/']")
    page.wait_for_load_state("networkidle")
    assert re.search(r"/sessions/\d+/$", page.url)
    counts = [int(n) for n in re.findall(r"\d+", page.locator("h2 span.text-muted").last.inner_text())]
    assert counts == [children - 1, 1, 0], counts
    absent_row = page.locator("tbody tr", has_text=absent_name)
    assert REASON in absent_row.inner_text()
    assert note in page.inner_text("main")
    _shot(page, screenshot_dir, "4-detail")

    # 4. The administrator's hours record of that month: the teacher, with the session's class-hours added.
    page.context.clear_cookies()
    sign_in(page, base_url, "xuexiao")
    hours_after, row = _hours_of_teacher(page, base_url, day[:7])
    assert row is not None and hours_after == before[day[:7]] + class_hours, (before, hours_after)
    row.scroll_into_view_if_needed()
    _shot(page, screenshot_dir, "5-hours")
