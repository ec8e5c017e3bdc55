"""The roster's identifier and name rules against full-width, bidi and out-of-range input, and against the two kept
libraries they lean on: python-stdnum's `cn.ric` (resident IDs) and phonenumbers (allocated mainland mobiles).

The comparisons run thousands of seeded random inputs, so a disagreement is reproducible (the seed is fixed)."""

import datetime
import random
import re
from importlib import resources

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent
from stdnum.exceptions import ValidationError as StdnumError

from enrollment.forms.parents import RegisterForm
from schools.models import Guardian, Student, User
from schools.rules import accounts as accounts_rules
from schools.rules import roster as rules
from tests.schools import sms_senders
from xiji_afterschool import crypto
from xiji_afterschool.forms import PersonNameField

WIDE = str.maketrans("0123456789X+-", "０１２３４５６７８９Ｘ＋－")
PASSWORD = "Huangtu-2021-gaoyuan"


def make_id(region: str, birth: datetime.date, seq: int = 1) -> str:
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + rules.id_number_check_char(body)


def make_id_ending_in_x(region: str, birth: datetime.date) -> str:
    return next(n for seq in range(1000) if (n := make_id(region, birth, seq)).endswith("X"))


def refusal(validator, value, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        validator(value, **kwargs)
    return exc.value


# ---------------------------------------------------------------- digits are ASCII before anything is checked


def test_full_width_id_with_x_normalises_to_the_stored_ascii_value():
    ascii_id = make_id_ending_in_x("640422", datetime.date(2013, 5, 17))
    wide = ascii_id.translate(WIDE)
    assert wide != ascii_id and not wide.isascii()
    for spelling in (wide, wide.lower(), wide[:6] + "　" + wide[6:14] + " " + wide[14:], ascii_id.lower()):
        assert rules.normalize_id_number(spelling) == ascii_id
        rules.validate_id_number(spelling)


@pytest.mark.parametrize(
    "raw",
    [
        "１３９０９５４０００１",
        "＋８６　１３９－０９５４－０００１",
        "００８６１３９０９５４０００１",
        "١٣٩٠٩٥٤٠٠٠١",  # Arabic-Indic digits: NFKC leaves them, the decimal mapping does not
        "13９０９５４０００１",  # the issue's example: mixed
    ],
)
def test_non_ascii_digits_of_a_mobile_become_ascii(raw):
    assert rules.normalize_mobile(raw) == "13909540001"
    rules.validate_mobile(raw)
    assert rules.is_mobile(raw)
    assert accounts_rules.normalize_login(raw) == "13909540001", (
        "signing in with the full-width spelling finds the account"
    )


def test_the_gate_keeps_the_last_four_of_a_full_width_id_in_ascii():
    from safety.rules.gate import id_last4

    assert id_last4(checked=True, value="００１ｘ") == "001X"
    assert id_last4(checked=True, value=" 001x ") == "001X"


def test_the_old_hole_is_closed_unicode_digits_never_pass_the_shape_unnormalised():
    # \d matched these before; the shape is now [0-9], so only the normalised value can pass.
    assert not rules._ID_SHAPE.match(make_id("640422", datetime.date(2013, 5, 17)).translate(WIDE))
    assert not rules._MOBILE_SHAPE.match("１３９０９５４０００１")


def _register(client, mobile, full_name="马海燕"):
    """Registration as a parent does it: a code sent to the mobile, then the form with that code."""
    register = reverse("enrollment:register")
    client.post(register, {"step": "send", "mobile": mobile})
    code = sms_senders.CODES[-1][1] if sms_senders.CODES else "000000"
    data = {"step": "register", "code": code, "full_name": full_name, "password1": PASSWORD, "password2": PASSWORD}
    return client.post(register, {**data, "mobile": mobile})


@pytest.fixture
def recording_sender(settings):
    settings.SMS_SENDER = "tests.schools.sms_senders.RecordingSender"
    sms_senders.SENT.clear()
    sms_senders.CODES.clear()


def test_a_full_width_spelling_of_a_registered_mobile_is_the_same_account(
    client, db, english, english_pages, recording_sender
):
    assert _register(client, "13909541234").status_code == 302
    client.logout()
    codes_before = len(sms_senders.CODES)
    # The same number in full-width digits is the same account: no code is sent for it (the owner gets a notice).
    client.post(reverse("enrollment:register"), {"step": "send", "mobile": "１３９０９５４１２３４"})
    assert len(sms_senders.CODES) == codes_before
    assert sms_senders.SENT[-1][0] == "13909541234"
    # One account; its user name is derived from the mobile's digest (issue 14 item 6), never the number itself.
    assert list(User.objects.values_list("username", "mobile")) == [
        (crypto.parent_username("13909541234"), "13909541234")
    ]


def test_a_first_registration_in_full_width_stores_ascii(client, db, english, english_pages, recording_sender):
    assert _register(client, "１３９０９５４１２３４", full_name="马・海燕").status_code == 302
    assert list(User.objects.values_list("username", "mobile", "full_name")) == [
        (crypto.parent_username("13909541234"), "13909541234", "马·海燕")
    ]


# ---------------------------------------------------------------- the ID's birth date and region


@pytest.mark.parametrize(
    "birth, ok",
    [
        (datetime.date(1899, 12, 31), False),
        (datetime.date(1900, 1, 1), True),
        (datetime.date(2099, 1, 1), False),
    ],
)
def test_birth_date_between_1900_and_today(birth, ok):
    value = make_id("110105", birth)
    if ok:
        rules.validate_id_number(value)
    else:
        assert refusal(rules.validate_id_number, value).code == "id_birth_date"


def test_born_today_passes_born_tomorrow_does_not():
    today = timezone.localdate()
    rules.validate_id_number(make_id("640422", today))
    with translation.override("en"):
        exc = refusal(rules.validate_id_number, make_id("640422", today + datetime.timedelta(days=1)))
        assert exc.code == "id_birth_date" and "in the future" in exc.messages[0]
    # and "today" is the one asked for
    rules.validate_id_number(make_id("640422", today), today=today)
    assert refusal(rules.validate_id_number, make_id("640422", today), today=today - datetime.timedelta(days=1))


def test_stdnum_knows_640422_as_xiji_county():
    place = ric.get_birth_place(make_id("640422", datetime.date(2013, 5, 17)))
    assert (place["province"], place["county"]) == ("宁夏回族自治区", "西吉县")
    assert rules.region_years("640422") == ((2001, None),)
    assert rules.region_years("642223") == ((None, 2001),)  # 固原地区西吉县, before 固原 became a city


@pytest.mark.parametrize("region", ["000000", "999999", "649999", "640499"])
def test_region_codes_that_never_existed_are_refused(region):
    with translation.override("en"):
        exc = refusal(rules.validate_id_number, make_id(region, datetime.date(2013, 5, 17)))
        assert exc.code == "id_region" and "region code" in exc.messages[0]


def test_a_code_is_accepted_if_it_existed_at_any_time_from_birth_to_now():
    """Adults of Xiji born before 2001 whose first card came after 2001 carry 640422: stdnum (birth year only)
    refuses them, we do not. The old code 642223 ended in 2001: nobody born after that can hold it."""
    adult = make_id("640422", datetime.date(1985, 3, 8))
    rules.validate_id_number(adult)
    assert not ric.is_valid(adult)
    rules.validate_id_number(make_id("642223", datetime.date(1985, 3, 8)))
    rules.validate_id_number(make_id("642223", datetime.date(2001, 12, 31)))
    assert refusal(rules.validate_id_number, make_id("642223", datetime.date(2002, 1, 1))).code == "id_region"
    rules.validate_id_number(make_id("110103", datetime.date(1980, 1, 1)))  # 崇文区, merged away in 2010
    assert refusal(rules.validate_id_number, make_id("110103", datetime.date(2011, 1, 1))).code == "id_region"


def test_the_factories_and_the_demo_make_valid_identifiers(db):
    from tests.factories import GuardianFactory, StudentFactory

    student, guardian = StudentFactory(), GuardianFactory()
    rules.validate_id_number(student.id_number)
    assert student.id_number.startswith("640422")
    rules.validate_mobile(guardian.mobile)
    from xiji_afterschool.demo import PARENT_MOBILE, REGION

    assert REGION == "640422"
    rules.validate_mobile(PARENT_MOBILE)


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    "name, char",
    [
        ("\u202e马明", "U+202E"),  # right-to-left override: shows the name backwards
        ("马\u200b明", "U+200B"),  # zero-width space: two names that look alike
        ("马明\x07", "U+0007"),  # BEL
        ("\ufeff马明", "U+FEFF"),
        ("马\u2066明\u2069", "U+2066"),
        ("马\u200f明", "U+200F"),
        ("马\x00明", "U+0000"),
    ],
)
def test_names_with_control_bidi_or_zero_width_characters_are_refused(name, char):
    with translation.override("en"):
        exc = refusal(rules.validate_name, rules.normalize_name(name))
        assert exc.code == "name_character"
        assert f"invisible or control character ({char})" in exc.messages[0]
        form = RegisterForm(
            data={"mobile": "13909541234", "full_name": name, "password1": PASSWORD, "password2": PASSWORD}
        )
        assert not form.is_valid() and "invisible or control character" in form.errors["full_name"][0]
        # the model refuses it too (the admin, and any ModelForm)
        with pytest.raises(ValidationError):
            Student._meta.get_field("name").clean(name, None)
        with pytest.raises(ValidationError):
            User._meta.get_field("full_name").clean(name, None)


@pytest.mark.parametrize("name", ["马·阿里木", "𠮷祥", "穆罕默德·伊斯哈格", "Ma Wen", "阿依古丽·买买提"])
def test_hui_names_middle_dots_and_rare_characters_stay_intact(name):
    assert rules.normalize_name(name) == name
    rules.validate_name(name)
    assert PersonNameField().clean(f"  {name} ") == name
    assert "𠮷" not in name or len(rules.normalize_name(name)) == 2, "one code point, not a surrogate pair"


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("马・阿里木", "马·阿里木"),  # U+30FB katakana middle dot
        ("马･阿里木", "马·阿里木"),  # U+FF65 half-width
        ("马  海燕", "马 海燕"),
        ("马\u3000海燕", "马 海燕"),
        ("马\r\n海燕 ", "马 海燕"),  # pasted across a line break
        ("Jose\u0301", "José"),  # NFC
    ],
)
def test_names_are_normalised(raw, stored):
    assert rules.normalize_name(raw) == stored
    rules.validate_name(stored)


def test_a_name_needs_a_letter_and_a_sane_length():
    with translation.override("en"):
        assert refusal(rules.validate_name, "···").code == "name_letters"
        assert refusal(rules.validate_name, "马" * 51).code == "name_length"
    rules.validate_name("马" * 50)


# ---------------------------------------------------------------- against the libraries, on thousands of inputs


def _stdnum_regions() -> list[str]:
    """Every 6-digit code in python-stdnum's region list (current and historic)."""
    codes, province = [], None
    for line in (resources.files("stdnum") / "cn" / "loc.dat").read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^(\d\d) province=", line):
            province = m.group(1)
        elif (m := re.match(r"^  (\d{4}) county=", line)) and province:
            codes.append(province + m.group(1))
    return codes


def _stdnum_says(value: str, today: datetime.date) -> bool:
    """stdnum's verdict, with our two documented differences: the birth date between 1900 and today, and a region
    code that existed in any year from birth to now (asked of stdnum itself, year by year)."""
    try:
        birth = ric.get_birth_date(value)
    except (InvalidComponent, ValueError, IndexError):
        birth = None
    try:
        ric.validate(value)
        verdict = True
    except InvalidComponent:  # the date, or the place in the birth year
        if birth is None or not datetime.date(1900, 1, 1) <= birth <= today:
            return False
        verdict = any(_place_existed(value, year) for year in range(birth.year, today.year + 1))
    except (StdnumError, KeyError):  # KeyError: stdnum 2.2 on a county code unknown in a known province (649999)
        return False
    return verdict and birth is not None and datetime.date(1900, 1, 1) <= birth <= today


def _stdnum_is_valid(value: str) -> bool:
    try:
        return ric.is_valid(value)
    except KeyError:  # stdnum 2.2 on a county code unknown in a known province
        return False


def _place_existed(value: str, year: int) -> bool:
    try:
        ric.get_birth_place(f"{value[:6]}{year:04d}0101{value[14:]}")
    except (InvalidComponent, KeyError):
        return False
    return True


def _ours_accepts_id(value: str, today: datetime.date) -> bool:
    try:
        rules.validate_id_number(value, today=today)
    except ValidationError:
        return False
    return True


def _random_date(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def test_id_validator_agrees_with_stdnum_on_6000_generated_inputs():
    rng = random.Random(20261205)
    today = timezone.localdate()
    regions = _stdnum_regions()
    assert "640422" in regions and len(regions) > 3000
    inputs = []
    for _ in range(6000):
        kind = rng.random()
        birth = _random_date(rng, datetime.date(1880, 1, 1), today + datetime.timedelta(days=900))
        if kind < 0.55:  # a real region, any date, the right check character
            value = make_id(rng.choice(regions), birth, rng.randrange(1000))
        elif kind < 0.65:  # … a wrong check character
            good = make_id(rng.choice(regions), birth, rng.randrange(1000))
            value = good[:17] + rng.choice([c for c in "0123456789X" if c != good[17]])
        elif kind < 0.8:  # any six digits as the region (000000 and 999999 among them)
            region = rng.choice(["000000", "999999", f"{rng.randrange(10**6):06d}", f"64{rng.randrange(10**4):04d}"])
            value = make_id(region, birth, rng.randrange(1000))
        elif kind < 0.95:  # eighteen random characters
            value = f"{rng.randrange(10**17):017d}" + rng.choice("0123456789X")
        else:  # the wrong length
            value = f"{rng.randrange(10**18):0{rng.choice([15, 17, 19])}d}"[: rng.choice([15, 17, 19])]
        inputs.append(value)

    disagreements = [v for v in inputs if _ours_accepts_id(v, today) != _stdnum_says(v, today)]
    assert disagreements == [], disagreements[:10]
    # the same verdict for the full-width spelling of every input
    assert [v for v in inputs[:1500] if _ours_accepts_id(v.translate(WIDE), today) != _ours_accepts_id(v, today)] == []
    # the sample is not lopsided, and every ID stdnum accepts (in our date window) we accept too
    accepted = [v for v in inputs if _ours_accepts_id(v, today)]
    assert 1000 < len(accepted) < 5000
    in_window = [
        v for v in inputs if _stdnum_is_valid(v) and datetime.date(1900, 1, 1) <= ric.get_birth_date(v) <= today
    ]
    assert set(in_window) <= set(accepted)
    # stdnum alone accepts birth years before 1900 or in the future that we refuse
    assert any(_stdnum_is_valid(v) and v not in accepted for v in inputs)


def _phonenumbers_says(value: str) -> bool:
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def _ours_accepts_mobile(value: str) -> bool:
    try:
        rules.validate_mobile(value)
    except ValidationError:
        return False
    return True


def test_mobile_validator_agrees_with_phonenumbers_on_6000_eleven_digit_inputs():
    rng = random.Random(20261205)
    inputs = []
    for _ in range(6000):
        kind = rng.random()
        if kind < 0.6:  # 1 and ten random digits: every prefix 10x–19x
            value = "1" + f"{rng.randrange(10**10):010d}"
        elif kind < 0.9:  # every three-digit prefix 130–199, the ones the issue names among them
            value = str(rng.randrange(130, 200)) + f"{rng.randrange(10**8):08d}"
        else:  # eleven digits not starting with 1 (0 + an area code is a fixed line)
            value = str(rng.choice([0, 2, 5, 8, 9])) + f"{rng.randrange(10**10):010d}"
        inputs.append(value)
    assert all(len(v) == 11 for v in inputs)

    disagreements = [v for v in inputs if _ours_accepts_mobile(v) != _phonenumbers_says(v)]
    assert disagreements == [], disagreements[:10]
    accepted = [v for v in inputs if _ours_accepts_mobile(v)]
    assert 1500 < len(accepted) < 5500
    assert [v for v in inputs[:1500] if _ours_accepts_mobile(v.translate(WIDE)) != _ours_accepts_mobile(v)] == []


@pytest.mark.parametrize("prefix", ["140", "141", "143", "144", "148", "154", "160", "163", "169", "194"])
def test_unallocated_prefixes_named_in_the_issue_are_refused(prefix):
    rng = random.Random(prefix)
    for _ in range(50):
        value = prefix + f"{rng.randrange(10**8):08d}"
        with translation.override("en"):  # the message is lazy: read it inside the override
            exc = refusal(rules.validate_mobile, value)
            assert exc.code == "mobile_unallocated" and "No mainland mobile" in exc.messages[0]


@pytest.mark.parametrize("prefix", ["130", "138", "139", "152", "177", "186", "199"])
def test_the_demo_and_factory_prefixes_are_allocated_whole(prefix):
    rng = random.Random(prefix)
    assert all(rules.is_mobile(prefix + f"{rng.randrange(10**8):08d}") for _ in range(200))


def test_a_carrier_selection_prefix_does_not_smuggle_a_number_in():
    # phonenumbers takes 17951 off as a carrier-selection prefix; our shape refuses the 16 digits first.
    assert not rules.is_mobile("1795113909540001")


# ---------------------------------------------------------------- what a deployment runs over its stored data


def test_check_identifiers_lists_stored_values_the_rules_refuse(db):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from tests.factories import GuardianFactory, StudentFactory, UserFactory

    out = StringIO()
    call_command("check_identifiers", stdout=out)
    assert "All stored" in out.getvalue()

    student = StudentFactory()
    other = StudentFactory()
    Student.objects.filter(pk=other.pk).update(id_number=make_id("000000", datetime.date(2013, 5, 17)))
    Student.objects.filter(pk=student.pk).update(name="\u202e马明")
    UserFactory(mobile="14012345678", username="old-number")
    GuardianFactory(mobile="13909540077")
    # Stored before the rule (and before the digests of issue 14 item 6, which now refuse a second spelling): the same
    # person twice. Run check_identifiers before migrating: schools/0016 makes the digests unique.
    twin = GuardianFactory(mobile="13909540078")
    Guardian.objects.filter(pk=twin.pk).update(mobile="１３９０９５４００７７", mobile_digest=None)
    out = StringIO()
    with pytest.raises(CommandError, match="stored value"), translation.override("en"):
        call_command("check_identifiers", stdout=out)
    text = out.getvalue()
    assert f"schools.Student.name pk={student.pk}" in text and "U+202E" in text
    assert f"schools.Student.id_number pk={other.pk} '000000********" in text and "id_region" in text
    assert "schools.User.mobile" in text and "mobile_unallocated" in text
    assert "schools.Guardian.mobile" in text and "the same value once normalised" in text
    assert "'139****0077'" in text and "13909540077" not in text, "masked unless --unmasked"
    assert "stored unnormalised, would be '139****0077'" in text
