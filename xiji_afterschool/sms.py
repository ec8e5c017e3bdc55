"""The one text-message (SMS) sender of the whole system: notifications and the one-time codes that verify a mobile
number (issue 14) — the same sender, never a second one.

A sender is any class with `send(mobile: str, text: str) -> str` that returns the provider's reference for the
message and raises `SmsError` when the provider refuses it or cannot be reached. A one-time code (issue 14:
`schools.services.verification`) is sent as `send(mobile, text, code=code)`: a provider sends it through its approved
code template, whose one variable is the code; the text is what the console shows. `get_sender()` builds the class
named by the setting `SMS_SENDER` (environment `XIJI_SMS_SENDER`), a dotted path.

The default, `ConsoleSender`, sends nothing: it writes the message to the logger "xiji.sms" with the mobile masked
(139****5678) and returns a made-up reference. The demo and the tests use it.

`FileSender` appends each message as a JSON line to the file named by XIJI_SMS_OUTBOX: the browser tests read the
codes a server in another process sent.

The adapters for Aliyun SMS (阿里云短信服务) and Tencent Cloud SMS are `xiji_afterschool.sms_providers`
(`AliyunSender`, `TencentSender`; their variables are listed there). Another provider plugs in the same way:
  1. write a class (like `xiji_afterschool.sms_providers.AliyunSender`) whose `__init__` reads its own settings from the
     environment (access key id and secret, the registered signature 签名, the approved template code 模板) and
     whose `send` calls the provider's API, returns the provider's message id (BizId / SerialNo) and raises
     `SmsError(<the provider's code and message>)` for any refusal, timeout or network error;
  2. set XIJI_SMS_SENDER=xiji_afterschool.sms_providers.AliyunSender and the provider's variables (for example
     XIJI_SMS_ACCESS_KEY_ID, XIJI_SMS_ACCESS_KEY_SECRET, XIJI_SMS_SIGN_NAME, XIJI_SMS_TEMPLATE_CODE,
     XIJI_SMS_TEMPLATE_NOTICE) in the environment of the web and worker processes.
Mainland providers send only approved templates: a provider class maps `text` (or `code`) into its template's one
variable.
Retrying is the caller's business (schools.tasks.send_text_message_task retries with backoff); a sender tries once.
"""

import json
import logging
import os
import uuid

from django.conf import settings
from django.utils.module_loading import import_string

from schools.rules.roster import mask_mobile

from .private_files import open_private

log = logging.getLogger("xiji.sms")


class SmsError(Exception):
    """The provider did not accept the message (down, refused, rate-limited). The text says why, for the record."""


class ConsoleSender:
    """Sends nothing: logs the message with the mobile masked. The default, for the demo and development."""

    def send(self, mobile: str, text: str, code: str | None = None) -> str:
        reference = f"console-{uuid.uuid4().hex[:12]}"
        log.info("SMS to %s (%s): %s", mask_mobile(mobile), reference, text)
        return reference


class FileSender:
    """Sends nothing: appends {"mobile", "text", "code"} as one JSON line to the file XIJI_SMS_OUTBOX (tests that run
    the server in another process read it). Never for production: the file holds mobiles and codes in clear."""

    def send(self, mobile: str, text: str, code: str | None = None) -> str:
        path = os.environ.get("XIJI_SMS_OUTBOX", "").strip()
        if not path:
            raise SmsError("XIJI_SMS_OUTBOX is not set")
        reference = f"file-{uuid.uuid4().hex[:12]}"
        with open_private(path, "a") as outbox:
            outbox.write(json.dumps({"mobile": mobile, "text": text, "code": code, "reference": reference}) + "\n")
        return reference


def get_sender():
    """A sender instance of the class named by settings.SMS_SENDER (a dotted path)."""
    return import_string(settings.SMS_SENDER)()


def send(mobile: str, text: str, *, code: str | None = None) -> str:
    """Send one text through the configured sender (a one-time code with `code`); its reference, or SmsError."""
    sender = get_sender()
    return sender.send(mobile, text, code=code) if code is not None else sender.send(mobile, text)
