"""Benchmark: the county console at 1× and 10× the data. Prints numbers; asserts nothing.

.venv/bin/python bench/console.py                         # a throwaway SQLite database
DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiji_bench .venv/bin/python bench/console.py   # an EMPTY database

A generated county (bulk inserts, not the demo's services: this measures reading, not the story): 4 townships,
SCHOOLS schools, each with 3 service classes of 20 children. 1×: every class served 6 days, a roll mark per child and
session. 10×: the same classes served 60 days (ten times the sessions and roll marks). At each size the numbers are
computed by the console's refresh, then the county, a township and a school page are each requested: the pages read
only the summary tables, so their queries and time should not move; the refresh (a nightly job) grows with the data.
"""

import datetime
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiji_afterschool.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from schools.models import (  # noqa: E402
    AdminClass,
    Attendance,
    Department,
    Membership,
    Role,
    School,
    SchoolYear,
    Semester,
    ServiceClass,
    ServiceClassMember,
    Session,
    Student,
    Township,
    User,
)
from xiji_afterschool.bureau.services import console as console_services  # noqa: E402

SCHOOLS = int(os.environ.get("BENCH_SCHOOLS", "40"))
CHILDREN = 20


def timed(call, repeat=7):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def build():
    year = SchoolYear.objects.create(
        name="2021–2022", start_date=datetime.date(2021, 8, 1), end_date=datetime.date(2022, 7, 31),
        plan_deadline=datetime.date(2021, 8, 31), application_deadline=datetime.date(2021, 9, 30),
        refinement_deadline=datetime.date(2021, 10, 31),
    )  # fmt: skip
    Semester.objects.create(school_year=year, number=1, start_date=datetime.date(2021, 9, 1),
                            end_date=datetime.date(2022, 1, 14))  # fmt: skip
    Semester.objects.create(school_year=year, number=2, start_date=datetime.date(2022, 2, 21),
                            end_date=datetime.date(2022, 7, 8))  # fmt: skip
    townships = Township.objects.bulk_create(Township(name=f"测试乡{i}", code=f"B{i:04d}") for i in range(4))
    schools = School.objects.bulk_create(
        School(code=f"BS{i:06d}", name=f"测试第{i}小学", school_type=School.Type.PRIMARY, township=townships[i % 4])
        for i in range(SCHOOLS)
    )
    teacher = User.objects.create(username="bench-teacher", full_name="测试教师")
    bureau = User.objects.create(username="bench-bureau", full_name="教体局")
    department, _ = Department.objects.get_or_create(kind=Department.Kind.EDUCATION, defaults={"name": "教体局"})
    Membership.objects.create(user=bureau, role=Role.BUREAU, department=department)
    classes, members = [], []
    for school in schools:
        admin_class = AdminClass.objects.create(school=school, grade=3, number=1)
        students = Student.objects.bulk_create(
            Student(school=school, admin_class=admin_class, name=f"学生{k}", gender="M",
                    birth_date=datetime.date(2013, 5, 17), id_number=f"64042220130517{school.pk:02d}{k:02d}"[:18])
            for k in range(CHILDREN * 3)
        )  # fmt: skip
        for c in range(3):
            service_class = ServiceClass.objects.create(
                school=school, school_year=year, name=f"服务班{c}", activity="homework", teacher=teacher,
                capacity=40, created_by=teacher,
            )  # fmt: skip
            service_class.admin_classes.set([admin_class])
            group = students[c * CHILDREN : (c + 1) * CHILDREN]
            classes.append((service_class, group))
            members += [
                ServiceClassMember(service_class=service_class, student=s, start_date=datetime.date(2021, 9, 1),
                                   added_by=teacher)
                for s in group
            ]  # fmt: skip
    ServiceClassMember.objects.bulk_create(members, batch_size=2000)
    return year, bureau, schools, classes, teacher


def serve(classes, teacher, first_day: int, days: int):
    """Sessions on `days` weekdays from the `first_day`-th weekday of September 2021, each with its whole roll."""
    weekdays, day = [], datetime.date(2021, 9, 1)
    while len(weekdays) < first_day + days:
        if day.isoweekday() < 6:
            weekdays.append(day)
        day += datetime.timedelta(days=1)
    for service_class, group in classes:
        sessions = Session.objects.bulk_create(
            Session(
                service_class=service_class, date=d, start_time=datetime.time(16), end_time=datetime.time(18),
                class_hours=Decimal("2.0"), activity_category="homework", content_note="作业辅导", teacher=teacher,
                teacher_role="responsible", status="recorded", logged_by=teacher, present=len(group) - 1, absent=1,
            )
            for d in weekdays[first_day:]
        )  # fmt: skip
        Attendance.objects.bulk_create(
            [
                Attendance(session=s, student=child, mark="absent" if i == 0 else "present")
                for s in sessions
                for i, child in enumerate(group)
            ],
            batch_size=5000,
        )
    return weekdays[-1]


def measure(label, year, bureau, schools, today):
    start = time.perf_counter()
    console_services.refresh(school_year=year, trigger="bench", today=today)
    refresh_s = time.perf_counter() - start
    rows = Attendance.objects.count()
    print(f"\n{label}: {Session.objects.count()} sessions, {rows} roll marks; refresh {refresh_s:.2f} s")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN", SERVER_NAME="localhost")
    client.force_login(bureau)
    for url in (
        reverse("bureau:console") + f"?year={year.pk}",
        reverse("bureau:console-township", args=[schools[0].township_id]) + f"?year={year.pk}",
        reverse("bureau:console-school", args=[schools[0].pk]) + f"?year={year.pk}&period=1",
    ):
        client.get(url)  # warm the templates
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        ms = timed(lambda url=url: client.get(url))
        print(f"  {url:<48} {response.status_code}  {len(queries):>3} queries  {ms:7.1f} ms")


def main():
    call_command("migrate", verbosity=0)
    year, bureau, schools, classes, teacher = build()
    print(f"{connection.vendor}: {len(schools)} schools, {len(classes)} service classes, {CHILDREN} children each")
    today = serve(classes, teacher, 0, 6)
    measure("1×", year, bureau, schools, today + datetime.timedelta(days=1))
    today = serve(classes, teacher, 6, 54)
    measure("10×", year, bureau, schools, today + datetime.timedelta(days=1))


if __name__ == "__main__":
    main()
