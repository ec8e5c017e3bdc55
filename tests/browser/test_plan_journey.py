"""A teaching point's plan (一校一案) from draft through the township central school to the bureau's filing."""

import pytest

from .conftest import PHONE, sign_in

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

    # The bureau finds it in its review queue and files it.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, base_url, "jiaotiju")
    page.goto(base_url + "/plans/")
    page.click(f"a:has-text('{SCHOOL}')")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(screenshot_dir / "plan-3-bureau-review.png"), full_page=True)
    page.click("button[value=file]")
    page.wait_for_load_state("networkidle")
    main = page.inner_text("main")
    assert "西教体备〔" in main and "已备案" in main
    page.screenshot(path=str(screenshot_dir / "plan-4-filed.png"), full_page=True)
    with page.expect_download() as info:
        page.evaluate("url => { const a = document.createElement('a'); a.href = url; a.download = 'x.pdf'; a.click(); }",
                      page.get_attribute("a[href$='filing.pdf']", "href"))  # fmt: skip
    assert info.value.path().read_bytes()[:5] == b"%PDF-"
