"""Reads of the guardian's separate consent (issue #14, item 2): the current texts, the consents each viewer sees,
whether a child's consents are live, and what a withdrawal will do (shown before the guardian confirms)."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from schools.models import Student
from schools.selectors import roster as roster_selectors
from xiji_afterschool import permissions

from ..models import Application, Consent, ConsentEvent, ConsentKind, ConsentText

KINDS = (ConsentKind.PERSONAL, ConsentKind.SENSITIVE)
# The application fields the sensitive consent covers (a live application carries them only while it stands).
SENSITIVE_FIELDS = ("disability", "economic_hardship")


def current_text(kind: str, today=None) -> ConsentText | None:
    """The text of `kind` guardians consent to now: the newest version already in force."""
    today = today or timezone.localdate()
    return ConsentText.objects.filter(kind=kind, effective_from__lte=today).order_by("-version").first()


def current_texts(today=None) -> dict[str, ConsentText]:
    return {kind: text for kind in KINDS if (text := current_text(kind, today)) is not None}


def live_consents(student: Student) -> dict[str, Consent]:
    """The child's live consents by kind (at most one per kind: enrollment_consent_one_live)."""
    qs = Consent.objects.filter(student=student, status=Consent.Status.GIVEN).select_related("text", "given_by")
    return {c.kind: c for c in qs}


def is_live(student: Student, kind: str) -> bool:
    return Consent.objects.filter(student=student, kind=kind, status=Consent.Status.GIVEN).exists()


def live_consent_exists(kind: str, student_path: str = "student") -> Exists:
    """An Exists() for annotating rows tied to a child (through `student_path`) with whether a consent is live."""
    return Exists(Consent.objects.filter(student=OuterRef(student_path), kind=kind, status=Consent.Status.GIVEN))


def with_consent_flags(qs: QuerySet, student_path: str = "student") -> QuerySet:
    """Applications (or any rows with a child) annotated `personal_consent` and `sensitive_consent`: whether the
    child's consent of each kind is live. Placement and the review pages use the sensitive items only under it."""
    return qs.annotate(
        personal_consent=live_consent_exists(ConsentKind.PERSONAL, student_path),
        sensitive_consent=live_consent_exists(ConsentKind.SENSITIVE, student_path),
    )


def consent_list(*, viewer) -> QuerySet[Consent]:
    """Consents the viewer sees: a parent their children's, a class teacher their class's, the school its own."""
    return permissions.scope(viewer, Consent.objects.all()).select_related(
        "student", "student__school", "text", "given_by", "entered_by", "withdrawn_by"
    )


def consent_detail(*, viewer) -> QuerySet[Consent]:
    return consent_list(viewer=viewer).prefetch_related(
        Prefetch("events", queryset=ConsentEvent.objects.select_related("actor"))
    )


def my_consents(*, parent) -> list[dict]:
    """The parent's "My consents" page: per child, each consent ever recorded (newest first) with its history, and
    which kinds are not live now (offered to give)."""
    children = list(roster_selectors.children_of(parent=parent).select_related("school", "admin_class").order_by("pk"))
    consents = (
        consent_detail(viewer=parent).filter(student__in=children).order_by("student_id", "kind", "-given_at", "-pk")
    )
    by_child: dict[int, list] = {c.pk: [] for c in children}
    for consent in consents:
        by_child[consent.student_id].append(consent)
    rows = []
    for child in children:
        live = {c.kind for c in by_child[child.pk] if c.is_live}
        rows.append({"child": child, "consents": by_child[child.pk], "missing": [k for k in KINDS if k not in live]})
    return rows


def live_application(student: Student) -> Application | None:
    """The child's application that is not withdrawn (the newest, whatever the school year)."""
    return (
        Application.objects.filter(student=student)
        .exclude(status=Application.Status.WITHDRAWN)
        .order_by("-submitted_at", "-pk")
        .first()
    )


def withdrawal_effects(consent: Consent) -> dict:
    """What withdrawing `consent` will do, for the confirmation page (the service does exactly this):
    `application` (the live one, if any), `withdraws_application`, `clears_sensitive` (the application's sensitive
    items that will be removed), `also_sensitive` (the live sensitive consent withdrawn with the personal one)."""
    application = live_application(consent.student)
    personal = consent.kind == ConsentKind.PERSONAL
    sensitive_live = is_live(consent.student, ConsentKind.SENSITIVE)
    flagged = [
        str(Application._meta.get_field(name).verbose_name)
        for name in SENSITIVE_FIELDS
        if application is not None and getattr(application, name)
    ]
    if application is not None and application.priority_note:
        flagged.append(str(Application._meta.get_field("priority_note").verbose_name))
    return {
        "application": application,
        "withdraws_application": personal and application is not None,
        "clears_sensitive": flagged if (not personal or sensitive_live) else [],
        "also_sensitive": personal and sensitive_live,
    }
