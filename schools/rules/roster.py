"""The roster's rules: resident ID numbers (GB 11643), mainland mobile numbers and people's names.

Every rule normalises first and checks the normalised value, so what is stored is what was checked:
full-width or other non-ASCII digits become ASCII (``１３９…`` and ``139…`` are one mobile, one account;
``…００１Ｘ`` and ``…001X`` one ID). The regional facts come from two kept libraries rather than from tables of
our own: python-stdnum's ``cn/loc`` region list (with the years each code existed) and phonenumbers' allocated
mainland mobile ranges.
"""

import datetime
import functools
import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import numdb

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
# [0-9], not \d: \d also matches full-width and other Unicode digits, which is how they slipped through before.
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_MOBILE_SHAPE = re.compile(r"^1[3-9][0-9]{9}$")
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)


def to_ascii_digits(raw: str) -> str:
    """NFKC (full-width ０-９, Ｘ, ＋, full-width spaces and hyphens become ASCII), then any other decimal digit
    (Arabic-Indic, Devanagari…, which NFKC leaves alone) becomes its ASCII digit."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(str(unicodedata.decimal(ch)) if not ch.isascii() and ch.isdecimal() else ch for ch in text)


# --- Resident ID numbers -------------------------------------------------------------------------------------------


def id_number_check_char(first17: str) -> str:
    """The GB 11643 check character (0-9 or X) for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def normalize_id_number(raw: str) -> str:
    """ASCII digits and upper-case X, without spaces or hyphens: the form an ID is stored and compared in."""
    return re.sub(r"[\s\-]", "", to_ascii_digits(raw)).upper()


@functools.cache
def region_years(code: str) -> tuple[tuple[int | None, int | None], ...]:
    """The spans of years (first, last; None = open) in which this 6-digit code was a region code of the PRC,
    from python-stdnum's ``cn/loc`` list (the same data ``stdnum.cn.ric.get_birth_place`` reads). Empty: unknown.

    A province's or prefecture's own code (640000, 640400) counts, as it does for stdnum.
    """
    if not re.fullmatch(r"[0-9]{6}", code):
        return ()
    info = {k: v for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    spans = []
    for county in info.get("county", "").split(",") if info.get("county") else ():
        if not county.startswith("["):
            spans.append((None, None))
            continue
        first, last = county[1:].split("]", 1)[0].split("-")
        spans.append((int(first) if first else None, int(last) if last else None))
    return tuple(spans)


def region_code_known(code: str, birth_year: int, this_year: int) -> bool:
    """Was ``code`` a region code in some year from the birth year to this year?

    stdnum accepts a code only if it existed in the birth year. But a number is assigned when the person is first
    registered, which for adults born before the second-generation cards (2004) is often years after birth: a Xiji
    resident born in 1990 who got a first card in 2005 carries 640422 (西吉县 since 2001; 642223 before), which
    stdnum refuses. So we accept a code that existed at any time between birth and now; codes that never existed
    (000000, 999999, 649999) are refused either way.
    """
    for first, last in region_years(code):
        if (first is None or first <= this_year) and (last is None or last >= birth_year):
            return True
    return False


def validate_id_number(value: str, *, today: datetime.date | None = None) -> None:
    """Raise ValidationError unless value is an 18-character resident ID: a birth date that exists, between
    1 January 1900 and today; a region code of the PRC (see `region_code_known`); the right check character."""
    value = normalize_id_number(value)
    if not _ID_SHAPE.match(value):
        raise ValidationError(
            _("A resident ID number has 18 characters: 17 digits and a final digit or X."), code="id_shape"
        )
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("The birth date inside this ID number does not exist."), code="id_birth_date") from None
    today = today or timezone.localdate()
    if birth < EARLIEST_BIRTH_DATE:
        raise ValidationError(_("The birth date inside this ID number is before 1900."), code="id_birth_date")
    if birth > today:
        raise ValidationError(_("The birth date inside this ID number is in the future."), code="id_birth_date")
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The check digit of this ID number is wrong; please check each digit."), code="id_check_digit"
        )
    if not region_code_known(value[:6], birth.year, today.year):
        raise ValidationError(
            _("The first six digits of this ID number are not a region code of China; please check them."),
            code="id_region",
        )


def mask_id_number(value: str) -> str:
    """640422********123X: region code and the last four stay visible."""
    if not value:
        return ""
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


# --- Mobile numbers ------------------------------------------------------------------------------------------------


def normalize_mobile(raw: str) -> str:
    """ASCII digits; drop spaces, dashes, brackets and a leading +86 / 0086 / 86 country code."""
    value = re.sub(r"[\s\-()]", "", to_ascii_digits(raw))
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    if len(value) == 13 and value.startswith("86"):
        value = value[2:]
    return value


_MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def is_allocated_mobile(value: str) -> bool:
    """An already normalised value: our 11-digit shape AND a number phonenumbers knows as an allocated mainland
    mobile (its ranges follow MIIT's allocations; 140, 141, 144, 154, 194… are not handed out)."""
    if not _MOBILE_SHAPE.match(value):
        return False
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return False
    return (
        number.country_code == 86
        and str(number.national_number) == value  # no carrier-selection prefix was taken off
        and phonenumbers.is_valid_number_for_region(number, "CN")
        and phonenumbers.number_type(number) in _MOBILE_TYPES
    )


def validate_mobile(value: str) -> None:
    value = normalize_mobile(value)
    if not _MOBILE_SHAPE.match(value):
        raise ValidationError(_("Enter an 11-digit mainland mobile number starting with 13–19."), code="mobile")
    if not is_allocated_mobile(value):
        raise ValidationError(
            _("No mainland mobile number begins like this; please check the first digits."), code="mobile_unallocated"
        )


def is_mobile(raw: str) -> bool:
    return is_allocated_mobile(normalize_mobile(raw))


def mask_mobile(value: str) -> str:
    return value[:3] + "****" + value[-4:] if value and len(value) == 11 else value


# --- People's names ------------------------------------------------------------------------------------------------

NAME_MAX_LENGTH = 50
# The katakana and half-width middle dots that Japanese input methods give for the separator of a Hui, Uyghur or
# foreign name (马·阿里木) become U+00B7, the dot GB 18030 and the public-security registry use: one name, one spelling.
_MIDDLE_DOTS = str.maketrans({"\u30fb": "\u00b7", "\uff65": "\u00b7"})
# Refused: controls (Cc: BEL, NUL, ESC…), format characters (Cf: U+200B–U+200F zero-width and direction marks,
# U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, U+FEFF, U+00AD…), surrogates, private use, and
# the line and paragraph separators. Rare characters (CJK Extension B and later, such as 𠮷) are letters (Lo) and
# stay, as do combining marks and variation selectors.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}


def normalize_name(raw: str) -> str:
    """NFC, the middle-dot variants as U+00B7, runs of spaces as one space, no space at either end.

    Only NFC: NFKC would turn full-width letters and some compatibility characters into others.
    Refused characters are left in place for `validate_name` to refuse, not silently dropped.
    """
    text = unicodedata.normalize("NFC", raw or "").translate(_MIDDLE_DOTS)
    return " ".join(re.split(r"[ \t\r\n\u3000\u00a0]+", text)).strip()


def validate_name(value: str) -> None:
    """Raise ValidationError if a person's name holds invisible or control characters, has no letter, or is long."""
    for ch in value or "":
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            raise ValidationError(
                _(
                    "The name contains an invisible or control character (%(char)s), often pasted along with "
                    "text; please type the name again."
                ),
                code="name_character",
                params={"char": f"U+{ord(ch):04X}"},
            )
    if value and not any(unicodedata.category(ch).startswith("L") for ch in value):
        raise ValidationError(_("A name needs at least one letter or character."), code="name_letters")
    if len(value or "") > NAME_MAX_LENGTH:
        raise ValidationError(
            _("A name has at most %(limit)d characters."), code="name_length", params={"limit": NAME_MAX_LENGTH}
        )
