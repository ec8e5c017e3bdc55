"""Issue 14 at 375 px: a guardian whose mobile the school holds registers with the code the console sender shows,
finds the children linked at once, gives the separate consent on "My consents" (reached from "My data"), reads what
withdrawing would mean, and downloads a copy of what is held about them."""

import json

import pytest

from .conftest import PHONE, sms_code

pytestmark = pytest.mark.browser

PASSWORD = "Xiji-Guardian-2026"


def _guardian(manage):
    """A roster guardian of the demo county with no account yet: their mobile, name and their children's names."""
    out = manage.shell(
        "import json\n"
        "from schools.models import Guardian\n"
        "g = Guardian.objects.filter(user=None, student_links__isnull=False).order_by('-pk').first()\n"
        "print(json.dumps({'mobile': g.mobile, 'name': g.name,"
        " 'children': sorted({link.student.name for link in g.student_links.all()})}))"
    )
    return json.loads(out.strip().splitlines()[-1])


def _shot(page, screenshot_dir, name):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
    page.screenshot(path=str(screenshot_dir / f"privacy-{name}-phone.png"), full_page=True)


def test_a_guardian_registers_by_sms_finds_the_children_and_downloads_the_data(page, base_url, screenshot_dir, manage):
    page.set_viewport_size(PHONE)
    guardian = _guardian(manage)
    page.goto(base_url + "/enrollment/register/")
    page.fill("input[name=mobile]", guardian["mobile"])
    page.click("main form button[name=step][value=send]")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=code]", sms_code(manage, guardian["mobile"]))
    page.fill("input[name=full_name]", guardian["name"])
    page.fill("input[name=password1]", PASSWORD)
    if page.locator("input[name=password2]").count():
        page.fill("input[name=password2]", PASSWORD)
    _shot(page, screenshot_dir, "1-register")
    page.click("main form button[name=step][value=register]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/enrollment/parent/"), page.inner_text("main")[:500]
    home = page.inner_text("main")
    for child in guardian["children"]:  # linked at once: the school holds this mobile for this guardian
        assert child in home
    _shot(page, screenshot_dir, "2-children-linked")

    page.click("[data-my-data-link]")
    page.wait_for_load_state("networkidle")
    _shot(page, screenshot_dir, "3-my-data")

    # The separate consent (issue #14 item 2): its own page, two unticked boxes, each text to unfold and read.
    page.click("[data-my-consents-link]")
    page.wait_for_load_state("networkidle")
    section = page.locator("[data-consents-child]:has(input[name='consent-personal'])").first
    assert section.count(), page.inner_text("main")[:500]
    box = section.locator("input[name='consent-personal']")
    assert not box.is_checked() and not section.locator("input[name='consent-sensitive']").is_checked()
    section.locator("[data-consent-kind=personal] summary").click()
    assert "第二十八条" in section.locator("[data-consent-kind=personal] details").inner_text()
    _shot(page, screenshot_dir, "4-consent-to-give")
    box.check()
    section.locator("[data-give-consent]").click()
    page.wait_for_load_state("networkidle")
    given = page.locator("[data-withdraw-consent=personal]")
    assert given.count() >= 1, page.inner_text("main")[:500]
    # version, time, who, relation and channel, live (the words come from the catalogue the integrator merges)
    assert page.locator("[data-consent] .consent-facts").count() >= 1
    _shot(page, screenshot_dir, "5-consent-given")
    # Withdrawing says first what it means; the guardian keeps the consent here.
    given.first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#withdrawal-effects li").count() >= 3  # said before the guardian confirms
    _shot(page, screenshot_dir, "6-withdraw-explained")
    page.goto(base_url + "/enrollment/parent/my-data/")

    with page.expect_download() as download:
        page.click("a[href$='my-data.json']")
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    text = json.dumps(data, ensure_ascii=False)
    assert guardian["mobile"] in text  # the guardian's own data, in full
    for child in guardian["children"]:
        assert child in text
    assert any(row["by_you"] == "是" and not row["withdrawn_at"] for row in data["consents"]), data["consents"]
