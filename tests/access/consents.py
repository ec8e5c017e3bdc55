"""Access rows of the guardian's separate consent (issue #14, item 2): "My consents", giving, the withdrawal page,
the scan of a paper form and the class teacher's paper entry. The consent is built with the ORM, once per test."""

from django.utils import timezone

from enrollment.models import Consent, ConsentText

from .cases import Case, only

SCAN = "consents/test.pdf"


def _consent(w) -> Consent:
    """`child`'s personal-information consent, entered from paper by the class teacher with its scan."""
    if getattr(w, "_consent", None) is None:
        w._consent = Consent.objects.create(
            student=w.child, kind="personal", text=ConsentText.objects.get(kind="personal", version=1),
            channel=Consent.Channel.PAPER, given_at=timezone.now(), signer_name="马文清", relation="father",
            entered_by=w.class_teacher, scan=SCAN, scan_content_type="application/pdf",
        )  # fmt: skip
    return w._consent


def _scan_on_disk(w, media_root):
    (media_root / "consents").mkdir(exist_ok=True)
    (media_root / SCAN).write_bytes(b"%PDF-1.4\n")


# The consent is seen by the child's family, class teacher and school; only the family withdraws it.
SEES_CONSENT = {"parent": 200, "class_teacher": 200, "school_admin": 200}

# Those who see the child but may not enter a paper consent for it: its family, the township and the county.
FORBIDDEN_WHO_SEE_THE_CHILD = {"parent": 403, "township": 403, "bureau": 403, "inspector": 403}

MATRIX = {
    "enrollment:consent-list": only("parent", "other_parent"),
    # A guardian gives consent for their own child (another family's child: not found); staff may not.
    "enrollment:consent-give": Case(
        method="post", args=lambda w: [w.child.pk], ok={"parent": 302, "other_parent": 404}
    ),
    "enrollment:consent-withdraw": Case(
        args=lambda w: [_consent(w).pk], ok={"parent": 200, "class_teacher": 403, "school_admin": 403}, default=404
    ),
    "enrollment:consent-scan": Case(args=lambda w: [_consent(w).pk], ok=SEES_CONSENT, default=404, setup=_scan_on_disk),
    # The paper form: the child's class teacher and the school enter it.
    "enrollment:consent-paper": Case(
        args=lambda w: [w.child.pk],
        ok={"class_teacher": 200, "school_admin": 200, **FORBIDDEN_WHO_SEE_THE_CHILD},
        default=404,
    ),
}
