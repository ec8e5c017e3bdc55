"""Access rows of the parent's journey: register, link a child, apply and sign, re-sign, withdraw, correct, the
agreement PDF, the school's agreement texts, and the paper path (代录). Objects are built with the ORM, once per test."""

from django.utils import timezone

from enrollment.models import Agreement, AgreementText, Application
from schools.models import ActivityCategory

from ..conftest import ACTORS
from .cases import Case, only

S = Application.Status


def agreement_text(w, version: int = 1) -> AgreementText:
    """school_a's agreement text of the current year, `version` (made once)."""
    text = AgreementText.objects.filter(school=w.school_a, school_year=w.school_year, version=version).first()
    return text or AgreementText.objects.create(
        school=w.school_a, school_year=w.school_year, version=version, body="自愿服务协议书 " * 5,
        published_by=w.school_admin,
    )  # fmt: skip


def signed_application(w, status: str = S.SUBMITTED, *, student=None, parent=None, **fields) -> Application:
    """`child`'s application (by `parent`) in `status`, signed on version 1 of school_a's text."""
    student, parent = student or w.child, parent or w.parent
    text = agreement_text(w)
    agreement = Agreement.objects.create(
        student=student, text=text, decision=Agreement.Decision.SIGNED, signer_name=parent.full_name,
        relation="father", consent=True, signed_by=parent, ip_address="10.0.0.1", user_agent="test",
    )  # fmt: skip
    return Application.objects.create(
        student=student, school=student.school, school_year=w.school_year, status=status, agreement=agreement,
        applicant=parent, service_kind=Application.ServiceKind.REGULAR, pickup_difficulty="父母都在外打工",
        preferences=[ActivityCategory.HOMEWORK], pickup_person="马爷爷", pickup_relation="grandfather",
        pickup_mobile="13909540002", submitted_at=timezone.now(), **fields,
    )  # fmt: skip


def _app(w, status=S.SUBMITTED) -> Application:
    key = f"_parents_app_{status}"
    if getattr(w, key, None) is None:
        setattr(w, key, signed_application(w, status))
    return getattr(w, key)


def _app_to_resign(w) -> Application:
    app = _app(w)
    agreement_text(w, version=2)  # the school published a new text after the parent signed version 1
    return app


# `child` (class_a1, school_a): who sees the child / its application, and their answers.
SEES_CHILD = {
    "parent": 403,
    "class_teacher": 403,
    "school_admin": 403,
    "township": 403,
    "bureau": 403,
    "inspector": 403,
}
# Everyone who sees school_a (parents through their child); only its admin publishes there.
SEES_SCHOOL_A_WITHOUT_RIGHT = ("parent", "other_parent", "class_teacher", "service_teacher", "volunteer", "township")
SEES_SCHOOL_A = {a: 403 for a in (*SEES_SCHOOL_A_WITHOUT_RIGHT, "bureau", "inspector", "finance", "hr", "auditor")}

MATRIX = {
    # Public: anyone may open the registration page; a signed-in user is sent to their home.
    "enrollment:register": Case(ok={a: 302 for a in ACTORS}, anonymous=200),
    "enrollment:child-link": only("parent", "other_parent"),
    "enrollment:agreement-text-list": only("school_admin", "other_school_admin"),
    "enrollment:agreement-text-publish": Case(
        method="post", args=lambda w: [w.school_a.pk], ok={**SEES_SCHOOL_A, "school_admin": 302}, default=404
    ),
    "enrollment:application-create": Case(args=lambda w: [w.child.pk], ok={**SEES_CHILD, "parent": 200}, default=404),
    "enrollment:application-enter": Case(
        args=lambda w: [w.child.pk], ok={**SEES_CHILD, "class_teacher": 200, "school_admin": 200}, default=404
    ),
    "enrollment:application-detail": Case(args=lambda w: [_app(w).pk], ok={a: 200 for a in SEES_CHILD}, default=404),
    "enrollment:application-withdraw": Case(
        method="post", args=lambda w: [_app(w).pk], ok={**SEES_CHILD, "parent": 302, "school_admin": 302}, default=404
    ),
    "enrollment:application-edit": Case(
        args=lambda w: [_app(w, S.RETURNED).pk],
        ok={**SEES_CHILD, "parent": 200, "class_teacher": 200, "school_admin": 200},
        default=404,
    ),
    "enrollment:agreement-resign": Case(
        args=lambda w: [_app_to_resign(w).pk], ok={**SEES_CHILD, "parent": 200}, default=404
    ),
    # Agreements are seen by the family, the class teacher and the school only (not the township or the county).
    "enrollment:agreement-pdf": only(
        "parent", "class_teacher", "school_admin", default=404, args=lambda w: [_app(w).agreement_id]
    ),
}
