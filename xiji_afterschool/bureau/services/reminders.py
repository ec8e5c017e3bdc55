"""Deadline reminders (issue #12, item 8): one daily job telling the responsible people what is due.

`send_deadline_reminders()` walks `REMINDERS`: plan filing and the annual claim (here), school reports
(services/school_reports.py), inspection rectifications (services/inspections.py) and families' data requests
(enrollment/services/data_requests.py). Each function takes `today` and returns how many notifications it sent; each tells through `notify`
with a dedupe key naming the item and the reminder stage (rules/reminders.py), so running the job twice, or two
workers at once, tells nobody twice. One function failing is logged and does not stop the others.
"""

import datetime
import logging
from collections.abc import Callable

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from enrollment.services import data_requests as data_requests_services
from schools.models import NotificationKind, SchoolYear
from schools.services.notifications import notify

from ..rules import reminders as rules
from ..selectors import reminders as selectors
from . import inspections as inspections_services
from . import school_reports as school_reports_services

log = logging.getLogger("xiji.reminders")


def _school_year(today: datetime.date) -> SchoolYear | None:
    """The school year the job reminds about: the one containing today (none between years)."""
    return selectors.school_year_of(today)


def _when(due: datetime.date) -> str:
    return formats.date_format(due, "DATE_FORMAT")


def _tell(items, *, today: datetime.date, key: str, title_due: str, title_overdue: str, body: str, url) -> int:
    sent = 0
    for item in items:
        stage = rules.stage(today, item.due)
        if stage is None:
            continue
        title = (title_overdue if stage.startswith("overdue") else title_due) % {"day": _when(item.due)}
        for person in selectors.responsible_people(item.school):
            told = notify(
                user=person,
                kind=NotificationKind.GENERAL,
                title=title,
                body=body % {"school": item.school.name, "day": _when(item.due)},
                url=url(item),
                key=f"{key}:{item.school.pk}:{stage}",
            )
            sent += told is not None
    return sent


def remind_plan_filing(*, today: datetime.date) -> int:
    """School plans not yet filed: 7 days and 1 day before SchoolYear.plan_deadline, then weekly when overdue."""
    year = _school_year(today)
    if year is None:
        return 0
    return _tell(
        selectors.plan_items(year, today),
        today=today,
        key=f"remind-plan:{year.pk}",
        title_due=_("School plan due on %(day)s"),
        title_overdue=_("School plan overdue since %(day)s"),
        body=_("%(school)s has no filed school plan yet; plans were due to the bureau on %(day)s."),
        url=lambda item: reverse("schools:plan-list"),
    )


def remind_annual_claim(*, today: datetime.date) -> int:
    """Schools with a filed plan and no submitted annual claim: before the claim's due day, then weekly."""
    year = _school_year(today)
    if year is None:
        return 0
    return _tell(
        selectors.claim_items(year, today),
        today=today,
        key=f"remind-claim:{year.pk}",
        title_due=_("Annual subsidy claim due on %(day)s"),
        title_overdue=_("Annual subsidy claim overdue since %(day)s"),
        body=_("%(school)s has not submitted its annual subsidy claim; it was due on %(day)s."),
        url=lambda item: reverse("funding:claim-list"),
    )


REMINDERS: tuple[tuple[str, Callable[..., int]], ...] = (
    ("plan_filing", remind_plan_filing),
    ("annual_claim", remind_annual_claim),
    ("school_report", school_reports_services.remind_overdue_reports),
    ("rectification", inspections_services.remind_rectifications),
    ("data_request", data_requests_services.data_requests_remind),
)


def send_deadline_reminders(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily job (07:30): run every reminder function, each in its own transaction; returns {name: sent}, and
    {name: -1} for one that failed (logged; the others still run)."""
    today = today or timezone.localdate()
    sent: dict[str, int] = {}
    for name, remind in REMINDERS:
        try:
            with transaction.atomic():
                sent[name] = remind(today=today)
        except Exception:
            log.exception("deadline reminder %s failed", name)
            sent[name] = -1
    return sent
