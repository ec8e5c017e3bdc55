"""Access rows of the overdue list (issue #12, item 8)."""

from .cases import only

MATRIX = {
    "bureau:overdue-list": only("bureau", "inspector", "leadership", "township"),
}
