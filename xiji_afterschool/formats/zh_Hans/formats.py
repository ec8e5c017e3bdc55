"""How dates read on a Chinese page: one format per kind, everywhere (#15 item 5). Django's own zh_Hans formats
but the month and day without a leading zero (9月5日, as the year-month-day form writes them). The weekday is
written with `|date:"D"`: 周五 (the project's translation of "Fri"), never 星期五."""

from django.conf.locale.zh_Hans.formats import (  # noqa: F401 — re-exported: the input formats stay Django's
    DATE_INPUT_FORMATS,
    DATETIME_INPUT_FORMATS,
    DECIMAL_SEPARATOR,
    FIRST_DAY_OF_WEEK,
    NUMBER_GROUPING,
    THOUSAND_SEPARATOR,
    TIME_INPUT_FORMATS,
)

DATE_FORMAT = "Y年n月j日"  # 2026年9月5日
TIME_FORMAT = "H:i"  # 20:45
DATETIME_FORMAT = "Y年n月j日 H:i"  # 2026年9月5日 20:45
YEAR_MONTH_FORMAT = "Y年n月"  # 2026年9月
MONTH_DAY_FORMAT = "n月j日"  # 9月5日
SHORT_DATE_FORMAT = "Y年n月j日"
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
