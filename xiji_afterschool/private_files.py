"""Files written by code outside the storage (log files, a command's output, the test SMS outbox) are readable by the
service account only, as the storage's files are (settings.FILE_UPLOAD_PERMISSIONS, issue #14 item 4)."""

import os

from django.conf import settings


def mode() -> int:
    return getattr(settings, "FILE_UPLOAD_PERMISSIONS", None) or 0o600


def open_private(path, flags: str = "w", encoding: str | None = None):
    """`open(path, flags)` ("w", "wb", "a", "ab") creating the file with mode 0o600 (whatever the umask) and setting
    it on a file that already existed."""
    binary = "b" in flags
    os_flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if flags.startswith("a") else os.O_TRUNC)
    fd = os.open(path, os_flags, mode())
    try:
        os.fchmod(fd, mode())
    except OSError:
        os.close(fd)
        raise
    return os.fdopen(fd, flags, **({} if binary else {"encoding": encoding or "utf-8"}))
