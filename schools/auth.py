"""Sign-in: parents with their mobile number, staff with a username; failed attempts are throttled."""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from .models import User
from .validators import is_mobile, normalize_mobile

log = logging.getLogger("xiji.auth")


def normalize_login(identifier: str) -> str:
    identifier = (identifier or "").strip()
    return normalize_mobile(identifier) if is_mobile(identifier) else identifier.lower()


class MobileOrUsernameBackend(ModelBackend):
    """A valid mainland mobile number finds the user by `mobile`; anything else by username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        key = normalize_login(username)
        field = "mobile" if is_mobile(username) else "username__iexact"
        try:
            user = User.objects.get(**{field: key})
        except User.DoesNotExist:
            User().set_password(password)  # same cost as a real check, so timing does not reveal accounts
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def pseudonym(value: str) -> str:
    """A short keyed hash, so logs can correlate attempts without holding a mobile number or address."""
    return hashlib.blake2b(value.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=6).hexdigest()


def _keys(identifier: str, address: str) -> list[str]:
    return [f"login-fail:acct:{pseudonym(normalize_login(identifier))}", f"login-fail:addr:{pseudonym(address)}"]


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
    log.warning("login failed account=%s address=%s", pseudonym(normalize_login(identifier)), pseudonym(address))


def clear_failures(identifier: str) -> None:
    # Only the account counter: a shared school address keeps its count against guessing.
    cache.delete(_keys(identifier, "")[0])
