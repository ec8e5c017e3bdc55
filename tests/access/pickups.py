"""Access rows of who may take a child (issue 11 §1).

Pick-up adults are the family's personal data: the child's guardian, the class teacher (reads) and the school admin
(writes from paper requests, buses, dormitories) open a child's page; everyone else gets 404 on the child (outside
their scope for `pickup.view`). The township, the county and other staff never see it. Inside the scope without the
right: 403. The gate and care staff see the rows through their own pages (gate, hand-over), not these: 403 or 404.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safety.models import TravelArrangement
from safety.services import pickups as services

from .cases import Case, only

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _arranged(world, tmp_path):
    """school_a's child has an adult (with a photo), a delegation, a walk-home permission and a bus seat."""
    today = timezone.localdate()
    child, parent, admin = world.child, world.parent, world.school_admin
    world.collector = services.collector_add(
        actor=parent, student=child, name="马奶奶", relation="grandmother", mobile="13909541234", valid_from=today,
        photo=SimpleUploadedFile("x.png", PNG, content_type="image/png"),
    )  # fmt: skip
    world.delegation = services.delegation_add(
        actor=parent, student=child, date=today, name="马舅舅", relation="uncle_aunt", mobile="13909545678"
    )
    world.walk_home = services.walk_home_sign(
        actor=parent, student=child, route="出校门沿县道回家", valid_from=today,
        valid_until=today + datetime.timedelta(days=30), leave_by=None,
        signature=services.WalkHomeSignature(signer_name="马文清", accepted=True),
    )  # fmt: skip
    world.route = services.bus_route_save(
        actor=admin, school=world.school_a, name="1号线", stops="甲村,乙村", departs_at=datetime.time(17, 30),
        escort=world.care_staff,
    )  # fmt: skip
    world.dormitory = services.dormitory_save(actor=admin, school=world.school_a, name="女生宿舍", teacher=None)
    world.travel = services.travel_set(
        actor=admin, student=child, kind=TravelArrangement.Kind.BUS, valid_from=today, bus_route=world.route,
        bus_stop="乙村",
    )  # fmt: skip


CHILD = lambda w: [w.child.pk]  # noqa: E731
READERS = {"parent": 200, "class_teacher": 200, "school_admin": 200}


def _on(obj: str, ok: dict, method="post"):
    return Case(method=method, args=lambda w: [getattr(w, obj).pk], ok=ok, default=404, setup=_arranged)


MATRIX = {
    "safety:pickup-list": only("class_teacher", "school_admin", "other_school_admin"),
    "safety:pickup-export": only("class_teacher", "school_admin", "other_school_admin"),
    "safety:pickup-student": Case(args=CHILD, ok=READERS, default=404),
    "safety:collector-add": Case(
        method="post", args=CHILD, ok={"parent": 302, "school_admin": 302, "class_teacher": 403}, default=404
    ),
    "safety:collector-revoke": _on(
        "collector", {"parent": 302, "school_admin": 302, "class_teacher": 403, "gate": 403}
    ),
    "safety:collector-photo": _on("collector", READERS, method="get"),
    "safety:delegation-add": Case(
        method="post", args=CHILD, ok={"parent": 302, "school_admin": 403, "class_teacher": 403}, default=404
    ),
    "safety:delegation-cancel": _on(
        "delegation", {"parent": 302, "school_admin": 403, "class_teacher": 403, "gate": 403}
    ),
    "safety:walk-home-sign": Case(
        args=CHILD, ok={"parent": 200, "school_admin": 200, "class_teacher": 403}, default=404
    ),
    "safety:walk-home-withdraw": _on(
        "walk_home", {"parent": 302, "school_admin": 302, "class_teacher": 403, "gate": 403}
    ),
    "safety:travel-set": Case(
        method="post", args=CHILD, ok={"parent": 403, "school_admin": 302, "class_teacher": 403}, default=404
    ),
    "safety:travel-end": _on(
        "travel", {"parent": 403, "school_admin": 302, "class_teacher": 403, "gate": 403, "care_staff": 403}
    ),
    "safety:transport": only("school_admin", "other_school_admin"),
    "safety:bus-route-add": Case(
        method="post", args=lambda w: [w.school_a.pk], ok={"school_admin": 302, "other_school_admin": 404}
    ),
    "safety:bus-route-edit": _on("route", {"school_admin": 200, "gate": 403, "care_staff": 403}, method="get"),
    "safety:dormitory-add": Case(
        method="post", args=lambda w: [w.school_a.pk], ok={"school_admin": 302, "other_school_admin": 404}
    ),
    "safety:dormitory-edit": _on("dormitory", {"school_admin": 200, "gate": 403, "care_staff": 403}, method="get"),
}
