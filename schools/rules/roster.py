"""The roster's rules: GB 11643 resident ID check digit and masking; mainland mobile numbers (normalised, masked)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_SHAPE = re.compile(r"^1[3-9]\d{9}$")


def id_number_check_char(first17: str) -> str:
    """The GB 11643 check character (0-9 or X) for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def normalize_id_number(raw: str) -> str:
    return (raw or "").strip().replace(" ", "").upper()


def validate_id_number(value: str) -> None:
    """Raise ValidationError unless value is an 18-character resident ID with a valid date and check digit."""
    value = normalize_id_number(value)
    if not _ID_SHAPE.match(value):
        raise ValidationError(
            _("A resident ID number has 18 characters: 17 digits and a final digit or X."), code="id_shape"
        )
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("The birth date inside this ID number does not exist."), code="id_birth_date") from None
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The check digit of this ID number is wrong; please check each digit."), code="id_check_digit"
        )


def mask_id_number(value: str) -> str:
    """640422********123X: region code and the last four stay visible."""
    if not value:
        return ""
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def normalize_mobile(raw: str) -> str:
    """Drop spaces, dashes and a leading +86 / 0086 / 86 country code."""
    value = re.sub(r"[\s\-()]", "", raw or "")
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    if len(value) == 13 and value.startswith("86"):
        value = value[2:]
    return value


def validate_mobile(value: str) -> None:
    if not _MOBILE_SHAPE.match(normalize_mobile(value)):
        raise ValidationError(_("Enter an 11-digit mainland mobile number starting with 13–19."), code="mobile")


def is_mobile(raw: str) -> bool:
    return bool(_MOBILE_SHAPE.match(normalize_mobile(raw)))


def mask_mobile(value: str) -> str:
    return value[:3] + "****" + value[-4:] if value and len(value) == 11 else value
