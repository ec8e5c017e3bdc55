"""Rows of the school's 接送安排 export: one row per child, who may collect them on the day and how they leave.
Names and relations only: the mobiles and pick-up codes stay on the child's page (minimum personal data)."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from ..selectors.pickups import Allowed


def _adults(people) -> str:
    return "、".join(f"{p.name}（{p.get_relation_display()}）" for p in people)


def pickup_rows(*, students, allowed: dict[int, Allowed]) -> tuple[list[str], Iterable[list]]:
    """(header, rows) for `students` (from `selectors.pickup_overview`) and their `allowed_today` on the day."""
    header = [
        _("Class"),
        _("Student"),
        _("Guardians"),
        _("Authorised adults"),
        _("Someone else just for one day"),
        _("Going home alone"),
        _("School bus"),
        _("Dormitory"),
    ]

    def rows():
        for s in students:
            a = allowed[s.pk]
            walk = a.walk_home
            yield [
                str(s.admin_class),
                s.name,
                "、".join(f"{g.name}（{label}）" for g, label in a.guardians),
                _adults(a.collectors),
                _adults(a.delegations),
                f"{walk.route}（{walk.valid_from:%Y-%m-%d}–{walk.valid_until:%Y-%m-%d}）" if walk else "",
                f"{a.bus.bus_route.name} · {a.bus.bus_stop}" if a.bus else "",
                a.dormitory.dormitory.name if a.dormitory else "",
            ]

    return header, rows()
