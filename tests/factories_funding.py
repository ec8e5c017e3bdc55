"""Funding factories that reach a state the way people do: through the services, one step after the other.

`claim(school, year, status="allocated")` starts the school's annual claim (its administrator), submits it, passes
the bureau's first review, has finance approve it and allocate it (booking it into the school's fund): three
different people, as R23 wants. The amount is what the services count from the year's calendar and the rate in
force (the `rate` fixture), so a test needing a chosen amount, lines or dates builds the claim itself
(tests/funding/builders_settlement.py and builders_disclosure.py `claim`, the `funded` fixture).

The steps themselves are tests/funding/builders_claims.py's (draft, submitted, returned, passed, approved,
allocated), which the claim tests use with the world's people; this factory gives them a school's own people.
"""

import itertools
from types import SimpleNamespace

from funding.models import Claim
from schools.models import Membership, Role

from .factories import user_with_role
from .funding import builders_claims as steps

S = Claim.Status

# The events each status's history shows, in order (tests/test_factories.py checks them).
STEPS = {
    S.DRAFT: (),
    S.SUBMITTED: ("submit",),
    S.RETURNED: ("submit", "return"),
    S.PASSED: ("submit", "pass"),
    S.APPROVED: ("submit", "pass", "approve"),
    S.ALLOCATED: ("submit", "pass", "approve", "allocate"),
}
_vouchers = itertools.count(1)
REACH = {
    S.SUBMITTED: steps.submitted,
    S.RETURNED: steps.returned,
    S.PASSED: steps.passed,
    S.APPROVED: steps.approved,
    S.ALLOCATED: steps.allocated,
}


def _someone(role: str, **anchor):
    membership = Membership.objects.filter(role=role, **anchor).select_related("user").order_by("pk").first()
    return membership.user if membership else user_with_role(role, **anchor)


def claim(school, school_year, *, status: str = S.ALLOCATED, classes=None, amount=None, voucher_no=None) -> Claim:
    """The school's annual claim for `school_year` in `status`, reached through the services by the step builders of
    tests/funding/builders_claims.py (one implementation of the steps).

    `classes` ({stage: number of service classes}, default 2 of each of the school's stages) is what the school
    claims for; `amount` is what finance approves (default: all of it). The school's first administrator, the
    county's first bureau officer and first finance officer act (made if there are none).
    """
    people = SimpleNamespace(
        school_a=school,
        school_year=school_year,
        school_admin=_someone(Role.SCHOOL_ADMIN, school=school),
        bureau=_someone(Role.BUREAU),
        finance=_someone(Role.FINANCE),
    )
    made = steps.draft(people, classes=classes or dict.fromkeys(school.stages, 2))
    if status in (S.APPROVED, S.ALLOCATED):
        approve = {"amount": amount, "reason": "" if amount in (None, made.requested_amount) else "按实际班数核减"}
        if status == S.ALLOCATED:
            approve["voucher"] = voucher_no or f"XJCZ-F-{next(_vouchers):05d}"
        made = REACH[status](people, made, **approve)
    elif status != S.DRAFT:
        made = REACH[status](people, made)
    made.refresh_from_db()
    assert made.status == status, (made.status, status)
    return made
