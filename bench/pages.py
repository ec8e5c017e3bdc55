"""Benchmark: the key pages at the demo county's size and at the county's. Prints numbers; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiji_demo   .venv/bin/python bench/pages.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiji_county .venv/bin/python bench/pages.py

Each database seeded beforehand: `manage.py seed_demo` (the demo county) or `manage.py seed_demo --scale county` (the
demo county, then the rest of Xiji in bulk). Both runs print the same table, one row per page: the login it is
requested as, the status, the query count and the median time of REPEAT requests (after one to warm up); for the
county pages also the floor, the median time of a hand-written SQL query computing the same numbers from the raw
tables, and the page's time over it. BENCH_REPEAT (default 5) sets the repeats. Every request is a read (GET).

On PostgreSQL each page's "sql ms" is the time of its own queries (the rest is Python and templates), and "seq
scans" names the big tables (over BIG_TABLE rows, default 20,000) that EXPLAIN shows a sequential scan of in any of
the page's queries: the roll table (schools_attendance) must never appear there.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiji_afterschool.settings")

import logging

import django

django.setup()
logging.disable(logging.INFO)  # the sign-in lines of each login

from django.db import DatabaseError, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from funding.models import Claim  # noqa: E402
from schools.models import Attendance, School, SchoolYear, ServiceClass, Session, Student, User  # noqa: E402
from xiji_afterschool.crypto import parent_username  # noqa: E402
from xiji_afterschool.demo import FIRST, PARENT_MOBILE, REGION, school_year_start, year_name  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
BIG_TABLE = int(os.environ.get("BENCH_BIG_TABLE", "20000"))

# The floors: the numbers a county page shows, computed straight from the raw tables by one query.
DELIVERY_FLOOR = """
    SELECT c.school_id, COUNT(*), SUM(s.class_hours), SUM(s.present), SUM(s.absent + s.on_leave)
    FROM schools_session s JOIN schools_serviceclass c ON c.id = s.service_class_id
    WHERE c.school_year_id = %(year)s GROUP BY c.school_id
"""
CONSOLE_FLOOR = """
    SELECT sc.township_id, COUNT(DISTINCT c.school_id), COUNT(DISTINCT m.student_id), COUNT(DISTINCT s.id),
           SUM(s.class_hours) / NULLIF(COUNT(DISTINCT m.student_id), 0)
    FROM schools_serviceclass c JOIN schools_school sc ON sc.id = c.school_id
    LEFT JOIN schools_serviceclassmember m ON m.service_class_id = c.id AND m.end_date IS NULL
    LEFT JOIN schools_session s ON s.service_class_id = c.id
    WHERE c.school_year_id = %(year)s GROUP BY sc.township_id
"""
COVERAGE_FLOOR = """
    SELECT st.school_id, COUNT(*), COUNT(m.id)
    FROM schools_student st
    LEFT JOIN schools_serviceclassmember m ON m.student_id = st.id AND m.end_date IS NULL
    GROUP BY st.school_id
"""
PLAN_FLOOR = "SELECT status, COUNT(*) FROM schools_schoolplan WHERE school_year_id = %(year)s GROUP BY status"


def median_ms(call) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def floor_ms(sql: str, params: dict) -> float:
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return median_ms(run)


def big_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
            "AND reltuples > %s",
            [BIG_TABLE],
        )
        return {row[0] for row in cursor.fetchall()}


def seq_scans(queries, big: set[str]) -> set[str]:
    """The big tables some query of the page reads with a sequential scan, by EXPLAIN (plans only, no execution)."""
    found = set()

    def walk(node):
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in big:
            found.add(node["Relation Name"])
        for child in node.get("Plans", ()):
            walk(child)

    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue  # cursors, savepoints, session writes
            try:
                cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            except DatabaseError:  # a query logged with inlined parameters that do not parse back: say so
                found.add("(a query not explained)")
                continue
            walk(cursor.fetchone()[0][0]["Plan"])
    return found


def pages(year) -> list[tuple]:
    """(label, username, url, floor SQL or None)."""
    first = School.objects.get(code__startswith=REGION, name=FIRST)
    teacher = User.objects.get(username="jiaoshi")
    session = Session.objects.filter(teacher=teacher).order_by("-date").first()
    service_class = ServiceClass.objects.filter(teacher=teacher, school_year=year).order_by("pk").first()
    claim = Claim.objects.filter(school=first).order_by("-pk").first()
    rows = [
        ("parent home", parent_username(PARENT_MOBILE), reverse("enrollment:parent-home"), None),
        ("teacher today", "jiaoshi", reverse("schools:teacher-today"), None),
        ("session page", "jiaoshi", session and reverse("schools:session-detail", args=[session.pk]), None),
        ("roll form", "jiaoshi", reverse("schools:session-log", args=[service_class.pk]), None),
        ("class review", "banzhuren", reverse("enrollment:review-class"), None),
        ("school home", "xuexiao", reverse("schools:school-home"), None),
        ("claim page", "xuexiao", claim and reverse("funding:claim-detail", args=[claim.pk]), None),
        ("hours record", "xuexiao", reverse("schools:hours-school", args=[first.pk]), None),
        ("bureau home", "jiaotiju", reverse("bureau:home"), None),
        ("plan status", "jiaotiju", reverse("bureau:plan-status"), PLAN_FLOOR),
        ("coverage", "jiaotiju", reverse("enrollment:coverage-county"), COVERAGE_FLOOR),
        ("delivery", "jiaotiju", reverse("schools:delivery-county"), DELIVERY_FLOOR),
        ("console", "jiaotiju", reverse("bureau:console") + f"?year={year.pk}", CONSOLE_FLOOR),
        ("console export", "jiaotiju", reverse("bureau:console-export") + f"?year={year.pk}", CONSOLE_FLOOR),
        ("coverage export", "jiaotiju", reverse("enrollment:coverage-county-export"), COVERAGE_FLOOR),
        ("plan status export", "jiaotiju", reverse("bureau:plan-status-export"), PLAN_FLOOR),
        ("claims (county)", "jiaotiju", reverse("funding:claim-list"), None),
    ]
    return [row for row in rows if row[2]]


def main():
    year = SchoolYear.objects.get(name=year_name(school_year_start(timezone.localdate())))
    size = (
        f"{connection.vendor} {connection.settings_dict['NAME']}: {School.objects.count()} schools, "
        f"{Student.objects.count()} students, {ServiceClass.objects.filter(school_year=year).count()} service "
        f"classes, {Session.objects.count()} sessions, {Attendance.objects.count()} roll marks"
    )
    print(size)
    pg = connection.vendor == "postgresql"
    big = big_tables() if pg else set()
    print(
        f"{'page':<20} {'login':<12} {'status':>6} {'queries':>7} {'median ms':>10} {'sql ms':>7} "
        f"{'floor ms':>9} {'ratio':>7}  seq scans (tables > {BIG_TABLE:,} rows)"
    )
    clients = {}
    for label, username, url, floor in pages(year):
        if username not in clients:
            clients[username] = Client(HTTP_ACCEPT_LANGUAGE="zh-CN", SERVER_NAME="localhost")
            clients[username].force_login(User.objects.get(username=username))
        client = clients[username]
        client.get(url)  # warm the templates and caches
        connection.queries_log.clear()  # a full log (DEBUG) would hide the count
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        ms = median_ms(lambda url=url, client=client: client.get(url))
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        line = f"{label:<20} {username:<12} {response.status_code:>6} {len(queries):>7} {ms:>10.1f} {sql_ms:>7.1f}"
        if floor and pg:
            floor_time = floor_ms(floor, {"year": year.pk})
            line += f" {floor_time:>9.1f} {ms / floor_time:>7.1f}"
        else:
            line += f" {'':>9} {'':>7}"
        if pg:
            line += "  " + (", ".join(sorted(seq_scans(queries, big))) or "-")
        print(line, flush=True)


if __name__ == "__main__":
    main()
