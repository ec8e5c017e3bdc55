"""One-time codes sent by SMS that prove a person holds a mobile number (issue 14): registering a parent account
(enrollment.services.parents.parent_register) and recovering a forgotten password (services.passwords).

Enumeration-safe: `code_request` answers the same (`CODE_SENT`) whether or not the number has an account. What it
sends differs, and only the holder of the number reads it: to register, a number that already has an account gets a
text saying so (sign in, or recover the password) instead of a code; to recover, a number without a parent account
gets nothing. Every request counts towards the throttle (per number: one per XIJI_SMS_CODE_INTERVAL_SECONDS and
XIJI_SMS_CODE_PER_MOBILE_DAY a day; per client address XIJI_SMS_CODE_PER_ADDRESS_HOUR an hour), so the limits
reveal nothing either. A code lives XIJI_SMS_CODE_MINUTES and allows XIJI_SMS_CODE_ATTEMPTS wrong tries; only the
newest code of a number and purpose counts; it is used once.
"""

import datetime
import hmac
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiji_afterschool import sms
from xiji_afterschool.errors import DomainError

from ..models import Membership, MobileCode, Role, User
from ..rules import roster as roster_rules
from ..rules import verification as rules

log = logging.getLogger("xiji.sms")

# The one answer to a request for a code, whoever asks about whichever number.
CODE_SENT = gettext_lazy("If this mobile number can receive text messages, a code has been sent to it.")
CODE_REFUSED = gettext_lazy("The code is wrong or has expired. Please ask for a new one.")


def _key() -> str:
    return settings.SECRET_KEY


def has_account(mobile: str) -> bool:
    """Whether an account already uses this number (as its mobile or its user name)."""
    return (User.objects.by_mobile(mobile) | User.objects.filter(username__iexact=mobile)).exists()


def recoverable_user(mobile: str) -> User | None:
    """The active parent account of this number whose password may be recovered by SMS, or None. Staff (anyone with
    another role) reset through their administrator (issue 13 §2), not by a text to a number."""
    user = User.objects.by_mobile(mobile).filter(is_active=True).first()
    if user is None:
        return None
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    return user if roles == {Role.PARENT} else None


def _one_at_a_time(digest: str) -> None:
    """Requests for one number wait for each other until the end of the transaction, so two at the same moment cannot
    both pass the per-number limits (PostgreSQL: an advisory lock on the digest; SQLite has one writer anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(digest[:15], 16)])


def _throttle(digest: str, address: str | None, now: datetime.datetime) -> None:
    """Refuse a request over the limits (DomainError). Counts every request, whatever was sent."""
    mine = MobileCode.objects.filter(mobile_digest=digest)
    interval = settings.XIJI_SMS_CODE_INTERVAL_SECONDS
    if mine.filter(created_at__gt=now - datetime.timedelta(seconds=interval)).exists():
        raise DomainError(
            _("A code was sent to this number a moment ago. Please wait %(seconds)s seconds before asking again.")
            % {"seconds": interval}
        )
    if mine.filter(created_at__gt=now - datetime.timedelta(days=1)).count() >= settings.XIJI_SMS_CODE_PER_MOBILE_DAY:
        raise DomainError(_("Too many codes were asked for this number today. Please try again tomorrow."))
    if address:
        recent = MobileCode.objects.filter(client_address=address, created_at__gt=now - datetime.timedelta(hours=1))
        if recent.count() >= settings.XIJI_SMS_CODE_PER_ADDRESS_HOUR:
            raise DomainError(_("Too many codes were asked from this network. Please try again in an hour."))


def code_request(*, mobile: str, purpose: str, address: str | None) -> None:
    """Anyone (public pages): ask for a code to `mobile` for `purpose` (MobileCode.Purpose). Sends the code (or, see
    the module's note, a notice or nothing) through the one SMS sender and records the request. The caller shows
    CODE_SENT. Raises DomainError for a malformed number or a request over the limits; a sender failure is logged,
    not shown (showing it would tell who has an account)."""
    mobile = roster_rules.normalize_mobile(mobile)
    try:
        roster_rules.validate_mobile(mobile)
    except ValidationError:
        raise DomainError(_("Enter an 11-digit mainland mobile number starting with 13–19.")) from None
    if purpose not in MobileCode.Purpose.values:
        raise ValueError(purpose)
    now = timezone.now()
    digest = rules.mobile_digest(_key(), mobile)
    with transaction.atomic():
        _one_at_a_time(digest)
        _throttle(digest, address, now)
        minutes = settings.XIJI_SMS_CODE_MINUTES
        row = MobileCode(
            purpose=purpose,
            mobile_digest=digest,
            masked_mobile=roster_rules.mask_mobile(mobile),
            expires_at=now + datetime.timedelta(minutes=minutes),
            client_address=address or None,
        )
        code = None
        if purpose == MobileCode.Purpose.REGISTER:
            serves = not has_account(mobile)  # a new number may register
        else:
            serves = recoverable_user(mobile) is not None  # a parent account may recover its password
        if serves:
            code = rules.new_code()
            row.code_digest = rules.code_digest(_key(), mobile=mobile, purpose=purpose, code=code)
        row.save()
    with translation.override(settings.LANGUAGE_CODE):  # a text message is read in Chinese, whatever the page was
        if code is not None:
            text = _(
                "Xiji after-school: your code is %(code)s, valid for %(minutes)s minutes. Never tell it to anyone."
            )
            text %= {"code": code, "minutes": minutes}
        elif purpose == MobileCode.Purpose.REGISTER:
            text = _(
                "Xiji after-school: someone asked to register this number, which already has an account. Sign in with "
                "it, or recover the password on the sign-in page. If it was not you, ignore this message."
            )
        else:
            return  # nothing to recover: send nothing
    try:
        sms.send(mobile, text, code=code)
    except sms.SmsError as exc:
        log.warning("code to %s (%s) not sent: %s", row.masked_mobile, purpose, exc)


@transaction.atomic
def _consume(*, mobile: str, purpose: str, code: str) -> bool:
    now = timezone.now()
    row = (
        MobileCode.objects.select_for_update()
        .filter(mobile_digest=rules.mobile_digest(_key(), mobile), purpose=purpose)
        .order_by("-created_at", "-pk")
        .first()
    )
    if row is None or not row.code_digest or row.used_at is not None or row.expires_at <= now:
        return False
    if row.attempts >= settings.XIJI_SMS_CODE_ATTEMPTS:
        return False
    expected = rules.code_digest(_key(), mobile=mobile, purpose=purpose, code=code)
    if not hmac.compare_digest(row.code_digest, expected):
        MobileCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1, updated_at=now)
        return False
    MobileCode.objects.filter(pk=row.pk).update(used_at=now, updated_at=now)
    return True


def code_consume(*, mobile: str, purpose: str, code: str) -> None:
    """Use the newest code sent to `mobile` for `purpose`: once, before it expires, within the wrong-try limit.
    A wrong try is counted in its own transaction (the caller's failure cannot undo the count). Call it before the
    transaction of what the code allows. Raises DomainError (CODE_REFUSED) — the same for every reason."""
    mobile = roster_rules.normalize_mobile(mobile)
    if not _consume(mobile=mobile, purpose=purpose, code=rules.normalize_code(code)):
        raise DomainError(str(CODE_REFUSED))
