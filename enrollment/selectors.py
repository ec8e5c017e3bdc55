"""Reads of enrollment, always scoped to the viewer through the access policy."""

from django.db.models import Prefetch, QuerySet

from xiji_afterschool import permissions

from .models import Agreement, AgreementText, Application, ApplicationEvent, LetterBatch


def application_list(*, viewer, school_year=None, status: str = "", school=None) -> QuerySet[Application]:
    """Applications the viewer may see: a parent only their own children's, a class teacher their class's."""
    qs = permissions.scope(viewer, Application.objects.all())
    if school_year is not None:
        qs = qs.filter(school_year=school_year)
    if status:
        qs = qs.filter(status=status)
    if school is not None:
        qs = qs.filter(school=school)
    return qs.select_related("student", "student__admin_class", "school", "school_year", "service_class")


def application_detail(*, viewer) -> QuerySet[Application]:
    return (
        application_list(viewer=viewer)
        .select_related("agreement", "agreement__text", "applicant", "entered_by")
        .prefetch_related(Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")))
    )


def agreement_list(*, viewer) -> QuerySet[Agreement]:
    return permissions.scope(viewer, Agreement.objects.all()).select_related(
        "student", "text", "text__school", "signed_by"
    )


def agreement_text_list(*, viewer) -> QuerySet[AgreementText]:
    return permissions.scope(viewer, AgreementText.objects.all()).select_related("school", "school_year")


def current_agreement_text(*, school, school_year) -> AgreementText | None:
    """The newest published agreement text of a school for a year (the one parents sign now)."""
    return AgreementText.objects.filter(school=school, school_year=school_year).order_by("-version").first()


def letter_batch_list(*, viewer) -> QuerySet[LetterBatch]:
    return permissions.scope(viewer, LetterBatch.objects.all()).select_related("school", "admin_class", "requested_by")
