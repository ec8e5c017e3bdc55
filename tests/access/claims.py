"""Access rows of the subsidy standard and the claims (R22, R23).

A draft annual claim of school_a is built for the claim pages. Who sees claims at all: school_a's admin (their
own), the bureau, finance, the inspector and the auditor; everyone else gets 404 on a claim (outside their
scope), and other_school_admin sees only school_b's. Inside the scope without the right: 403. A permitted POST
always redirects (302) — with a message when the claim is in the wrong state or the form is empty.
"""

import datetime
from decimal import Decimal

from funding.services import claims as services
from schools.models import CountySettings, SubsidyRate

from .cases import Case, only

MONEY_READERS = ("school_admin", "other_school_admin", "bureau", "finance", "inspector", "auditor")
COUNTY = ("bureau", "finance", "inspector", "auditor")


def _draft_claim(world, tmp_path):
    CountySettings.objects.update_or_create(pk=1, defaults={"class_hours_per_day": 2})
    SubsidyRate.objects.get_or_create(effective_from=datetime.date(2021, 9, 1), defaults={"amount": Decimal("30.00")})
    world.claim = services.claim_create(
        actor=world.school_admin, school=world.school_a, school_year=world.school_year, classes={"primary": 3}
    )


def _claim_case(method: str, allowed: str, status: int):
    """A claim page: `allowed` gets `status`; the other readers of school_a's claims 403; everyone else 404."""
    readers = {"school_admin", *COUNTY}
    ok = {actor: 403 for actor in readers} | {allowed: status}
    return Case(method=method, args=lambda w: [w.claim.pk], ok=ok, default=404, setup=_draft_claim)


MATRIX = {
    "funding:rate-list": only(*MONEY_READERS),
    "funding:claim-list": only(*MONEY_READERS),
    "funding:claim-export": only(*MONEY_READERS),
    "funding:claim-detail": Case(
        args=lambda w: [w.claim.pk], ok={a: 200 for a in ("school_admin", *COUNTY)}, default=404, setup=_draft_claim
    ),
    "funding:claim-start": Case(
        method="post",
        args=lambda w: [w.school_a.pk],
        ok={"school_admin": 302, **{a: 403 for a in COUNTY}},
        default=404,
    ),
    "funding:claim-edit": _claim_case("get", "school_admin", 200),
    "funding:claim-supplementary-start": _claim_case("post", "school_admin", 302),
    "funding:claim-submit": _claim_case("post", "school_admin", 302),
    "funding:claim-pass": _claim_case("post", "bureau", 302),
    "funding:claim-return": _claim_case("post", "bureau", 302),
    "funding:claim-finance-return": _claim_case("post", "finance", 302),
    "funding:claim-approve": _claim_case("post", "finance", 302),
    "funding:claim-allocate": _claim_case("post", "finance", 302),
}
