"""The one access policy: which rows each user may see, and which actions each user may take.

Every view, selector, export and task asks this module; nothing else decides.
- `scope(user, qs)`: rows of qs the user may see (OR over the user's role memberships).
- `can(user, action, obj)`: some membership whose role may do `action` also sees `obj`.
  Checked per membership, so an admin of school B who is a parent at school A cannot act at A.
- `require(...)`: `can` or PermissionDenied (403). Views fetch through `scope` first, so an
  object outside the user's scope is a 404 before any action is considered.
Anything not listed here is denied.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from schools.models import Membership, Role

ScopeRule = Callable[[Membership], Q]
ALL: ScopeRule = lambda m: Q()  # noqa: E731 — county-wide roles see every row of a model

# action -> roles that may perform it (the object, if any, must also be in that membership's scope)
ACTIONS: dict[str, set[str]] = {
    # Home pages: each role lands on its own tasks.
    "home.parent": {Role.PARENT},
    "home.class_teacher": {Role.CLASS_TEACHER},
    "home.school_admin": {Role.SCHOOL_ADMIN},
    "home.township": {Role.TOWNSHIP_COORDINATOR},
    "home.bureau": {Role.BUREAU},
    "home.inspector": {Role.INSPECTOR},
    "home.finance": {Role.FINANCE},
    "home.hr": {Role.HR},
    "home.auditor": {Role.AUDITOR},
    # Roster.
    "school.view": {Role.SCHOOL_ADMIN, Role.TOWNSHIP_COORDINATOR, Role.BUREAU, Role.INSPECTOR},
    "school.list": {Role.TOWNSHIP_COORDINATOR, Role.BUREAU, Role.INSPECTOR},
    "student.list": {Role.CLASS_TEACHER, Role.SCHOOL_ADMIN, Role.TOWNSHIP_COORDINATOR, Role.BUREAU, Role.INSPECTOR},
    "student.view": {
        Role.PARENT,
        Role.CLASS_TEACHER,
        Role.SCHOOL_ADMIN,
        Role.TOWNSHIP_COORDINATOR,
        Role.BUREAU,
        Role.INSPECTOR,
    },
    # The whole resident ID number and guardian mobiles: only the school that keeps the roster.
    "student.view_identifiers": {Role.SCHOOL_ADMIN},
    "roster.export": {Role.SCHOOL_ADMIN},
    # The county calendar and milestones (R18): set by the bureau, read by every school.
    "calendar.manage": {Role.BUREAU},
    "calendar.view": {Role.SCHOOL_ADMIN, Role.TOWNSHIP_COORDINATOR, Role.BUREAU, Role.INSPECTOR},
    # Timetables (R8) and the school plan (R16): written by the school, or for a village school or
    # teaching point by its township central school; reviewed and filed by the bureau.
    "timetable.view": {Role.SCHOOL_ADMIN, Role.TOWNSHIP_COORDINATOR, Role.BUREAU, Role.INSPECTOR},
    "timetable.edit": {Role.SCHOOL_ADMIN, Role.TOWNSHIP_COORDINATOR},
    "plan.view": {Role.SCHOOL_ADMIN, Role.TOWNSHIP_COORDINATOR, Role.BUREAU, Role.INSPECTOR},
    "plan.edit": {Role.SCHOOL_ADMIN, Role.TOWNSHIP_COORDINATOR},
    "plan.submit": {Role.SCHOOL_ADMIN, Role.TOWNSHIP_COORDINATOR},
    "plan.revise": {Role.SCHOOL_ADMIN, Role.TOWNSHIP_COORDINATOR},
    "plan.forward": {Role.TOWNSHIP_COORDINATOR},
    "plan.return_by_township": {Role.TOWNSHIP_COORDINATOR},
    "plan.file": {Role.BUREAU},
    "plan.return": {Role.BUREAU},
    "plan.review_queue": {Role.BUREAU, Role.INSPECTOR},
    # Enrollment (R13–R15): the Letter to Parents, the agreement, the application and its review (R14).
    "letter.view": {Role.PARENT, Role.CLASS_TEACHER, Role.SCHOOL_ADMIN, Role.TOWNSHIP_COORDINATOR, Role.BUREAU},
    "letter.batch": {Role.CLASS_TEACHER, Role.SCHOOL_ADMIN},
    "child.link": {Role.PARENT},
    "application.view": {
        Role.PARENT,
        Role.CLASS_TEACHER,
        Role.SCHOOL_ADMIN,
        Role.TOWNSHIP_COORDINATOR,
        Role.BUREAU,
        Role.INSPECTOR,
    },
    "application.create": {Role.PARENT},  # for a child the parent sees (object: the Student)
    "application.enter_on_behalf": {Role.CLASS_TEACHER, Role.SCHOOL_ADMIN},  # 代录 a paper application
    "application.resubmit": {Role.PARENT, Role.CLASS_TEACHER, Role.SCHOOL_ADMIN},
    "application.class_review": {Role.CLASS_TEACHER},
    "application.school_approve": {Role.SCHOOL_ADMIN},
    "application.place": {Role.SCHOOL_ADMIN},
    "application.withdraw": {Role.PARENT, Role.SCHOOL_ADMIN},
    "agreement.publish": {Role.SCHOOL_ADMIN},
    "agreement.view": {Role.PARENT, Role.CLASS_TEACHER, Role.SCHOOL_ADMIN},
    "service_class.view": {
        Role.SCHOOL_ADMIN,
        Role.SERVICE_TEACHER,
        Role.VOLUNTEER,
        Role.TOWNSHIP_COORDINATOR,
        Role.BUREAU,
        Role.INSPECTOR,
    },
    "service_class.manage": {Role.SCHOOL_ADMIN},
    "roster.import": {Role.SCHOOL_ADMIN},
    "coverage.view": {Role.SCHOOL_ADMIN, Role.TOWNSHIP_COORDINATOR, Role.BUREAU, Role.INSPECTOR},
    # Service delivery (R9–R12, R19–R21, R30): activities, sessions and their roll, the hours record.
    "activity.view": {
        Role.SCHOOL_ADMIN,
        Role.SERVICE_TEACHER,
        Role.VOLUNTEER,
        Role.TOWNSHIP_COORDINATOR,
        Role.BUREAU,
        Role.INSPECTOR,
    },
    "activity.manage": {Role.SCHOOL_ADMIN},
    "substitution.manage": {Role.SCHOOL_ADMIN},
    "session.log": {Role.SERVICE_TEACHER, Role.VOLUNTEER, Role.CLASS_TEACHER, Role.SCHOOL_ADMIN},  # on a ServiceClass
    "session.view": {
        Role.SERVICE_TEACHER,
        Role.VOLUNTEER,
        Role.CLASS_TEACHER,
        Role.SCHOOL_ADMIN,
        Role.TOWNSHIP_COORDINATOR,
        Role.BUREAU,
        Role.INSPECTOR,
    },
    "session.confirm": {Role.SCHOOL_ADMIN},
    "hours.view": {
        Role.SERVICE_TEACHER,
        Role.VOLUNTEER,
        Role.CLASS_TEACHER,
        Role.SCHOOL_ADMIN,
        Role.TOWNSHIP_COORDINATOR,
        Role.BUREAU,
        Role.INSPECTOR,
    },  # on a User (the teacher) or a School
    "hours.close_month": {Role.SCHOOL_ADMIN},
    "hours.adjust": {Role.SCHOOL_ADMIN},
    "delivery.view": {Role.SCHOOL_ADMIN, Role.TOWNSHIP_COORDINATOR, Role.BUREAU, Role.INSPECTOR},
    # Funding (R22–R27). The standard is set by the bureau and read by everyone who handles the money.
    "rate.view": {Role.SCHOOL_ADMIN, Role.BUREAU, Role.FINANCE, Role.INSPECTOR, Role.AUDITOR},
    "rate.manage": {Role.BUREAU},
    # Claims (R23): the school claims, the bureau first-reviews (初审), finance approves and allocates (核拨).
    "claim.view": {Role.SCHOOL_ADMIN, Role.BUREAU, Role.FINANCE, Role.INSPECTOR, Role.AUDITOR},
    "claim.edit": {Role.SCHOOL_ADMIN},  # create, change and submit the school's own claims
    "claim.first_review": {Role.BUREAU},  # pass or return
    "claim.approve": {Role.FINANCE},  # approve (or send back) and record the allocation
    # Settlement (决算): filed by the school at year end, confirmed by finance.
    "settlement.view": {Role.SCHOOL_ADMIN, Role.BUREAU, Role.FINANCE, Role.INSPECTOR, Role.AUDITOR},
    "settlement.file": {Role.SCHOOL_ADMIN},
    "settlement.confirm": {Role.FINANCE},
    # Spending plan (R25) and the earmarked ledger (R24): kept by the school, read by the county.
    "spending_plan.view": {Role.SCHOOL_ADMIN, Role.BUREAU, Role.FINANCE, Role.INSPECTOR, Role.AUDITOR},
    "spending_plan.edit": {Role.SCHOOL_ADMIN},
    "ledger.view": {Role.SCHOOL_ADMIN, Role.BUREAU, Role.FINANCE, Role.INSPECTOR, Role.AUDITOR},
    "ledger.record": {Role.SCHOOL_ADMIN},  # spending entries and reversals
    # Teacher pay by workload (R27): the school's scheme, reviewed by HR; pay runs by the school.
    "pay_scheme.view": {Role.SCHOOL_ADMIN, Role.HR, Role.BUREAU, Role.AUDITOR},
    "pay_scheme.edit": {Role.SCHOOL_ADMIN},
    "pay_scheme.review": {Role.HR},
    "pay_run.view": {Role.SCHOOL_ADMIN, Role.HR, Role.AUDITOR},
    "pay_run.manage": {Role.SCHOOL_ADMIN},
    # A pay slip: the teacher it belongs to, the school, HR and audit (on a PayShare).
    "pay_slip.view": {
        Role.SERVICE_TEACHER,
        Role.CLASS_TEACHER,
        Role.SCHOOL_ADMIN,
        Role.HR,
        Role.AUDITOR,
    },
    # Public disclosure (R26): parents of the school and the supervising departments read it.
    "disclosure.view": {
        Role.PARENT,
        Role.SCHOOL_ADMIN,
        Role.TOWNSHIP_COORDINATOR,
        Role.BUREAU,
        Role.FINANCE,
        Role.INSPECTOR,
        Role.AUDITOR,
    },
    "disclosure.publish": {Role.SCHOOL_ADMIN},
}

_DEPENDENT = ["village", "teaching_point"]  # School.DEPENDENT_TYPES, spelled out to keep this module import-light

# Where an action is narrower than what the role may see: action -> model -> role -> rule.
# A township coordinator sees every school of the township but writes plans only for the village schools
# and teaching points that its central school plans for (R16).
ACTION_SCOPES: dict[str, dict[str, dict[str, ScopeRule]]] = {
    action: {
        "schools.School": {Role.TOWNSHIP_COORDINATOR: lambda m: Q(township=m.township_id, school_type__in=_DEPENDENT)},
        "schools.SchoolPlan": {
            Role.TOWNSHIP_COORDINATOR: lambda m: Q(school__township=m.township_id, school__school_type__in=_DEPENDENT)
        },
        "schools.Timetable": {
            Role.TOWNSHIP_COORDINATOR: lambda m: Q(school__township=m.township_id, school__school_type__in=_DEPENDENT)
        },
    }
    for action in ("timetable.edit", "plan.edit", "plan.submit", "plan.revise")
}
# A class teacher prints letters and enters paper applications only for their own class, though they see the school.
ACTION_SCOPES["letter.batch"] = {"schools.AdminClass": {Role.CLASS_TEACHER: lambda m: Q(pk=m.admin_class_id)}}
ACTION_SCOPES["application.enter_on_behalf"] = {
    "schools.Student": {Role.CLASS_TEACHER: lambda m: Q(admin_class=m.admin_class_id)}
}

# "app_label.ModelName" -> role -> rule building the Q of rows one membership may see
SCOPES: dict[str, dict[str, ScopeRule]] = {
    "schools.School": {
        Role.PARENT: lambda m: Q(students__guardian_links__guardian__user=m.user_id),  # their children's schools
        Role.CLASS_TEACHER: lambda m: Q(pk=m.school_id),
        Role.SERVICE_TEACHER: lambda m: Q(pk=m.school_id),
        Role.VOLUNTEER: lambda m: Q(pk=m.school_id),
        Role.SCHOOL_ADMIN: lambda m: Q(pk=m.school_id),
        Role.TOWNSHIP_COORDINATOR: lambda m: Q(township=m.township_id),
        Role.BUREAU: ALL,
        Role.INSPECTOR: ALL,
        Role.FINANCE: ALL,
        Role.HR: ALL,
        Role.AUDITOR: ALL,
    },
    "schools.AdminClass": {
        Role.CLASS_TEACHER: lambda m: Q(pk=m.admin_class_id),
        Role.SCHOOL_ADMIN: lambda m: Q(school=m.school_id),
        Role.TOWNSHIP_COORDINATOR: lambda m: Q(school__township=m.township_id),
        Role.BUREAU: ALL,
        Role.INSPECTOR: ALL,
    },
    "schools.Student": {
        Role.PARENT: lambda m: Q(guardian_links__guardian__user=m.user_id),
        Role.CLASS_TEACHER: lambda m: Q(admin_class=m.admin_class_id),
        Role.SCHOOL_ADMIN: lambda m: Q(school=m.school_id),
        Role.TOWNSHIP_COORDINATOR: lambda m: Q(school__township=m.township_id),
        Role.BUREAU: ALL,
        Role.INSPECTOR: ALL,
    },
    "schools.RosterExport": {
        Role.SCHOOL_ADMIN: lambda m: Q(school=m.school_id),
    },
    "schools.SchoolPlan": {
        Role.SCHOOL_ADMIN: lambda m: Q(school=m.school_id),
        Role.TOWNSHIP_COORDINATOR: lambda m: Q(school__township=m.township_id),
        Role.BUREAU: ALL,
        Role.INSPECTOR: ALL,
    },
    "schools.PlanAttachment": {
        Role.SCHOOL_ADMIN: lambda m: Q(plan__school=m.school_id),
        Role.TOWNSHIP_COORDINATOR: lambda m: Q(plan__school__township=m.township_id),
        Role.BUREAU: ALL,
        Role.INSPECTOR: ALL,
    },
    "schools.Timetable": {
        Role.SCHOOL_ADMIN: lambda m: Q(school=m.school_id),
        Role.TOWNSHIP_COORDINATOR: lambda m: Q(school__township=m.township_id),
        Role.BUREAU: ALL,
        Role.INSPECTOR: ALL,
    },
    "schools.ServiceClass": {
        Role.SCHOOL_ADMIN: lambda m: Q(school=m.school_id),
        # The classes they teach, and those they stand in for (a recorded substitute).
        Role.SERVICE_TEACHER: lambda m: (
            Q(school=m.school_id, teacher=m.user_id) | Q(substitutions__substitute=m.user_id)
        ),
        Role.VOLUNTEER: lambda m: Q(school=m.school_id, teacher=m.user_id) | Q(substitutions__substitute=m.user_id),
        Role.CLASS_TEACHER: lambda m: Q(school=m.school_id, teacher=m.user_id) | Q(substitutions__substitute=m.user_id),
        Role.TOWNSHIP_COORDINATOR: lambda m: Q(school__township=m.township_id),
        Role.BUREAU: ALL,
        Role.INSPECTOR: ALL,
    },
    "schools.Partner": {
        Role.SCHOOL_ADMIN: lambda m: Q(school=m.school_id),
        Role.SERVICE_TEACHER: lambda m: Q(school=m.school_id),
        Role.VOLUNTEER: lambda m: Q(school=m.school_id),
        Role.TOWNSHIP_COORDINATOR: lambda m: Q(school__township=m.township_id),
        Role.BUREAU: ALL,
        Role.INSPECTOR: ALL,
    },
    "schools.Activity": {
        Role.SCHOOL_ADMIN: lambda m: Q(school=m.school_id),
        Role.SERVICE_TEACHER: lambda m: Q(school=m.school_id),
        Role.VOLUNTEER: lambda m: Q(school=m.school_id),
        Role.TOWNSHIP_COORDINATOR: lambda m: Q(school__township=m.township_id),
        Role.BUREAU: ALL,
        Role.INSPECTOR: ALL,
    },
    "schools.Session": {
        # A teacher sees the sessions of the classes they teach and the ones they ran or assisted.
        Role.SERVICE_TEACHER: lambda m: (
            Q(service_class__teacher=m.user_id) | Q(teacher=m.user_id) | Q(assistants__person=m.user_id)
        ),
        Role.VOLUNTEER: lambda m: (
            Q(service_class__teacher=m.user_id) | Q(teacher=m.user_id) | Q(assistants__person=m.user_id)
        ),
        Role.CLASS_TEACHER: lambda m: Q(service_class__teacher=m.user_id) | Q(teacher=m.user_id),
        Role.SCHOOL_ADMIN: lambda m: Q(service_class__school=m.school_id),
        Role.TOWNSHIP_COORDINATOR: lambda m: Q(service_class__school__township=m.township_id),
        Role.BUREAU: ALL,
        Role.INSPECTOR: ALL,
    },
    "schools.Substitution": {
        Role.SCHOOL_ADMIN: lambda m: Q(service_class__school=m.school_id),
        Role.SERVICE_TEACHER: lambda m: Q(substitute=m.user_id),
        Role.VOLUNTEER: lambda m: Q(substitute=m.user_id),
        Role.CLASS_TEACHER: lambda m: Q(substitute=m.user_id),
    },
    "schools.User": {
        # Whose hours record one may read: one's own; a school's staff for its admin; everyone for the county.
        Role.SERVICE_TEACHER: lambda m: Q(pk=m.user_id),
        Role.VOLUNTEER: lambda m: Q(pk=m.user_id),
        Role.CLASS_TEACHER: lambda m: Q(pk=m.user_id),
        Role.SCHOOL_ADMIN: lambda m: Q(memberships__school=m.school_id),
        Role.TOWNSHIP_COORDINATOR: lambda m: Q(memberships__school__township=m.township_id),
        Role.BUREAU: ALL,
        Role.INSPECTOR: ALL,
    },
    "schools.RosterImport": {
        Role.SCHOOL_ADMIN: lambda m: Q(school=m.school_id),
    },
    "enrollment.Application": {
        Role.PARENT: lambda m: Q(student__guardian_links__guardian__user=m.user_id),
        Role.CLASS_TEACHER: lambda m: Q(student__admin_class=m.admin_class_id),
        Role.SCHOOL_ADMIN: lambda m: Q(school=m.school_id),
        Role.TOWNSHIP_COORDINATOR: lambda m: Q(school__township=m.township_id),
        Role.BUREAU: ALL,
        Role.INSPECTOR: ALL,
    },
    "enrollment.Agreement": {
        Role.PARENT: lambda m: Q(student__guardian_links__guardian__user=m.user_id),
        Role.CLASS_TEACHER: lambda m: Q(student__admin_class=m.admin_class_id),
        Role.SCHOOL_ADMIN: lambda m: Q(student__school=m.school_id),
    },
    "enrollment.AgreementText": {
        Role.PARENT: lambda m: Q(school__students__guardian_links__guardian__user=m.user_id),
        Role.CLASS_TEACHER: lambda m: Q(school=m.school_id),
        Role.SCHOOL_ADMIN: lambda m: Q(school=m.school_id),
        Role.TOWNSHIP_COORDINATOR: lambda m: Q(school__township=m.township_id),
        Role.BUREAU: ALL,
    },
    "enrollment.LetterBatch": {
        Role.CLASS_TEACHER: lambda m: Q(admin_class=m.admin_class_id),
        Role.SCHOOL_ADMIN: lambda m: Q(school=m.school_id),
    },
    "schools.SchoolYear": {
        Role.SCHOOL_ADMIN: ALL,
        Role.TOWNSHIP_COORDINATOR: ALL,
        Role.BUREAU: ALL,
        Role.INSPECTOR: ALL,
        Role.FINANCE: ALL,
        Role.HR: ALL,
        Role.AUDITOR: ALL,
    },
    "schools.SubsidyRate": {
        Role.SCHOOL_ADMIN: ALL,
        Role.BUREAU: ALL,
        Role.FINANCE: ALL,
        Role.INSPECTOR: ALL,
        Role.AUDITOR: ALL,
    },
    # Funding records: the school's own; every school for the county's money departments.
    **{
        model: {
            Role.SCHOOL_ADMIN: lambda m: Q(school=m.school_id),
            Role.BUREAU: ALL,
            Role.FINANCE: ALL,
            Role.INSPECTOR: ALL,
            Role.AUDITOR: ALL,
        }
        for model in ("funding.Claim", "funding.Settlement", "funding.SpendingPlan", "funding.Fund")
    },
    "funding.LedgerEntry": {
        Role.SCHOOL_ADMIN: lambda m: Q(fund__school=m.school_id),
        Role.BUREAU: ALL,
        Role.FINANCE: ALL,
        Role.INSPECTOR: ALL,
        Role.AUDITOR: ALL,
    },
    "funding.PayScheme": {
        Role.SCHOOL_ADMIN: lambda m: Q(school=m.school_id),
        Role.HR: ALL,
        Role.BUREAU: ALL,
        Role.AUDITOR: ALL,
    },
    "funding.PayRun": {
        Role.SCHOOL_ADMIN: lambda m: Q(school=m.school_id),
        Role.HR: ALL,
        Role.AUDITOR: ALL,
    },
    # A teacher sees only their own slips, and only once the run is approved (a draft is still moving).
    "funding.PayShare": {
        Role.SERVICE_TEACHER: lambda m: Q(person=m.user_id, run__school=m.school_id, run__status="approved"),
        Role.CLASS_TEACHER: lambda m: Q(person=m.user_id, run__school=m.school_id, run__status="approved"),
        Role.SCHOOL_ADMIN: lambda m: Q(run__school=m.school_id),
        Role.HR: ALL,
        Role.AUDITOR: ALL,
    },
    "funding.Disclosure": {
        Role.PARENT: lambda m: Q(school__students__guardian_links__guardian__user=m.user_id),
        Role.SCHOOL_ADMIN: lambda m: Q(school=m.school_id),
        Role.TOWNSHIP_COORDINATOR: lambda m: Q(school__township=m.township_id),
        Role.BUREAU: ALL,
        Role.FINANCE: ALL,
        Role.INSPECTOR: ALL,
        Role.AUDITOR: ALL,
    },
}


def memberships(user) -> list[Membership]:
    """The user's role memberships, loaded once per user object (one query per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_xiji_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user).select_related("school", "admin_class", "township", "department")
        )
        user._xiji_memberships = cached
    return cached


def roles(user) -> set[str]:
    return {m.role for m in memberships(user)}


def _model_key(model: type[Model]) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def _membership_q(membership: Membership, model: type[Model], action: str | None = None) -> Q | None:
    key = _model_key(model)
    rule = ACTION_SCOPES.get(action, {}).get(key, {}).get(membership.role) if action else None
    rule = rule or SCOPES.get(key, {}).get(membership.role)
    return None if rule is None else rule(membership)


def scope(user, qs: QuerySet, action: str | None = None) -> QuerySet:
    """Rows of qs that user may see: the OR of each membership's rule; no rule at all -> none.

    With `action`, only the memberships whose role may take it count (and the action's narrower rules apply):
    the list behind an action then never shows rows that only another of the user's roles sees — a school
    admin of B who is a parent at A does not get A in B's coverage table.
    """
    chosen = memberships(user) if action is None else memberships_for(user, action)
    conditions = [q for m in chosen if (q := _membership_q(m, qs.model, action)) is not None]
    if not conditions:
        return qs.none()
    if any(not q for q in conditions):  # an empty Q means "every row"
        return qs
    combined = Q()
    for q in conditions:
        combined |= q
    # Filtering by pk through a subquery keeps rows unique when a rule follows a to-many relation.
    return qs.filter(pk__in=qs.model._default_manager.filter(combined).values("pk"))


def can(user, action: str, obj: Model | None = None) -> bool:
    allowed = ACTIONS.get(action)
    if allowed is None:
        raise KeyError(f"unknown action {action!r}: add it to permissions.ACTIONS")
    for m in memberships(user):
        if m.role not in allowed:
            continue
        if obj is None:
            return True
        q = _membership_q(m, type(obj), action)
        if q is not None and type(obj)._default_manager.filter(q, pk=obj.pk).exists():
            return True
    return False


def require(user, action: str, obj: Model | None = None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied(action)


def memberships_for(user, action: str) -> list[Membership]:
    """The user's memberships whose role may do `action` (e.g. the schools whose roster they may export)."""
    allowed = ACTIONS[action]
    return [m for m in memberships(user) if m.role in allowed]
