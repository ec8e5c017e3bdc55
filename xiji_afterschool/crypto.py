"""Personal identifiers encrypted at rest (issue 14 item 6): resident ID numbers and mobiles.

Values are sealed with AES-256-GCM under the keys of `XIJI_FIELD_KEYS` (comma-separated, url-safe base64 of 32
bytes): the first key encrypts, every key decrypts, and each stored value names the key that sealed it
(``x1$<key id>$<base64 of nonce + ciphertext>``), so a key can be added, the values re-sealed with
`manage.py rotate_field_keys`, and the old key dropped. The column and table are bound to the value as associated
data: a value copied into another column does not open there.

Lookups and uniqueness use a keyed hash instead (HMAC-SHA256 under `XIJI_LOOKUP_KEY`) of the normalised value
(ASCII digits, upper-case X: `schools.rules.roster`), so ``１３９…`` and ``139…`` are one number.

With DJANGO_DEBUG on and no keys set (a laptop, `make demo`, `make test`) settings supply fixed development keys;
with DEBUG off and no keys the system check `xiji.E001` stops `check --deploy`, `migrate` and `runserver`, and any
attempt to seal or open a value raises ImproperlyConfigured.
"""

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "x1$"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value that no configured key opens (a key dropped too early, or a value moved between columns)."""


def new_key() -> str:
    """A fresh field key for XIJI_FIELD_KEYS."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _decode_key(raw: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(raw.strip().encode())
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured("XIJI_FIELD_KEYS: each key is url-safe base64 of 32 bytes") from None
    if len(key) != 32:
        raise ImproperlyConfigured("XIJI_FIELD_KEYS: each key is url-safe base64 of 32 bytes")
    return key


def key_id(key: bytes) -> str:
    """A short, stable name of a key (not the key): stored with each value so decryption picks the right key."""
    return hashlib.sha256(b"xiji-field-key-id:" + key).hexdigest()[:8]


def field_keys() -> list[tuple[str, bytes]]:
    """(key id, key) for every configured key, the encrypting one first. Raises ImproperlyConfigured when none."""
    raws = [k for k in getattr(settings, "XIJI_FIELD_KEYS", []) if k.strip()]
    if not raws:
        raise ImproperlyConfigured("XIJI_FIELD_KEYS is not set: personal identifiers cannot be encrypted or read")
    return [(key_id(k), k) for k in map(_decode_key, raws)]


def lookup_key() -> bytes:
    raw = getattr(settings, "XIJI_LOOKUP_KEY", "")
    if len(raw) < 32:
        raise ImproperlyConfigured("XIJI_LOOKUP_KEY must be set to 32 or more random characters")
    return raw.encode()


def is_sealed(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(PREFIX)


def sealed_key_id(stored: str) -> str | None:
    """The id of the key that sealed a stored value; None for a clear (not yet converted) value."""
    return stored.split("$", 2)[1] if is_sealed(stored) else None


def encrypt(value: str | None, context: str) -> str | None:
    """Seal a clear value under the first key. None and "" (nothing held) stay as they are."""
    if value is None or value == "":
        return value
    kid, key = field_keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, value.encode(), context.encode())
    return f"{PREFIX}{kid}${base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"


def decrypt(stored: str | None, context: str) -> str | None:
    """Open a stored value with the key it names. A value without the prefix is a clear value written before this
    column was encrypted (read as it is until the migration or `rotate_field_keys` seals it)."""
    if not is_sealed(stored):
        return stored
    _prefix, kid, body = stored.split("$", 2)
    key = dict(field_keys()).get(kid)
    if key is None:
        raise DecryptionError(f"no configured key has id {kid} (was it dropped before rotate_field_keys ran?)")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()).decode()
    except (InvalidTag, binascii.Error, ValueError):
        raise DecryptionError(f"a value sealed with key {kid} does not open for {context}") from None


def normalize(kind: str, value: str) -> str:
    from schools.rules import roster as roster_rules  # the one place that says how an identifier is written

    if kind == "mobile":
        return roster_rules.normalize_mobile(value)
    if kind == "id_number":
        return roster_rules.normalize_id_number(value)
    raise ValueError(f"unknown identifier kind {kind!r}")


def digest(kind: str, value: str | None) -> str | None:
    """The keyed hash a lookup or a UNIQUE constraint uses: same person, same digest, however the digits were typed.
    None for no value."""
    if value is None or value == "":
        return None
    clear = normalize(kind, value)
    if not clear:
        return None
    return hmac.new(lookup_key(), f"{kind}:{clear}".encode(), hashlib.sha256).hexdigest()


def mobile_digest(value: str | None) -> str | None:
    return digest("mobile", value)


def id_number_digest(value: str | None) -> str | None:
    return digest("id_number", value)


def parent_username(mobile: str) -> str:
    """A parent account's user name: derived from the mobile's digest, so the users table holds no clear number.
    Parents sign in with the mobile itself (the backend looks it up by digest)."""
    return "p_" + mobile_digest(mobile)[:28]


# Development keys: derived from fixed words, so `make demo` and `make test` need no setup and a demo database stays
# readable between runs. Never valid with DEBUG off (the system check refuses them).
DEV_FIELD_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"xiji development field key").digest()).decode()
DEV_LOOKUP_KEY = hashlib.sha256(b"xiji development lookup key").hexdigest()
