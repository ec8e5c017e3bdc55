"""Access rows of the hazards (R31).

Every person working at school_a sees its hazards (class teacher, after-school teacher, volunteer, school admin,
gate, care staff), as do the township and the county readers; other_school_admin sees school_b's only (404 here);
parents and the money departments have no rule (404; 403 on the list). The school admin assigns, verifies,
returns and refers; the responsible person (here the after-school teacher) or the admin records the rectification;
the township records the reply to a referral to the township (the county readers to a county department's).
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safety.services import hazards as services

from .cases import Case, only

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SCHOOL_A_STAFF = ("class_teacher", "service_teacher", "volunteer", "school_admin", "gate", "care_staff")
VIEWERS = (*SCHOOL_A_STAFF, "township", "bureau", "inspector")


def _hazards(world, tmp_path):
    def report(text):
        return services.hazard_report(
            actor=world.class_teacher, school=world.school_a, category="building", description=text, place="东侧围墙"
        )

    deadline = timezone.localdate() + datetime.timedelta(days=7)
    world.open_hazard = report("围墙有裂缝")
    world.assigned = report("楼梯扶手松动")
    services.hazard_assign(
        actor=world.school_admin, hazard=world.assigned, responsible=world.service_teacher, deadline=deadline
    )
    world.rectified = report("走廊灯不亮")
    services.hazard_assign(
        actor=world.school_admin, hazard=world.rectified, responsible=world.service_teacher, deadline=deadline
    )
    rectification = services.hazard_rectify(
        actor=world.service_teacher, hazard=world.rectified, note="已更换灯管",
        photos=[SimpleUploadedFile("a.png", PNG, content_type="image/png")],
    )  # fmt: skip
    world.photo = rectification.photos.get()
    world.referred = report("校门外路口无减速带")
    services.hazard_refer(actor=world.school_admin, hazard=world.referred, to="township", note="需乡镇协调")


def _case(attr: str, allowed: dict, method="post"):
    ok = dict.fromkeys(VIEWERS, 403) | allowed
    return Case(method=method, args=lambda w: [getattr(w, attr).pk], ok=ok, default=404, setup=_hazards)


MATRIX = {
    "safety:hazard-list": only(*VIEWERS, "other_school_admin"),
    "safety:hazard-report": only(*SCHOOL_A_STAFF, "other_school_admin"),
    "safety:hazard-detail": _case("open_hazard", dict.fromkeys(VIEWERS, 200), method="get"),
    "safety:hazard-assign": _case("open_hazard", {"school_admin": 302}),
    "safety:hazard-rectify": _case("assigned", {"school_admin": 302, "service_teacher": 302}),
    "safety:hazard-close": _case("rectified", {"school_admin": 302}),
    "safety:hazard-return": _case("rectified", {"school_admin": 302}),
    "safety:hazard-refer": _case("open_hazard", {"school_admin": 302}),
    "safety:hazard-reply": _case("referred", {"township": 302}),
    "safety:hazard-photo": _case("photo", dict.fromkeys(VIEWERS, 200), method="get"),
}
