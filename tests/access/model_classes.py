"""Access rows of the model custody classes (R36): a proposed model class of school_a for the world's school year.

The county (bureau, finance, inspector, auditor, leadership) reads every school's, school_a's admin their own;
everyone else is outside the scope (404). Only the bureau proposes, recognises and revokes.
"""

from decimal import Decimal

from funding.services import model_classes as services
from schools.models import ServiceClass

from .cases import Case, only

READERS = ("school_admin", "bureau", "finance", "inspector", "auditor", "leadership")


def _proposed(world, tmp_path):
    service_class = ServiceClass.objects.create(
        school=world.school_a, school_year=world.school_year, name="示范班", activity="homework",
        teacher=world.service_teacher, capacity=40, created_by=world.school_admin,
    )  # fmt: skip
    world.model_class = services.model_class_propose(
        actor=world.bureau, service_class=service_class, school_year=world.school_year, criteria=["safety"],
        grant_amount=Decimal("5000.00"),
    )  # fmt: skip


def _decision(status: int):
    """A POST on the model class: the bureau `status`, the other readers 403, everyone else 404."""
    ok = {a: 403 for a in READERS} | {"bureau": status}
    return Case(method="post", args=lambda w: [w.model_class.pk], ok=ok, default=404, setup=_proposed)


MATRIX = {
    "funding:model-class-list": only(*READERS, "other_school_admin"),
    "funding:model-class-propose": only("bureau"),
    "funding:model-class-detail": Case(
        args=lambda w: [w.model_class.pk], ok={a: 200 for a in READERS}, default=404, setup=_proposed
    ),
    "funding:model-class-recognise": _decision(302),
    "funding:model-class-revoke": _decision(302),
}
