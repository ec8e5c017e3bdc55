"""System checks of the project package: the keys that encrypt personal identifiers (xiji_afterschool/crypto.py)."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from . import crypto


@checks.register(checks.Tags.security)
def field_keys_check(app_configs=None, **kwargs):
    """With DEBUG off, XIJI_FIELD_KEYS and XIJI_LOOKUP_KEY must be real keys (set, well-formed, not the development
    ones); with DEBUG on they must at least be well-formed."""
    errors = []
    try:
        keys = [key for _kid, key in crypto.field_keys()]
    except ImproperlyConfigured as exc:
        keys = []
        errors.append(
            checks.Error(
                str(exc),
                hint="Set XIJI_FIELD_KEYS to one or more keys from `python manage.py rotate_field_keys --new-key` "
                "(comma-separated; the first encrypts). See .env.example.",
                id="xiji.E001",
            )
        )
    lookup = getattr(settings, "XIJI_LOOKUP_KEY", "")
    if len(lookup) < 32:
        errors.append(
            checks.Error(
                "XIJI_LOOKUP_KEY must be set to 32 or more random characters",
                hint="It makes the keyed hashes that find ID numbers and mobiles; see .env.example.",
                id="xiji.E002",
            )
        )
    if not settings.DEBUG:
        if crypto._decode_key(crypto.DEV_FIELD_KEY) in keys or lookup == crypto.DEV_LOOKUP_KEY:
            errors.append(
                checks.Error(
                    "The development encryption keys are refused when DJANGO_DEBUG is off",
                    hint="Set XIJI_FIELD_KEYS and XIJI_LOOKUP_KEY to keys of your own.",
                    id="xiji.E003",
                )
            )
    return errors
