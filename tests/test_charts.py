"""The server-drawn SVG charts: the numbers they say, escaping, links and the warning colour."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from xiji_afterschool.charts import PRIMARY, WARN, Bar, Week, bar_chart, weekly_chart

NS = "{http://www.w3.org/2000/svg}"


def _parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 — our own output, parsed to check it


def test_bar_chart_writes_each_value_and_scales_bars_to_the_axis():
    svg = bar_chart(
        [Bar("吉强镇", Decimal("50.0")), Bar("兴隆镇", Decimal("100")), Bar("将台乡", None)],
        title="覆盖率",
        unit="%",
        scale_max=100,
    )
    root = _parse(svg)
    assert root.find(f"{NS}title").text == "覆盖率"
    assert root.find(f"{NS}desc").text == "吉强镇: 50%; 兴隆镇: 100%; 将台乡: —"
    widths = [int(r.get("width")) for r in root.iter(f"{NS}rect")]
    assert widths == [165, 330, 0]  # half of the axis, the whole axis, no bar for no value
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "50%" in texts and "100%" in texts and "—" in texts


def test_bar_chart_escapes_labels_and_links_and_marks_warnings():
    svg = bar_chart([Bar("<script>", 3, url="/x/?a=1&b=2", warn=True, note="3/9")], title="t & t")
    assert "<script>" not in str(svg)
    root = _parse(svg)  # well-formed XML after escaping
    link = root.find(f".//{NS}a")
    assert link.get("href") == "/x/?a=1&b=2"
    assert link.find(f"{NS}rect").get("fill") == WARN
    assert link.findall(f"{NS}text")[1].text == "3 3/9"


def test_weekly_chart_marks_weeks_behind_plan_and_draws_the_plan_line():
    weeks = [Week("9/1", 10, 10), Week("9/8", 10, 4), Week("9/15", 10, 12)]
    root = _parse(weekly_chart(weeks, title="每周课时", planned_label="计划", delivered_label="实际"))
    columns = [r for r in root.iter(f"{NS}rect") if r.find(f"{NS}title") is not None]
    assert [c.get("fill") for c in columns] == [PRIMARY, WARN, PRIMARY]
    heights = [int(c.get("height")) for c in columns]
    assert heights[2] > heights[0] > heights[1] > 0
    points = root.find(f".//{NS}polyline").get("points").split()
    assert len(points) == 6 and len({p.split(",")[1] for p in points}) == 1  # one level: 10 a week
    assert re.search(r"9/8: 4 / 10", root.find(f"{NS}desc").text)


def test_the_title_is_written_above_the_drawing():
    root = _parse(bar_chart([Bar("吉强镇", 5)], title="各乡镇覆盖率"))
    caption = root.find(f"{NS}text")  # the first drawn text, outside the drawing's group
    assert caption.text == "各乡镇覆盖率" and caption.get("font-weight") == "600"
    assert root.find(f"{NS}g").get("transform") == "translate(0,24)"


def test_empty_charts_still_render():
    assert _parse(bar_chart([], title="空")).find(f"{NS}title").text == "空"
    assert _parse(weekly_chart([], title="空", planned_label="p", delivered_label="d")) is not None
