"""The one text-message (SMS) sender of the whole system: notifications now, one-time codes that verify a mobile
number later (issue 14) — the same sender, never a second one.

A sender is any class with `send(mobile: str, text: str) -> str` that returns the provider's reference for the
message and raises `SmsError` when the provider refuses it or cannot be reached. `get_sender()` builds the class
named by the setting `SMS_SENDER` (environment `XIJI_SMS_SENDER`), a dotted path.

The default, `ConsoleSender`, sends nothing: it writes the message to the logger "xiji.sms" with the mobile masked
(139****5678) and returns a made-up reference. The demo and the tests use it.

A real provider plugs in by configuration alone, for example Aliyun SMS (阿里云短信服务) or Tencent Cloud SMS:
  1. write a class, e.g. `xiji_afterschool.sms_aliyun.AliyunSender`, whose `__init__` reads its own settings from the
     environment (access key id and secret, the registered signature 签名, the approved template code 模板) and
     whose `send` calls the provider's API, returns the provider's message id (BizId / SerialNo) and raises
     `SmsError(<the provider's code and message>)` for any refusal, timeout or network error;
  2. set XIJI_SMS_SENDER=xiji_afterschool.sms_aliyun.AliyunSender and the provider's variables (for example
     XIJI_SMS_ACCESS_KEY_ID, XIJI_SMS_ACCESS_KEY_SECRET, XIJI_SMS_SIGN_NAME, XIJI_SMS_TEMPLATE_CODE) in the
     environment of the web and worker processes.
Mainland providers send only approved templates: a provider class maps `text` into its template's one variable.
Retrying is the caller's business (schools.tasks.send_text_message_task retries with backoff); a sender tries once.
"""

import logging
import uuid

from django.conf import settings
from django.utils.module_loading import import_string

from schools.rules.roster import mask_mobile

log = logging.getLogger("xiji.sms")


class SmsError(Exception):
    """The provider did not accept the message (down, refused, rate-limited). The text says why, for the record."""


class ConsoleSender:
    """Sends nothing: logs the message with the mobile masked. The default, for the demo and development."""

    def send(self, mobile: str, text: str) -> str:
        reference = f"console-{uuid.uuid4().hex[:12]}"
        log.info("SMS to %s (%s): %s", mask_mobile(mobile), reference, text)
        return reference


def get_sender():
    """A sender instance of the class named by settings.SMS_SENDER (a dotted path)."""
    return import_string(settings.SMS_SENDER)()


def send(mobile: str, text: str) -> str:
    """Send one text through the configured sender; its reference, or SmsError."""
    return get_sender().send(mobile, text)
