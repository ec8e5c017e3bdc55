"""Races of the one-time codes (issue 14), proved on PostgreSQL (threads at once; one after the other on SQLite):
four requests for one number at the same moment send one code, and one code typed from four phones at once is used
once."""

import pytest

from schools.models import MobileCode
from schools.services import verification as services
from xiji_afterschool.errors import DomainError

from ..concurrency import at_once
from . import sms_senders

MOBILE = "13909541234"


@pytest.fixture(autouse=True)
def sender(settings):
    settings.SMS_SENDER = "tests.schools.sms_senders.RecordingSender"
    sms_senders.SENT.clear()
    sms_senders.CODES.clear()


@pytest.mark.django_db(transaction=True)
def test_four_requests_for_one_number_at_once_send_one_code():
    results = at_once(
        *(
            lambda i=i: services.code_request(mobile=MOBILE, purpose=MobileCode.Purpose.REGISTER, address=f"10.0.0.{i}")
            for i in range(4)
        )
    )
    assert sorted(map(str, results)).count("ok") == 1
    assert all(isinstance(r, DomainError) for r in results if r != "ok")
    assert len(sms_senders.CODES) == 1 and MobileCode.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_code_from_four_phones_at_once_is_used_once():
    services.code_request(mobile=MOBILE, purpose=MobileCode.Purpose.REGISTER, address="10.0.0.1")
    code = sms_senders.CODES[-1][1]
    results = at_once(
        *(
            lambda: services.code_consume(mobile=MOBILE, purpose=MobileCode.Purpose.REGISTER, code=code)
            for _ in range(4)
        )
    )
    assert results.count("ok") == 1
