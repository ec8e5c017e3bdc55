"""Rows of the claim list export (R23): one row per claim the viewer may see, amounts as numbers."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ..models import Claim


def claim_rows(*, claims: QuerySet[Claim]) -> tuple[list[str], Iterable[list]]:
    """(header, rows) of scoped claims; the caller passes `selectors.claim_list(viewer=...)`."""
    header = [
        _("Township"),
        _("School code"),
        _("School"),
        _("School year"),
        _("Type"),
        _("Status"),
        _("Days counted from"),
        _("Yuan per class per class-hour"),
        _("Class-hours per day"),
        _("Service classes"),
        _("Amount claimed"),
        _("Amount approved"),
        _("Why less was approved"),
        _("Allocated on"),
        _("Voucher number"),
    ]

    def rows():
        for claim in claims.prefetch_related("lines"):
            yield [
                claim.school.township.name,
                claim.school.code,
                claim.school.name,
                claim.school_year.name,
                claim.get_kind_display(),
                claim.get_status_display(),
                claim.from_date,
                claim.rate,
                claim.class_hours_per_day,
                sum(line.service_classes for line in claim.lines.all()),
                claim.requested_amount,
                claim.approved_amount,
                claim.reduction_reason,
                claim.allocated_on,
                claim.voucher_no,
            ]

    return header, rows()
