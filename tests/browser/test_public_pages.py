"""Issue #12 item 7 and item 5: an anonymous browser (never signed in) opens the public disclosure index, a school's
published disclosure and its PDF, then sends anonymous feedback and sees its tracking code. On a 375 px phone.

The demo county publishes both semesters' disclosures of 西吉县第一小学's previous year (funding.demo).
"""

import re

import pytest

from .conftest import PHONE

pytestmark = pytest.mark.browser


def _no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_anonymous_reads_a_disclosure_and_sends_feedback(page, base_url, screenshot_dir):
    page.set_viewport_size(PHONE)
    page.context.clear_cookies()

    response = page.goto(base_url + "/funding/public/disclosures/")
    assert response.status == 200 and "/login/" not in page.url
    assert _no_horizontal_scroll(page)
    page.screenshot(path=str(screenshot_dir / "public-disclosure-index-phone.png"), full_page=True)

    page.locator("[data-public-school]", has_text="西吉县第一小学").first.click()
    page.wait_for_load_state("networkidle")
    page.locator("[data-public-disclosure]").first.click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"/funding/public/disclosures/\d+/$", page.url), page.url
    assert page.locator("[data-spent-total]").count() == 1 and "/login/" not in page.url
    assert _no_horizontal_scroll(page)
    page.screenshot(path=str(screenshot_dir / "public-disclosure-detail-phone.png"), full_page=True)

    pdf_href = page.locator("[data-public-pdf]").get_attribute("href")
    pdf = page.request.get(base_url + pdf_href)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"

    county = page.goto(base_url + "/funding/public/disclosures/county/")
    assert county.status == 200 and page.locator("[data-county-total]").count() == 1

    # 意见反馈 from the disclosure page's foot: an anonymous complaint about the school's finishing time.
    page.go_back()
    page.wait_for_load_state("networkidle")
    page.locator("a[href*='/bureau/feedback/']").first.click()
    page.wait_for_load_state("networkidle")
    assert "/bureau/feedback/" in page.url and "/login/" not in page.url
    page.select_option("select[name=sender]", "parent")
    page.check("input[name=kind][value=complaint]")
    page.select_option("select[name=theme]", "timetable")
    page.fill("textarea[name=text]", "冬季天黑得早，希望课后服务能早一点结束。")
    assert _no_horizontal_scroll(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    code = page.locator("[data-tracking-code]").inner_text().strip()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{12}", code), code
    page.screenshot(path=str(screenshot_dir / "public-feedback-sent-phone.png"), full_page=True)

    page.goto(f"{base_url}/bureau/feedback/track/?code={code.lower()}")
    assert page.locator("[data-status=assigned]").count() == 1  # routed to the school at once
