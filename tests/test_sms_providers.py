"""The Alibaba Cloud and Tencent Cloud SMS adapters against a local stand-in server (issue 14).

The stand-in is a `http.server` in a thread that knows the test keys and checks each request's signature by its own
reading of the providers' documents — written apart from `xiji_afterschool.sms_providers` (the Aliyun encoding by the
documented quote_plus-and-replace recipe, the Tencent canonical request from the headers as received) — and answers
as the provider would: success, or the provider's error JSON. No network beyond 127.0.0.1.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from xiji_afterschool import sms
from xiji_afterschool.sms import SmsError
from xiji_afterschool.sms_providers import AliyunSender, TencentSender

KEY_ID, SECRET = "LTAI-test-key-id", "test-secret-钥"  # a non-ASCII secret would expose a bytes/str slip
SIGN_NAME, CODE_TEMPLATE, NOTICE_TEMPLATE, APP_ID = "西吉县教育局", "SMS_100001", "SMS_100002", "1400000001"


def _aliyun_encode(value: str) -> str:
    return urllib.parse.quote_plus(value, encoding="utf-8").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def _aliyun_expected(params: dict[str, str], method: str) -> str:
    canonical = "&".join(
        _aliyun_encode(k) + "=" + _aliyun_encode(params[k]) for k in sorted(params) if k != "Signature"
    )
    string_to_sign = method + "&" + _aliyun_encode("/") + "&" + _aliyun_encode(canonical)
    return base64.b64encode(hmac.new((SECRET + "&").encode(), string_to_sign.encode(), "sha1").digest()).decode()


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tencent_expected(headers, body: bytes) -> str | None:
    """The Authorization the stand-in expects for this request, or None when its shape is wrong."""
    auth = headers.get("Authorization", "")
    if not auth.startswith("TC3-HMAC-SHA256 "):
        return None
    parts = dict(p.strip().split("=", 1) for p in auth[len("TC3-HMAC-SHA256 ") :].split(","))
    credential = parts["Credential"].split("/")
    if credential[0] != KEY_ID or credential[2:] != ["sms", "tc3_request"]:
        return None
    timestamp = headers["X-TC-Timestamp"]
    day = time.strftime("%Y-%m-%d", time.gmtime(int(timestamp)))
    if credential[1] != day:
        return None
    names = parts["SignedHeaders"].split(";")
    canonical_headers = "".join(
        f"{n}:{headers[n].strip().lower() if n == 'x-tc-action' else headers[n]}\n" for n in names
    )
    canonical_request = f"POST\n/\n\n{canonical_headers}\n{parts['SignedHeaders']}\n{_sha256_hex(body)}"
    string_to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{day}/sms/tc3_request\n{_sha256_hex(canonical_request.encode())}"
    k = hmac.new(("TC3" + SECRET).encode(), day.encode(), "sha256").digest()
    k = hmac.new(k, b"sms", "sha256").digest()
    k = hmac.new(k, b"tc3_request", "sha256").digest()
    signature = hmac.new(k, string_to_sign.encode(), "sha256").hexdigest()
    return f"TC3-HMAC-SHA256 Credential={parts['Credential']}, SignedHeaders={parts['SignedHeaders']}, Signature={signature}"


class StandIn(BaseHTTPRequestHandler):
    received: list = []
    delay = 0.0

    def log_message(self, *args):  # quiet
        pass

    def _answer(self, status: int, payload: dict) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        time.sleep(self.delay)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("X-TC-Action"):
            return self._tencent(body)
        return self._aliyun(body)

    def _aliyun(self, body: bytes):
        params = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        self.received.append(("aliyun", params))
        if params.get("AccessKeyId") != KEY_ID:
            return self._answer(
                404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}
            )
        if params.get("Signature") != _aliyun_expected(params, "POST"):
            return self._answer(
                400,
                {
                    "Code": "SignatureDoesNotMatch",
                    "Message": "Specified signature is not matched with our calculation.",
                },
            )
        if params.get("TemplateCode") not in (CODE_TEMPLATE, NOTICE_TEMPLATE):
            return self._answer(200, {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不合法"})
        return self._answer(200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r-1"})

    def _tencent(self, body: bytes):
        self.received.append(("tencent", {k.lower(): v for k, v in self.headers.items()}, json.loads(body)))
        expected = _tencent_expected(self.headers, body)
        if expected is None or self.headers.get("Authorization") != expected:
            return self._answer(
                200,
                {
                    "Response": {
                        "Error": {
                            "Code": "AuthFailure.SignatureFailure",
                            "Message": "The provided credentials could not be validated.",
                        },
                        "RequestId": "r-2",
                    }
                },
            )
        payload = json.loads(body)
        if payload["SmsSdkAppId"] != APP_ID:
            return self._answer(
                200,
                {
                    "Response": {
                        "Error": {"Code": "FailedOperation.SmsSdkAppIdNotMatch", "Message": "no"},
                        "RequestId": "r",
                    }
                },
            )
        status = {"SerialNo": "5000:1045710669157053657849499619", "PhoneNumber": payload["PhoneNumberSet"][0],
                  "Fee": 1, "SessionContext": "", "Code": "Ok", "Message": "send success", "IsoCode": "CN"}  # fmt: skip
        if payload["PhoneNumberSet"][0] == "+8613900000000":  # the stand-in's number that the operator refuses
            status.update(Code="LimitExceeded.PhoneNumberDailyLimit", Message="单个手机号日下发短信条数超过设定的上限")
        return self._answer(200, {"Response": {"SendStatusSet": [status], "RequestId": "r-3"}})


@pytest.fixture
def stand_in(monkeypatch):
    StandIn.received, StandIn.delay = [], 0.0
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    for name, value in {
        "XIJI_SMS_ACCESS_KEY_ID": KEY_ID,
        "XIJI_SMS_ACCESS_KEY_SECRET": SECRET,
        "XIJI_SMS_SIGN_NAME": SIGN_NAME,
        "XIJI_SMS_TEMPLATE_CODE": CODE_TEMPLATE,
        "XIJI_SMS_TEMPLATE_NOTICE": NOTICE_TEMPLATE,
        "XIJI_SMS_APP_ID": APP_ID,
        "XIJI_SMS_ENDPOINT": url,
        "XIJI_SMS_TIMEOUT": "2",
    }.items():
        monkeypatch.setenv(name, value)
    yield url
    server.shutdown()
    server.server_close()


# ---------------------------------------------------------------- Alibaba Cloud


def test_aliyun_sends_a_code_through_the_code_template_signed_as_documented(stand_in):
    assert AliyunSender().send("13912345678", "验证码 123456", code="123456") == "900619746936498440^0"
    ((provider, params),) = StandIn.received
    assert provider == "aliyun"
    assert params["Action"] == "SendSms" and params["Version"] == "2017-05-25"
    assert params["SignatureMethod"] == "HMAC-SHA1" and params["SignatureVersion"] == "1.0"
    assert (params["PhoneNumbers"], params["SignName"], params["TemplateCode"]) == (
        "13912345678",
        SIGN_NAME,
        CODE_TEMPLATE,
    )
    assert json.loads(params["TemplateParam"]) == {"code": "123456"}


def test_aliyun_sends_a_notice_through_the_notice_template(stand_in, settings):
    settings.SMS_SENDER = "xiji_afterschool.sms_providers.AliyunSender"
    assert sms.send("13912345678", "您的孩子 马小燕 已由 马建华 接走 (17:31)") == "900619746936498440^0"
    params = StandIn.received[0][1]
    assert params["TemplateCode"] == NOTICE_TEMPLATE
    assert json.loads(params["TemplateParam"]) == {"text": "您的孩子 马小燕 已由 马建华 接走 (17:31)"}


def test_aliyun_with_a_wrong_secret_is_refused_with_the_providers_code(stand_in, monkeypatch):
    monkeypatch.setenv("XIJI_SMS_ACCESS_KEY_SECRET", "not-the-secret")
    with pytest.raises(SmsError, match=r"^SignatureDoesNotMatch: "):
        AliyunSender().send("13912345678", "x", code="123456")


def test_aliyun_refusal_in_a_successful_answer_is_an_error(stand_in, monkeypatch):
    monkeypatch.setenv("XIJI_SMS_TEMPLATE_CODE", "SMS_999")
    with pytest.raises(SmsError, match=r"isv\.SMS_TEMPLATE_ILLEGAL"):
        AliyunSender().send("13912345678", "x", code="123456")


# ---------------------------------------------------------------- Tencent Cloud


def test_tencent_sends_a_code_signed_with_tc3(stand_in):
    assert TencentSender().send("13912345678", "验证码 654321", code="654321") == "5000:1045710669157053657849499619"
    ((provider, headers, payload),) = StandIn.received
    assert provider == "tencent"
    assert (headers["x-tc-action"], headers["x-tc-version"], headers["x-tc-region"]) == (
        "SendSms",
        "2021-01-11",
        "ap-guangzhou",
    )
    assert payload == {
        "PhoneNumberSet": ["+8613912345678"], "SmsSdkAppId": APP_ID, "SignName": SIGN_NAME,
        "TemplateId": CODE_TEMPLATE, "TemplateParamSet": ["654321"],
    }  # fmt: skip


def test_tencent_with_a_wrong_secret_is_refused_with_the_providers_code(stand_in, monkeypatch):
    monkeypatch.setenv("XIJI_SMS_ACCESS_KEY_SECRET", "not-the-secret")
    with pytest.raises(SmsError, match=r"^AuthFailure\.SignatureFailure: "):
        TencentSender().send("13912345678", "x", code="123456")


def test_tencent_refusal_of_one_number_is_an_error(stand_in):
    with pytest.raises(SmsError, match=r"^LimitExceeded\.PhoneNumberDailyLimit: "):
        TencentSender().send("13900000000", "x", code="123456")


# ---------------------------------------------------------------- both


@pytest.mark.parametrize("sender", [AliyunSender, TencentSender])
def test_a_provider_that_does_not_answer_in_time_is_an_error(stand_in, monkeypatch, sender):
    monkeypatch.setenv("XIJI_SMS_TIMEOUT", "0.3")
    StandIn.delay = 1.0
    started = time.monotonic()
    with pytest.raises(SmsError, match="unreachable"):
        sender().send("13912345678", "x", code="123456")
    assert time.monotonic() - started < 0.9


@pytest.mark.parametrize("sender", [AliyunSender, TencentSender])
def test_a_provider_that_cannot_be_reached_is_an_error(stand_in, monkeypatch, sender):
    monkeypatch.setenv("XIJI_SMS_ENDPOINT", "http://127.0.0.1:9/")  # discard port: nobody listens
    with pytest.raises(SmsError, match="unreachable"):
        sender().send("13912345678", "x", code="123456")


@pytest.mark.parametrize("sender", [AliyunSender, TencentSender])
def test_a_notice_without_a_notice_template_is_refused_before_any_request(stand_in, monkeypatch, sender):
    monkeypatch.delenv("XIJI_SMS_TEMPLATE_NOTICE")
    with pytest.raises(SmsError, match="notice template"):
        sender().send("13912345678", "您的孩子已交接")
    assert StandIn.received == []


def test_a_provider_without_its_keys_refuses_to_start(monkeypatch):
    monkeypatch.setenv("XIJI_SMS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.delenv("XIJI_SMS_ACCESS_KEY_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="XIJI_SMS_ACCESS_KEY_SECRET"):
        AliyunSender()
