"""The register of personal information for the bureau's person in charge (issue #14 item 3): every registered field
with the county's current retention periods."""

from schools.models import RetentionSetting
from schools.rules import retention as retention_rules
from xiji_afterschool import permissions, privacy


def register_rows(*, viewer) -> list[privacy.Row]:
    """The register's rows with the retention days the county set (a class without a row: the rules' default). Who may:
    `privacy.view` (the bureau, the auditor); anyone else reads no setting and gets the defaults, never an error."""
    stored = dict(permissions.scope(viewer, RetentionSetting.objects.all(), "privacy.view").values_list("key", "days"))
    days = {key: stored.get(key, retention_rules.default_days(key)) for key in retention_rules.KEYS}
    return privacy.rows(days)


def register_by_category(*, viewer) -> list[tuple[str, list[privacy.Row]]]:
    """The rows grouped by data category, in the register's order of categories."""
    rows = register_rows(viewer=viewer)
    return [
        (c, [r for r in rows if r.entry.category == c])
        for c in privacy.CATEGORIES
        if any(r.entry.category == c for r in rows)
    ]
