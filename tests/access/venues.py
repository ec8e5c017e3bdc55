"""Access rows of the venues and their checks (R29).

school_a has a classroom with a fire check recorded. Who sees venues: school_a's admin and after-school teacher,
the township and the county readers (bureau, inspector); other_school_admin sees only school_b's (404 here); every
other role has no rule (404 on an object, 403 on a list). Checks are done by the school admin and after-school
teachers; venues are kept by the school admin.
"""

from safety.rules import venues as venue_rules
from safety.services import venues as services

from .cases import Case, only

READERS = ("school_admin", "service_teacher", "township", "bureau", "inspector")


def _venue(world, tmp_path):
    world.venue = services.venue_create(
        actor=world.school_admin, school=world.school_a, kind="classroom", name="三年级一班教室"
    )
    items = venue_rules.checklist("fire")
    world.check = services.check_record(
        actor=world.school_admin, venue=world.venue, category="fire", results=[(True, "")] * len(items)
    )


def _venue_case(allowed: dict, method="get", args=None):
    ok = dict.fromkeys(READERS, 403) | allowed
    return Case(method=method, args=args or (lambda w: [w.venue.pk]), ok=ok, default=404, setup=_venue)


MATRIX = {
    "safety:venue-list": only(
        "school_admin", "other_school_admin", "service_teacher", "township", "bureau", "inspector"
    ),
    "safety:venue-create": Case(
        args=lambda w: [w.school_a.pk],
        ok={"school_admin": 200, "service_teacher": 403, "township": 403, "bureau": 403, "inspector": 403},
        default=404,
    ),
    "safety:venue-detail": _venue_case(dict.fromkeys(READERS, 200)),
    "safety:venue-edit": _venue_case({"school_admin": 200}),
    "safety:check-create": _venue_case(
        {"school_admin": 200, "service_teacher": 200}, args=lambda w: [w.venue.pk, "fire"]
    ),
    "safety:check-detail": _venue_case(dict.fromkeys(READERS, 200), args=lambda w: [w.check.pk]),
}
