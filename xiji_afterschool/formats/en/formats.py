"""How dates read on an English page: day, month name, year — the same on every page (#15 item 5); 24-hour times
as on the Chinese pages. The weekday is written with `|date:"D"` (Fri)."""

from django.conf.locale.en.formats import (  # noqa: F401 — re-exported: the input formats stay Django's
    DATE_INPUT_FORMATS,
    DATETIME_INPUT_FORMATS,
    DECIMAL_SEPARATOR,
    FIRST_DAY_OF_WEEK,
    NUMBER_GROUPING,
    THOUSAND_SEPARATOR,
    TIME_INPUT_FORMATS,
)

DATE_FORMAT = "j M Y"  # 5 Sep 2026
TIME_FORMAT = "H:i"  # 20:45
DATETIME_FORMAT = "j M Y H:i"  # 5 Sep 2026 20:45
YEAR_MONTH_FORMAT = "F Y"  # September 2026
MONTH_DAY_FORMAT = "j M"  # 5 Sep
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
