"""Access rows of the public disclosure (R26). Readers of school_a's disclosures: its parents (both world parents
have a child there), its admin, its township, and the county's bureau, finance, inspector and audit. Publishing
is the school admin's alone: the other readers get 403; those who do not read the school's disclosures get 404."""

from funding.models import Disclosure

from ..conftest import ACTORS
from .cases import Case

READERS = {a: 200 for a in ("parent", "other_parent", "school_admin", "township", "bureau", "finance", "inspector")}
READERS["auditor"] = 200
REFUSED = {a: 403 for a in READERS}


def _published(world, tmp_path):
    world.disclosure = Disclosure.objects.create(
        school=world.school_a, semester=world.autumn, data=_DATA, published_by=world.school_admin
    )


_DATA = {
    "version": 1, "semester_start": "2026-09-01", "semester_end": "2027-01-20", "as_of": "2026-11-29",
    "allocated_semester": "0.00", "allocated_year": "0.00",
    "spent": {"teacher": "0.00", "staff": "0.00", "running": "0.00", "consumables": "0.00"},
    "spent_total": "0.00", "spent_year": "0.00", "balance": "0.00",
    "teacher_pay": {"total": "0.00", "teachers": 0, "lowest": None, "highest": None}, "families_charged": "0.00",
}  # fmt: skip


def _autumn_args(w):
    return [w.school_a.pk, w.autumn.pk]


MATRIX = {
    "funding:disclosure-list": Case(args=lambda w: [w.school_a.pk], ok=READERS, default=404),
    "funding:disclosure-detail": Case(args=lambda w: [w.disclosure.pk], ok=READERS, default=404, setup=_published),
    "funding:disclosure-pdf": Case(args=lambda w: [w.disclosure.pk], ok=READERS, default=404, setup=_published),
    "funding:disclosure-preview": Case(args=_autumn_args, ok={**REFUSED, "school_admin": 200}, default=404),
    # The admin's POST publishes (or, in August before the autumn starts, is refused): a redirect either way.
    "funding:disclosure-publish": Case(
        method="post", args=_autumn_args, ok={**REFUSED, "school_admin": 302}, default=404
    ),
    # Scoped: each reader sees the schools whose disclosures they read (a parent: their children's school).
    "funding:disclosure-county": Case(ok={**READERS, "other_school_admin": 200}, default=403),
}

# The public pages (issue #12 item 7): anyone, signed in or not, reads published disclosures and the county summary.
EVERYONE = {a: 200 for a in ACTORS}
MATRIX |= {
    "funding:public-disclosure-index": Case(ok=EVERYONE, anonymous=200, setup=_published),
    "funding:public-disclosure-county": Case(ok=EVERYONE, anonymous=200, setup=_published),
    "funding:public-disclosure-school": Case(args=lambda w: [w.school_a.pk], ok=EVERYONE, anonymous=200),
    "funding:public-disclosure-detail": Case(
        args=lambda w: [w.disclosure.pk], ok=EVERYONE, anonymous=200, setup=_published
    ),
    "funding:public-disclosure-pdf": Case(
        args=lambda w: [w.disclosure.pk], ok=EVERYONE, anonymous=200, setup=_published
    ),
}
