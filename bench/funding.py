"""Benchmark: the funding pages and computations on the demo county. Prints numbers; asserts nothing.

.venv/bin/python bench/funding.py            # seeds a throwaway SQLite demo county first (~20 s)
DATABASE_URL=postgres://... .venv/bin/python bench/funding.py   # or any database already seeded with seed_demo
"""

import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    SEED = True
else:
    SEED = False
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiji_afterschool.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from funding.models import Claim, PayRun  # noqa: E402
from funding.rules.pay import divide  # noqa: E402
from funding.selectors.settlement import settlement_figures  # noqa: E402
from schools.models import School, SchoolYear, User  # noqa: E402

FIRST = "西吉县第一小学"


def timed(call, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times) * 1000


def page(username: str, url: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN", SERVER_NAME="localhost")
    client.force_login(User.objects.get(username=username))
    client.get(url)  # warm the template cache
    connection.queries_log.clear()  # the seed filled the log to its limit, which would hide the count
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    _, ms = timed(lambda: client.get(url))
    print(f"{username:>10} {url:<42} {response.status_code}  {len(queries):>3} queries  {ms:7.1f} ms")


def main():
    if SEED:
        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        call_command("seed_demo", stdout=open(os.devnull, "w"))
        print(f"seed_demo: {time.perf_counter() - start:.1f} s ({connection.vendor})")
    first = School.objects.get(name=FIRST)
    current, previous = SchoolYear.objects.order_by("-start_date")[:2]
    claim = Claim.objects.filter(school=first, school_year=current, kind=Claim.Kind.ANNUAL).get()
    run = PayRun.objects.filter(school=first).order_by("-first_month").first()
    print(f"\nPages ({connection.vendor}, median of 5):")
    page("caizheng", reverse("funding:finance-home"))
    page("jiaotiju", reverse("funding:claim-list"))
    page("jiaotiju", reverse("funding:claim-list") + "?status=")
    page("xuexiao", reverse("funding:claim-detail", args=[claim.pk]))
    page("shenji", reverse("funding:ledger-list"))
    page("xuexiao", reverse("funding:ledger-detail", args=[first.pk, current.pk]))
    page("caizheng", reverse("funding:settlement-list"))
    page("xuexiao", reverse("funding:settlement-detail", args=[first.pk, previous.pk]))
    page("xuexiao", reverse("funding:pay-run-detail", args=[run.pk]))
    page("shenji", reverse("funding:disclosure-county"))
    page("xuexiao", reverse("funding:school-funding", args=[first.pk]))

    figures, ms = timed(lambda: settlement_figures(school=first, school_year=previous))
    sessions = sum(line.sessions for line in figures.lines)
    print(f"\nsettlement_figures: {sessions} sessions, {len(figures.lines)} lines: {ms:.1f} ms")

    rng = random.Random(2021)
    for people in (10, 100, 1000, 10000):
        points = [(i, Decimal(rng.randint(1, 40000)) / 100) for i in range(people)]
        pool = Decimal(rng.randint(100000, 99999999)) / 100
        shares, ms = timed(lambda points=points, pool=pool: divide(pool, points))
        assert sum(shares.values()) == pool  # the one property a benchmark must not break
        print(f"divide ¥{pool:,.2f} over {people:>5} people: {ms:8.2f} ms")


if __name__ == "__main__":
    main()
