"""Access rows of feedback (R33, R37): the form, its receipt and the lookup are public; a complaint about school_a,
sent by `parent` signed in and routed to school_a, is read by the county readers, the school's admin and its sender;
answered and closed by the school's admin or the bureau; referred by the bureau alone."""

from xiji_afterschool.bureau.models import Feedback
from xiji_afterschool.bureau.services import feedback as feedback_services

from ..conftest import ACTORS
from .cases import Case, only

EVERYONE = {a: 200 for a in ACTORS}
READERS = {a: 200 for a in ("bureau", "inspector", "leadership", "school_admin", "parent")}
READERS_REFUSED = {a: 403 for a in READERS}


def _complaint(world, tmp_path):
    world.feedback = feedback_services.feedback_submit(
        actor=world.parent, address="10.0.0.1", kind=Feedback.Kind.COMPLAINT, sender=Feedback.Sender.PARENT,
        theme=Feedback.Theme.TIMETABLE, text="服务结束太晚", school=world.school_a,
    )  # fmt: skip


def _pk(w):
    return [w.feedback.pk]


MATRIX = {
    "bureau:feedback-submit": Case(ok=EVERYONE, anonymous=200),
    "bureau:feedback-sent": Case(ok=EVERYONE, anonymous=200),
    "bureau:feedback-track": Case(ok=EVERYONE, anonymous=200),
    "bureau:feedback-list": only("bureau", "inspector", "leadership", "school_admin", "other_school_admin"),
    "bureau:feedback-mine": only("parent", "other_parent"),
    "bureau:feedback-detail": Case(args=_pk, ok=READERS, default=404, setup=_complaint),
    # An empty POST is a refused form: a message and a redirect for whoever may act.
    "bureau:feedback-answer": Case(
        method="post",
        args=_pk,
        ok={**READERS_REFUSED, "school_admin": 302, "bureau": 302},
        default=404,
        setup=_complaint,
    ),
    "bureau:feedback-refer": Case(
        method="post", args=_pk, ok={**READERS_REFUSED, "bureau": 302}, default=404, setup=_complaint
    ),
    "bureau:feedback-close": Case(
        method="post",
        args=_pk,
        ok={**READERS_REFUSED, "school_admin": 302, "bureau": 302},
        default=404,
        setup=_complaint,
    ),
}
