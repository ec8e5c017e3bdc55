"""Access rows for the home pages of the county's money departments (finance, HR, audit)."""

from .cases import only

MATRIX = {
    "funding:finance-home": only("finance"),
    "funding:hr-home": only("hr"),
    "funding:auditor-home": only("auditor"),
}
