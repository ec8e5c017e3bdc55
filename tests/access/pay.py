"""Access rows of teacher pay (R27): schemes (school admin writes, HR reviews; bureau and audit read), pay runs (school
admin; HR and audit read), pay slips (the teacher's own once approved; the school, HR and audit)."""

from decimal import Decimal

from funding.models import PayScheme

from ..funding.builders_pay import approved_run_with_share, approved_scheme, draft_run
from .cases import Case, only

SCHEME_READERS = {"school_admin": 200, "hr": 200, "bureau": 200, "auditor": 200}
SCHEME_SEEN = {"school_admin": 403, "hr": 403, "bureau": 403, "auditor": 403}  # see the scheme, may not act
RUN_READERS = {"school_admin": 200, "hr": 200, "auditor": 200}
RUN_SEEN = {"school_admin": 403, "hr": 403, "auditor": 403}


def _school_year(w):
    return [w.school_a.pk, w.school_year.pk]


def _submitted_scheme(w, tmp_path):
    w.scheme = PayScheme.objects.create(
        school=w.school_a, school_year=w.school_year, status=PayScheme.Status.SUBMITTED, created_by=w.school_admin,
        submitted_by=w.school_admin, assessment="按学生反馈评定",
    )  # fmt: skip


def _draft_scheme(w, tmp_path):
    w.scheme = PayScheme.objects.create(
        school=w.school_a, school_year=w.school_year, created_by=w.school_admin, assessment="按学生反馈评定"
    )


def _draft_run(w, tmp_path):
    approved_scheme(w)
    w.run = draft_run(w)


def _approved_slip(w, tmp_path):
    w.run, w.share = approved_run_with_share(w, person=w.service_teacher, amount=Decimal("100.00"))


MATRIX = {
    "funding:pay-scheme-list": only("school_admin", "other_school_admin", "hr", "bureau", "auditor"),
    "funding:pay-scheme-detail": Case(args=_school_year, ok=SCHEME_READERS, default=404),
    "funding:pay-scheme-edit": Case(args=_school_year, ok={**SCHEME_SEEN, "school_admin": 200}, default=404),
    "funding:pay-scheme-submit": Case(
        method="post",
        args=lambda w: [w.scheme.pk],
        setup=_draft_scheme,
        ok={**SCHEME_SEEN, "school_admin": 302},
        default=404,
    ),
    "funding:pay-scheme-approve": Case(
        method="post",
        args=lambda w: [w.scheme.pk],
        setup=_submitted_scheme,
        ok={**SCHEME_SEEN, "hr": 302},
        default=404,
    ),
    "funding:pay-scheme-return": Case(
        method="post",
        args=lambda w: [w.scheme.pk],
        setup=_submitted_scheme,
        ok={**SCHEME_SEEN, "hr": 302},
        default=404,
    ),
    "funding:pay-run-list": Case(args=lambda w: [w.school_a.pk], ok=RUN_READERS, default=404),
    "funding:pay-run-create": Case(args=lambda w: [w.school_a.pk], ok={**RUN_SEEN, "school_admin": 200}, default=404),
    "funding:pay-run-detail": Case(args=lambda w: [w.run.pk], setup=_draft_run, ok=RUN_READERS, default=404),
    "funding:pay-run-export": Case(args=lambda w: [w.run.pk], setup=_draft_run, ok=RUN_READERS, default=404),
    **{
        f"funding:pay-run-{action}": Case(
            method="post",
            args=lambda w: [w.run.pk],
            setup=_draft_run,
            ok={**RUN_SEEN, "school_admin": 302},
            default=404,
        )
        for action in ("factor", "recompute", "approve")
    },
    # The slip of the service teacher in an approved run: theirs, and the school's, HR's and audit's.
    "funding:pay-slip": Case(
        args=lambda w: [w.share.pk],
        setup=_approved_slip,
        ok={"service_teacher": 200, **RUN_READERS},
        default=404,
    ),
    "funding:pay-slip-mine": only(
        "service_teacher", "class_teacher", "school_admin", "other_school_admin", "hr", "auditor"
    ),
}
