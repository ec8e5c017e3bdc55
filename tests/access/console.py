"""Access rows of the county console (R3, R34): the county, a township, a school, a class, the refresh and the
workbook. The county and its departments read all; a township its own; a school its own (the county page sends
it to its school's page); no one else."""

from .cases import Case
from .hours import make_service_class

COUNTY = {a: 200 for a in ("bureau", "inspector", "leadership", "finance")}
NOT_OURS = {"other_school_admin": 404}


def _class(world, tmp_path):
    world.console_class = make_service_class(
        world.school_a, school_year=world.school_year, teacher=world.service_teacher, admin_classes=[world.class_a1]
    )


MATRIX = {
    "bureau:console": Case(ok={**COUNTY, "township": 200, "school_admin": 302, "other_school_admin": 302}),
    "bureau:console-export": Case(ok={**COUNTY, "township": 200, "school_admin": 200, "other_school_admin": 200}),
    "bureau:console-township": Case(
        args=lambda w: [w.township_a.pk], ok={**COUNTY, "township": 200, "school_admin": 200, **NOT_OURS}
    ),
    "bureau:console-school": Case(
        args=lambda w: [w.school_a.pk], ok={**COUNTY, "township": 200, "school_admin": 200, **NOT_OURS}
    ),
    "bureau:console-class": Case(
        args=lambda w: [w.console_class.pk],
        ok={**COUNTY, "township": 200, "school_admin": 200, **NOT_OURS},
        setup=_class,
    ),
    "bureau:console-refresh": Case(method="post", ok={"bureau": 302}),
}
