"""Adapters for the two SMS services mainland public bodies contract: Alibaba Cloud SMS (阿里云短信服务) and Tencent
Cloud SMS (腾讯云短信). Each is a sender in the sense of `xiji_afterschool.sms`: `send(mobile, text, code=None)`
returns the provider's message id or raises `SmsError`.

They call the providers' documented HTTP APIs with the standard library only (no SDK to install or audit):
  - `AliyunSender`: `SendSms` (version 2017-05-25) on dysmsapi.aliyuncs.com, the RPC-style API, signed with
    signature version 1.0 (HMAC-SHA1 over the percent-encoded, sorted parameters; key = secret + "&").
  - `TencentSender`: `SendSms` (API 3.0, version 2021-01-11) on sms.tencentcloudapi.com, signed with
    TC3-HMAC-SHA256 (a key derived from the date and the service, over the canonical request).

Mainland providers send only approved templates (模板). Each sender is configured with two: one for one-time codes
(its one variable is the code: Aliyun `${code}`, Tencent `{1}`) and one for notices (its one variable is the whole
text: Aliyun `${text}`, Tencent `{1}`). A message with `code` goes through the code template, any other through the
notice template.

Configuration, read from the environment when the sender is built (the web and worker processes):
  XIJI_SMS_SENDER               xiji_afterschool.sms_providers.AliyunSender | ...TencentSender
  XIJI_SMS_ACCESS_KEY_ID        AccessKeyId (Aliyun) / SecretId (Tencent)
  XIJI_SMS_ACCESS_KEY_SECRET    AccessKeySecret / SecretKey
  XIJI_SMS_SIGN_NAME            the approved signature (签名), e.g. 西吉县教育局
  XIJI_SMS_TEMPLATE_CODE        the code template: Aliyun "SMS_123456789" / Tencent "1234567"
  XIJI_SMS_TEMPLATE_NOTICE      the notice template (optional: without it notices are refused with SmsError)
  XIJI_SMS_APP_ID               Tencent only: SmsSdkAppId ("1400…")
  XIJI_SMS_REGION               Aliyun RegionId (default cn-hangzhou) / Tencent X-TC-Region (default ap-guangzhou)
  XIJI_SMS_ENDPOINT             override the API address (tests use a local stand-in server), e.g. http://127.0.0.1:8999/
  XIJI_SMS_TIMEOUT              seconds to wait for the provider (default 10)
A sender tries once; the caller retries (schools.tasks.send_text_message_task).
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.core.exceptions import ImproperlyConfigured

from .sms import SmsError


def _env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, "").strip() or default
    if value is None:
        raise ImproperlyConfigured(f"{name} must be set for the SMS provider")
    return value


class _HttpSender:
    """What both adapters share: settings from the environment and one HTTP exchange that becomes JSON or SmsError."""

    DEFAULT_ENDPOINT = ""
    DEFAULT_REGION = ""

    def __init__(self):
        self.key_id = _env("XIJI_SMS_ACCESS_KEY_ID")
        self.secret = _env("XIJI_SMS_ACCESS_KEY_SECRET")
        self.sign_name = _env("XIJI_SMS_SIGN_NAME")
        self.template_code = _env("XIJI_SMS_TEMPLATE_CODE")
        self.template_notice = _env("XIJI_SMS_TEMPLATE_NOTICE", "")
        self.region = _env("XIJI_SMS_REGION", self.DEFAULT_REGION)
        self.endpoint = _env("XIJI_SMS_ENDPOINT", self.DEFAULT_ENDPOINT)
        if urllib.parse.urlsplit(self.endpoint).scheme not in ("https", "http"):
            raise ImproperlyConfigured("XIJI_SMS_ENDPOINT must be an https:// (or a local http://) address")
        try:
            self.timeout = float(_env("XIJI_SMS_TIMEOUT", "10"))
        except ValueError:
            raise ImproperlyConfigured("XIJI_SMS_TIMEOUT must be a number of seconds") from None

    def _template(self, code: str | None) -> str:
        if code is not None:
            return self.template_code
        if not self.template_notice:
            raise SmsError("no notice template configured (XIJI_SMS_TEMPLATE_NOTICE)")
        return self.template_notice

    def _exchange(self, request: urllib.request.Request) -> dict:
        """POST the request; the answer's JSON. Refusals with an HTTP error status still carry the provider's JSON."""
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (http(s) checked above)
                body = response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read()
            if not body:
                raise SmsError(f"HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SmsError(f"provider unreachable: {reason}") from None
        try:
            return json.loads(body)
        except ValueError:
            raise SmsError(f"unreadable answer: {body[:200]!r}") from None


# ---------------------------------------------------------------- Alibaba Cloud


def aliyun_percent_encode(value: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud's RPC signature wants it: only A-Z a-z 0-9 - _ . ~ stay, space is %20."""
    return urllib.parse.quote(str(value), safe="~")


def aliyun_signature(params: dict, secret: str, method: str = "POST") -> str:
    """Signature version 1.0: base64 HMAC-SHA1, key secret + "&", over METHOD&%2F&encode(sorted encoded query)."""
    query = "&".join(
        f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}" for k, v in sorted(params.items()) if k != "Signature"
    )
    to_sign = f"{method}&{aliyun_percent_encode('/')}&{aliyun_percent_encode(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSender(_HttpSender):
    """Alibaba Cloud SMS `SendSms`: the answer's Code "OK" and its BizId, else SmsError("<Code>: <Message>")."""

    DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
    DEFAULT_REGION = "cn-hangzhou"

    def send(self, mobile: str, text: str, code: str | None = None) -> str:
        template_param = {"code": code} if code is not None else {"text": text}
        params = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
            "PhoneNumbers": mobile,
            "SignName": self.sign_name,
            "TemplateCode": self._template(code),
            "TemplateParam": json.dumps(template_param, ensure_ascii=False),
        }
        params["Signature"] = aliyun_signature(params, self.secret, "POST")
        body = "&".join(f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}" for k, v in params.items())
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            self.endpoint,
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        )
        answer = self._exchange(request)
        if answer.get("Code") != "OK":
            raise SmsError(f"{answer.get('Code', '?')}: {answer.get('Message', '')}")
        return str(answer.get("BizId", ""))


# ---------------------------------------------------------------- Tencent Cloud

TENCENT_SERVICE = "sms"
TENCENT_VERSION = "2021-01-11"
TENCENT_CONTENT_TYPE = "application/json; charset=utf-8"


def tencent_authorization(
    *, secret_id: str, secret_key: str, host: str, action: str, payload: bytes, timestamp: int
) -> str:
    """TC3-HMAC-SHA256: the Authorization header of a POST / with a JSON body, signing content-type, host and action."""
    signed_headers = "content-type;host;x-tc-action"
    canonical_headers = f"content-type:{TENCENT_CONTENT_TYPE}\nhost:{host}\nx-tc-action:{action.lower()}\n"
    canonical_request = "\n".join(
        ["POST", "/", "", canonical_headers, signed_headers, hashlib.sha256(payload).hexdigest()]
    )
    date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{TENCENT_SERVICE}/tc3_request"
    to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )

    def _hmac(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    signing_key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), TENCENT_SERVICE), "tc3_request")
    signature = hmac.new(signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"


class TencentSender(_HttpSender):
    """Tencent Cloud SMS `SendSms` (API 3.0): SendStatusSet[0].Code "Ok" and its SerialNo; an Error or another
    status code is SmsError("<Code>: <Message>")."""

    DEFAULT_ENDPOINT = "https://sms.tencentcloudapi.com/"
    DEFAULT_REGION = "ap-guangzhou"

    def __init__(self):
        super().__init__()
        self.app_id = _env("XIJI_SMS_APP_ID")

    def send(self, mobile: str, text: str, code: str | None = None) -> str:
        payload = json.dumps(
            {
                "PhoneNumberSet": [mobile if mobile.startswith("+") else f"+86{mobile}"],
                "SmsSdkAppId": self.app_id,
                "SignName": self.sign_name,
                "TemplateId": self._template(code),
                "TemplateParamSet": [code if code is not None else text],
            },
            ensure_ascii=False,
        ).encode()
        host = urllib.parse.urlsplit(self.endpoint).netloc  # the Host header sent, and signed
        timestamp = int(datetime.datetime.now(datetime.UTC).timestamp())
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            self.endpoint,
            data=payload,
            method="POST",
            headers={
                "Authorization": tencent_authorization(
                    secret_id=self.key_id,
                    secret_key=self.secret,
                    host=host,
                    action="SendSms",
                    payload=payload,
                    timestamp=timestamp,
                ),
                "Content-Type": TENCENT_CONTENT_TYPE,
                "Host": host,
                "X-TC-Action": "SendSms",
                "X-TC-Version": TENCENT_VERSION,
                "X-TC-Timestamp": str(timestamp),
                "X-TC-Region": self.region,
            },
        )
        answer = self._exchange(request).get("Response") or {}
        if "Error" in answer:
            error = answer["Error"]
            raise SmsError(f"{error.get('Code', '?')}: {error.get('Message', '')}")
        statuses = answer.get("SendStatusSet") or [{}]
        status = statuses[0]
        if status.get("Code") != "Ok":
            raise SmsError(f"{status.get('Code', '?')}: {status.get('Message', '')}")
        return str(status.get("SerialNo", ""))
