"""Rows of the incident export: one row per incident the viewer may read, no child's name (counts only)."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Incident


def incident_rows(*, incidents: QuerySet[Incident]) -> tuple[list[str], Iterable[list]]:
    """(header, rows) of scoped incidents; the caller passes `selectors.incident_list(viewer=...)`."""
    header = [
        _("Township"),
        _("School"),
        _("When it happened"),
        _("Place"),
        _("Severity"),
        _("During the after-school service"),
        _("Children involved"),
        _("Status"),
        _("Insurance"),
        _("Claim status"),
        _("Amount claimed"),
        _("Amount paid"),
        _("Total compensation"),
    ]

    def rows():
        for incident in incidents:
            claim = getattr(incident, "insurance", None)
            yield [
                incident.school.township.name,
                incident.school.name,
                timezone.localtime(incident.occurred_at).strftime("%Y-%m-%d %H:%M"),
                incident.place,
                incident.get_severity_display(),
                _("Yes") if incident.during_service else _("No"),
                incident.child_count,
                incident.get_status_display(),
                claim.get_policy_display() if claim else "",
                claim.get_status_display() if claim else "",
                claim.amount_claimed if claim else None,
                claim.amount_paid if claim else None,
                claim.compensation_total if claim else None,
            ]

    return header, rows()
