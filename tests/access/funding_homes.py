"""Access rows for the home pages of the county's money departments (finance, HR, audit) and the school's funding
overview (school_a's admin and the county's readers; everyone else does not see it: 404)."""

from .cases import Case, only

FUNDING_READERS = {"school_admin": 200, "bureau": 200, "finance": 200, "inspector": 200, "auditor": 200}

MATRIX = {
    "funding:finance-home": only("finance"),
    "funding:hr-home": only("hr"),
    "funding:auditor-home": only("auditor"),
    "funding:school-funding": Case(args=lambda w: [w.school_a.pk], ok=FUNDING_READERS, default=404),
}
