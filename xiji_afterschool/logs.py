"""Application logs (等保 security audit, issue 13 §3): one file a day beside the console, kept
`XIJI_LOG_RETENTION_DAYS` days (the Cybersecurity Law's minimum is 180), tracebacks of every 5xx, one line for
a 4xx, and no resident ID number or mobile number in any line."""

import datetime
import logging
import re
from pathlib import Path

# An 18-character resident ID (the last may be X) and a mainland mobile, wherever they appear in a line.
_RESIDENT_ID = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}[0-9]{4}[0-9]{3}[0-9Xx](?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def redact(text: str) -> str:
    """The line with ID numbers and mobiles masked, keeping enough to tell two apart (110105********1234)."""
    text = _RESIDENT_ID.sub(lambda m: m.group()[:6] + "*" * 8 + m.group()[-4:], text)
    return _MOBILE.sub(lambda m: m.group()[:3] + "****" + m.group()[-4:], text)


class RedactingFormatter(logging.Formatter):
    """Masks personal numbers in the whole formatted line, the traceback of an error included (its message and
    its source lines may carry what a user typed)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class OneLineForClientErrors(logging.Filter):
    """A refused or missing page (4xx) is one line: Django logs a 403 with the exception that caused it, a full
    traceback nobody needs. Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class DailyFileHandler(logging.FileHandler):
    """`<directory>/xiji-YYYY-MM-DD.log`, a new file each day, files older than `retention_days` removed.

    A dated name instead of renaming at midnight: every gunicorn worker and Celery process appends to the same
    day's file and none of them renames a file another one is writing (what breaks TimedRotatingFileHandler when
    several processes share it)."""

    def __init__(self, directory, retention_days: int = 180, prefix: str = "xiji"):
        self.directory = Path(directory)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.retention_days = retention_days
        self.prefix = prefix
        self.day = datetime.date.today()
        super().__init__(self._path(self.day), encoding="utf-8", delay=True)
        self.prune()

    def _open(self):
        """The day's file readable by the service account only (issue #14 item 4)."""
        from .private_files import open_private

        return open_private(self.baseFilename, "a", encoding=self.encoding)

    def _path(self, day: datetime.date) -> str:
        return str(self.directory / f"{self.prefix}-{day.isoformat()}.log")

    def emit(self, record: logging.LogRecord) -> None:
        today = datetime.date.today()
        if today != self.day:
            self.acquire()
            try:
                self.close()
                self.day = today
                self.baseFilename = self._path(today)
                self.prune()
            finally:
                self.release()
        super().emit(record)

    def prune(self) -> None:
        """Removes the day files older than the retention (by the date in their name, not their mtime)."""
        oldest = self.day - datetime.timedelta(days=self.retention_days)
        for path in self.directory.glob(f"{self.prefix}-????-??-??.log"):
            try:
                day = datetime.date.fromisoformat(path.stem[len(self.prefix) + 1 :])
            except ValueError:
                continue
            if day < oldest:
                path.unlink(missing_ok=True)
