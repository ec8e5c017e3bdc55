"""Access rows of incidents and insurance (R32).

An incident at school_a involving `child` (parent's child), recorded by the service teacher, with an insurance claim
not yet filed. Who reads it: the parent, school_a's admin, the recorder, the township and the county; everyone else
404 (other_parent's child is not involved; other teachers did not record it). Inside the scope without the right:
403. Recording: staff of school_a (the page 404s for anyone else).
"""

import datetime

from django.utils import timezone

from safety.services import incidents as services

from .cases import Case

READERS = ("parent", "school_admin", "service_teacher", "township", "bureau", "inspector")
LIST = ("parent", "other_parent", "class_teacher", "service_teacher", "volunteer", "school_admin")
LIST += ("other_school_admin", "township", "bureau", "inspector", "care_staff")


def _incident(world, tmp_path):
    world.incident = services.incident_record(
        actor=world.service_teacher,
        school=world.school_a,
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
        place="操场",
        description="跑步时摔倒",
        children=[{"student": world.child, "injury": "膝盖擦伤", "first_aid": "消毒包扎"}],
    )
    world.incident_child = world.incident.children.get()
    world.claim = services.insurance_open(
        actor=world.school_admin, incident=world.incident, policy="liability", insurer="人保", policy_no="P1"
    )


def _case(method, ok, arg=lambda w: [w.incident.pk]):
    return Case(method=method, args=arg, ok={a: 403 for a in READERS} | ok, default=404, setup=_incident)


WRITERS = {"school_admin": 302, "service_teacher": 302}
ADMIN = {"school_admin": 302}

MATRIX = {
    "safety:incident-list": Case(ok={a: 200 for a in LIST}),
    "safety:incident-export": Case(ok={a: 200 for a in LIST}),
    "safety:incident-create": Case(
        args=lambda w: [w.school_a.pk],
        ok={a: 200 for a in ("class_teacher", "service_teacher", "volunteer", "school_admin", "care_staff")},
        default=404,
    ),
    "safety:incident-detail": Case(
        args=lambda w: [w.incident.pk], ok={a: 200 for a in READERS}, default=404, setup=_incident
    ),
    "safety:incident-follow-up": _case("post", WRITERS),
    "safety:incident-guardian-told": _case("post", WRITERS, lambda w: [w.incident_child.pk]),
    "safety:incident-close": _case("post", ADMIN),
    "safety:insurance-open": _case("post", ADMIN),
    **{
        f"safety:insurance-{step}": _case("post", ADMIN, lambda w: [w.claim.pk])
        for step in ("file", "accept", "refuse", "pay", "compensation")
    },
}
