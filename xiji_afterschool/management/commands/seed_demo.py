"""`python manage.py seed_demo [--as-of YYYY-MM-DD] [--schools N] [--scale county|N]`: a believable demo of Xiji County (西吉县).

An orchestrator: every app plays its part of the school year through its services in `<app>/demo.py`, in the
order and with the contract, clock and options described in xiji_afterschool/demo.py; this command opens the one
transaction, calls them phase by phase, and prints the logins (password Xiji-2021) and their summary lines.
Idempotent: a second run with the same arguments writes nothing.

`--scale county` (Xiji's size: ~250 schools, 55,000 pupils) or `--scale N` (N times the demo county) then adds the
rest of the county around it in bulk (xiji_afterschool/scale.py), in the same transaction: for benchmarks.
"""

import datetime

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation

from enrollment import demo as enrollment_demo
from funding import demo as funding_demo
from safety import demo as safety_demo
from schools import demo as schools_demo
from xiji_afterschool import demo
from xiji_afterschool import scale as bulk
from xiji_afterschool.bureau import demo as bureau_demo
from xiji_afterschool.bureau import signals as bureau_signals

# Played in this order in each phase (an app returns [] in a phase it has nothing to do in).
APPS = (schools_demo, enrollment_demo, funding_demo, safety_demo, bureau_demo)


def as_of_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of takes a date as YYYY-MM-DD, not {value!r}") from None


def scale_arg(value: str) -> str:
    if value == "county" or (value.isdigit() and int(value) >= 2):
        return value
    raise CommandError(f"--scale takes county or a whole number 2 or more, not {value!r}")


def seed(county: demo.DemoCounty, *, apps=APPS, phases=demo.PHASES, scale: str | None = None, out=None) -> list[str]:
    """Play the apps' phases (by default all: the whole demo county), then the bulk part of `--scale`; the summary
    lines. Inside the caller's transaction. (tests/test_seed_scale.py plays only the schools' set-up, the roster and
    logins the bulk part builds on, to keep its seed short.)"""
    lines = []
    # Stored texts (funding lines, timetable summaries) are in the county's language whatever is active.
    # The console is computed once at the end (bureau.demo), not a minute after each change.
    with translation.override("zh-hans"), county.without_savepoints(), bureau_signals.paused():
        for phase in phases:
            for app in apps:
                lines += app.play(county, phase)
        if scale is not None:
            with county.clock.at(county.clock.now):
                lines += bulk.Bulk(county, scale, out=out).run()
    return lines


def rows() -> int:
    return sum(model.objects.count() for model in apps.get_models())


class Command(BaseCommand):
    help = (
        "Seed a deterministic demo of Xiji County (townships, schools, ~3,300 students, one login per role, the "
        "school year played through the services up to today or --as-of, in every state)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", type=as_of_date, metavar="YYYY-MM-DD", help="play the year up to the end of that day"
        )
        parser.add_argument(
            "--schools", type=int, metavar="N", help="only the first N schools (always the logins' schools)"
        )
        parser.add_argument(
            "--scale", type=scale_arg, metavar="county|N",
            help="then add, in bulk, the rest of a county of Xiji's size (county) or N times the demo county",
        )  # fmt: skip

    def handle(self, *args, as_of=None, schools=None, scale=None, **options):
        if as_of is not None and as_of > timezone.localdate():
            raise CommandError("--as-of cannot be a day in the future: the demo plays what has happened.")
        if schools is not None and schools < 1:
            raise CommandError("--schools takes a number of schools (1 or more).")
        county = demo.DemoCounty(as_of=as_of, schools_wanted=schools)
        lines = []
        before = rows()
        with transaction.atomic():
            lines += seed(county, scale=scale, out=self.stdout.write)
        written = rows() - before
        self.stdout.write(
            f"西吉县演示数据：新写入 {written} 行。" if written else "西吉县演示数据已完整，未写入任何内容。"
        )
        logins = [("角色", "登录名", "密码", "单位")]
        logins += [(x.label, x.username, demo.PASSWORD, x.where) for x in demo.LOGINS]
        logins.append(("系统管理员（仅 /admin/）", "admin", demo.PASSWORD, ""))
        for line in [*demo.table_lines(logins), *lines]:
            self.stdout.write(line)
