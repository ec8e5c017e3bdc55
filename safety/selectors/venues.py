"""Reads of venues and their checks (R29), always scoped to the viewer; what falls due this week (本周待检)."""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from schools.models import Partner, School
from xiji_afterschool import permissions

from ..models import Venue, VenueCheck, VenueSchedule
from ..rules import venues as rules


def venue_list(*, viewer, school: School | None = None, action: str = "venue.view") -> QuerySet[Venue]:
    """Venues the viewer may see (their school's; a township's schools; the county every school's)."""
    qs = permissions.scope(viewer, Venue.objects.all(), action=action)
    if school is not None:
        qs = qs.filter(school=school)
    return qs.select_related("school", "partner").prefetch_related("schedules").order_by("school__code", "kind", "name")


def check_list(*, viewer, venue: Venue | None = None) -> QuerySet[VenueCheck]:
    qs = permissions.scope(viewer, VenueCheck.objects.all(), action="venue.view")
    if venue is not None:
        qs = qs.filter(venue=venue)
    return qs.select_related("venue", "venue__school", "checked_by").order_by("-checked_at", "-pk")


def check_detail(*, viewer) -> QuerySet[VenueCheck]:
    return check_list(viewer=viewer).prefetch_related("items", "items__hazard")


@dataclass
class DueCheck:
    schedule: VenueSchedule
    last_checked_at: datetime.datetime | None
    due: datetime.date
    overdue: bool


def due_checks(*, viewer, today: datetime.date | None = None, school: School | None = None) -> list[DueCheck]:
    """Checks due up to the end of this week at the venues in use the viewer may see, most overdue first. One query:
    each schedule's last check comes from a subquery."""
    today = today or timezone.localdate()
    venues = venue_list(viewer=viewer, school=school).filter(active=True)
    last = VenueCheck.objects.filter(venue=OuterRef("venue"), category=OuterRef("category")).order_by("-checked_at")
    schedules = (
        VenueSchedule.objects.filter(venue__in=venues.values("pk"))
        .select_related("venue", "venue__school")
        .annotate(last_checked_at=Subquery(last.values("checked_at")[:1]))
    )
    rows = []
    for schedule in schedules:
        last_day = timezone.localdate(schedule.last_checked_at) if schedule.last_checked_at else None
        since = timezone.localdate(schedule.venue.created_at)
        due = rules.next_due(last_checked_on=last_day, every_days=schedule.every_days, since=since)
        if rules.due_this_week(due, today):
            rows.append(DueCheck(schedule, schedule.last_checked_at, due, due < today))
    rows.sort(key=lambda r: (r.due, r.schedule.venue.school.code, r.schedule.venue.name, r.schedule.category))
    return rows


def managed_schools(*, viewer) -> list[School]:
    """The schools whose venues the viewer keeps (a school admin's own)."""
    return [m.school for m in permissions.memberships_for(viewer, "venue.manage") if m.school_id]


def partners_of(school: School) -> QuerySet[Partner]:
    return Partner.objects.filter(school=school).order_by("name")
