"""Reads of the retention settings and runs (issue #14 item 4): the bureau's and the auditor's page."""

from django.db.models import QuerySet

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
                "updated_at": row.updated_at if row and row.updated_by_id else None,
            }
        )
    return rows


def recent_runs(*, viewer) -> QuerySet[RetentionRun]:
    return permissions.scope(viewer, RetentionRun.objects.all(), "retention.view")[:RECENT_RUNS]
