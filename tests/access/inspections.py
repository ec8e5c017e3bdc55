"""Access rows of special inspections (督导, R35): school_a's inspection, issued, with a finding (photo) and the
school's answer (photo). County readers and the leadership see it, township_a sees it, school_a's admin sees it
(issued); the bureau and inspectors act, the school admin answers; everyone else is outside the scope (404)."""

from tests.factories_inspections import responded

from .cases import Case, only

READERS = {a: 200 for a in ("bureau", "inspector", "leadership", "township", "school_admin")}
MANAGERS = {"bureau": 302, "inspector": 302, "leadership": 403, "township": 403, "school_admin": 403}
RESPONDERS = {"bureau": 403, "inspector": 403, "leadership": 403, "township": 403, "school_admin": 302}


def _inspection(world, tmp_path):
    world.inspection = responded(world)
    finding = world.inspection.findings.get()
    world.rectification = finding.rectification
    world.finding_photo = finding.photos.first()


def inspection_pk(w):
    return [w.inspection.pk]


def rectification_pk(w):
    return [w.rectification.pk]


def _manage(**kw):
    return Case(method="post", args=inspection_pk, ok=MANAGERS, default=404, setup=_inspection, **kw)


MATRIX = {
    "bureau:inspection-list": only(
        "bureau", "inspector", "leadership", "township", "school_admin", "other_school_admin"
    ),
    "bureau:inspection-schedule": only("bureau", "inspector"),
    "bureau:inspection-detail": Case(args=inspection_pk, ok=READERS, default=404, setup=_inspection),
    "bureau:inspection-pdf": Case(args=inspection_pk, ok=READERS, default=404, setup=_inspection),
    "bureau:inspection-start": _manage(),
    "bureau:inspection-cancel": _manage(),
    "bureau:inspection-checks": _manage(),
    "bureau:finding-add": _manage(),
    "bureau:inspection-issue": _manage(),
    "bureau:inspection-reinspect": _manage(),
    "bureau:inspection-close": _manage(),
    "bureau:rectification-respond": Case(
        method="post", args=rectification_pk, ok=RESPONDERS, default=404, setup=_inspection
    ),
    "bureau:rectification-accept": Case(
        method="post", args=rectification_pk, ok=MANAGERS, default=404, setup=_inspection
    ),
    "bureau:rectification-reopen": Case(
        method="post", args=rectification_pk, ok=MANAGERS, default=404, setup=_inspection
    ),
    "bureau:rectification-photo": Case(args=rectification_pk, ok=READERS, default=404, setup=_inspection),
    "bureau:finding-photo": Case(args=lambda w: [w.finding_photo.pk], ok=READERS, default=404, setup=_inspection),
}
