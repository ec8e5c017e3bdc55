"""Text-message senders for tests, chosen with override_settings(SMS_SENDER="tests.schools.sms_senders.<Class>")."""

from xiji_afterschool.sms import SmsError

SENT: list[tuple[str, str]] = []  # (mobile, text) of every RecordingSender.send, cleared by the tests' fixture


class RecordingSender:
    """Accepts every message and remembers it."""

    def send(self, mobile: str, text: str) -> str:
        SENT.append((mobile, text))
        return f"test-{len(SENT)}"


class DownSender:
    """A provider that is down: every send fails."""

    calls = 0

    def send(self, mobile: str, text: str) -> str:
        DownSender.calls += 1
        raise SmsError("短信网关不可用 (gateway timeout)")
