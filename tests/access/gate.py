"""Access rows of the gate (issue 11 §5): the gate keeper's pages (today, its own school), the school admin's log
of any day, the class teacher's early leaves. Township and county: no access at all (personal data they do not need).

The setups write through the gate services: a visitor inside today at school_a (entered by the gate), an early leave
today for `child` (class_a1) with its guardian, permitted by class_a1's teacher. The photo row lists an adult for the
child directly (the pickups services belong to another concern)."""

import datetime

from django.utils import timezone

from safety.models import Collector
from safety.services import gate as services

from .cases import Case, only

SCHOOL_ADMINS = ("school_admin", "other_school_admin")


def _visit(world, tmp_path):
    world.visit = services.visit_record(
        actor=world.gate, school=world.school_a, name="张三", id_checked=True, id_last4="123X", purpose="repairs"
    )


def _early_leave(world, tmp_path):
    guardian = world.child.guardian_links.get().guardian
    world.early_leave = services.early_leave_permit(
        actor=world.class_teacher, student=world.child, date=timezone.localdate(), leave_at=datetime.time(15, 0),
        reason="sick", adult=f"g{guardian.pk}",
    )  # fmt: skip


def _collector_with_photo(world, tmp_path):
    (tmp_path / "collectors").mkdir()
    (tmp_path / "collectors" / "uncle.jpg").write_bytes(b"\xff\xd8\xff\xe0 photo")
    world.collector = Collector.objects.create(
        student=world.child, name="马叔叔", relation="uncle_aunt", mobile="13912345678", photo="collectors/uncle.jpg",
        valid_from=timezone.localdate() - datetime.timedelta(days=30), source="guardian", added_by=world.parent,
    )  # fmt: skip


MATRIX = {
    "safety:gate-today": only("gate"),
    "safety:visit-add": only("gate"),
    "safety:visit-leave": Case(
        method="post", args=lambda w: [w.visit.pk], ok={"gate": 302, "school_admin": 403}, default=404, setup=_visit
    ),
    "safety:visit-correct": Case(
        args=lambda w: [w.visit.pk], ok={"gate": 200, "school_admin": 200}, default=404, setup=_visit
    ),
    "safety:visit-paper": only("gate", *SCHOOL_ADMINS),
    "safety:gate-log": only(*SCHOOL_ADMINS),
    "safety:gate-log-export": only(*SCHOOL_ADMINS, status=302),  # no month given: back to the log with a message
    "safety:gate-sheet": only("gate", *SCHOOL_ADMINS),
    "safety:gate-photo": Case(args=lambda w: [w.collector.pk], ok={"gate": 200}, setup=_collector_with_photo),
    "safety:early-leave-depart": Case(
        method="post",
        args=lambda w: [w.early_leave.pk],
        ok={"gate": 302, "class_teacher": 403, "school_admin": 403},
        default=404,
        setup=_early_leave,
    ),
    "safety:early-leave-list": only("class_teacher"),
    "safety:early-leave-add": only("class_teacher"),
    "safety:early-leave-cancel": Case(
        method="post",
        args=lambda w: [w.early_leave.pk],
        ok={"class_teacher": 302, "school_admin": 302, "gate": 403},
        default=404,
        setup=_early_leave,
    ),
}
