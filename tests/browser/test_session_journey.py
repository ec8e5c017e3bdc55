"""A teacher logs a session with its roll in at most two screens; the administrator sees it in the hours record.
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

from .conftest import PHONE, sign_in

pytestmark = pytest.mark.browser

TEACHER, TEACHER_NAME, CLASS = "jiaoshi", "王海燕", "三四年级作业辅导班"
NOTE = "完成语文、数学书面作业，个别辅导两位数乘法"
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

    # 1. Screen 1, the teacher's "today" page: today's class on a service day, else the last week's unlogged days.
    sign_in(page, base_url, TEACHER)
    assert page.url.endswith("/today/")
    _shot(page, screenshot_dir, "1-today")
    today_button = page.locator("section.card", has_text=CLASS).locator("a.btn-success[href*='/sessions/new/']")
    unlogged = page.locator(".list-group a[href*='/sessions/new/']", has_text=CLASS)
    link = today_button if today_button.count() else unlogged.first
    assert link.count() == 1, "neither today's session nor an unlogged day is offered: " + page.inner_text("main")
    log_url = link.get_attribute("href")
    day = re.search(r"date=(\d{4}-\d{2}-\d{2})", log_url).group(1)

    # 2. Screen 2: the log page, prefilled from the timetable; everyone present in one tap, one child absent.
    link.click()
    page.wait_for_load_state("networkidle")
    assert CLASS in page.inner_text("h1")
    assert page.input_value("input[name=start_time]") and page.input_value("input[name=class_hours]")
    class_hours = Decimal(page.input_value("input[name=class_hours]"))
    page.fill("textarea[name=content_note]", NOTE)
    page.click("#all-present")
    rows = page.locator(".roll-row")
    children = rows.count()
    assert children >= 10
    absent = rows.nth(2)
    absent_name = absent.locator(".fw-semibold").inner_text()
    absent.locator("label[for$='-absent']").click()
    absent.locator("input.reason").fill(REASON)
    assert page.locator(".roll input.btn-check[value=present]:checked").count() == children - 1
    _shot(page, screenshot_dir, "2-log")
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.click("main form[method=post] button.btn-success.btn-lg")
    page.wait_for_load_state("networkidle")
    assert "/sessions/new/" in posted.value.url
    assert page.url.endswith("/today/"), page.inner_text("main")[:500]
    _shot(page, screenshot_dir, "3-saved")

    # 3. The session, as logged: the counts and the absent child's reason.
    page.goto(base_url + log_url)
    page.click(".alert-success a.alert-link[href*='/sessions/']")
    page.wait_for_load_state("networkidle")
    assert re.search(r"/sessions/\d+/$", page.url)
    counts = [int(n) for n in re.findall(r"\d+", page.locator("h2 span.text-muted").last.inner_text())]
    assert counts == [children - 1, 1, 0], counts
    absent_row = page.locator("tbody tr", has_text=absent_name)
    assert REASON in absent_row.inner_text()
    assert NOTE in page.inner_text("main")
    _shot(page, screenshot_dir, "4-detail")

    # 4. The administrator's hours record of that month: the teacher, with the session's class-hours added.
    page.context.clear_cookies()
    sign_in(page, base_url, "xuexiao")
    hours_after, row = _hours_of_teacher(page, base_url, day[:7])
    assert row is not None and hours_after == before[day[:7]] + class_hours, (before, hours_after)
    row.scroll_into_view_if_needed()
    _shot(page, screenshot_dir, "5-hours")
