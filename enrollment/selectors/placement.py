"""Reads of the placement board (组班, R14/R19): the classes with places and the waiting list."""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from schools.models import (
    ActivityCategory,
    School,
    SchoolYear,
    ServiceClass,
)
from schools.selectors import classes as classes_selectors

from ..rules import placement as rules
from . import applications as applications_selectors

# ---------------------------------------------------------------- the placement board (组班)


def placement_classes(*, viewer, school: School, school_year: SchoolYear, day: datetime.date) -> list[ServiceClass]:
    """The school's service classes for the year with `occupied`, `free` and `admin_class_ids` (two queries)."""
    classes = list(classes_selectors.service_class_list(viewer=viewer, school=school, school_year=school_year, day=day))
    for c in classes:
        c.admin_class_ids = {ac.pk for ac in c.admin_classes.all()}
        c.free = max(c.capacity - c.occupied, 0)
    return classes


@dataclass
class PlacementBoard:
    """Everything the placement page shows, for one school and year."""

    school: School
    school_year: SchoolYear
    start_date: datetime.date
    classes: list = field(default_factory=list)
    suggestion: list = field(default_factory=list)  # [(application, class or None)] in waiting-list order
    waiting: list = field(default_factory=list)  # [(position, application)]
    placed: list = field(default_factory=list)  # placed and attending applications
    signature: str = ""

    def choices(self, application) -> list[ServiceClass]:
        """The classes this child could be placed in by hand (suitable ones; full ones are shown disabled)."""
        return [c for c in self.classes if rules.is_suitable(c, application)]

    @cached_property
    def rows(self) -> list[dict]:
        return [{"application": a, "suggested": c, "choices": self.choices(a)} for a, c in self.suggestion]

    @cached_property
    def placed_rows(self) -> list[dict]:
        return [
            {"application": a, "choices": [c for c in self.choices(a) if c.pk != a.service_class_id]}
            for a in self.placed
        ]

    @property
    def suggested_count(self) -> int:
        return sum(1 for _a, c in self.suggestion if c is not None)

    @property
    def free_places(self) -> int:
        return sum(c.free for c in self.classes if c.teacher_id is not None)


def placement_board(*, viewer, school: School, school_year: SchoolYear, today=None) -> PlacementBoard:
    """The placement page's data in a fixed number of queries: the classes (+ drawn-from classes) and one query for
    the approved, waiting, placed and attending applications, whatever their number."""
    day = rules.placement_start_date(school_year, today)
    board = PlacementBoard(school=school, school_year=school_year, start_date=day)
    board.classes = placement_classes(viewer=viewer, school=school, school_year=school_year, day=day)
    applications = list(
        applications_selectors.application_list(viewer=viewer, school_year=school_year, school=school).filter(
            status__in=[*rules.PLACEABLE, rules.Status.PLACED, rules.Status.ACTIVE]
        )
    )
    labels = dict(ActivityCategory.choices)
    for a in applications:
        a.preference_labels = [labels[p] for p in a.preferences or [] if p in labels]
    open_ones = [a for a in applications if a.status in rules.PLACEABLE]
    board.suggestion = rules.suggest_placements(open_ones, board.classes, {c.pk: c.occupied for c in board.classes})
    board.signature = rules.suggestion_signature(board.suggestion)
    waiting = sorted((a for a in open_ones if a.status == rules.Status.WAITING), key=rules.waiting_order_key)
    board.waiting = list(enumerate(waiting, start=1))
    board.placed = sorted(
        (a for a in applications if a.status in (rules.Status.PLACED, rules.Status.ACTIVE)),
        key=lambda a: (a.service_class.name, a.student.name, a.pk),
    )
    return board
