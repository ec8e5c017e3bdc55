"""How long each class of data is kept (issue #14 item 4, kept no longer than needed): the data classes, their
defaults, the least and most the county may set, and the cut-off arithmetic. No database.

Every period is a number of days. For `letters` it counts from the last day of the letters' school year (0: the day
after the year ends); for every other class from the record's own moment (a file's creation, an application's
withdrawal, a session's day, a code's sending).

The keys are fixed: the privacy register (another concern) names them."""

import datetime

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

EXPORTS = "exports"
IMPORTS = "imports"
LETTERS = "letters"
APPLICANTS_CLOSED = "applicants_closed"
ATTENDANCE = "attendance"
MONEY = "money"
AUDIT = "audit"
LOGS = "logs"
VERIFICATION_CODES = "verification_codes"
MESSAGES = "messages"
GATE = "gate"
SAFETY_RECORDS = "safety_records"
INCIDENTS = "incidents"
REQUESTS = "requests"

KEYS = (
    EXPORTS,
    IMPORTS,
    LETTERS,
    APPLICANTS_CLOSED,
    ATTENDANCE,
    MONEY,
    AUDIT,
    LOGS,
    VERIFICATION_CODES,
    MESSAGES,
    GATE,
    SAFETY_RECORDS,
    INCIDENTS,
    REQUESTS,
)

YEAR = 365
ACCOUNTING_DAYS = 30 * YEAR  # 会计档案管理办法: accounting records 30 years
LOG_MINIMUM_DAYS = 180  # 网络安全法 第二十一条: network logs at least six months
# 民法典 第一百八十八条: a claim is brought within three years of knowing of the harm, and never later than twenty years
# after it. Twenty years covers the youngest child here (six) reaching eighteen and three years more, as well.
INJURY_CLAIM_DAYS = 20 * YEAR

# key: (words, default days, least days, most days, why the least)
CLASSES = {
    EXPORTS: (
        _("Export files (roster and other workbooks)"),
        7,
        1,
        90,
        _("a file must stay for the day it was asked for"),
    ),
    IMPORTS: (_("Roster import uploads"), 7, 1, 90, _("an upload must stay until it is checked and imported")),
    LETTERS: (
        _("Letters to Parents (PDF), days after the school year ends"),
        0,
        0,
        365,
        _("letters are needed until the school year ends"),
    ),
    APPLICANTS_CLOSED: (
        _("Withdrawn applications and declined agreements, and their children's data not otherwise needed"),
        2 * YEAR,
        180,
        5 * YEAR,
        _("a withdrawn application may be questioned within the school year"),
    ),
    ATTENDANCE: (
        _("Attendance records, then anonymised"),
        ACCOUNTING_DAYS,
        ACCOUNTING_DAYS,
        100 * YEAR,
        _("attendance backs the subsidy accounts, kept 30 years (会计档案管理办法)"),
    ),
    MONEY: (
        _("Money records, then anonymised"),
        ACCOUNTING_DAYS,
        ACCOUNTING_DAYS,
        100 * YEAR,
        _("accounting records are kept 30 years (会计档案管理办法)"),
    ),
    AUDIT: (
        _("Audit trail"),
        3 * YEAR,
        LOG_MINIMUM_DAYS,
        100 * YEAR,
        _("network logs are kept at least six months (网络安全法)"),
    ),
    LOGS: (
        _("Log files"),
        3 * YEAR,
        LOG_MINIMUM_DAYS,
        100 * YEAR,
        _("network logs are kept at least six months (网络安全法)"),
    ),
    VERIFICATION_CODES: (
        _("SMS verification codes"),
        1,
        1,
        30,
        _("the daily limit on codes counts a day's requests"),
    ),
    MESSAGES: (
        _("In-app notifications and text messages, then deleted"),
        YEAR,
        30,
        3 * YEAR,
        _("a parent may ask about a message within the month; the inbox is not a record"),
    ),
    GATE: (
        _("Gate visitor log and duty roster notes, then anonymised"),
        YEAR,
        180,
        3 * YEAR,
        _("a visitor log is kept at least six months (门卫登记)"),
    ),
    SAFETY_RECORDS: (
        _(
            "Pick-up and going-home records (hand-overs, authorised adults, day delegations, early leaves, late "
            "pick-ups, walking home, bus and dormitory), days after the record's day, then anonymised"
        ),
        3 * YEAR,
        YEAR,
        10 * YEAR,
        _("a complaint or an incident inquiry must still find who took the child; the term to sue is three years"),
    ),
    INCIDENTS: (
        _("Safety incidents, injuries and insurance claims, then anonymised"),
        INJURY_CLAIM_DAYS,
        INJURY_CLAIM_DAYS,
        30 * YEAR,
        _("an injured child may claim until three years after turning eighteen, at most twenty years (民法典)"),
    ),
    REQUESTS: (
        _("Data requests and public feedback, days after the answer, then anonymised"),
        3 * YEAR,
        YEAR,
        10 * YEAR,
        _("an answer may be complained of or brought to court within three years"),
    ),
}

# The word that takes a person's name once their data is anonymised (the county's own word, shown as is).
ANONYMISED = "已匿名"


def label(key: str) -> str:
    return str(CLASSES[key][0])


def default_days(key: str) -> int:
    return CLASSES[key][1]


def bounds(key: str) -> tuple[int, int]:
    """(least, most) days the county may set for the class."""
    return CLASSES[key][2], CLASSES[key][3]


def why_minimum(key: str) -> str:
    return str(CLASSES[key][4])


def check_days(key: str, days: int) -> str | None:
    """None if `days` may be set for the class, else the reason in words (the caller's language)."""
    least, most = bounds(key)
    if days < least:
        return gettext("At least %(least)s days: %(why)s.") % {"least": least, "why": why_minimum(key)}
    if days > most:
        return gettext("At most %(most)s days: data is kept no longer than needed.") % {"most": most}
    return None


def cutoff(now: datetime.datetime, days: int) -> datetime.datetime:
    """Records from before this moment are due."""
    return now - datetime.timedelta(days=days)


def letters_due(*, year_end: datetime.date, days: int, today: datetime.date) -> bool:
    """Letters of a school year whose last day was `year_end` are due once `days` whole days have passed after it."""
    return today > year_end + datetime.timedelta(days=days)


def last_school_year_end_due(*, days: int, today: datetime.date) -> datetime.date:
    """The latest last day of a school year whose letters are due today: the filter `end_date__lte=` this."""
    return today - datetime.timedelta(days=days + 1)


def birth_year_only(birth_date: datetime.date) -> datetime.date:
    """What an anonymised child's birth date keeps: the year (statistics by age), as 1 January."""
    return datetime.date(birth_date.year, 1, 1)


def log_day_due(*, name: str, prefix: str, today: datetime.date, days: int) -> bool:
    """Whether a daily log file `<prefix>-YYYY-MM-DD.log` is older than `days` (False for any other name)."""
    stem = name.removesuffix(".log")
    if not stem.startswith(f"{prefix}-") or stem == name:
        return False
    try:
        day = datetime.date.fromisoformat(stem[len(prefix) + 1 :])
    except ValueError:
        return False
    return day < today - datetime.timedelta(days=days)
