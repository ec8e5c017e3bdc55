"""The audit trail as workbook rows (issue #13)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AuditRecord


def _plain_changes(changes: dict) -> str:
    return "; ".join(f"{field}: {pair[0]} → {pair[1]}" for field, pair in (changes or {}).items() if len(pair) == 2)


def audit_rows(*, records) -> tuple[list[str], list[list]]:
    header = [
        _("Time"), _("Person"), _("Action"), _("Code"), _("Object type"), _("Object"), _("School"),
        _("Changes"), _("Result"), _("Client address"), _("Note"),
    ]  # fmt: skip
    results = dict(AuditRecord.Result.choices)
    rows = [
        [
            timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M:%S"),
            r.who,
            r.action_label,
            r.action,
            r.object_type,
            r.object_label,
            r.school.name if r.school_id else "",
            _plain_changes(r.changes),
            str(results.get(r.result, r.result)),
            r.client_address or "",
            r.note,
        ]
        for r in records
    ]
    return header, rows
