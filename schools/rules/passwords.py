"""Password rules (等保2.0 identity checks, issue 13 §2), as Django password validators (AUTH_PASSWORD_VALIDATORS).

Staff and parents follow the same rules: at least 8 characters from three of upper case, lower case, digits and
symbols; never containing the username or the mobile number; not a common password (Django's list); at most 128
characters (hashing 10,000 characters on every sign-in attempt is a cheap denial of service). Parents register
with the same rules (enrollment's registration form calls validate_password): a parent's account reads their
children's records, so it deserves the same strength. Every message is a msgid of this project or Django's, both
translated into Chinese.
"""

import secrets
import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CHARACTER_CLASSES = (
    ("upper", lambda c: c.isascii() and c.isupper()),
    ("lower", lambda c: c.isascii() and c.islower()),
    ("digit", lambda c: c.isascii() and c.isdigit()),
    ("symbol", lambda c: not (c.isascii() and c.isalnum())),  # punctuation, spaces, Chinese characters
)


def character_classes(password: str) -> set[str]:
    return {name for name, test in CHARACTER_CLASSES if any(test(c) for c in password)}


class ComplexityValidator:
    """At least `min_length` characters from at least `min_classes` of upper, lower, digits, symbols."""

    def __init__(self, min_length: int = 8, min_classes: int = 3):
        self.min_length, self.min_classes = min_length, min_classes

    def validate(self, password, user=None):
        errors = []
        if len(password) < self.min_length:
            errors.append(
                ValidationError(
                    ngettext(
                        "This password is too short. It must contain at least %(min_length)d character.",
                        "This password is too short. It must contain at least %(min_length)d characters.",
                        self.min_length,
                    ),
                    code="password_too_short",
                    params={"min_length": self.min_length},
                )
            )
        if len(character_classes(password)) < self.min_classes:
            errors.append(
                ValidationError(
                    _(
                        "This password must mix at least %(min_classes)d of: upper-case letters, lower-case letters, "
                        "digits and symbols."
                    ),
                    code="password_too_simple",
                    params={"min_classes": self.min_classes},
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return _(
            "Your password must contain at least %(min_length)d characters, from at least %(min_classes)d of: "
            "upper-case letters, lower-case letters, digits and symbols."
        ) % {"min_length": self.min_length, "min_classes": self.min_classes}


class MaximumLengthValidator:
    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                _("This password is too long. It must contain at most %(max_length)d characters."),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self):
        return _("Your password must contain at most %(max_length)d characters.") % {"max_length": self.max_length}


class NotIdentifierValidator:
    """The password must not contain the username or the mobile number (any case), nor be contained in them.

    Django's UserAttributeSimilarityValidator (also configured) catches passwords that merely look alike."""

    def validate(self, password, user=None):
        if user is None:
            return
        lowered = password.lower()
        for value in (getattr(user, "username", ""), getattr(user, "mobile", "")):
            value = (value or "").lower()
            if len(value) >= 4 and (value in lowered or lowered in value):
                raise ValidationError(
                    _("Your password must not contain your username or your mobile number."),
                    code="password_contains_identifier",
                )

    def get_help_text(self):
        return _("Your password must not contain your username or your mobile number.")


TEMPORARY_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def temporary_password() -> str:
    """A random one-time password that passes every rule above: 12 characters in three groups, e.g. Kp7m-Q3xt-9Wbe."""
    while True:
        body = "".join(secrets.choice(TEMPORARY_ALPHABET) for _n in range(12))
        if character_classes(body) >= {"upper", "lower", "digit"}:
            return "-".join(body[i : i + 4] for i in (0, 4, 8))
