"""Access rows of the guardian's rights (issue #14, item 5): "My data" and its downloads, the requests about data, the
school's answer and the county's overdue list. The request is built with the ORM, once per test."""

import datetime

from django.utils import timezone

from enrollment.models import DataRequest

from .cases import Case, only


def _request(w) -> DataRequest:
    """`parent`'s open correction request about `child` (class_a1, school_a)."""
    if getattr(w, "_data_request", None) is None:
        w._data_request = DataRequest.objects.create(
            school=w.school_a, student=w.child, requester=w.parent, kind=DataRequest.Kind.CORRECTION,
            what_is_wrong="出生日期错了", should_be="2016-05-01", submitted_at=timezone.now(),
            due_date=timezone.localdate() + datetime.timedelta(days=21),
        )  # fmt: skip
    return w._data_request


# The request is seen by the family who sent it, the child's class teacher and the school; nobody else sees it.
SEES_REQUEST = {"parent": 200, "class_teacher": 200, "school_admin": 200}

MATRIX = {
    "enrollment:my-data": only("parent", "other_parent"),
    "enrollment:my-data-json": only("parent", "other_parent"),
    "enrollment:my-data-xlsx": only("parent", "other_parent"),
    "enrollment:data-request-create": only("parent", "other_parent"),
    "enrollment:data-request-list": only(
        "parent", "other_parent", "class_teacher", "school_admin", "other_school_admin"
    ),
    "enrollment:data-request-overdue": only("township", "bureau", "inspector"),
    "enrollment:data-request-detail": Case(args=lambda w: [_request(w).pk], ok=SEES_REQUEST, default=404),
    "enrollment:data-request-answer": Case(
        method="post",
        args=lambda w: [_request(w).pk],
        ok={"parent": 403, "class_teacher": 403, "school_admin": 302},
        default=404,
    ),
}
