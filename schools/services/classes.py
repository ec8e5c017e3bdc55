"""Service classes (组班, R19): formed by the school, each with one responsible teacher and a capacity, drawing from
chosen administrative classes (mixing classes and grades is allowed; none chosen = the whole school).

`service_class_add_member`, `service_class_remove_member` and `service_class_leave` are the only writes of
`ServiceClassMember`.

Dates: a member holds a place from `start_date`; `end_date` is the day the child leaves (NULL while open). A child
removed before the class starts gets `end_date = start_date` (held the place for no day), so the row still records
the placement. A place counts as taken on a day while the member's end_date is NULL or later than that day, so a
withdrawal with a future effective date frees the place on that date and not before.

Races: adding a member locks the service class row (SELECT … FOR UPDATE), so two administrators filling the last
place at once queue, and the second counts the first's member and is refused. Placement locks classes in primary-key
order before applications, everywhere, so two placements cannot deadlock.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..models import (
    ActivityCategory,
    AdminClass,
    School,
    SchoolYear,
    ServiceClass,
    ServiceClassMember,
    Student,
    User,
)
from ..selectors import classes as selectors
from . import audit as audit_services

MIN_CAPACITY, MAX_CAPACITY = 1, 80  # the model's check constraint schools_serviceclass_capacity_1_80


# ---------------------------------------------------------------- writes


def _lock(service_class: ServiceClass) -> ServiceClass:
    return ServiceClass.objects.select_for_update().select_related("school_year").get(pk=service_class.pk)


def lock_service_classes(ids: Iterable[int]) -> dict[int, ServiceClass]:
    """Lock several classes in primary-key order (the one order every placement uses, so none can deadlock)."""
    rows = ServiceClass.objects.select_for_update().filter(pk__in=set(ids)).order_by("pk")
    return {sc.pk: sc for sc in rows}


AUDITED_FIELDS = ["name", "kind", "activity", "teacher", "capacity"]


@transaction.atomic
def service_class_save(
    *,
    actor,
    school: School,
    school_year: SchoolYear,
    service_class: ServiceClass | None = None,
    name: str,
    kind: str,
    activity: str,
    teacher: User | None,
    capacity: int,
    admin_classes: Iterable[AdminClass] = (),
) -> ServiceClass:
    """Create a service class (service_class=None) or change one. School administrator only.

    The class may be formed before its teacher is chosen, but then takes no students; a class with students keeps
    its teacher, its kind, a capacity of at least its students and every one of its students' classes among those
    it draws from. Raises DomainError (nothing written) and PermissionDenied.
    """
    permissions.require(actor, "service_class.manage", service_class or school)
    if service_class is not None:
        service_class = _lock(service_class)
        if service_class.school_id != school.pk or service_class.school_year_id != school_year.pk:
            raise DomainError(_("This service class belongs to another school or school year."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the service class a name."))
    if kind not in ServiceClass.Kind.values:
        raise DomainError(_("Choose the kind of service the class offers."))
    if activity not in ActivityCategory.values:
        raise DomainError(_("Choose the activity of the class."))
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        raise DomainError(
            _("The capacity must be between %(min)s and %(max)s students.") % {"min": MIN_CAPACITY, "max": MAX_CAPACITY}
        )
    if teacher is not None and not selectors.eligible_teachers(school=school).filter(pk=teacher.pk).exists():
        raise DomainError(
            _(
                "%(name)s cannot be responsible for the class: only teachers of %(school)s can (after-school "
                "teachers, class teachers, administrators, retired teachers who volunteer); other volunteers assist."
            )
            % {"name": teacher.full_name or teacher.username, "school": school.name}
        )
    admin_classes = list(admin_classes)
    if any(ac.school_id != school.pk for ac in admin_classes):
        raise DomainError(_("A service class draws only from administrative classes of its own school."))
    duplicate = ServiceClass.objects.filter(school=school, school_year=school_year, name=name)
    if service_class is not None:
        duplicate = duplicate.exclude(pk=service_class.pk)
    if duplicate.exists():
        raise DomainError(
            _("%(school)s already has a service class named “%(name)s” this school year; choose another name.")
            % {"school": school.name, "name": name}
        )
    if service_class is not None:
        _check_change_keeps_members(service_class, kind=kind, teacher=teacher, capacity=capacity, drawn=admin_classes)

    is_new = service_class is None
    before = {} if is_new else audit_services.snapshot(service_class, AUDITED_FIELDS)
    if not is_new:
        before["admin_classes"] = sorted(service_class.admin_classes.values_list("pk", flat=True))
    service_class = service_class or ServiceClass(school=school, school_year=school_year, created_by=actor)
    service_class.name, service_class.kind, service_class.activity = name, kind, activity
    service_class.teacher, service_class.capacity = teacher, capacity
    try:
        service_class.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    try:
        with transaction.atomic():  # a savepoint: two administrators creating the same name at once
            service_class.save()
    except IntegrityError as exc:
        raise DomainError(
            _("%(school)s already has a service class named “%(name)s” this school year; choose another name.")
            % {"school": school.name, "name": name}
        ) from exc
    service_class.admin_classes.set(admin_classes)
    after = audit_services.snapshot(service_class, AUDITED_FIELDS)
    after["admin_classes"] = sorted(ac.pk for ac in admin_classes)
    changes = audit_services.diff(before, after)
    if is_new or changes:
        audit_services.record(
            action="service_class.create" if is_new else "service_class.edit",
            obj=service_class,
            actor=actor,
            school=school.pk,
            changes=changes,
        )
    return service_class


def _check_change_keeps_members(service_class, *, kind, teacher, capacity, drawn) -> None:
    members = list(
        service_class.members.filter(selectors.occupying(timezone.localdate())).select_related(
            "student", "student__admin_class"
        )
    )
    if not members:
        return
    if capacity < len(members):
        raise DomainError(
            _("%(count)s students are in this class: the capacity cannot be lower than that.") % {"count": len(members)}
        )
    if teacher is None:
        raise DomainError(_("A class with students must keep a responsible teacher."))
    if kind != service_class.kind:
        raise DomainError(_("The kind of service can only change while the class has no students."))
    drawn_ids = {ac.pk for ac in drawn}
    outside = [m.student for m in members if drawn_ids and m.student.admin_class_id not in drawn_ids]
    if outside:
        raise DomainError(
            _("These students would no longer belong to the classes it draws from: %(names)s.")
            % {"names": "、".join(f"{s.name} ({s.admin_class})" for s in outside[:10])}
        )


@transaction.atomic
def service_class_add_member(
    *, actor, service_class: ServiceClass, student: Student, start_date: datetime.date
) -> ServiceClassMember:
    """Put a student into a service class from `start_date`. School administrator only.

    Refused (DomainError, nothing written) when the class has no responsible teacher, is full, the student is of
    another school or of an administrative class it does not draw from, the date is outside the school year, or the
    student already has a place in a service class that year. Locks the class row (see the module docstring).
    """
    permissions.require(actor, "service_class.manage", service_class)
    service_class = _lock(service_class)
    if service_class.teacher_id is None:
        raise DomainError(_("A class without a responsible teacher cannot take students."))
    if student.school_id != service_class.school_id:
        raise DomainError(
            _("%(name)s is a student of another school and cannot join %(class)s.")
            % {"name": student.name, "class": service_class.name}
        )
    drawn = set(service_class.admin_classes.values_list("pk", flat=True))
    if drawn and student.admin_class_id not in drawn:
        raise DomainError(
            _("%(class)s does not take students from %(admin_class)s (%(name)s).")
            % {"class": service_class.name, "admin_class": student.admin_class, "name": student.name}
        )
    year = service_class.school_year
    if not year.start_date <= start_date <= year.end_date:
        raise DomainError(
            _("%(date)s is outside the school year %(year)s.") % {"date": start_date.isoformat(), "year": year}
        )
    current = (
        ServiceClassMember.objects.filter(student=student, service_class__school_year=year)
        .filter(selectors.occupying(start_date))
        .select_related("service_class")
        .first()
    )
    if current is not None:
        if current.service_class_id == service_class.pk:
            raise DomainError(_("%(name)s is already in %(class)s.") % {"name": student.name, "class": service_class})
        raise DomainError(
            _("%(name)s already has a place in %(class)s this school year; move the child instead.")
            % {"name": student.name, "class": current.service_class.name}
        )
    taken = service_class.members.filter(selectors.occupying(start_date)).count()
    if taken >= service_class.capacity:
        raise DomainError(
            _("%(class)s is full: all %(capacity)s places are taken.")
            % {"class": service_class.name, "capacity": service_class.capacity}
        )
    return ServiceClassMember.objects.create(
        service_class=service_class, student=student, start_date=start_date, added_by=actor
    )


@transaction.atomic
def service_class_remove_member(
    *, actor, service_class: ServiceClass, student: Student, end_date: datetime.date
) -> ServiceClassMember:
    """End a student's place in a service class on `end_date` (the row stays, for the record). School
    administrator only ("service_class.manage"). Raises DomainError when the student is not in the class,
    PermissionDenied.
    """
    permissions.require(actor, "service_class.manage", service_class)
    member = _open_place(service_class, student)
    if member is None:
        raise DomainError(_("%(name)s is not in %(class)s.") % {"name": student.name, "class": service_class.name})
    return _end_place(member, end_date)


@transaction.atomic
def service_class_leave(*, actor, student: Student, school_year: SchoolYear, end_date: datetime.date):
    """The child leaves the school year's service classes on `end_date` (a withdrawal): every open place ends,
    the rows stay. A parent of the child or the school administrator ("service_class.leave" on the student).
    A no-op for a child without a place. Returns the ended places; raises PermissionDenied.
    """
    permissions.require(actor, "service_class.leave", student)
    places = ServiceClassMember.objects.filter(
        student=student, service_class__school_year=school_year, end_date__isnull=True
    ).values_list("service_class", flat=True)
    return [
        _end_place(member, end_date)
        for service_class_id in list(places)
        if (member := _open_place(service_class_id, student)) is not None
    ]


def _open_place(service_class, student) -> ServiceClassMember | None:
    return (
        ServiceClassMember.objects.select_for_update()
        .filter(service_class=service_class, student=student, end_date__isnull=True)
        .select_related("service_class", "student")
        .first()
    )


def _end_place(member: ServiceClassMember, end_date: datetime.date) -> ServiceClassMember:
    # Leaving before the class starts: the place was held for no day (end = start), never an end before the start.
    member.end_date = max(end_date, member.start_date)
    member.save(update_fields=["end_date", "updated_at"])
    return member
