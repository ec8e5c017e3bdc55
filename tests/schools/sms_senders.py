"""Text-message senders for tests, chosen with override_settings(SMS_SENDER="tests.schools.sms_senders.<Class>")."""

from xiji_afterschool.sms import SmsError

SENT: list[tuple[str, str]] = []  # (mobile, text) of every RecordingSender.send, cleared by the tests' fixture
CODES: list[tuple[str, str]] = []  # (mobile, code) of every one-time code sent through RecordingSender


class RecordingSender:
    """Accepts every message and remembers it (a one-time code also in CODES)."""

    def send(self, mobile: str, text: str, code: str | None = None) -> str:
        SENT.append((mobile, text))
        if code is not None:
            CODES.append((mobile, code))
        return f"test-{len(SENT)}"


class DownSender:
    """A provider that is down: every send fails."""

    calls = 0

    def send(self, mobile: str, text: str, code: str | None = None) -> str:
        DownSender.calls += 1
        raise SmsError("短信网关不可用 (gateway timeout)")
