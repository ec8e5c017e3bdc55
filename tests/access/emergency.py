"""Access rows of emergency plans, drills and safety education (R28).

school_a has a fire plan written by its admin. The teachers of school_a, its township and the county read the
plans; only school_a's admin writes. Outside the readers, a school page or a plan is 404. The list sends anyone who
reads a single school straight to its page (302); the county reads every school (200).
"""

from django.utils import timezone

from safety.services import emergency as services

from .cases import Case

SCHOOL_A_READERS = ("class_teacher", "service_teacher", "volunteer", "school_admin", "township", "bureau", "inspector")


def _plan(world, tmp_path):
    world.emergency_plan = services.plan_create(
        actor=world.school_admin,
        school=world.school_a,
        scenario="fire",
        title="火灾应急预案",
        procedure="发现火情立即报警，按路线疏散。",
        effective_from=timezone.localdate(),
        duties={"commander": world.school_admin},
    )


def _admin_page(args, setup=None):
    return Case(
        args=args,
        ok={a: 403 for a in SCHOOL_A_READERS} | {"school_admin": 200},
        default=404,
        setup=setup,
    )


MATRIX = {
    "safety:emergency-list": Case(
        ok={a: 302 for a in (*SCHOOL_A_READERS, "other_school_admin")} | {"bureau": 200, "inspector": 200}
    ),
    "safety:emergency-school": Case(args=lambda w: [w.school_a.pk], ok={a: 200 for a in SCHOOL_A_READERS}, default=404),
    "safety:emergency-plan-create": _admin_page(lambda w: [w.school_a.pk]),
    "safety:emergency-plan-detail": Case(
        args=lambda w: [w.emergency_plan.pk], ok={a: 200 for a in SCHOOL_A_READERS}, default=404, setup=_plan
    ),
    "safety:emergency-plan-revise": _admin_page(lambda w: [w.emergency_plan.pk], _plan),
    "safety:drill-create": _admin_page(lambda w: [w.school_a.pk]),
    "safety:education-create": _admin_page(lambda w: [w.school_a.pk]),
}
