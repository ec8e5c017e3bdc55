"""One way to write dates, weekdays and versions per language (#15 item 5), and the browser tests' check for
English words on Chinese pages (its allow-list logic; the check itself runs in tests/browser)."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import formats, translation

from tests.browser.checks import ascii_words

FRIDAY = datetime.date(2026, 9, 4)
EVENING = datetime.datetime(2026, 9, 4, 18, 5)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", ["2026年9月4日", "2026年9月4日", "9月4日", "2026年9月", "周五", "2026年9月4日 18:05"]),
        ("en", ["4 Sep 2026", "4 Sep 2026", "4 Sep", "September 2026", "Fri", "4 Sep 2026 18:05"]),
    ],
)
def test_one_date_format_per_language(language, expected):
    with translation.override(language):
        shown = [formats.date_format(FRIDAY, f) for f in ("DATE_FORMAT", "SHORT_DATE_FORMAT", "MONTH_DAY_FORMAT")]
        shown += [formats.date_format(FRIDAY, "YEAR_MONTH_FORMAT"), formats.date_format(FRIDAY, "D")]
        shown.append(formats.date_format(EVENING, "DATETIME_FORMAT"))
    assert shown == expected


def test_chinese_pages_write_the_weekday_one_way():
    """周五 everywhere: the templates ask for "D" (周五), never "l" (Django's 星期五)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "templates"
    offenders = [str(p) for p in root.rglob("*.html") if 'date:"l"' in p.read_text() or "date:'l'" in p.read_text()]
    assert offenders == []
    with translation.override("zh-hans"):
        assert formats.date_format(FRIDAY, "D") == "周五"


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "第3版"), ("en", "version 3")])
def test_version_filter_says_the_version_in_words(language, expected):
    template = Template("{% load xiji %}{{ v|version }}|{{ none|version }}")
    with translation.override(language):
        assert template.render(Context({"v": 3, "none": None})) == f"{expected}|"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("今日课后服务 · 导出 Excel 或 PDF", []),
        ("切换到 English", []),
        ("账号 jiaoshi01 · 验证码 A3F9KQ7 · li@example.cn", []),  # account names and codes are data
        ("Homework guidance（作业辅导）", ["Homework", "guidance"]),
        ("版本 v1 · 已保存 Saved", ["Saved"]),  # "v1" holds a digit: the |version filter is what removes it
        ("PDFs of the letter", ["PDFs", "of", "the", "letter"]),
        ("a B 一 x", []),  # single letters are not words
        ("网址：https://xiji.example.cn/funding/public/disclosures/ 查看", []),  # an address to type, not wording
        ("下载 JSON 文件 · see more", ["see", "more"]),
    ],
)
def test_ascii_words_on_chinese_pages(text, words):
    assert ascii_words(text) == words
