"""Incidents and campus injury insurance (R32, issue 11 §7): recorded once, never edited, followed up by appending.

incident: open --close--> closed (with a closing summary, once every child's guardian has been told)
insurance claim: not_filed --file--> filed --accept--> accepted --pay--> paid;  filed --refuse--> refused

The guardians of each child involved get a notification (kind INCIDENT) naming only their own child.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import NotificationKind, School, Student, User
from schools.services import notifications as notification_services
from xiji_afterschool import permissions, workflow
from xiji_afterschool.errors import DomainError
from xiji_afterschool.money import parse_yuan

from ..models import GuardianContact, Incident, IncidentChild, IncidentFollowUp, InsuranceClaim
from ..rules import incidents as rules

MAX_CHILDREN = 20
CLOCK_SLACK = datetime.timedelta(minutes=5)  # a phone's clock a little ahead of the server's


def _text(value, *, label: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(_("%(field)s: this field is required.") % {"field": label})
    if len(text) > max_length:
        raise DomainError(_("%(field)s: at most %(max)s characters.") % {"field": label, "max": max_length})
    return text


def _not_future(moment: datetime.datetime, *, label: str) -> None:
    if moment > timezone.now() + CLOCK_SLACK:
        raise DomainError(_("%(field)s cannot be in the future.") % {"field": label})


def _not_future_day(day: datetime.date, *, label: str) -> None:
    if day > timezone.localdate():
        raise DomainError(_("%(field)s cannot be in the future.") % {"field": label})


def _require_school(actor: User, action: str, school: School) -> None:
    """The actor holds a role that may take `action` at this school (roles anchored to a school or its class)."""
    permissions.require(actor, action)
    if not any(m.school_id == school.pk for m in permissions.memberships_for(actor, action)):
        raise PermissionDenied(action)


def _incident_url(incident: Incident) -> str:
    return reverse("safety:incident-detail", args=[incident.pk])


@transaction.atomic
def incident_record(
    *,
    actor: User,
    school: School,
    occurred_at: datetime.datetime,
    place: str,
    description: str,
    children: list[dict],
    severity: str = Incident.Severity.MINOR,
    during_service: bool = True,
    staff_present: str = "",
) -> Incident:
    """Record an incident at `school` with the children involved (each a dict: student, injury, first_aid,
    first_aid_by) and tell their guardians. The school admin, or staff of the school who were there.
    Raises PermissionDenied, DomainError."""
    _require_school(actor, "incident.record", school)
    if not isinstance(occurred_at, datetime.datetime):
        raise DomainError(_("Enter when it happened."))
    _not_future(occurred_at, label=_("When it happened"))
    if severity not in Incident.Severity.values:
        raise DomainError(_("Choose the severity."))
    if not children:
        raise DomainError(_("Name at least one child involved."))
    if len(children) > MAX_CHILDREN:
        raise DomainError(_("At most %(max)s children in one record.") % {"max": MAX_CHILDREN})
    students = [c.get("student") for c in children]
    if any(not isinstance(s, Student) or s.school_id != school.pk for s in students):
        raise DomainError(_("Each child involved must be a pupil of this school."))
    if len({s.pk for s in students}) != len(students):
        raise DomainError(_("A child is named twice."))
    incident = Incident.objects.create(
        school=school,
        occurred_at=occurred_at,
        place=_text(place, label=_("Place"), max_length=100),
        description=_text(description, label=_("What happened"), max_length=5000),
        severity=severity,
        during_service=bool(during_service),
        staff_present=_text(staff_present, label=_("Staff present"), max_length=200, required=False),
        recorded_by=actor,
    )
    rows = [
        IncidentChild(
            incident=incident,
            student=c["student"],
            injury=_text(c.get("injury"), label=_("Injury"), max_length=300),
            first_aid=_text(c.get("first_aid"), label=_("First aid given"), max_length=300, required=False),
            first_aid_by=_text(c.get("first_aid_by"), label=_("First aid given by"), max_length=50, required=False),
        )
        for c in children
    ]
    IncidentChild.objects.bulk_create(rows)
    workflow.start(incident, actor=actor, action="record")
    when = timezone.localtime(occurred_at).strftime("%Y-%m-%d %H:%M")
    for row in rows:
        # Each family hears about its own child only: no other child's name in the text.
        notification_services.notify_guardians(
            student=row.student,
            kind=NotificationKind.INCIDENT,
            title=_("%(name)s was involved in an incident at school") % {"name": row.student.name},
            body=_("%(when)s, %(place)s: %(injury)s. First aid: %(aid)s")
            % {"when": when, "place": incident.place, "injury": row.injury, "aid": row.first_aid or "—"},
            url=_incident_url(incident),
            key=f"incident-{incident.pk}-{row.student_id}",
        )
    return incident


def _check_child(incident: Incident, child: IncidentChild | None) -> None:
    if child is not None and child.incident_id != incident.pk:
        raise DomainError(_("That child is not involved in this incident."))


@transaction.atomic
def incident_follow_up(
    *,
    actor: User,
    incident: Incident,
    note: str,
    date: datetime.date,
    kind: str = IncidentFollowUp.Kind.NOTE,
    child: IncidentChild | None = None,
) -> IncidentFollowUp:
    """Append a follow-up (or a correction, carrying the corrected text) to an incident, open or closed. The school
    admin, or the member of staff who recorded it. Raises PermissionDenied, DomainError."""
    permissions.require(actor, "incident.follow_up", incident)
    if kind not in IncidentFollowUp.Kind.values:
        raise DomainError(_("Choose whether this is a follow-up or a correction."))
    if not isinstance(date, datetime.date):
        raise DomainError(_("Enter the date."))
    _not_future_day(date, label=_("The date"))
    if date < timezone.localtime(incident.occurred_at).date():
        raise DomainError(_("A follow-up cannot be dated before the incident."))
    _check_child(incident, child)
    follow_up = IncidentFollowUp.objects.create(
        incident=incident,
        child=child,
        kind=kind,
        date=date,
        note=_text(note, label=_("Note"), max_length=3000),
        by=actor,
    )
    workflow.log(incident, "correction" if kind == IncidentFollowUp.Kind.CORRECTION else "follow_up", actor=actor)
    return follow_up


@transaction.atomic
def incident_tell_guardian(
    *, actor: User, child: IncidentChild, told_at: datetime.datetime, how: str, guardian_name: str, note: str = ""
) -> GuardianContact:
    """Record that a guardian of one child involved was told: when, how (电话/当面/短信) and by whom (the actor).
    Raises PermissionDenied, DomainError."""
    incident = child.incident
    permissions.require(actor, "incident.follow_up", incident)
    if how not in GuardianContact.How.values:
        raise DomainError(_("Choose how the guardian was told."))
    if not isinstance(told_at, datetime.datetime):
        raise DomainError(_("Enter when the guardian was told."))
    _not_future(told_at, label=_("When the guardian was told"))
    if told_at < incident.occurred_at:
        raise DomainError(_("The guardian cannot have been told before the incident happened."))
    contact = GuardianContact.objects.create(
        child=child,
        told_at=told_at,
        how=how,
        guardian_name=_text(guardian_name, label=_("Guardian told"), max_length=50),
        note=_text(note, label=_("Note"), max_length=200, required=False),
        told_by=actor,
    )
    workflow.log(incident, "guardian_told", actor=actor, note=contact.get_how_display())
    return contact


@transaction.atomic
def incident_close(*, actor: User, incident: Incident, summary: str) -> Incident:
    """Close the incident with a summary of how it ended; every child's guardian must have been told first.
    The school admin. Raises PermissionDenied, DomainError, TransitionNotAllowed."""
    permissions.require(actor, "incident.close", incident)
    summary = _text(summary, label=_("Closing summary"), max_length=3000)
    untold = incident.children.filter(contacts__isnull=True).select_related("student")
    if untold:
        raise DomainError(
            _("Record first how the guardians were told of: %(names)s.")
            % {"names": "、".join(c.student.name for c in untold)}
        )
    workflow.transition(
        incident, "close", actor=actor, closing_summary=summary, closed_at=timezone.now(), closed_by=actor
    )
    return incident


# ---------------------------------------------------------------- insurance


def _amount(value, *, label: str) -> Decimal:
    amount = parse_yuan(value)
    if amount <= 0:
        raise DomainError(_("%(field)s must be more than ¥0.00.") % {"field": label})
    return amount


def _decision_day(claim: InsuranceClaim, day, *, label: str) -> datetime.date:
    if not isinstance(day, datetime.date):
        raise DomainError(_("Enter the date."))
    _not_future_day(day, label=label)
    if day < timezone.localtime(claim.incident.occurred_at).date():
        raise DomainError(_("%(field)s cannot be before the incident.") % {"field": label})
    return day


@transaction.atomic
def insurance_open(*, actor: User, incident: Incident, policy: str, insurer: str, policy_no: str) -> InsuranceClaim:
    """Record the incident's insurance (which policy, insurer, policy no.): a claim not yet filed. The school
    admin; one per incident. Raises PermissionDenied, DomainError."""
    permissions.require(actor, "insurance.manage", incident)
    if policy not in InsuranceClaim.Policy.values:
        raise DomainError(_("Choose the insurance."))
    try:
        with transaction.atomic():
            claim = InsuranceClaim.objects.create(
                incident=incident,
                policy=policy,
                insurer=_text(insurer, label=_("Insurer"), max_length=60),
                policy_no=_text(policy_no, label=_("Policy no."), max_length=40),
                created_by=actor,
            )
    except IntegrityError:
        raise DomainError(_("This incident's insurance has been recorded already.")) from None
    workflow.start(claim, actor=actor, action="open")
    return claim


@transaction.atomic
def insurance_file(*, actor: User, claim: InsuranceClaim, filed_on: datetime.date, amount_claimed) -> InsuranceClaim:
    """The claim was filed with the insurer for `amount_claimed`. Raises PermissionDenied, DomainError."""
    permissions.require(actor, "insurance.manage", claim.incident)
    filed_on = _decision_day(claim, filed_on, label=_("Filed on"))
    amount = _amount(amount_claimed, label=_("Amount claimed"))
    workflow.transition(claim, "file", actor=actor, filed_on=filed_on, amount_claimed=amount)
    return claim


@transaction.atomic
def insurance_accept(*, actor: User, claim: InsuranceClaim, decided_on: datetime.date) -> InsuranceClaim:
    """The insurer accepted the claim. Raises PermissionDenied, DomainError."""
    permissions.require(actor, "insurance.manage", claim.incident)
    decided_on = _decision_day(claim, decided_on, label=_("Decided on"))
    if claim.filed_on and decided_on < claim.filed_on:
        raise DomainError(_("The insurer cannot decide before the claim was filed."))
    workflow.transition(claim, "accept", actor=actor, decided_on=decided_on)
    return claim


@transaction.atomic
def insurance_refuse(*, actor: User, claim: InsuranceClaim, decided_on: datetime.date, reason: str) -> InsuranceClaim:
    """The insurer refused the claim, for `reason`. Raises PermissionDenied, DomainError."""
    permissions.require(actor, "insurance.manage", claim.incident)
    decided_on = _decision_day(claim, decided_on, label=_("Decided on"))
    if claim.filed_on and decided_on < claim.filed_on:
        raise DomainError(_("The insurer cannot decide before the claim was filed."))
    reason = _text(reason, label=_("Why refused"), max_length=200)
    workflow.transition(claim, "refuse", actor=actor, note=reason, decided_on=decided_on, refusal_reason=reason)
    return claim


@transaction.atomic
def insurance_pay(*, actor: User, claim: InsuranceClaim, paid_on: datetime.date, amount_paid) -> InsuranceClaim:
    """The insurer paid `amount_paid` (more than nothing, at most what was claimed). Raises PermissionDenied,
    DomainError."""
    permissions.require(actor, "insurance.manage", claim.incident)
    paid_on = _decision_day(claim, paid_on, label=_("Paid on"))
    if claim.decided_on and paid_on < claim.decided_on:
        raise DomainError(_("The insurer cannot pay before accepting the claim."))
    amount = _amount(amount_paid, label=_("Amount paid"))
    if claim.amount_claimed is not None and amount > claim.amount_claimed:
        raise DomainError(_("The insurer cannot pay more than was claimed."))
    workflow.transition(claim, "pay", actor=actor, paid_on=paid_on, amount_paid=amount)
    return claim


COMPENSATION_STATUSES = {InsuranceClaim.Status.NOT_FILED, InsuranceClaim.Status.PAID, InsuranceClaim.Status.REFUSED}


@transaction.atomic
def insurance_compensation(
    *, actor: User, claim: InsuranceClaim, total, shares: dict, other_party: str = ""
) -> InsuranceClaim:
    """Record how the compensation was shared (insurer / school / other party / family); the shares add up to the
    total to the fen and the insurer's share is what it paid. Once the insurer has decided (or when no claim is
    filed); recorded again, the new split replaces the old and both stay in the history.
    Raises PermissionDenied, DomainError."""
    permissions.require(actor, "insurance.manage", claim.incident)
    claim = InsuranceClaim.objects.select_for_update().select_related("incident").get(pk=claim.pk)
    if claim.status not in COMPENSATION_STATUSES:
        raise DomainError(_("Record how the compensation was shared once the insurer has paid or refused."))
    total = parse_yuan(total)
    cleaned = {name: parse_yuan(shares.get(name) if shares.get(name) is not None else "0") for name in rules.SHARES}
    rules.check_compensation(total=total, shares=cleaned, insurer_paid=claim.amount_paid)
    other_party = _text(other_party, label=_("Other party"), max_length=60, required=False)
    if cleaned["share_other_party"] > 0 and not other_party:
        raise DomainError(_("Name the other party who pays a share."))
    for name, value in cleaned.items():
        setattr(claim, name, value)
    claim.compensation_total = total
    claim.other_party = other_party
    claim.save(update_fields=[*rules.SHARES, "compensation_total", "other_party", "updated_at"])
    note = " / ".join(f"{InsuranceClaim._meta.get_field(n).verbose_name} {cleaned[n]}" for n in rules.SHARES)
    workflow.log(claim, "compensation", actor=actor, note=f"{total}: {note}")
    return claim
