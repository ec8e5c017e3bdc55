"""Funding factories that reach a state the way people do: through the services, one step after the other.

`claim(school, year, status="allocated")` starts the school's annual claim (its administrator), submits it, passes
the bureau's first review, has finance approve it and allocate it (booking it into the school's fund): three
different people, as R23 wants. The amount is what the services count from the year's calendar and the rate in
force (the `rate` fixture), so a test needing a chosen amount, lines or dates builds the claim itself
(tests/funding/builders_settlement.py and builders_disclosure.py `claim`, the `funded` fixture).

tests/funding/builders_claims.py keeps the step-by-step builders (draft, submitted, passed, approved, allocated)
the claim tests use with the world's people.
"""

import itertools

from django.utils import timezone

from funding.models import Claim
from funding.services import claims as claims_services
from schools.models import Membership, Role

from .factories import user_with_role

S = Claim.Status

# The services that lead to each status, in order.
STEPS = {
    S.DRAFT: (),
    S.SUBMITTED: ("submit",),
    S.RETURNED: ("submit", "return"),
    S.PASSED: ("submit", "pass"),
    S.APPROVED: ("submit", "pass", "approve"),
    S.ALLOCATED: ("submit", "pass", "approve", "allocate"),
}
_vouchers = itertools.count(1)


def _someone(role: str, **anchor):
    membership = Membership.objects.filter(role=role, **anchor).select_related("user").order_by("pk").first()
    return membership.user if membership else user_with_role(role, **anchor)


def claim(school, school_year, *, status: str = S.ALLOCATED, classes=None, amount=None, voucher_no=None) -> Claim:
    """The school's annual claim for `school_year` in `status`, reached through the services.

    `classes` ({stage: number of service classes}, default 2 of each of the school's stages) is what the school
    claims for; `amount` is what finance approves (default: all of it). The school's first administrator, the
    county's first bureau officer and first finance officer act (made if there are none).
    """
    admin = _someone(Role.SCHOOL_ADMIN, school=school)
    made = claims_services.claim_create(
        actor=admin, school=school, school_year=school_year, classes=classes or dict.fromkeys(school.stages, 2)
    )
    for step in STEPS[status]:
        if step == "submit":
            made = claims_services.claim_submit(actor=admin, claim=made)
        elif step == "return":
            made = claims_services.claim_return(actor=_someone(Role.BUREAU), claim=made, note="请核对班数")
        elif step == "pass":
            made = claims_services.claim_pass(actor=_someone(Role.BUREAU), claim=made)
        elif step == "approve":
            approved = made.requested_amount if amount is None else amount
            reason = "" if approved == made.requested_amount else "按实际班数核减"
            made = claims_services.claim_approve(
                actor=_someone(Role.FINANCE), claim=made, amount=approved, reason=reason
            )
        elif step == "allocate":
            made = claims_services.claim_allocate(
                actor=_someone(Role.FINANCE), claim=made, allocated_on=timezone.localdate(),
                voucher_no=voucher_no or f"XJCZ-F-{next(_vouchers):05d}",
            )  # fmt: skip
    made.refresh_from_db()
    assert made.status == status, (made.status, status)
    return made
