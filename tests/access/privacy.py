"""Access rows of the register of personal information (issue #14 item 3): the bureau's person in charge, and the
auditor."""

from .cases import only

MATRIX = {
    "bureau:privacy": only("bureau", "auditor"),
}
