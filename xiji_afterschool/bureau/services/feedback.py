"""Feedback (意见建议与投诉, R33, R37): sending it (anyone, no account needed; throttled per address), routing it,
answering, referring a fee complaint to market supervision (市场监管局) and closing it. Every step is an event."""

import datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import CalendarDay, School, User
from xiji_afterschool import permissions, workflow
from xiji_afterschool.errors import DomainError

from ..models import Feedback
from ..rules import feedback as rules


class TooManySubmissions(DomainError):
    """The sender's address (or account) has sent THROTTLE_LIMIT messages within the hour."""


def _throttle_key(*, actor, address: str | None) -> str:
    if actor is not None and getattr(actor, "is_authenticated", False):
        return f"feedback:user:{actor.pk}"
    return f"feedback:addr:{address or 'unknown'}"


def _take_a_slot(key: str) -> None:
    """Count one submission for `key`; refuse beyond the limit. add + incr are atomic in Redis and locmem, so a
    hundred posts at once from one address still get at most THROTTLE_LIMIT through."""
    cache.add(key, 0, timeout=rules.THROTTLE_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=rules.THROTTLE_SECONDS)
        count = 1
    if count > rules.THROTTLE_LIMIT:
        raise TooManySubmissions(
            _("Too many messages from your connection in the last hour. Please try again later, or call the school.")
        )


def _deadline(received):
    days = CalendarDay.objects.filter(date__gt=received, date__lte=received + datetime.timedelta(days=40))
    holidays = frozenset(d.date for d in days if d.kind != CalendarDay.Kind.MAKEUP_WORKDAY)
    workdays = frozenset(d.date for d in days if d.kind == CalendarDay.Kind.MAKEUP_WORKDAY)
    return rules.answer_deadline(received, holidays=holidays, workdays=workdays)


@transaction.atomic
def feedback_submit(
    *,
    actor: User | None,
    address: str | None,
    kind: str,
    sender: str,
    theme: str,
    text: str,
    school: School | None = None,
    name: str = "",
    mobile: str = "",
) -> Feedback:
    """Anyone sends feedback (R33): no account and no policy action needed — the form is public. A signed-in
    sender's account is kept so it lists under their account. Routed at once (rules.handler_for) and given its answer
    deadline. Raises TooManySubmissions beyond THROTTLE_LIMIT an hour per address (or account), DomainError on bad
    input (the model's validation, e.g. the mobile rule)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    _take_a_slot(_throttle_key(actor=actor, address=address))
    if kind == Feedback.Kind.FEE_COMPLAINT:  # R37: a fee complaint is about fees, whatever theme was picked
        theme = Feedback.Theme.FEES
    today = timezone.localdate()
    feedback = Feedback(
        kind=kind,
        sender=sender,
        theme=theme,
        text=text.strip(),
        school=school,
        name=name.strip(),
        mobile=mobile,
        submitted_by=actor,
        handler=rules.handler_for(kind=kind, has_school=school is not None),
        due_on=_deadline(today),
        code=rules.new_code(),
    )
    try:
        feedback.full_clean(exclude=["code"])
    except ValidationError as exc:  # the form normally catches these first
        raise DomainError(" ".join(exc.messages)) from None
    for _attempt in range(3):  # a clash of two random codes is vanishingly rare; try another
        try:
            with transaction.atomic():
                feedback.save()
            break
        except IntegrityError:
            feedback.pk, feedback.code = None, rules.new_code()
    else:
        raise DomainError(_("The message could not be saved. Please send it again."))
    # An anonymous sender is no account: the system records the receipt and the routing on their behalf.
    who = {"actor": actor} if actor else {"actor": None, "system": True}
    workflow.start(feedback, action="submit", **who)
    # The note names the school it went to (a proper name reads the same in every language); the handler field
    # says the bureau otherwise. Words are made when shown, so a sentence is not stored here.
    routed = school.name if feedback.handler == Feedback.Handler.SCHOOL else ""
    workflow.transition(feedback, "assign", actor=None, system=True, note=routed)
    return feedback


@transaction.atomic
def feedback_answer(*, actor: User, feedback: Feedback, answer: str) -> Feedback:
    """The school's administrator (what is routed to the school) or the bureau answers; the time is recorded.
    Raises PermissionDenied, DomainError (no text), TransitionNotAllowed (already answered, or a race)."""
    permissions.require(actor, "feedback.answer", feedback)
    answer = (answer or "").strip()
    if not answer:
        raise DomainError(_("Write the answer the sender will read."))
    workflow.transition(
        feedback, "answer", actor=actor, note=answer, answer=answer, answered_at=timezone.now(), answered_by=actor
    )
    return feedback


@transaction.atomic
def feedback_refer(*, actor: User, feedback: Feedback, note: str) -> Feedback:
    """The bureau refers a fee complaint to the market supervision bureau (市场监管局, which checks fees), recording
    what was sent and when. Only fee complaints; raises PermissionDenied, DomainError, TransitionNotAllowed."""
    permissions.require(actor, "feedback.refer", feedback)
    if feedback.kind != Feedback.Kind.FEE_COMPLAINT:
        raise DomainError(_("Only a complaint about a fee is referred to market supervision."))
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Record what was referred: the reference number or the letter sent."))
    workflow.transition(feedback, "refer", actor=actor, note=note, referral_note=note, referred_at=timezone.now())
    return feedback


@transaction.atomic
def feedback_close(*, actor: User, feedback: Feedback, note: str = "") -> Feedback:
    """Whoever may answer closes an answered message. Raises PermissionDenied, TransitionNotAllowed."""
    permissions.require(actor, "feedback.close", feedback)
    workflow.transition(feedback, "close", actor=actor, note=(note or "").strip())
    return feedback
