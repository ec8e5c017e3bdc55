"""Chinese first: the zh_Hans catalog is complete, pages default to Chinese, English is one switch away."""

import datetime
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from xiji_afterschool.templatetags.xiji import month_span

PO = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(*flags):
    out = subprocess.run(["msgattrib", *flags, "--no-obsolete", str(PO)], capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if line.startswith("msgid ") and line != 'msgid ""']


def test_catalog_has_no_untranslated_or_fuzzy_entries():
    assert PO.exists()
    assert _entries("--untranslated") == []
    assert _entries("--only-fuzzy") == []
    assert len(_entries("--translated")) > 100


def test_pages_are_chinese_by_default_and_english_on_request(client, world):
    client.force_login(world.bureau)
    zh = client.get(reverse("bureau:home")).content.decode()
    assert '<html lang="zh-CN">' in zh and "退出登录" in zh
    client.post(reverse("set_language"), {"language": "en", "next": reverse("bureau:home")})
    en = client.get(reverse("bureau:home")).content.decode()
    assert '<html lang="en">' in en and "Sign out" in en


def test_dates_are_written_the_chinese_way(client, world):
    client.force_login(world.school_admin)
    page = client.get(reverse("schools:student-detail", args=[world.child.pk])).content.decode()
    assert "2013年5月17日" in page


@pytest.mark.parametrize(
    "first, last, chinese, english",
    [
        ((2026, 9), (2026, 9), "2026年9月", "September 2026"),
        ((2026, 9), (2026, 12), "2026年9月 – 2026年12月", "September 2026 – December 2026"),
    ],
)
def test_a_month_span_says_one_month_once(first, last, chinese, english):
    first, last = datetime.date(*first, 1), datetime.date(*last, 1)
    with translation.override("zh-hans"):
        assert month_span(first, last) == chinese
    with translation.override("en"):
        assert month_span(first, last) == english
