"""Every demo role signs in, lands on its own home page, and the page works at desktop and 375 px."""

import re

import pytest

from .conftest import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.browser

# username -> (path the role lands on, text its home page must show)
DEMO_ROLES = {
    "13909540001": ("/enrollment/parent/", "我的孩子"),
    "banzhuren": ("/enrollment/class/", "我的班级"),
    "jiaoshi": ("/today/", "今日"),
    "zhiyuanzhe": ("/today/", "今日"),
    "xuexiao": ("/school/", "西吉县第一小学"),
    "xiangzhen": ("/township/", "兴隆镇"),
    "jiaotiju": ("/bureau/", "全县"),
    "caizheng": ("/funding/finance/", "核拨"),
    "duxue": ("/bureau/inspector/", "专项督导"),
    "renshe": ("/funding/hr/", "多劳多得"),
    "lingdao": ("/bureau/console/", "全县工作台"),  # the county leadership reads the console
}


def _no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("username", DEMO_ROLES)
def test_demo_role_lands_on_its_home_page(page, base_url, screenshot_dir, username):
    path, text = DEMO_ROLES[username]
    sign_in(page, base_url, username)
    assert page.url == base_url + path
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert text in page.inner_text("main")
    assert "退出登录" in page.content()
    page.screenshot(path=str(screenshot_dir / f"home-{username}-desktop.png"), full_page=True)

    page.set_viewport_size(PHONE)
    page.reload()
    assert _no_horizontal_scroll(page), "the page must not scroll sideways on a 375 px phone"
    page.screenshot(path=str(screenshot_dir / f"home-{username}-phone.png"), full_page=True)
    # On a phone the menu is collapsed behind the toggler and opens with a tap.
    page.click("button.navbar-toggler")
    page.wait_for_selector("#mainnav.show")
    assert page.is_visible("text=退出登录")
    page.set_viewport_size(DESKTOP)


def test_wrong_password_shows_chinese_message(page, base_url):
    sign_in(page, base_url, "jiaotiju", password="not-the-password")
    assert page.url.endswith("/login/")
    assert "用户名或密码不正确" in page.inner_text("main")


def test_language_switch_to_english_and_back(page, base_url):
    sign_in(page, base_url, "jiaotiju")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert "County console" in page.inner_text("main")
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_load_state("networkidle")
    assert "全县" in page.inner_text("main")


def test_school_admin_exports_and_downloads_the_roster(page, base_url, screenshot_dir):
    sign_in(page, base_url, "xuexiao")
    page.click("text=导出花名册")
    page.wait_for_selector("[data-status=done]")
    assert re.search(r"\d+ 名学生|\d+\s*名", page.inner_text("main"))
    page.screenshot(path=str(screenshot_dir / "roster-export-done.png"))
    with page.expect_download() as info:
        page.click("a[href$='/download/']")
    assert info.value.suggested_filename.endswith(".xlsx")


def test_parent_sees_only_own_children(page, base_url, screenshot_dir):
    sign_in(page, base_url, "13909540001")
    cards = page.locator(".card")
    assert cards.count() == 2
    cards.first.locator("h2 a").click()
    page.wait_for_load_state("networkidle")
    id_text = page.locator("dd.font-monospace").first.inner_text()
    assert "********" in id_text, "a parent sees the ID number masked"
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(screenshot_dir / "parent-child-phone.png"), full_page=True)
