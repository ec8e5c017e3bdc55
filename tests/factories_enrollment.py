"""Enrollment factories that reach a state the way people do: through the services, one step after the other.

`application(student, status="placed")` enters the paper application (代录, open whatever the online deadline) and
walks it through class review, school approval and placement, so the rows, the memberships and the event history
are those the services write. The people acting are found at the child's school (or made there): its first school
administrator and a class teacher of the child's class.

Applications are always of the current school year (the services know no other). Where a test needs another year,
a chosen submission time, or a state without its history, it builds the row itself (tests/access/review.py
`make_application`, tests/enrollment/test_placement.py `make_application`).
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from enrollment.models import AgreementText, Application
from enrollment.services import agreements as agreements_services
from enrollment.services import applications as applications_services
from enrollment.services import consents as consents_services
from enrollment.services import placement as placement_services
from enrollment.services import review as review_services
from enrollment.services.agreements import Signature
from schools.models import ActivityCategory, Membership, Role, ServiceClass, Student
from schools.selectors.calendar import current_school_year
from schools.services import classes as classes_services
from xiji_afterschool.workflow import transition

from .factories import user_with_role

S = Application.Status

APPLICATION_DATA = {
    "service_kind": Application.ServiceKind.REGULAR,
    "pickup_difficulty": "父母都在外打工，爷爷下午要放羊",
    "preferences": [ActivityCategory.HOMEWORK, ActivityCategory.SPORTS],
    "pickup_person": "马爷爷",
    "pickup_relation": "祖父",
    "pickup_mobile": "13909540001",
}

# The services that lead to each status, in order (withdrawal is from "submitted").
STEPS = {
    S.SUBMITTED: (),
    S.RETURNED: ("class_return",),
    S.CLASS_APPROVED: ("class_approve",),
    S.APPROVED: ("class_approve", "school_approve"),
    S.WAITING: ("class_approve", "school_approve", "wait"),
    S.PLACED: ("class_approve", "school_approve", "place"),
    S.ACTIVE: ("class_approve", "school_approve", "place", "activate"),
    S.WITHDRAWN: ("withdraw",),
}


def _member(role: str, **anchor):
    membership = Membership.objects.filter(role=role, **anchor).select_related("user").order_by("pk").first()
    return membership.user if membership else None


def school_admin_of(school):
    return _member(Role.SCHOOL_ADMIN, school=school) or user_with_role(Role.SCHOOL_ADMIN, school=school)


def class_teacher_of(admin_class):
    return _member(Role.CLASS_TEACHER, admin_class=admin_class) or user_with_role(
        Role.CLASS_TEACHER, admin_class=admin_class
    )


def agreement_text(school, school_year=None, *, actor=None) -> AgreementText:
    """The school's current agreement text, published by its administrator if there is none yet."""
    school_year = school_year or current_school_year()
    text = AgreementText.objects.filter(school=school, school_year=school_year).order_by("-version").first()
    return text or agreements_services.agreement_text_publish(
        actor=actor or school_admin_of(school), school=school, school_year=school_year, body="自愿服务协议书"
    )


def service_class_for(student: Student, *, actor=None, capacity=40) -> ServiceClass:
    """A regular class of the child's school with a teacher and a free place, drawing from the child's class."""
    school_year = current_school_year()
    actor = actor or school_admin_of(student.school)
    return classes_services.service_class_save(
        actor=actor, school=student.school, school_year=school_year,
        name=f"作业辅导{ServiceClass.objects.filter(school=student.school).count() + 1}班",
        kind=ServiceClass.Kind.REGULAR, activity=ActivityCategory.HOMEWORK,
        teacher=user_with_role(Role.SERVICE_TEACHER, school=student.school), capacity=capacity,
        admin_classes=[student.admin_class],
    )  # fmt: skip


SCAN_PDF = b"%PDF-1.4\n% the signed consent form\n%%EOF\n"


def scan(name: str = "consent.pdf", content: bytes = SCAN_PDF) -> SimpleUploadedFile:
    """A scan of a signed paper form, as a browser uploads it."""
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def paper_consent(student: Student, *, sensitive: bool = False, actor=None):
    """The guardian's consents signed on paper and entered by the school with the scan (issue #14 item 2)."""
    kinds = ["personal", "sensitive"] if sensitive else ["personal"]
    kinds = [k for k in kinds if not student.consents.filter(kind=k, status="given").exists()]
    if not kinds:
        return []
    return consents_services.consent_record_paper(
        actor=actor or school_admin_of(student.school), student=student, kinds=kinds, signer_name="马文清",
        relation="father", scan=scan(),
    )  # fmt: skip


def application(student: Student, *, status: str = S.SUBMITTED, service_class=None, **data) -> Application:
    """An application of `student` in `status`, reached through the services (see the module docstring).

    `data` overrides the applicant's fields (e.g. dual_working=True). "placed" and "active" take `service_class`
    or get a new one (`service_class_for`). "waiting" and "active" are the placement workflow's own moves
    ("wait" as placement_apply makes it, "activate" as the nightly activate_due_placements makes it), made for
    this application alone so that other applications of the school stay where they are.
    """
    admin = school_admin_of(student.school)
    text = agreement_text(student.school, actor=admin)
    paper_consent(student, sensitive=bool(data.get("disability") or data.get("economic_hardship")), actor=admin)
    app = applications_services.application_enter_on_behalf(
        actor=admin, student=student, data={**APPLICATION_DATA, **data}, text_version=text.version,
        signature=Signature(signer_name="马文清", relation="father"), paper_original_on_file=True,
    )  # fmt: skip
    teacher = class_teacher_of(student.admin_class)
    for step in STEPS[status]:
        if step == "class_return":
            review_services.application_class_return(actor=teacher, application=app, note="请写明接送困难")
        elif step == "class_approve":
            review_services.application_class_approve(actor=teacher, application=app)
        elif step == "school_approve":
            review_services.application_school_approve(actor=admin, application=app)
        elif step == "wait":
            transition(app, "wait", actor=admin, note="No place in a suitable class yet.")
        elif step == "place":
            service_class = service_class or service_class_for(student, actor=admin)
            placement_services.application_place(actor=admin, application=app, service_class=service_class)
        elif step == "activate":
            transition(app, "activate", actor=None, system=True, note="Service started")  # as the nightly job does
        elif step == "withdraw":
            applications_services.application_withdraw(
                actor=admin, application=app, effective=timezone.localdate(), note="家长撤回"
            )
    app.refresh_from_db()
    assert app.status == status, (app.status, status)
    return app
