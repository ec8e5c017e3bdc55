"""Access rows of class review, school approval and coverage; and `make_application`, the ORM-built application
these rows and tests/enrollment/test_review.py, test_coverage.py use (states set directly, not via the workflow)."""

from django.utils import timezone

from enrollment.models import Agreement, AgreementText, Application
from schools.models import ActivityCategory, ServiceClass

from ..factories import UserFactory
from ..factories_enrollment import APPLICATION_DATA
from .cases import Case, only

S = Application.Status


def make_application(student, *, school_year, status=S.SUBMITTED, applicant=None, **fields) -> Application:
    """A signed agreement and an application of `student` in `status`; placed/active ones get a service class."""
    if applicant is None:
        link = student.guardian_links.select_related("guardian__user").first()
        applicant = (link and link.guardian.user) or UserFactory()
    text = AgreementText.objects.filter(school=student.school, school_year=school_year).first()
    if text is None:
        text = AgreementText.objects.create(
            school=student.school, school_year=school_year, version=1, body="自愿服务协议书", published_by=applicant
        )
    agreement = Agreement.objects.create(
        student=student, text=text, decision=Agreement.Decision.SIGNED, signer_name="马文清", relation="父亲",
        consent=True, signed_by=applicant,
    )  # fmt: skip
    if status in (S.PLACED, S.ACTIVE) and "service_class" not in fields:
        fields["service_class"] = ServiceClass.objects.get_or_create(
            school=student.school, school_year=school_year, name="作业辅导一班",
            defaults={"activity": ActivityCategory.HOMEWORK, "capacity": 40, "created_by": applicant},
        )[0]  # fmt: skip
    values = {
        **APPLICATION_DATA,
        "submitted_at": timezone.now(),
        **fields,
    }
    return Application.objects.create(
        student=student, school=student.school, school_year=school_year, status=status, agreement=agreement,
        applicant=applicant, **values,
    )  # fmt: skip


def _app(w, status):
    """The application of `child` (class_a1, school_a) in `status`, made once per test."""
    key = f"_review_app_{status}"
    if getattr(w, key, None) is None:
        late = status in (S.LATE, S.LATE_WAITING)
        setattr(w, key, make_application(w.child, school_year=w.school_year, status=status, late=late))
    return getattr(w, key)


# The child's application (class_a1 of school_a): who sees it, and who may act on it.
SEES_CHILD_APPLICATION = {"parent": 403, "school_admin": 403, "township": 403, "bureau": 403, "inspector": 403}
CLASS_REVIEW = {**SEES_CHILD_APPLICATION, "class_teacher": 302}
SCHOOL_APPROVAL = {**SEES_CHILD_APPLICATION, "class_teacher": 403, "school_admin": 302}
# Seeing school_a without the right to its coverage (parents: their child's school).
SCHOOL_A_WITHOUT_COVERAGE = {
    a: 403
    for a in ("parent", "other_parent", "class_teacher", "service_teacher", "volunteer", "finance", "hr", "auditor")
}
COVERAGE_VIEWERS = ("school_admin", "other_school_admin", "township", "bureau", "inspector")

MATRIX = {
    "enrollment:review-class": only("class_teacher"),
    "enrollment:review-class-bulk-approve": only("class_teacher", method="post", status=302),
    "enrollment:review-school": only("school_admin", "other_school_admin"),
    "enrollment:review-school-bulk-approve": only("school_admin", "other_school_admin", method="post", status=302),
    "enrollment:application-class-approve": Case(
        method="post", args=lambda w: [_app(w, S.SUBMITTED).pk], ok=CLASS_REVIEW, default=404
    ),
    "enrollment:application-class-return": Case(
        method="post", args=lambda w: [_app(w, S.SUBMITTED).pk], ok=CLASS_REVIEW, default=404
    ),
    "enrollment:application-school-approve": Case(
        method="post", args=lambda w: [_app(w, S.CLASS_APPROVED).pk], ok=SCHOOL_APPROVAL, default=404
    ),
    "enrollment:application-school-return": Case(
        method="post", args=lambda w: [_app(w, S.CLASS_APPROVED).pk], ok=SCHOOL_APPROVAL, default=404
    ),
    # A late application (逾期申请): only the child's school decides to accept it or put it on its waiting list.
    "enrollment:application-late-accept": Case(
        method="post", args=lambda w: [_app(w, S.LATE).pk], ok=SCHOOL_APPROVAL, default=404
    ),
    "enrollment:application-late-wait": Case(
        method="post", args=lambda w: [_app(w, S.LATE).pk], ok=SCHOOL_APPROVAL, default=404
    ),
    "enrollment:coverage-county": only(*COVERAGE_VIEWERS),
    "enrollment:coverage-county-export": only(*COVERAGE_VIEWERS),
    "enrollment:coverage-school": Case(
        args=lambda w: [w.school_a.pk],
        ok={**SCHOOL_A_WITHOUT_COVERAGE, "school_admin": 200, "township": 200, "bureau": 200, "inspector": 200},
        default=404,
    ),
}
