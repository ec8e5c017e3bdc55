"""One-time codes (issue 14): their shape and the keyed digests stored instead of the number and the code."""

import hashlib
import hmac
import secrets

CODE_LENGTH = 6


def new_code() -> str:
    """Six digits from the system's random source (a phone offers a digit keyboard for them)."""
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def normalize_code(raw: str) -> str:
    """What a person typed, without spaces (full-width digits as ASCII)."""
    return "".join(str(int(ch)) if ch.isdigit() else ch for ch in "".join((raw or "").split()))


def mobile_digest(key: str, mobile: str) -> str:
    return hmac.new(key.encode(), f"mobile:{mobile}".encode(), hashlib.sha256).hexdigest()


def code_digest(key: str, *, mobile: str, purpose: str, code: str) -> str:
    """Bound to the number and the purpose: a code sent to register cannot recover a password, nor open another
    number. (Six digits are no secret against someone holding the table and the key; the digest keeps the codes out
    of backups and of the admin's eyes, the attempt limit keeps guessing out.)"""
    return hmac.new(key.encode(), f"code:{purpose}:{mobile}:{code}".encode(), hashlib.sha256).hexdigest()
