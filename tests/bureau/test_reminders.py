"""Deadline reminders (issue #12, item 8): plan filing and the annual claim remind the responsible people once per
stage (a week before, the day before, weekly when overdue); overdue items are listed for the county and townships."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import Claim
from schools.models import Notification, Role
from xiji_afterschool.bureau import tasks
from xiji_afterschool.bureau.rules import reminders as rules
from xiji_afterschool.bureau.selectors import reminders as selectors
from xiji_afterschool.bureau.services import reminders as services

from ..conftest import pages_in_english, pretend_today
from ..factories import SchoolFactory, user_with_role

pytestmark = pytest.mark.usefixtures("english")
DAY = datetime.timedelta(days=1)


def keys(user) -> list[str]:
    return sorted(Notification.objects.filter(user=user).values_list("dedupe_key", flat=True))


def annual_claim(w, school, status) -> Claim:
    return Claim.objects.create(
        school=school, school_year=w.school_year, status=status, rate=Decimal("30.00"),
        rate_date=w.autumn.start_date, class_hours_per_day=2, from_date=w.autumn.start_date,
        created_by=w.school_admin,
    )  # fmt: skip


# ---------------------------------------------------------------- rules


@pytest.mark.parametrize(
    "left, expected",
    [(8, None), (7, "week"), (2, "week"), (1, "eve"), (0, "eve"), (-1, "overdue-0"), (-7, "overdue-0"),
     (-8, "overdue-1"), (-15, "overdue-2")],
)  # fmt: skip
def test_reminder_stages(left, expected):
    due = datetime.date(2026, 8, 31)
    assert rules.stage(due - datetime.timedelta(days=left), due) == expected


def test_the_claim_is_due_thirty_days_into_the_first_semester(world):
    assert selectors.claim_due_date(world.school_year) == world.autumn.start_date + datetime.timedelta(days=30)


# ---------------------------------------------------------------- plan filing


def test_plan_reminders_fire_once_per_stage_and_not_for_a_school_that_filed(world):
    w = world  # school_a has a filed plan; school_b has none
    due = w.school_year.plan_deadline
    prefix = f"remind-plan:{w.school_year.pk}:{w.school_b.pk}"
    assert services.send_deadline_reminders(today=due - 8 * DAY)["plan_filing"] == 0  # too early
    assert services.send_deadline_reminders(today=due - 7 * DAY)["plan_filing"] == 1
    assert services.send_deadline_reminders(today=due - 7 * DAY)["plan_filing"] == 0  # run twice: told once
    services.send_deadline_reminders(today=due - 5 * DAY)  # the same stage: nothing new
    assert keys(w.other_school_admin) == [f"{prefix}:week"]
    services.send_deadline_reminders(today=due - DAY)
    services.send_deadline_reminders(today=due + DAY)
    services.send_deadline_reminders(today=due + 3 * DAY)
    services.send_deadline_reminders(today=due + 8 * DAY)
    assert keys(w.other_school_admin) == sorted(f"{prefix}:{s}" for s in ("week", "eve", "overdue-0", "overdue-1"))
    overdue = Notification.objects.get(user=w.other_school_admin, dedupe_key=f"{prefix}:overdue-0")
    assert (
        "overdue" in overdue.title and w.school_b.name in overdue.body and overdue.url == reverse("schools:plan-list")
    )
    assert not Notification.objects.filter(user=w.school_admin, dedupe_key__startswith="remind-plan").exists()


def test_a_school_without_an_administrator_is_its_townships_to_file(world):
    w = world
    point = SchoolFactory(township=w.township_a, name="甲乡某教学点")
    user_with_role(Role.TOWNSHIP_COORDINATOR, township=w.township_b)  # another township's coordinator
    services.send_deadline_reminders(today=w.school_year.plan_deadline - DAY)
    assert keys(w.township) == [f"remind-plan:{w.school_year.pk}:{point.pk}:eve"]


def test_nothing_is_reminded_between_school_years(world):
    w = world
    assert services.send_deadline_reminders(today=w.school_year.end_date + DAY) == {
        "plan_filing": 0, "annual_claim": 0, "school_report": 0, "rectification": 0, "data_request": 0,
    }  # fmt: skip


# ---------------------------------------------------------------- the annual claim


def test_claim_reminders_go_to_schools_with_a_filed_plan_until_they_submit(world):
    w = world
    due = selectors.claim_due_date(w.school_year)
    draft = annual_claim(w, w.school_a, Claim.Status.DRAFT)  # a draft is not a claim made
    assert services.send_deadline_reminders(today=due - 7 * DAY)["annual_claim"] == 1
    assert keys(w.school_admin) == [f"remind-claim:{w.school_year.pk}:{w.school_a.pk}:week"]
    assert not Notification.objects.filter(user=w.other_school_admin, dedupe_key__startswith="remind-claim").exists()
    Claim.objects.filter(pk=draft.pk).update(status=Claim.Status.SUBMITTED)
    assert services.send_deadline_reminders(today=due + DAY)["annual_claim"] == 0


# ---------------------------------------------------------------- hooks, failures, the task


def test_every_reminder_runs_and_one_failure_does_not_stop_the_others(world, monkeypatch):
    w = world
    ran = []

    def broken(*, today):
        raise RuntimeError("a bug")

    def counted(*, today):
        ran.append(today)
        return 3

    monkeypatch.setattr(services, "REMINDERS", (*services.REMINDERS[:2], ("broken", broken), ("reports", counted)))
    day = w.school_year.plan_deadline - DAY
    assert services.send_deadline_reminders(today=day) == {
        "plan_filing": 1, "annual_claim": 0, "broken": -1, "reports": 3,
    }  # fmt: skip
    assert ran == [day]


def test_the_daily_task_calls_the_service(world, monkeypatch):
    seen = []
    monkeypatch.setattr(services, "send_deadline_reminders", lambda: seen.append(1) or {"plan_filing": 0})
    assert tasks.send_deadline_reminders_task.apply().get() == {"plan_filing": 0}
    assert seen == [1]
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["send-deadline-reminders"]
    assert entry["task"] == "bureau.send_deadline_reminders_task"


# ---------------------------------------------------------------- overdue on the console


def test_overdue_items_by_reader(world):
    w = world
    today = selectors.claim_due_date(w.school_year) + DAY  # both deadlines passed
    plan_b = ("plan_filing", w.school_b.pk, w.school_year.plan_deadline)
    claim_a = ("annual_claim", w.school_a.pk, selectors.claim_due_date(w.school_year))

    def overdue(viewer):
        return [(i.kind, i.school.pk, i.due) for i in selectors.overdue_items(viewer, today)]

    assert overdue(w.bureau) == [plan_b, claim_a] == overdue(w.leadership) == overdue(w.inspector)
    assert overdue(w.township) == [claim_a]  # township_a: not school_b
    assert overdue(w.school_admin) == [] == overdue(w.finance)
    assert [i for i in selectors.overdue_items(w.bureau, w.school_year.plan_deadline)] == []


def test_the_overdue_page(world, client, monkeypatch):
    w = world
    today = selectors.claim_due_date(w.school_year) + DAY
    pretend_today(monkeypatch, today)
    pages_in_english(client)
    client.force_login(w.bureau)
    html = client.get(reverse("bureau:overdue-list")).content.decode()
    assert "School plan not filed" in html and w.school_b.name in html and reverse("funding:claim-list") in html
    client.force_login(w.township)
    html = client.get(reverse("bureau:overdue-list")).content.decode()
    assert w.school_b.name not in html and "Annual subsidy claim not submitted" in html
    assert reverse("funding:claim-list") not in html  # a township may not open the claims: no dead link


def test_overdue_rectifications_and_reports_are_listed(world, media):
    """The overdue list reads every kind of deadline: an unanswered rectification past its deadline is there, for
    the county and the school's township, with a link to its inspection; not for another township."""
    from django.utils import timezone

    from ..factories_inspections import issued

    w = world
    today = timezone.localdate()
    inspection = issued(w, deadline=today + DAY)
    later = today + 3 * DAY
    kinds = {(i.kind, i.school, i.url) for i in selectors.overdue_items(w.bureau, today=later)}
    assert ("rectification", w.school_a, reverse("bureau:inspection-detail", args=[inspection.pk])) in kinds
    assert "rectification" in {i.kind for i in selectors.overdue_items(w.township, today=later)}
    other = user_with_role(Role.TOWNSHIP_COORDINATOR, township=w.township_b)
    assert "rectification" not in {i.kind for i in selectors.overdue_items(other, today=later)}
    assert "rectification" not in {i.kind for i in selectors.overdue_items(w.bureau, today=today)}  # not yet due
