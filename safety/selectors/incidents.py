"""Reads of incidents and insurance, scoped by the viewer: a guardian sees only the incidents of their children and,
within one, only their own children's rows (the others are counted, never named)."""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet

from schools.models import School, Student
from xiji_afterschool import permissions

from ..models import GuardianContact, Incident, IncidentChild, IncidentFollowUp, InsuranceClaim
from ..rules import incidents as rules


def incident_list(*, viewer, school: School | None = None, status: str = "") -> QuerySet[Incident]:
    """The incidents the viewer may read, newest first, with the school and the number of children involved."""
    qs = permissions.scope(viewer, Incident.objects.all(), action="incident.view")
    if school is not None:
        qs = qs.filter(school=school)
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("school", "school__township", "recorded_by", "insurance")
        .annotate(child_count=Count("children", distinct=True))
        .order_by("-occurred_at", "-pk")
    )  # a GROUP BY query drops Meta.ordering


def incident_detail(*, viewer) -> QuerySet[Incident]:
    """For get_object_or_404: the incidents the viewer may read (404 outside)."""
    return permissions.scope(viewer, Incident.objects.all(), action="incident.view").select_related(
        "school", "recorded_by", "closed_by"
    )


def incident_view(*, viewer, incident: Incident) -> dict:
    """What the viewer reads of one incident: the children they may see (with the guardians told), how many others
    there are (unnamed), the follow-ups they may read, the insurance claim and the history."""
    contacts = permissions.scope(viewer, GuardianContact.objects.all()).select_related("told_by")
    children = list(
        permissions.scope(viewer, IncidentChild.objects.filter(incident=incident))
        .select_related("student", "student__admin_class")
        .prefetch_related(Prefetch("contacts", queryset=contacts))
    )
    total = incident.children.count()
    others = total - len(children)
    follow_ups = list(
        permissions.scope(viewer, IncidentFollowUp.objects.filter(incident=incident)).select_related(
            "by", "child__student"
        )
    )
    insurance = permissions.scope(viewer, InsuranceClaim.objects.filter(incident=incident)).first()
    return {
        "children": children,
        "others": others,
        "others_label": rules.others_label(others),
        "follow_ups": follow_ups,
        "insurance": insurance,
        "insurance_events": list(insurance.events.select_related("actor")) if insurance else [],
        "events": list(incident.events.select_related("actor")),
    }


def recordable_schools(*, viewer) -> QuerySet[School]:
    """The schools where the viewer may record an incident (their own school, as admin or member of staff)."""
    ids = {m.school_id for m in permissions.memberships_for(viewer, "incident.record") if m.school_id}
    return School.objects.filter(pk__in=ids).order_by("name")


def students_of(*, school: School) -> QuerySet[Student]:
    """The pupils of a school, by class, to name the children involved."""
    return (
        Student.objects.filter(school=school)
        .select_related("admin_class")
        .order_by("admin_class__grade", "admin_class__number", "name")
    )


def incident_counts(*, viewer, since: datetime.date) -> dict:
    """For the county console: incidents the viewer may read since `since` — how many, open, serious, children
    involved, and how many insurance claims are still waiting for the insurer."""
    qs = permissions.scope(viewer, Incident.objects.all(), action="incident.view").filter(occurred_at__date__gte=since)
    counts = qs.aggregate(
        total=Count("pk", distinct=True),
        open=Count("pk", filter=Q(status=Incident.Status.OPEN), distinct=True),
        serious=Count("pk", filter=Q(severity=Incident.Severity.SERIOUS), distinct=True),
        children=Count("children", distinct=True),
        claims_pending=Count(
            "insurance",
            filter=Q(insurance__status__in=[InsuranceClaim.Status.FILED, InsuranceClaim.Status.ACCEPTED]),
            distinct=True,
        ),
    )
    return counts
