"""Placement into service classes (组班, R14/R19): the suggestion, applying it, placing by hand, the waiting list,
activation when the service starts, and freeing the place on withdrawal.

approved --place--> placed --activate--> active;  approved --wait--> waiting --place--> placed;
placed --unplace--> approved (only as the first half of a move to another class, inside one transaction).

The waiting-list order (R14): more R2 priority groups first, then earlier application, then the lower id (so the
order is total). The suggestion walks the applications in that order and gives each the first of its preferred
activities (most wanted first) that has a suitable class with a free place, else any suitable class with a free
place. Suitable: the kind of service the family applied for, a responsible teacher, and drawing from the child's
administrative class (or from the whole school).

Memberships are written only by schools.services.classes (add/remove member), which locks the class row; here the
classes are locked first, in primary-key order, then the applications (by workflow.transition): one lock order.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from schools.models import NotificationKind, School, SchoolYear, ServiceClass, ServiceClassMember
from schools.selectors import classes as classes_selectors
from schools.services import classes as classes_services
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed, transition

from ..models import Application
from ..rules import placement as rules
from ..selectors import consents as consents_selectors
from . import review as review_services

Status = Application.Status


# ---------------------------------------------------------------- writes


def _tell_placed(application: Application, service_class: ServiceClass, day: datetime.date) -> None:
    """Tell the parent who applied that the child has a place (issue 11 §4), in the placing transaction."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Service class assigned")
        body = _("Your child %(child)s has a place in %(class)s from %(date)s.") % {
            "child": application.student.name,
            "class": service_class.name,
            "date": formats.date_format(day, "DATE_FORMAT"),
        }
    review_services.tell_family(
        application,
        kind=NotificationKind.APPLICATION,
        title=title,
        body=body,
        key=f"application:{application.pk}:placed:{service_class.pk}",
    )


@dataclass
class ApplyResult:
    placed: int = 0
    waiting: int = 0


@transaction.atomic
def placement_apply(
    *,
    actor,
    school: School,
    school_year: SchoolYear,
    confirmed_ids: Iterable[int],
    signature: str | None = None,
    today: datetime.date | None = None,
) -> ApplyResult:
    """Apply the suggestion, recomputed here, for the applications the administrator confirmed: all or nothing.

    Each confirmed application with a suggested class gets the place (member + transition "place"); every other
    approved application goes to the waiting list ("wait"); waiting ones stay waiting. With `signature` (the
    suggestion the page showed), a suggestion that changed meanwhile is refused. School administrator only.
    Raises DomainError (nothing written), PermissionDenied.
    """
    permissions.require(actor, "application.place", school)
    day = rules.placement_start_date(school_year, today)
    # Lock every class of the school and year first (pk order), so the free places counted below stay true.
    classes_services.lock_service_classes(
        ServiceClass.objects.filter(school=school, school_year=school_year).values_list("pk", flat=True)
    )
    classes = list(
        ServiceClass.objects.filter(school=school, school_year=school_year)
        .prefetch_related("admin_classes")
        .annotate(occupied=Count("members", filter=classes_selectors.occupying(day, "members__")))
        .order_by("kind", "name", "pk")  # the page's order (service_class_list), so the same suggestion
    )
    for c in classes:
        c.admin_class_ids = {ac.pk for ac in c.admin_classes.all()}
    occupancy = {c.pk: c.occupied for c in classes}
    applications = list(
        consents_selectors.with_consent_flags(  # priority uses disability and hardship only under live consent
            Application.objects.filter(school=school, school_year=school_year, status__in=rules.PLACEABLE)
        ).select_related("student", "student__admin_class", "applicant")
    )
    suggestion = rules.suggest_placements(applications, classes, occupancy)
    confirmed = set(confirmed_ids)
    if (signature is not None and signature != rules.suggestion_signature(suggestion)) or not confirmed <= {
        a.pk for a in applications
    }:
        raise DomainError(
            _(
                "The applications or free places changed since the page was opened, so nothing was placed. "
                "Check the new suggestion and confirm again."
            )
        )
    result = ApplyResult()
    for application, service_class in suggestion:
        if service_class is not None and application.pk in confirmed:
            classes_services.service_class_add_member(
                actor=actor, service_class=service_class, student=application.student, start_date=day
            )
            transition(application, "place", actor=actor, note=service_class.name, service_class=service_class)
            _tell_placed(application, service_class, day)
            result.placed += 1
        elif application.status == Status.APPROVED:
            transition(application, "wait", actor=actor, note=_("No place in a suitable class yet."))
            result.waiting += 1
    return result


@transaction.atomic
def application_place(
    *, actor, application: Application, service_class: ServiceClass, today: datetime.date | None = None
) -> Application:
    """Place one application by hand (approved or waiting), or move a placed child to another class.

    A move ends the old place today (remove member; "unplace") and takes the new one ("place"), both in the event
    log. Refused (DomainError, nothing written): a class of another school or year or of another kind of service,
    a full class, a class without a teacher or not drawing from the child's class, the same class again, or an
    application that is not approved, waiting or placed. Raises PermissionDenied.
    """
    permissions.require(actor, "application.place", application)
    today = today or timezone.localdate()
    if service_class.school_id != application.school_id or service_class.school_year_id != application.school_year_id:
        raise DomainError(_("Choose a service class of the child's school for this school year."))
    wanted = rules.KIND_FOR_SERVICE.get(application.service_kind)
    if service_class.kind != wanted:
        raise DomainError(
            _("%(class)s offers “%(kind)s”, but the family applied for “%(wanted)s”.")
            % {
                "class": service_class.name,
                "kind": service_class.get_kind_display(),
                "wanted": application.get_service_kind_display(),
            }
        )
    old_class_id = Application.objects.filter(pk=application.pk).values_list("service_class", flat=True).first()
    # Lock order everywhere: classes, then the application, then memberships (withdrawal: application, memberships).
    classes_services.lock_service_classes(pk for pk in (service_class.pk, old_class_id) if pk)
    current = (
        Application.objects.select_for_update(of=("self",))
        .select_related("service_class", "student")
        .get(pk=application.pk)
    )
    day = rules.placement_start_date(application.school_year, today)
    if current.status in rules.PLACEABLE:
        classes_services.service_class_add_member(
            actor=actor, service_class=service_class, student=current.student, start_date=day
        )
        transition(application, "place", actor=actor, note=service_class.name, service_class=service_class)
        _tell_placed(current, service_class, day)
    elif current.status == Status.PLACED:
        old = current.service_class
        if old.pk == service_class.pk:
            raise DomainError(
                _("%(name)s is already in %(class)s.") % {"name": current.student.name, "class": service_class.name}
            )
        classes_services.service_class_remove_member(
            actor=actor, service_class=old, student=current.student, end_date=today
        )
        transition(
            application,
            "unplace",
            actor=actor,
            note=_("Moved from %(old)s to %(new)s") % {"old": old.name, "new": service_class.name},
            service_class=None,
        )
        classes_services.service_class_add_member(
            actor=actor, service_class=service_class, student=current.student, start_date=day
        )
        transition(application, "place", actor=actor, note=service_class.name, service_class=service_class)
        _tell_placed(current, service_class, day)
    else:
        raise DomainError(
            _("Only approved, waiting or placed applications can be placed; this one is “%(status)s”.")
            % {"status": current.get_status_display()}
        )
    return application


def activate_due_placements(*, today: datetime.date | None = None) -> int:
    """Daily (Celery beat): placed children whose place has started (member start_date ≤ today) become active.

    The scheduled job records itself as the actor (no person, `by_system`). One transaction per application, so a
    child withdrawn meanwhile (TransitionNotAllowed) is skipped without stopping the others. Safe to run twice.
    Returns how many were activated.
    """
    today = today or timezone.localdate()
    due = (
        Application.objects.filter(status=Status.PLACED)
        .filter(
            service_class__members__student=F("student"),
            service_class__members__end_date__isnull=True,
            service_class__members__start_date__lte=today,
        )
        .distinct()
        .order_by("pk")
    )
    activated = 0
    for application in due:
        try:
            with transaction.atomic():
                transition(application, "activate", actor=None, system=True, note=_("Service started"))
        except TransitionNotAllowed:
            continue
        activated += 1
    return activated


@transaction.atomic
def release_place(*, actor, application: Application, effective_date: datetime.date) -> list[ServiceClassMember]:
    """Free the child's place when the application is withdrawn: end every open membership of the child in the
    school year's service classes on `effective_date`. Call it inside the withdrawal's transaction, after the
    "withdraw" transition (the application row is then locked first, the one lock order); it is a no-op for a child
    without a place. The actor needs "application.withdraw"
    (a parent of the child or the school administrator). Raises PermissionDenied."""
    permissions.require(actor, "application.withdraw", application)
    return classes_services.service_class_leave(
        actor=actor, student=application.student, school_year=application.school_year, end_date=effective_date
    )
