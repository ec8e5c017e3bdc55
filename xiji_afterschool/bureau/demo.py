"""The county console's part of the demo county (see xiji_afterschool/demo.py for the contract): once the year is
played, the console's numbers are computed as the nightly job would (seed_demo pauses the on-change refreshes)."""

from schools.models import SchoolYear
from xiji_afterschool import demo

from .models import ConsoleRefresh
from .services import console as console_services


def play(county: demo.DemoCounty, phase: str) -> list[str]:
    if phase != demo.DELIVERY:
        return []
    lines = []
    for y in (county.y - 1, county.y):
        school_year = SchoolYear.objects.filter(name=demo.year_name(y)).first()
        if (
            school_year is None
            or ConsoleRefresh.objects.filter(school_year=school_year, trigger="demo", status="done").exists()
        ):
            continue  # idempotent: the numbers of this year were computed by an earlier run
        with county.clock.at(county.clock.now):
            run = console_services.refresh(school_year=school_year, trigger="demo", today=county.clock.today())
        lines.append(f"县级监测平台：{school_year.name} 学年 {run.schools} 所学校的数据已汇总。")
    return lines
