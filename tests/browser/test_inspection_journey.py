"""A special inspection from scheduled to closed through the pages (专项督导, R35, issue #12): the inspector schedules
it from the home, starts it, records the checklist and a finding with a photo and issues it; the school's
administrator, on a phone, opens the rectification from the school home and answers it; the inspector accepts the
answer, records the re-inspection and closes the inspection."""

import datetime
import io
import re

import pytest
from PIL import Image

from .conftest import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.browser

SCHOOL = "西吉县第一小学"
INSPECTOR = "duxue"
ADMIN = "xuexiao"
FINDING = "浏览器测试：服务班向家长收取资料费"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (190, 50, 50)).save(out, format="PNG")
    return out.getvalue()


def _done(page) -> str:
    page.wait_for_load_state("networkidle")
    return page.inner_text("main")


def _status(manage, pk: int) -> str:
    code = f"from xiji_afterschool.bureau.models import Inspection; print(Inspection.objects.get(pk={pk}).status)"
    return manage.shell(code).strip().splitlines()[-1]


def test_inspection_from_scheduled_to_closed(page, base_url, manage, screenshot_dir):
    today = datetime.date.fromisoformat(
        manage.shell("from django.utils import timezone; print(timezone.localdate())").strip().splitlines()[-1]
    )

    # The inspector schedules from the home page.
    page.set_viewport_size(DESKTOP)
    sign_in(page, base_url, INSPECTOR)
    page.goto(base_url + "/bureau/inspector/")
    page.click("#schedule-inspection")
    _done(page)
    page.select_option("#schedule-form select[name=school]", label=SCHOOL)
    page.check("#schedule-form input[name=kind][value=scheduled]")
    page.fill("#schedule-form input[name=planned_date]", today.isoformat())
    page.click("#schedule-form button.btn-success")
    _done(page)
    match = re.search(r"/bureau/inspections/(\d+)/$", page.url)
    assert match, page.inner_text("main")[:500]
    pk = int(match.group(1))
    detail = page.url
    assert _status(manage, pk) == "scheduled"

    # Starts it, records the checklist (fees failed) and a finding with a photo, issues it.
    page.click("#start-inspection")
    _done(page)
    selects = page.locator("#checks-form select")
    assert selects.count() == 8
    for index in range(8):
        selects.nth(index).select_option("fail" if index == 2 else "pass")
    page.click("#checks-form button.btn-success")
    _done(page)
    page.select_option("#finding-form select[name=check_item]", index=3)  # the third item: no fees charged
    page.select_option("#finding-form select[name=severity]", "serious")
    page.fill("#finding-form textarea[name=description]", FINDING)
    page.fill("#finding-form input[name=deadline]", (today + datetime.timedelta(days=7)).isoformat())
    page.set_input_files(
        "#finding-form input[type=file]", files=[{"name": "evidence.png", "mimeType": "image/png", "buffer": _png()}]
    )
    page.click("#finding-form button.btn-primary")
    main = _done(page)
    assert FINDING in main
    assert page.locator("img[src*='/bureau/inspections/findings/photos/']").count() == 1
    page.screenshot(path=str(screenshot_dir / "inspection-1-finding.png"), full_page=True)
    page.click("#issue-findings")
    _done(page)
    assert _status(manage, pk) == "findings_issued"
    page.context.clear_cookies()

    # The school's administrator, on a phone: the school home lists the rectification; the answer goes from its page.
    page.set_viewport_size(PHONE)
    sign_in(page, base_url, ADMIN)
    page.goto(base_url + "/school/")
    page.click(f"#school-rectifications a[href*='/bureau/inspections/{pk}/']")
    main = _done(page)
    assert FINDING in main
    page.fill(".respond-form textarea[name=response]", "已全额退还资料费并公示。")
    page.click(".respond-form button")
    _done(page)
    page.screenshot(path=str(screenshot_dir / "inspection-2-school-answer-phone.png"), full_page=True)
    assert _status(manage, pk) == "rectifying"
    page.context.clear_cookies()

    # The inspector accepts the answer, records the re-inspection and closes the inspection.
    page.set_viewport_size(DESKTOP)
    sign_in(page, base_url, INSPECTOR)
    page.goto(detail)
    page.click("form[action$='/accept/'] button")
    _done(page)
    page.fill("#reinspect-form textarea[name=note]", "复查：退费到位。")
    page.click("#reinspect-form button")
    _done(page)
    page.click("#close-form button")
    _done(page)
    page.screenshot(path=str(screenshot_dir / "inspection-3-closed.png"), full_page=True)
    assert _status(manage, pk) == "closed"
    report = page.context.request.get(base_url + f"/bureau/inspections/{pk}/report.pdf")
    assert report.status == 200 and report.body().startswith(b"%PDF")
