"""Access rows of passwords (issue 13 §2): the public recovery by SMS (issue 14), one's own change page, the reset
list and a reset (of school_a's after-school teacher: only school_a's administrator; everyone else is outside the
scope, 404)."""

from ..conftest import ACTORS
from .cases import Case, only

EVERYONE = (
    "parent", "other_parent", "class_teacher", "service_teacher", "volunteer", "school_admin", "other_school_admin",
    "township", "bureau", "finance", "inspector", "hr", "auditor", "leadership", "gate", "care_staff",
)  # fmt: skip

MATRIX = {
    # Public (issue 14): a parent recovers a forgotten password by SMS; a signed-in user is sent to the change page.
    "schools:password-recover": Case(ok={a: 302 for a in ACTORS}, anonymous=200),
    "schools:password-change": only(*EVERYONE),
    "schools:password-staff": only("school_admin", "other_school_admin", "bureau"),
    "schools:password-reset": Case(args=lambda w: [w.service_teacher.pk], ok={"school_admin": 200}, default=404),
}
