"""A school's annual subsidy claim from its start to the money in its fund (issue #6): the administrator files it
on a phone, the bureau passes the first review, finance approves the full amount and records the allocation, and
the administrator sees the allocation on the claim and the money in the fund."""

import re
from decimal import Decimal

import pytest
from django.utils import translation

from funding.models import Claim

from .conftest import DESKTOP, PHONE, Screens, sign_in

pytestmark = pytest.mark.browser

SCHOOL = "吉强镇中心小学"  # the demo leaves it without a claim; its filed plan estimates 6 service classes
ADMIN = "t0007"  # its administrator: unprinted demo staff without a password until the system admin sets one
PASSWORD = "Jiqiang-2026"
VOUCHER = "西财教拨〔2026〕TEST-0901号"
LINE = re.compile(r"(\d+) × (\d+) × (\d+) × ¥([\d,]+\.\d\d) = ¥([\d,]+\.\d\d)")


TEMPORARY = "Lin-shi-2026x"  # handed out by the system administrator, changed at the first sign-in


def _yuan(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _money(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


def _label(status) -> str:
    with translation.override("zh-hans"):  # the server's language, from the same message catalogue
        return str(status.label)


def _give_password(page, base_url, username: str, password: str) -> None:
    """The system administrator sets a password for a staff account in /admin/ (how a new login is handed out)."""
    page.goto(base_url + "/admin/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "Xiji-2021")
    page.click("input[type=submit]")
    page.goto(f"{base_url}/admin/schools/user/?q={username}")
    page.click(f"#result_list a:text-is('{username}')")
    page.click("a[href$='/password/']")
    page.wait_for_load_state("networkidle")
    if page.locator("input[name=usable_password][value=true]").count():  # an account without a password yet
        page.check("input[name=usable_password][value=true]")
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/password/" not in page.url, page.inner_text("#content")[:500]
    page.context.clear_cookies()


def _done(page) -> str:
    page.wait_for_load_state("networkidle")
    return page.inner_text("main")


def test_school_files_claim_bureau_passes_finance_approves_and_allocates(page, base_url, screenshot_dir):
    # The administrator, on a phone.
    # A password handed out in /admin/ is temporary: the first sign-in asks for the administrator's own.
    _give_password(page, base_url, ADMIN, TEMPORARY)
    page.set_viewport_size(PHONE)
    sign_in(page, base_url, ADMIN, TEMPORARY)
    assert "/account/password/" in page.url, page.url
    page.fill("input[name=old_password]", TEMPORARY)
    page.fill("input[name=new_password1]", PASSWORD)
    page.fill("input[name=new_password2]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/account/password/" not in page.url, page.inner_text("main")[:500]

    # The claim journey, counted from the school home (#15 item 1: at most three screens). The home offers the
    # year's annual claim computed from the filed plan (6 service classes); starting it opens the claim's classes,
    # saving them the claim with its figures, submitting it the claim as submitted.
    page.goto(base_url + "/school/")
    screens = Screens(page, screenshot_dir, "claim")
    offer = page.locator("[data-part=claim-offer]")
    assert offer.count() == 1, page.inner_text("main")[:500]
    offered = _yuan(offer.locator("[data-amount]").inner_text().strip().lstrip("¥"))
    assert offered > 0
    offer.locator("form button").click()
    screens.shot()  # screen 1: the classes, prefilled from the filed plan's funding estimate
    assert "/edit/" in page.url, page.inner_text("main")[:500]
    assert page.input_value("[name=classes_primary]") == "6"
    page.click("form button.btn-success")
    screens.shot()  # screen 2: the claim with its computation and the submit form
    main = page.inner_text("main")
    claim_url = page.url
    assert re.search(r"/funding/claims/\d+/$", claim_url), main[:500]
    classes, days, hours, rate, amount = LINE.search(main).groups()
    assert (classes, hours, rate) == ("6", "2", "30.00")
    amount = _yuan(amount)
    assert amount == int(classes) * int(days) * int(hours) * _yuan(rate) == offered
    page.fill("[name=note]", "按备案方案6个服务班申请，请教体局审核。")
    page.click("form[action$='/submit/'] button")
    screens.shot()  # screen 3, the goal: submitted
    assert page.url == claim_url
    assert _label(Claim.Status.SUBMITTED) in page.inner_text("main")
    assert screens.stop() <= 3, screens.urls
    page.click("main a[href='/']")  # and a way back home, where the offer now shows the claim
    _done(page)
    assert _label(Claim.Status.SUBMITTED) in page.inner_text("[data-part=claim-offer]")

    # The bureau finds it in its first-review queue and passes it.
    page.context.clear_cookies()
    page.set_viewport_size(DESKTOP)
    sign_in(page, base_url, "jiaotiju")
    page.goto(base_url + "/funding/claims/")
    page.click(f"tbody tr:has-text('{SCHOOL}') a")  # the first-review queue
    _done(page)
    assert page.url == claim_url
    page.screenshot(path=str(screenshot_dir / "claim-4-bureau-review.png"), full_page=True)
    page.fill("[name=note]", "服务班数与备案方案一致。")
    page.click("button[formaction$='/pass/']")
    assert _label(Claim.Status.PASSED) in _done(page)

    # Finance approves the full amount, then records the allocation with its date and voucher.
    page.context.clear_cookies()
    sign_in(page, base_url, "caizheng")
    page.goto(claim_url)
    assert _yuan(page.input_value("[name=amount]")) == amount
    page.screenshot(path=str(screenshot_dir / "claim-5-finance-approve.png"), full_page=True)
    page.click("form[action$='/approve/'] button")
    assert _label(Claim.Status.APPROVED) in _done(page)
    assert page.input_value("[name=allocated_on]")  # today, prefilled
    page.fill("[name=voucher_no]", VOUCHER)
    page.click("form[action$='/allocate/'] button")
    main = _done(page)
    assert _label(Claim.Status.ALLOCATED) in main and VOUCHER in main
    page.screenshot(path=str(screenshot_dir / "claim-6-finance-allocated.png"), full_page=True)

    # The administrator, on the phone again: the claim is allocated, with the amount and voucher; the fund has it.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    sign_in(page, base_url, ADMIN, PASSWORD)
    page.goto(claim_url)
    main = _done(page)
    assert _label(Claim.Status.ALLOCATED) in page.inner_text(".badge.text-bg-success")
    assert VOUCHER in main and _money(amount) in main
    page.screenshot(path=str(screenshot_dir / "claim-7-allocated-phone.png"), full_page=True)
    page.goto(base_url + "/school/")
    page.click("a[href*='/funding/schools/']")
    _done(page)
    assert page.inner_text("[data-fund=allocated]").strip() == _money(amount)
    assert page.inner_text("[data-fund=balance]").strip() == _money(amount)
    page.screenshot(path=str(screenshot_dir / "claim-8-fund-phone.png"), full_page=True)
