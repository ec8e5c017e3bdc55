"""Access rows of data retention (issue #14 item 4): the bureau's settings page, read by the auditor too."""

from .cases import only

MATRIX = {
    "schools:retention": only("bureau", "auditor"),
}
