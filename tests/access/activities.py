"""Access rows for the activity catalogue and partners (R9–R12).

The school's staff and the county read the catalogue; only the school's administrator changes it. Anyone who
sees school_a but has no Activity/Partner scope (parents, class teachers, finance, HR) gets 404 on an object URL.
"""

from schools.models import Activity, ActivityCategory, Partner

from .cases import Case

SEE_SCHOOL_A_WITHOUT_RIGHT = {a: 403 for a in ("parent", "other_parent", "class_teacher", "finance", "hr", "auditor")}
CATALOGUE_READERS = {
    a: 200 for a in ("service_teacher", "volunteer", "school_admin", "township", "bureau", "inspector")
}
# Inside the Activity/Partner scope but without "activity.manage".
CATALOGUE_READERS_REFUSED = {a: 403 for a in ("service_teacher", "volunteer", "township", "bureau", "inspector")}


def _partner(w) -> Partner:
    if getattr(w, "_partner", None) is None:
        w._partner = Partner.objects.create(
            school=w.school_a, name="甲乡青少年活动中心", kind=Partner.Kind.YOUTH_CENTRE
        )
    return w._partner


def _activity(w) -> Activity:
    if getattr(w, "_activity", None) is None:
        w._activity = Activity.objects.create(
            school=w.school_a, name="篮球社", category=ActivityCategory.SPORTS, partner=_partner(w)
        )
    return w._activity


MATRIX = {
    "schools:activity-list": Case(
        args=lambda w: [w.school_a.pk], ok={**CATALOGUE_READERS, **SEE_SCHOOL_A_WITHOUT_RIGHT}, default=404
    ),
    "schools:activity-create": Case(
        args=lambda w: [w.school_a.pk],
        ok={**CATALOGUE_READERS_REFUSED, **SEE_SCHOOL_A_WITHOUT_RIGHT, "school_admin": 200},
        default=404,
    ),
    "schools:activity-edit": Case(
        args=lambda w: [w.school_a.pk, _activity(w).pk],
        ok={**CATALOGUE_READERS_REFUSED, "school_admin": 200},
        default=404,
    ),
    "schools:partner-create": Case(
        args=lambda w: [w.school_a.pk],
        ok={**CATALOGUE_READERS_REFUSED, **SEE_SCHOOL_A_WITHOUT_RIGHT, "school_admin": 200},
        default=404,
    ),
    "schools:partner-edit": Case(
        args=lambda w: [w.school_a.pk, _partner(w).pk],
        ok={**CATALOGUE_READERS_REFUSED, "school_admin": 200},
        default=404,
    ),
}
