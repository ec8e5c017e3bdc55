"""Access rows of the audit trail (issue #13): the page and its workbook, for the auditor and the bureau."""

from .cases import only

MATRIX = {
    "schools:audit-list": only("auditor", "bureau"),
    "schools:audit-export": only("auditor", "bureau"),
}
