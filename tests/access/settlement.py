"""Access rows of the year-end settlement (决算): school_a's settlement for the world's school year."""

from decimal import Decimal

from funding.models import Settlement

from .cases import Case, only

# Who reads school_a's money records; everyone else is outside that scope for the action (404).
READERS = {a: 200 for a in ("school_admin", "bureau", "finance", "inspector", "auditor")}
READERS_REFUSED = {a: 403 for a in ("school_admin", "bureau", "finance", "inspector", "auditor")}


def _settlement(world, tmp_path):
    world.settlement = Settlement.objects.create(
        school=world.school_a, school_year=world.school_year, delivered_class_hours=Decimal("0.0"),
        delivered_amount=Decimal("0.00"), allocated_amount=Decimal("0.00"), difference=Decimal("0.00"),
        outcome=Settlement.Outcome.BALANCED, filed_by=world.school_admin,
    )  # fmt: skip


def school_a_year(w):
    return [w.school_a.pk, w.school_year.pk]


MATRIX = {
    "funding:settlement-list": only("school_admin", "other_school_admin", "bureau", "finance", "inspector", "auditor"),
    "funding:settlement-detail": Case(args=school_a_year, ok=READERS, default=404),
    # Filing before the year has ended is refused with a message: still a redirect for the school's admin.
    "funding:settlement-file": Case(
        method="post", args=school_a_year, ok={**READERS_REFUSED, "school_admin": 302}, default=404
    ),
    "funding:settlement-confirm": Case(
        method="post",
        args=lambda w: [w.settlement.pk],
        ok={**READERS_REFUSED, "finance": 302},
        default=404,
        setup=_settlement,
    ),
}
