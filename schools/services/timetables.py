"""Writes of the timetables (R4–R8): create, save, revise, and the problems that block saving."""

import datetime
import itertools
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..models import (
    CountySettings,
    School,
    Semester,
    ServiceMode,
    Stage,
    Timetable,
    TimetableSlot,
)

DAY_NAMES = dict(TimetableSlot._meta.get_field("weekday").choices)


def _minutes(t: datetime.time) -> int:
    return t.hour * 60 + t.minute


# ---------------------------------------------------------------- timetables (school)


@dataclass
class SlotRow:
    """One line of the timetable form: the same times on several weekdays."""

    season: str
    kind: str
    weekdays: list[int]
    start_time: datetime.time
    end_time: datetime.time


def timetable_problems(
    *, stage: str, slots: list[TimetableSlot], settings: CountySettings, seasons: list[str]
) -> list[str]:
    """Every reason the slots break the county's rules (R4–R8), in words a school administrator understands."""
    problems = []
    mode = ServiceMode.for_stage(stage)
    pickup = settings.earliest_pickup_time
    for slot in slots:
        if slot.start_time >= slot.end_time:
            problems.append(
                _("%(day)s %(start)s–%(end)s: the end must come after the start.")
                % {"day": DAY_NAMES[slot.weekday], "start": f"{slot.start_time:%H:%M}", "end": f"{slot.end_time:%H:%M}"}
            )
        if slot.kind == TimetableSlot.Kind.EVENING and stage not in (Stage.JUNIOR, Stage.SENIOR):
            problems.append(_("Evening service is for boarders and senior high students (junior and senior stages)."))
    if problems:
        return list(dict.fromkeys(problems))
    season_labels = dict(Timetable.Season.choices)
    for season in seasons:
        in_season = [s for s in slots if s.season == season]
        label = season_labels[season]
        for day in range(1, 8):
            day_slots = sorted((s for s in in_season if s.weekday == day), key=lambda s: s.start_time)
            for a, b in itertools.pairwise(day_slots):
                if b.start_time < a.end_time:
                    problems.append(
                        _("%(season)s, %(day)s: %(a)s and %(b)s overlap.")
                        % {"season": label, "day": DAY_NAMES[day], "a": a, "b": b}
                    )
            served = [s for s in day_slots if s.kind in (TimetableSlot.Kind.REGULAR, TimetableSlot.Kind.EVENING)]
            minutes = sum(s.minutes for s in served)
            if day in mode.weekdays and minutes != 120:
                problems.append(
                    _(
                        "%(season)s, %(day)s: the %(mode)s mode needs 2 hours of service, this gives %(minutes)s minutes."
                    )
                    % {"season": label, "day": DAY_NAMES[day], "mode": mode.value, "minutes": minutes}
                )
            if day not in mode.weekdays and served:
                problems.append(
                    _("%(season)s, %(day)s: the %(mode)s mode has no service on this day.")
                    % {"season": label, "day": DAY_NAMES[day], "mode": mode.value}
                )
            regular = [s for s in day_slots if s.kind == TimetableSlot.Kind.REGULAR]
            if regular and max(s.end_time for s in regular) < pickup:
                # R7: day-school service ends no earlier than parents can collect their children.
                problems.append(
                    _(
                        "%(season)s, %(day)s: day service ends at %(end)s, before the county's earliest pick-up time %(pickup)s."
                    )
                    % {
                        "season": label,
                        "day": DAY_NAMES[day],
                        "end": f"{max(s.end_time for s in regular):%H:%M}",
                        "pickup": f"{pickup:%H:%M}",
                    }
                )
    return problems


def _fixed(timetable: Timetable) -> bool:
    return timetable.effective_from <= timezone.localdate()


@transaction.atomic
def timetable_create(*, actor, school: School, semester: Semester, stage: str) -> Timetable:
    """Start version 1 of a stage's timetable for a semester (empty; the school fills it in)."""
    permissions.require(actor, "timetable.edit", school)
    if stage not in school.stages:
        raise DomainError(_("This school has no %(stage)s stage.") % {"stage": Stage(stage).label})
    versions = Timetable.objects.filter(school=school, semester=semester, stage=stage).order_by("-version")
    if existing := versions.first():
        return existing
    if semester.end_date <= timezone.localdate():
        raise DomainError(_("This semester has ended; its timetable can no longer be set."))
    autumn = semester.number == 1
    try:
        with transaction.atomic():  # a savepoint: two clicks at once leave one timetable and no error
            return _timetable_v1(actor, school, semester, stage, autumn)
    except IntegrityError:
        return versions.first()


def _timetable_v1(actor, school, semester, stage, autumn) -> Timetable:
    return Timetable.objects.create(
        school=school,
        semester=semester,
        stage=stage,
        version=1,
        effective_from=max(semester.start_date, timezone.localdate() + datetime.timedelta(days=1)),
        opening_season=Timetable.Season.SUMMER if autumn else Timetable.Season.WINTER,
        # Xiji's usual switch: winter times from 1 October, summer times from 1 May.
        switch_date=datetime.date(semester.start_date.year, 10, 1)
        if autumn
        else datetime.date(semester.end_date.year, 5, 1),
        created_by=actor,
    )


@transaction.atomic
def timetable_save(
    *, actor, timetable: Timetable, rows: list[SlotRow], opening_season: str, switch_date: datetime.date | None
) -> Timetable:
    """Replace the slots of a timetable not yet in force. Raises DomainError listing every rule broken."""
    permissions.require(actor, "timetable.edit", timetable)
    timetable = Timetable.objects.select_for_update().get(pk=timetable.pk)
    if _fixed(timetable):
        raise DomainError(_("This timetable is in force and fixed for the semester. Start a new version to change it."))
    if timetable.versions_after().exists():
        raise DomainError(_("A newer version of this timetable exists; change that one."))
    semester = timetable.semester
    if switch_date and not semester.start_date < switch_date <= semester.end_date:
        raise DomainError(_("The timetable switch date must fall inside the semester."))
    slots = [
        TimetableSlot(
            timetable=timetable,
            season=row.season,
            kind=row.kind,
            weekday=day,
            start_time=row.start_time,
            end_time=row.end_time,
        )
        for row in rows
        for day in row.weekdays
    ]
    seasons = [opening_season] + ([s for s in Timetable.Season.values if s != opening_season] if switch_date else [])
    problems = timetable_problems(
        stage=timetable.stage, slots=slots, settings=CountySettings.current(), seasons=seasons
    )
    if problems:
        raise DomainError(" ".join(problems))
    timetable.slots.all().delete()
    TimetableSlot.objects.bulk_create([s for s in slots if s.season in seasons])
    timetable.opening_season, timetable.switch_date = opening_season, switch_date
    timetable.save(update_fields=["opening_season", "switch_date", "updated_at"])
    return timetable


@transaction.atomic
def timetable_revise(*, actor, timetable: Timetable, effective_from: datetime.date) -> Timetable:
    """A change to a timetable in force is a new version from a future date, copied from the current one (R8)."""
    permissions.require(actor, "timetable.edit", timetable)
    if timetable.versions_after().exists():
        raise DomainError(_("A newer version of this timetable exists already."))
    semester = timetable.semester
    if not (timezone.localdate() < effective_from <= semester.end_date and effective_from > timetable.effective_from):
        raise DomainError(_("A new version starts on a future day inside the semester."))
    try:
        new = Timetable.objects.create(
            school=timetable.school,
            semester=semester,
            stage=timetable.stage,
            version=timetable.version + 1,
            effective_from=effective_from,
            opening_season=timetable.season_on(effective_from),
            switch_date=timetable.switch_date
            if timetable.switch_date and timetable.switch_date > effective_from
            else None,
            created_by=actor,
        )
    except IntegrityError:
        raise DomainError(_("Someone else started a new version at the same moment; reload the page.")) from None
    TimetableSlot.objects.bulk_create(
        [
            TimetableSlot(
                timetable=new,
                season=s.season,
                kind=s.kind,
                weekday=s.weekday,
                start_time=s.start_time,
                end_time=s.end_time,
            )
            for s in timetable.slots.all()
        ]
    )
    return new
