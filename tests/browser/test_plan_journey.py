"""A teaching point's plan (一校一案) from draft through the township central school to the bureau's filing, and the
bureau's filing journey counted in screens (#15 item 1: at most two from its home), all on a 375 px phone."""

import pytest

from .conftest import PHONE, Screens, sign_in

pytestmark = pytest.mark.browser

SCHOOL = "兴隆镇玉桥教学点"

SECTIONS = {
    "leadership": {
        "leader_name": "马志明",
        "leader_title": "教学点负责人",
        "members": "海小燕，教师\n丁建国，教师",
        "duties": "统筹教学点课后服务",
    },
    "survey": {
        "survey_date": "2026-08-20",
        "families_asked": "18",
        "families_wanting": "15",
        "main_needs": "作业辅导与看护",
    },
    "staffing": {"teachers_planned": "3", "volunteers_planned": "1"},
    "safety": {"safety_officer": "马志明", "measures": "点名、交接签字", "emergency_plan": "按中心小学应急预案执行"},
}


def _fill_text_fields(page, values):
    for name, value in values.items():
        page.fill(f"[name={name}]", value)


def test_teaching_point_plan_from_draft_to_filing(page, base_url, screenshot_dir):
    # The township coordinator writes the plan for the teaching point (R16), on a phone.
    page.set_viewport_size(PHONE)
    sign_in(page, base_url, "xiangzhen")
    row = page.locator("tr", has_text=SCHOOL)
    row.locator("button", has_text="开始编制方案").click()
    page.wait_for_load_state("networkidle")
    assert SCHOOL in page.inner_text("h1")
    plan_url = page.url
    page.screenshot(path=str(screenshot_dir / "plan-1-draft-phone.png"), full_page=True)

    for key, values in SECTIONS.items():
        page.goto(f"{plan_url}sections/{key}/")
        _fill_text_fields(page, values)
        page.click("form button.btn-success")
        page.wait_for_load_state("networkidle")
        assert page.url == plan_url, f"section {key} was not saved: {page.inner_text('main')[:500]}"
    page.goto(f"{plan_url}sections/content/")
    for value in ("homework", "reading", "outdoor"):
        page.check(f"[name=categories][value={value}]")
    page.fill("[name=description]", "作业辅导后开展阅读和户外活动。")
    page.click("form button.btn-success")
    page.goto(f"{plan_url}sections/funding/")
    page.fill("[name=classes_primary]", "1")
    page.click("form button.btn-success")
    page.goto(f"{plan_url}sections/publicity/")
    page.check("[name=channels][value=letter]")
    page.check("[name=informed]")
    page.click("form button.btn-success")
    page.wait_for_load_state("networkidle")
    assert "¥" in page.inner_text("#section-funding")  # the estimate: classes × class-hours × rate

    page.fill("[name=note]", "请中心小学审核")
    page.click("button[value=submit]")
    page.wait_for_load_state("networkidle")
    assert "乡镇中心" in page.inner_text("main")  # now with the township central school
    page.screenshot(path=str(screenshot_dir / "plan-2-at-township-phone.png"), full_page=True)

    page.fill("[name=note]", "已汇总，报县教育体育局")
    page.click("button[value=forward]")
    page.wait_for_load_state("networkidle")
    assert "审核" in page.inner_text("main")

    # The bureau, on a phone, files a plan from its queue in at most two screens (counted: #15 item 1): the home's
    # "review the next plan" (the longest waiting) opens it with the decision on top; filing lands back on the
    # queue, the plan just filed on top with its record and the next plan ready.
    page.context.clear_cookies()
    sign_in(page, base_url, "jiaotiju")
    assert page.url.endswith("/bureau/")
    screens = Screens(page, screenshot_dir, "filing")
    head = page.locator("main a[data-next-plan]")
    first, head_text = head.get_attribute("data-next-plan"), head.inner_text()
    head.click()
    screens.shot()  # screen 1: the plan, the decision above its 3,000 px of sections
    assert page.url.endswith(f"/plans/{first}/")
    first_school = page.inner_text("h1").split(" · ")[0]
    assert first_school in head_text
    decision = page.locator("#decision")
    assert decision.count() == 1 and decision.bounding_box()["y"] < PHONE["height"], "the 备案 button is not on top"
    page.click("#decision button[value=file]")
    screens.shot()  # screen 2, the goal: back on the queue with the plan filed
    assert "/plans/" in page.url and "filed=" in page.url
    assert page.get_attribute("[data-filed]", "data-filed") == first
    filed = page.inner_text("[data-filed]")
    assert first_school in filed and "西教体备〔" in filed and "已备案" in filed
    assert screens.stop() <= 2, screens.urls

    # The teaching point's plan waits in the same queue (the newest, last): filed the same way from it.
    page.click(f"main tbody a:has-text('{SCHOOL}')")
    page.wait_for_load_state("networkidle")
    assert SCHOOL in page.inner_text("h1")
    page.screenshot(path=str(screenshot_dir / "plan-3-bureau-review-phone.png"), full_page=True)
    page.click("#decision button[value=file]")
    page.wait_for_load_state("networkidle")
    filed = page.inner_text("[data-filed]")
    assert SCHOOL in filed and "西教体备〔" in filed and "已备案" in filed
    page.screenshot(path=str(screenshot_dir / "plan-4-filed-phone.png"), full_page=True)
    with page.expect_download() as info:
        page.evaluate("url => { const a = document.createElement('a'); a.href = url; a.download = 'x.pdf'; a.click(); }",
                      page.get_attribute("[data-filed] a[href$='filing.pdf']", "href"))  # fmt: skip
    assert info.value.path().read_bytes()[:5] == b"%PDF-"
    page.click("[data-filed] a[href*='/plans/']:not([href$='.pdf'])")
    page.wait_for_load_state("networkidle")
    assert "已备案" in page.inner_text("main") and SCHOOL in page.inner_text("h1")
