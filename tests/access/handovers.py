"""Access rows of the hand-over (issue 11 §2, §9). The session is today's, of school_a, run by w.service_teacher
with three children present. Its pages: the session's teacher and the school admin; everyone else 404 (other staff
of the school too, unless a child of it was handed to them). The holder's page: every member of staff who may hold
children (the care staff's home). A guardian reads only their own child's hand-overs."""

from safety.services import handovers as services

from ..safety.handover_world import dismissal_world
from .cases import Case, only

SESSION_PAGE = {"service_teacher": 200, "school_admin": 200}
HOLDERS = ("school_admin", "other_school_admin", "service_teacher", "volunteer", "class_teacher", "care_staff")


def _session_case(method="get", status=200):
    return Case(
        method=method,
        args=lambda w: [w.session.pk],
        ok={a: status for a in SESSION_PAGE},
        default=404,
        setup=lambda w, tmp: dismissal_world(w),
    )


def _to_care_staff(w, tmp_path):
    dismissal_world(w)
    w.handover = services.handover_to_staff(
        actor=w.service_teacher, pairs=[(w.session, w.child)], to_staff=w.care_staff
    )[0]


MATRIX = {
    "safety:handover-dismissal": _session_case(),
    "safety:handover-tap": Case(
        method="post",
        args=lambda w: [w.session.pk, w.child.pk],
        ok={"service_teacher": 302, "school_admin": 302},
        default=404,
        setup=lambda w, tmp: dismissal_world(w),
    ),
    "safety:handover-staff": _session_case(),
    "safety:handover-sheet": _session_case(),
    "safety:handover-paper": _session_case(),
    "safety:held-children": only(*HOLDERS),
    # Nobody holds a child handed by staff here: the page sends the holder back to their care page.
    "safety:held-staff": only(*HOLDERS, status=302),
    # The receipt: the one it was handed to (302); the school admin sees it (302 with a refusal message).
    "safety:handover-receive": Case(
        method="post",
        args=lambda w: [w.handover.pk],
        ok={"care_staff": 302, "school_admin": 302},
        default=404,
        setup=_to_care_staff,
    ),
    # The giver, the taker and the school admin open the correction page; a guardian sees the record (their own
    # child's) but not the session: 404, like everyone else.
    "safety:handover-correct": Case(
        args=lambda w: [w.handover.pk],
        ok={"service_teacher": 200, "care_staff": 200, "school_admin": 200},
        default=404,
        setup=_to_care_staff,
    ),
    "safety:settings-edit": only("school_admin", "other_school_admin"),
    "safety:student-handovers": Case(args=lambda w: [w.child.pk], ok={"parent": 200, "school_admin": 200}, default=404),
}
