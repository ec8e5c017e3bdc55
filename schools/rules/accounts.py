"""Who a login names, and how the logs name people without their personal data."""

import hashlib

from django.conf import settings

from . import roster as roster_rules


def normalize_login(identifier: str) -> str:
    """A mainland mobile in any usual spelling (+86, spaces, dashes) becomes its 11 digits; a username, lower case."""
    identifier = (identifier or "").strip()
    return roster_rules.normalize_mobile(identifier) if roster_rules.is_mobile(identifier) else identifier.lower()


def login_key(identifier: str) -> str:
    """What the throttle counts a login under: a mobile as the parent user name derived from its digest (what the
    account's username is), anything else as `normalize_login` has it."""
    from xiji_afterschool import crypto

    login = normalize_login(identifier)
    return crypto.parent_username(login) if roster_rules.is_mobile(login) else login


def pseudonym(value: str) -> str:
    """A short keyed hash, so logs can correlate attempts without holding a mobile number or address."""
    return hashlib.blake2b(value.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=6).hexdigest()
