"""Reads of the model custody classes (R36), scoped to the viewer: the county reads every school's, a school its own."""

from django.db.models import Prefetch, QuerySet

from schools.models import School, SchoolYear, ServiceClass
from xiji_afterschool import permissions

from ..models import ModelClass, ModelClassEvent


def model_class_list(*, viewer, school_year: SchoolYear | None = None) -> QuerySet[ModelClass]:
    qs = permissions.scope(viewer, ModelClass.objects.all(), action="model_class.view")
    if school_year is not None:
        qs = qs.filter(school_year=school_year)
    return qs.select_related(
        "service_class", "service_class__school", "service_class__school__township", "service_class__teacher",
        "school_year", "recognised_by", "proposed_by",
    ).order_by("-school_year__start_date", "service_class__school__township__code", "service_class__school__code",
               "service_class__name", "pk")  # fmt: skip


def model_class_detail(*, viewer) -> QuerySet[ModelClass]:
    """The model classes the viewer may open, with their history and the grant's ledger entry."""
    return model_class_list(viewer=viewer).prefetch_related(
        Prefetch("events", queryset=ModelClassEvent.objects.select_related("actor"))
    )


def proposable_classes(*, viewer, school_year: SchoolYear, school: School | None = None) -> QuerySet[ServiceClass]:
    """Service classes of the year the viewer may propose, not yet proposed that year."""
    qs = permissions.scope(viewer, ServiceClass.objects.all(), action="model_class.propose").filter(
        school_year=school_year
    )
    if school is not None:
        qs = qs.filter(school=school)
    taken = ModelClass.objects.filter(school_year=school_year).values("service_class_id")
    return (
        qs.exclude(pk__in=taken)
        .select_related("school", "school__township")
        .order_by("school__township__code", "school__code", "name")
    )
