"""Passwords (issue 13 §2): one's own change, and resets without a superuser, each recorded; a parent's recovery by
an SMS code (issue 14)."""

import logging

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..models import MobileCode, PasswordReset, Role, User
from ..rules import passwords as rules
from ..rules import roster as roster_rules
from . import audit as audit_services
from . import verification as verification_services

log = logging.getLogger("xiji.auth")


@transaction.atomic
def change_own_password(*, user: User, old_password: str, new_password: str) -> None:
    """The signed-in person replaces their password; clears must_change_password. Refused: a wrong current
    password, a new one that breaks a rule (Chinese messages), or the same as the current one."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password):
        raise DomainError(_("Your current password is not correct."))
    if old_password == new_password:
        raise DomainError(_("The new password must differ from the current one."))
    try:
        password_validation.validate_password(new_password, user=user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_services.record(action="password.change", obj=user, actor=user, school=None)
    log.info("password changed user_id=%s", user.pk)


@transaction.atomic
def reset_password(*, actor: User, user: User) -> str:
    """A school administrator resets the password of a teacher (class teacher, after-school teacher, volunteer,
    gate keeper, care staff) of their school; the bureau resets a school administrator's. Returns the one-time
    temporary password, to be shown once to the resetter; the person must replace it at the next sign-in.
    Refused (PermissionDenied, a 404 to the views) for anyone else; a DomainError for one's own account."""
    if user.pk == actor.pk:
        raise DomainError(_("Change your own password on the change-password page."))
    permissions.require(actor, "password.reset", user)
    user = User.objects.select_for_update().get(pk=user.pk)
    temporary = rules.temporary_password()
    user.set_password(temporary)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    # Which of the actor's roles reset it: the school administrator of one of the person's schools, else the bureau.
    staff_schools = set(user.memberships.values_list("school_id", flat=True))
    school_id = next(
        (
            m.school_id
            for m in permissions.memberships_for(actor, "password.reset")
            if m.role == Role.SCHOOL_ADMIN and m.school_id in staff_schools
        ),
        None,
    )
    PasswordReset.objects.create(
        user=user,
        reset_by=actor,
        role=Role.SCHOOL_ADMIN if school_id else Role.BUREAU,
        school_id=school_id,
    )
    audit_services.record(action="password.reset", obj=user, actor=actor, school=school_id)
    log.info("password reset user_id=%s by user_id=%s", user.pk, actor.pk)
    return temporary


def recover_password(*, mobile: str, code: str, new_password: str) -> User:
    """Anyone (the public recovery page) holding the code sent to a parent account's number sets a new password
    (issue 14). Staff are not served here (their administrator resets theirs). The code is used first, in its own
    transaction; the password rules are then checked against the account (a refusal then needs a new code, which
    is rare: the form has checked them against the number already). Other sessions of the account end (the password
    hash changes). Failed sign-ins counted by django-axes are left as they are: a lock runs out by itself.
    Raises DomainError (wrong or expired code — the same for a number without an account —, a rule broken)."""
    mobile = roster_rules.normalize_mobile(mobile)
    verification_services.code_consume(mobile=mobile, purpose=MobileCode.Purpose.RECOVER, code=code)
    return _set_recovered_password(mobile=mobile, new_password=new_password)


@transaction.atomic
def _set_recovered_password(*, mobile: str, new_password: str) -> User:
    found = verification_services.recoverable_user(mobile)
    if found is None:  # the account changed since the code was sent
        raise DomainError(str(verification_services.CODE_REFUSED))
    user = User.objects.select_for_update().get(pk=found.pk)
    try:
        password_validation.validate_password(new_password, user=user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error
    user.set_password(new_password)
    user.must_change_password = False
    user.mobile_verified_at = user.mobile_verified_at or timezone.now()
    user.save(update_fields=["password", "must_change_password", "mobile_verified_at"])
    log.info("password recovered by SMS user_id=%s", user.pk)
    return user
