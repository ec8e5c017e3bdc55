"""Access rows for service classes (组班, R19) and placement (R14): the school's administrator forms classes and
places children; the class's own teacher, the township, the bureau and inspectors read the classes.

Anyone who sees school_a but has no right gets 403 on a school URL; on a class or application URL, anyone outside
that object's scope gets 404 (a volunteer who does not teach the class, parents for classes).
"""

from django.utils import timezone

from enrollment.models import Agreement, AgreementText, Application
from schools.models import ActivityCategory, ServiceClass

from .cases import Case

# Who sees school_a (parents through their children, county departments everywhere).
SEE_SCHOOL_A = (
    "parent", "other_parent", "class_teacher", "service_teacher", "volunteer", "township", "bureau", "inspector",
    "finance", "hr", "auditor",
)  # fmt: skip
CLASS_READERS = ("school_admin", "service_teacher", "township", "bureau", "inspector")  # the class's teacher only


def _service_class(w) -> ServiceClass:
    """A class of school_a taught by `service_teacher`, made once per test."""
    if getattr(w, "_access_service_class", None) is None:
        w._access_service_class = ServiceClass.objects.create(
            school=w.school_a, school_year=w.school_year, name="书法一班", activity=ActivityCategory.ARTS,
            capacity=20, teacher=w.service_teacher, created_by=w.school_admin,
        )  # fmt: skip
    return w._access_service_class


def _approved_application(w) -> Application:
    """The approved application of `child` (class_a1 of school_a), waiting for a place."""
    if getattr(w, "_access_placement_app", None) is None:
        text = AgreementText.objects.create(
            school=w.school_a, school_year=w.school_year, version=1, body="自愿服务协议书", published_by=w.school_admin
        )
        agreement = Agreement.objects.create(
            student=w.child, text=text, decision=Agreement.Decision.SIGNED, signer_name="马文清", relation="父亲",
            consent=True, signed_by=w.parent,
        )  # fmt: skip
        w._access_placement_app = Application.objects.create(
            student=w.child, school=w.school_a, school_year=w.school_year, status=Application.Status.APPROVED,
            service_kind=Application.ServiceKind.REGULAR, pickup_difficulty="父母务工", pickup_person="马爷爷",
            pickup_relation="祖父", pickup_mobile="13909540001", agreement=agreement, applicant=w.parent,
            submitted_at=timezone.now(), preferences=[ActivityCategory.ARTS],
        )  # fmt: skip
    return w._access_placement_app


def _school_page(*allowed, status=200, method="get"):
    """A school_a page: `allowed` get `status`, others who see school_a 403, the rest (another school's admin) 404."""
    ok = {a: 403 for a in SEE_SCHOOL_A}
    ok.update({a: status for a in allowed})
    return Case(method=method, args=lambda w: [w.school_a.pk], ok=ok, default=404)


MATRIX = {
    "schools:service-class-list": _school_page(*CLASS_READERS, "volunteer"),
    "schools:service-class-create": _school_page("school_admin"),
    "schools:service-class-detail": Case(
        args=lambda w: [_service_class(w).pk], ok={a: 200 for a in CLASS_READERS}, default=404
    ),
    "schools:service-class-edit": Case(
        args=lambda w: [_service_class(w).pk],
        ok={**{a: 403 for a in CLASS_READERS}, "school_admin": 200},
        default=404,
    ),
    "enrollment:placement": _school_page("school_admin"),
    "enrollment:placement-apply": _school_page("school_admin", status=302, method="post"),
    # The child's application: seen by the parent, the class teacher, the school and the county; placed by the school.
    "enrollment:application-place": Case(
        method="post",
        args=lambda w: [_approved_application(w).pk],
        ok={"parent": 403, "class_teacher": 403, "township": 403, "bureau": 403, "inspector": 403, "school_admin": 302},
        default=404,
    ),
}
