"""Reads of the retention settings and runs (issue #14 item 4): the bureau's and the auditor's page."""

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xiji_afterschool import permissions

from ..models import RetentionRun, RetentionSetting
from ..rules import retention as rules

RECENT_RUNS = 30


def setting_rows(*, viewer) -> list[dict]:
    """Every data class in the rules' order: its words, days, bounds, why the least, and who last changed it."""
    stored = {
        s.key: s
        for s in permissions.scope(viewer, RetentionSetting.objects.select_related("updated_by"), "retention.view")
    }
    rows = []
    for key in rules.KEYS:
        row = stored.get(key)
        least, most = rules.bounds(key)
        rows.append(
            {
                "key": key,
                "label": rules.label(key),
                "days": row.days if row else rules.default_days(key),
                "least": least,
                "most": most,
                "why": rules.why_minimum(key),
                "updated_by": row.updated_by if row else None,
                "updated_at": row.updated_at if row else None,
                "note": _logs_note(key, row.days if row else rules.default_days(key)),
            }
        )
    return rows


def _logs_note(key: str, days: int) -> str:
    """The log handler also removes day files after XIJI_LOG_RETENTION_DAYS (the server's environment): a county
    period longer than that is cut short, and the page says so."""
    server_days = settings.XIJI_LOG_RETENTION_DAYS
    if key != rules.LOGS or server_days >= days:
        return ""
    return _("The server removes log files after %(days)s days (XIJI_LOG_RETENTION_DAYS): ask for it to be raised.") % {
        "days": server_days
    }


def recent_runs(*, viewer) -> QuerySet[RetentionRun]:
    return permissions.scope(viewer, RetentionRun.objects.all(), "retention.view")[:RECENT_RUNS]
