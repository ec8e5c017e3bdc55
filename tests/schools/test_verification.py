"""One-time SMS codes (issue 14): stored as digests, expiring, used once, a few wrong tries, throttled per number and
per client address, bound to the number and the purpose; the same answer whether or not a number has an account; and
a parent's password recovered with a code."""

import datetime
import logging
import re

import pytest
from django.db.models import F
from django.test import RequestFactory
from django.urls import reverse

from schools.models import MobileCode, Role, User
from schools.services import passwords as password_services
from schools.services import verification as services
from xiji_afterschool.errors import DomainError

from ..factories import user_with_role
from . import sms_senders

pytestmark = pytest.mark.usefixtures("english", "english_pages")

REGISTER, RECOVER = MobileCode.Purpose.REGISTER, MobileCode.Purpose.RECOVER
RECOVER_URL = reverse("schools:password-recover")
MOBILE = "13909541234"
PASSWORD = "Huangtu-2021-gaoyuan"


@pytest.fixture(autouse=True)
def sender(settings):
    settings.SMS_SENDER = "tests.schools.sms_senders.RecordingSender"
    sms_senders.SENT.clear()
    sms_senders.CODES.clear()


def ask(mobile=MOBILE, purpose=REGISTER, address="10.0.0.1") -> str | None:
    """Request a code; the code sent, or None when none was."""
    before = len(sms_senders.CODES)
    services.code_request(mobile=mobile, purpose=purpose, address=address)
    return sms_senders.CODES[-1][1] if len(sms_senders.CODES) > before else None


def age(seconds: int) -> None:
    """Every code was asked `seconds` earlier (and expires that much earlier)."""
    delta = datetime.timedelta(seconds=seconds)
    MobileCode.objects.update(created_at=F("created_at") - delta, expires_at=F("expires_at") - delta)


def other(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


# ---------------------------------------------------------------- codes


def test_a_code_is_six_digits_stored_only_as_a_digest_and_used_once(db):
    code = ask()
    assert re.fullmatch(r"\d{6}", code)
    row = MobileCode.objects.get()
    assert (row.purpose, row.masked_mobile, str(row.client_address)) == (REGISTER, "139****1234", "10.0.0.1")
    stored = " ".join(str(v) for v in MobileCode.objects.values().get().values())
    assert code not in stored and MOBILE not in stored, "neither the code nor the number in clear"
    assert code in sms_senders.SENT[-1][1] and "5 minutes" in sms_senders.SENT[-1][1]
    services.code_consume(mobile="139 0954 1234", purpose=REGISTER, code=f" {code} ")
    assert MobileCode.objects.get().used_at is not None
    with pytest.raises(DomainError, match="wrong or has expired"):
        services.code_consume(mobile=MOBILE, purpose=REGISTER, code=code)


def test_a_code_expires(db, settings):
    code = ask()
    age(settings.XIJI_SMS_CODE_MINUTES * 60 + 1)
    with pytest.raises(DomainError, match="wrong or has expired"):
        services.code_consume(mobile=MOBILE, purpose=REGISTER, code=code)


def test_after_five_wrong_tries_even_the_right_code_is_refused(db, settings):
    code = ask()
    for _ in range(settings.XIJI_SMS_CODE_ATTEMPTS):
        with pytest.raises(DomainError):
            services.code_consume(mobile=MOBILE, purpose=REGISTER, code=other(code))
    assert MobileCode.objects.get().attempts == settings.XIJI_SMS_CODE_ATTEMPTS, "each wrong try counted, committed"
    with pytest.raises(DomainError, match="wrong or has expired"):
        services.code_consume(mobile=MOBILE, purpose=REGISTER, code=code)


def test_a_code_is_bound_to_its_number_its_purpose_and_is_the_newest(db):
    code = ask()
    with pytest.raises(DomainError):
        services.code_consume(mobile="13909545555", purpose=REGISTER, code=code)
    with pytest.raises(DomainError):
        services.code_consume(mobile=MOBILE, purpose=RECOVER, code=code)
    age(61)
    newer = ask()
    if newer != code:  # one chance in a million that both are the same
        with pytest.raises(DomainError):
            services.code_consume(mobile=MOBILE, purpose=REGISTER, code=code)
    services.code_consume(mobile=MOBILE, purpose=REGISTER, code=newer)


# ---------------------------------------------------------------- throttle


def test_one_code_a_minute_and_five_a_day_per_number(db, settings):
    ask()
    with pytest.raises(DomainError, match="wait 60 seconds"):
        ask(address="10.0.0.2")  # another address changes nothing: the number is the limit
    for _ in range(settings.XIJI_SMS_CODE_PER_MOBILE_DAY - 1):
        age(61)
        ask()
    age(61)
    with pytest.raises(DomainError, match="today"):
        ask()
    assert len(sms_senders.CODES) == settings.XIJI_SMS_CODE_PER_MOBILE_DAY
    age(24 * 3600)
    assert ask() is not None, "a day later"


def test_ten_codes_an_hour_per_client_address(db, settings):
    for i in range(settings.XIJI_SMS_CODE_PER_ADDRESS_HOUR):
        ask(mobile=f"139095400{i:02d}")
    with pytest.raises(DomainError, match="this network"):
        ask(mobile="13909549999")
    assert ask(mobile="13909549999", address="10.0.0.2") is not None, "another address is not held back"
    age(3601)
    assert ask(mobile="13909549998") is not None, "an hour later"


def test_registered_numbers_count_towards_the_limits_like_any_other(world):
    """Otherwise the limits themselves would tell which numbers have accounts."""
    assert ask(mobile=world.parent.mobile) is None
    with pytest.raises(DomainError, match="wait 60 seconds"):
        ask(mobile=world.parent.mobile)


def test_the_address_is_the_clients_not_a_header_it_wrote(client, db, settings):
    settings.XIJI_SMS_CODE_PER_ADDRESS_HOUR = 1
    url = reverse("enrollment:register")
    client.post(url, {"step": "send", "mobile": "13909540001"}, HTTP_X_FORWARDED_FOR="1.2.3.4")
    page = client.post(url, {"step": "send", "mobile": "13909540002"}, HTTP_X_FORWARDED_FOR="5.6.7.8")
    assert "this network" in page.content.decode()
    assert list(MobileCode.objects.values_list("client_address", flat=True)) == ["127.0.0.1"]


def test_a_provider_failure_is_logged_and_answered_the_same(client, db, settings, caplog):
    settings.SMS_SENDER = "tests.schools.sms_senders.DownSender"
    with caplog.at_level(logging.WARNING, logger="xiji.sms"):
        page = client.post(reverse("enrollment:register"), {"step": "send", "mobile": MOBILE}).content.decode()
    assert "a code has been sent" in page
    assert "139****1234" in caplog.text and MOBILE not in caplog.text


# ---------------------------------------------------------------- recovering a password


def _page(response, mobile) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return html.replace(mobile, "M")


def test_a_parent_recovers_the_password_by_sms(client, world):
    parent = world.parent
    page = client.get(reverse("login")).content.decode()
    assert RECOVER_URL in page, "the sign-in page offers it"
    response = client.post(RECOVER_URL, {"step": "send", "mobile": parent.mobile})
    assert "a code has been sent" in response.content.decode()
    ((mobile, code),) = sms_senders.CODES
    assert mobile == parent.mobile
    data = {
        "step": "recover",
        "mobile": parent.mobile,
        "code": code,
        "new_password1": PASSWORD,
        "new_password2": PASSWORD,
    }
    response = client.post(RECOVER_URL, data)
    assert response.status_code == 302 and response["Location"] == reverse("login")
    parent.refresh_from_db()
    assert parent.check_password(PASSWORD) and parent.mobile_verified_at is not None
    assert client.login(request=RequestFactory().post("/login/"), username=parent.mobile, password=PASSWORD)
    client.logout()
    assert client.post(RECOVER_URL, {**data, "new_password1": "Other-2021-gaoyuan", "new_password2": "Other-2021-gaoyuan"}).status_code == 200, "a code works once"  # fmt: skip
    parent.refresh_from_db()
    assert parent.check_password(PASSWORD)


def test_recovery_answers_the_same_for_a_number_without_an_account_and_for_staff(client, world):
    staff = user_with_role(Role.SCHOOL_ADMIN, school=world.school_a, mobile="13909546666")
    answers = {}
    for mobile in (world.parent.mobile, "13909548888", staff.mobile):
        answers[mobile] = _page(client.post(RECOVER_URL, {"step": "send", "mobile": mobile}), mobile)
    assert len(set(answers.values())) == 1, "nothing tells an account from no account"
    assert [mobile for mobile, _ in sms_senders.CODES] == [world.parent.mobile]
    assert [mobile for mobile, _ in sms_senders.SENT] == [world.parent.mobile], "nothing at all to the others"
    # A guess at a code for the staff number changes nothing.
    data = {
        "step": "recover",
        "mobile": staff.mobile,
        "code": "123456",
        "new_password1": PASSWORD,
        "new_password2": PASSWORD,
    }
    assert "wrong or has expired" in client.post(RECOVER_URL, data).content.decode()
    staff.refresh_from_db()
    assert not staff.check_password(PASSWORD)


def test_recovery_applies_the_password_rules(client, world):
    client.post(RECOVER_URL, {"step": "send", "mobile": world.parent.mobile})
    code = sms_senders.CODES[-1][1]
    data = {
        "step": "recover",
        "mobile": world.parent.mobile,
        "code": code,
        "new_password1": "12345678",
        "new_password2": "12345678",
    }
    assert "too common" in client.post(RECOVER_URL, data).content.decode()
    # refused by the form: the code is still good
    password_services.recover_password(mobile=world.parent.mobile, code=code, new_password=PASSWORD)
    assert User.objects.get(pk=world.parent.pk).check_password(PASSWORD)


def test_a_signed_in_user_is_sent_to_the_change_password_page(client, world):
    client.force_login(world.parent)
    assert client.get(RECOVER_URL)["Location"] == reverse("schools:password-change")


def test_the_console_sender_shows_the_code_for_the_demo_with_the_number_masked(db, settings, caplog):
    settings.SMS_SENDER = "xiji_afterschool.sms.ConsoleSender"
    with caplog.at_level(logging.INFO, logger="xiji.sms"):
        services.code_request(mobile=MOBILE, purpose=REGISTER, address=None)
    (record,) = [r for r in caplog.records if r.name == "xiji.sms"]
    assert record.levelno == logging.INFO and "139****1234" in record.getMessage()
    assert re.search(r"\b\d{6}\b", record.getMessage()) and MOBILE not in record.getMessage()
