"""Words for the overdue list (issue #12, item 8): each kind of deadline's label."""

from django.utils.translation import gettext_lazy as _

# Hooked kinds add their label here (or are shown by their name).
KIND_LABELS = {
    "plan_filing": _("School plan not filed"),
    "annual_claim": _("Annual subsidy claim not submitted"),
    "school_report": _("School report not submitted"),
    "rectification": _("Inspection rectification not answered"),
    "data_request": _("Family's data request not answered"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))
