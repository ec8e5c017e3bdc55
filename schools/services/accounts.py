"""Sign-in: the backend that finds parents by mobile and staff by username, and the failed-login throttle (counters in
the cache: Redis in production)."""

import logging

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from ..models import Notification, User
from ..rules import accounts as accounts_rules
from ..rules import roster as roster_rules

log = logging.getLogger("xiji.auth")


class MobileOrUsernameBackend(ModelBackend):
    """A valid mainland mobile number finds the user by `mobile`; anything else by username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        key = accounts_rules.normalize_login(username)
        field = "mobile" if roster_rules.is_mobile(username) else "username__iexact"
        try:
            user = User.objects.get(**{field: key})
        except User.DoesNotExist:
            User().set_password(password)  # same cost as a real check, so timing does not reveal accounts
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The signed-in user of a request, with the count of their unread notifications (the top bar's badge)
        read in the same query (a subquery on the indexed (user, read_at)), so no page pays an extra query for it."""
        unread = (
            Notification.objects.filter(user=OuterRef("pk"), read_at=None)
            .order_by()
            .values("user")
            .annotate(n=Count("pk"))
            .values("n")
        )
        try:
            user = User._default_manager.annotate(unread_notification_count=Coalesce(Subquery(unread), 0)).get(
                pk=user_id
            )
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def _keys(identifier: str, address: str) -> list[str]:
    return [
        f"login-fail:acct:{accounts_rules.pseudonym(accounts_rules.normalize_login(identifier))}",
        f"login-fail:addr:{accounts_rules.pseudonym(address)}",
    ]


def is_locked(identifier: str, address: str) -> bool:
    limit = settings.LOGIN_FAILURE_LIMIT
    return any((cache.get(k) or 0) >= limit for k in _keys(identifier, address))


def record_failure(identifier: str, address: str) -> None:
    for k in _keys(identifier, address):
        cache.add(k, 0, timeout=settings.LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(k)
        except ValueError:  # expired between add and incr
            cache.set(k, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)
    log.warning(
        "login failed account=%s address=%s",
        accounts_rules.pseudonym(accounts_rules.normalize_login(identifier)),
        accounts_rules.pseudonym(address),
    )


def clear_failures(identifier: str) -> None:
    # Only the account counter: a shared school address keeps its count against guessing.
    cache.delete(_keys(identifier, "")[0])
