"""Parent accounts: register with a mobile number proved by an SMS code, link a child with the code from the Letter
to Parents.

Registration (issue 14): the number is proved by a one-time code (schools.services.verification), so the account's
mobile is verified at once, and the school's roster guardian with that number (if it has no account yet) becomes the
account's at once: that guardian's children appear on the parent's home with no link code. The link code stays for
parents whose number the school does not hold (or holds another one).
"""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import Guardian, Membership, MobileCode, Role, Student, StudentGuardian, User
from schools.rules import accounts as accounts_rules
from schools.rules import roster as roster_rules
from schools.services import audit as audit_services
from schools.services import verification as verification_services
from xiji_afterschool import crypto, permissions
from xiji_afterschool.errors import DomainError

# Guessing link codes: at most this many wrong codes per account per window (the code space is 31^8).
LINK_FAILURE_LIMIT = 10
LINK_FAILURE_WINDOW_SECONDS = 3600


def _already_registered() -> DomainError:
    # Only the holder of the number reads this (it follows a code sent to that number).
    return DomainError(
        _("This mobile number is already registered. Please sign in; if you forgot the password, recover it by SMS.")
    )


def parent_register(*, mobile: str, code: str, full_name: str, password: str) -> tuple[User, list[Student]]:
    """Anyone (the public page): create a parent account (username derived from the mobile's digest, mobile verified now) with the parent role,
    using the code sent to that mobile; attach the school's roster guardian with this number if it has no account.

    The code is used first, in its own transaction (a wrong code is counted even though nothing is created).
    Returns the account and the children it was linked to. Raises DomainError (wrong or expired code, number invalid or
    already registered)."""
    mobile = roster_rules.normalize_mobile(mobile)
    try:
        roster_rules.validate_mobile(mobile)
    except ValidationError:  # the form has already checked; a direct caller gets a readable refusal
        raise DomainError(_("Enter an 11-digit mainland mobile number starting with 13–19.")) from None
    full_name = roster_rules.normalize_name(full_name)
    try:
        roster_rules.validate_name(full_name)
    except ValidationError as exc:
        raise DomainError(exc.messages[0]) from None
    verification_services.code_consume(mobile=mobile, purpose=MobileCode.Purpose.REGISTER, code=code)
    return _create_parent(mobile=mobile, full_name=full_name, password=password)


@transaction.atomic
def _create_parent(*, mobile: str, full_name: str, password: str) -> tuple[User, list[Student]]:
    if verification_services.has_account(mobile):
        raise _already_registered()
    user = User(
        username=crypto.parent_username(mobile),
        mobile=mobile,
        full_name=full_name.strip(),
        mobile_verified_at=timezone.now(),
    )
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # registered in the same instant
        raise _already_registered() from None
    Membership.objects.create(user=user, role=Role.PARENT)
    guardian = Guardian.objects.by_mobile(mobile).select_for_update().filter(user__isnull=True).first()
    if guardian is None:
        return user, []
    _attach(guardian, user)
    students = Student.objects.filter(guardian_links__guardian=guardian).order_by("name", "pk")
    return user, list(students)


def _attach(guardian: Guardian, user: User) -> None:
    """The school's roster record of this guardian becomes the account's: its children (StudentGuardian links) are
    the parent's from now on. The one place that attaches a roster guardian (registration and `child_link`)."""
    guardian.user = user
    guardian.save(update_fields=["user", "updated_at"])


def _failure_key(user) -> str:
    return f"child-link-fail:{accounts_rules.pseudonym(str(user.pk))}"


def link_failures(user) -> int:
    return cache.get(_failure_key(user)) or 0


def _record_link_failure(user) -> None:
    key = _failure_key(user)
    cache.add(key, 0, timeout=LINK_FAILURE_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=LINK_FAILURE_WINDOW_SECONDS)


def _guardian_for(user, student: Student) -> tuple[Guardian, bool]:
    """The account's guardian record. The school's roster record with the same mobile becomes the account's only
    when it is a guardian of the child whose code was entered: the code proves the letter reached this family, the
    matching mobile proves it is this guardian. Otherwise a typed mobile could open another family's children."""
    guardian = Guardian.objects.filter(user=user).first()
    if guardian:
        return guardian, False
    if not user.mobile:
        raise DomainError(_("Your account has no mobile number, so it cannot be linked to a child. Ask the school."))
    by_mobile = Guardian.objects.by_mobile(user.mobile).select_for_update().first()
    if by_mobile is not None:
        if by_mobile.user_id not in (None, user.pk) or not by_mobile.student_links.filter(student=student).exists():
            raise DomainError(_("Your mobile number is on file for another family. Please ask the school to link you."))
        _attach(by_mobile, user)
        return by_mobile, True
    return Guardian.objects.create(name=user.full_name or user.username, mobile=user.mobile, user=user), False


@transaction.atomic
def child_link(*, actor, code: str, relation: str) -> Student:
    """Link a child to the parent's account with the code from the Letter to Parents.

    Creates the parent's Guardian record if needed and a StudentGuardian. Several children per parent and several
    guardians per child are fine. Wrong codes are counted per account: after LINK_FAILURE_LIMIT in an hour even a
    right code is refused until the hour is over. Raises PermissionDenied, DomainError.
    """
    permissions.require(actor, "child.link")
    if link_failures(actor) >= LINK_FAILURE_LIMIT:
        raise DomainError(
            _("Too many wrong codes. Please wait an hour and try again, or ask the class teacher to link your child.")
        )
    if relation not in StudentGuardian.Relation.values:
        raise DomainError(_("Please choose your relation to the child."))
    code = "".join((code or "").split()).replace("-", "").upper()
    student = Student.objects.filter(link_code=code).first() if len(code) == 8 else None
    if student is None:
        _record_link_failure(actor)
        raise DomainError(
            _("No child has this code. Please check the 8 characters on the letter (there is no 0, O, 1, I or L).")
        )
    guardian, attached = _guardian_for(actor, student)
    if attached:  # the school's own record of this guardian: its links (this child included) are now the account's
        _audit_link(actor=actor, student=student, guardian=guardian, relation=relation, note="guardian attached")
        return student
    if StudentGuardian.objects.filter(student=student, guardian=guardian).exists():
        raise DomainError(_("%(name)s is already linked to your account.") % {"name": student.name})
    is_first = not StudentGuardian.objects.filter(student=student).exists()
    try:
        with transaction.atomic():
            StudentGuardian.objects.create(student=student, guardian=guardian, relation=relation, is_primary=is_first)
    except IntegrityError:  # the same link, submitted twice at once
        raise DomainError(_("%(name)s is already linked to your account.") % {"name": student.name}) from None
    _audit_link(actor=actor, student=student, guardian=guardian, relation=relation)
    return student


def _audit_link(*, actor, student: Student, guardian: Guardian, relation: str, note: str = "") -> None:
    audit_services.record(
        action="child.link",
        obj=student,
        actor=actor,
        school=student.school_id,
        changes={"guardian": [None, guardian.pk], "account": [None, actor.pk], "relation": [None, relation]},
        note=note,
    )
