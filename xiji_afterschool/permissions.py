"""The one access policy: which rows each user may see, and which actions each user may take.

Every view, selector, export and task asks this module; nothing else decides.
- `scope(user, qs)`: rows of qs the user may see (OR over the user's role memberships).
- `can(user, action, obj)`: some membership whose role may do `action` also sees `obj`.
  Checked per membership, so an admin of school B who is a parent at school A cannot act at A.
- `require(...)`: `can` or PermissionDenied (403). Views fetch through `scope` first, so an
  object outside the user's scope is a 404 before any action is considered.
Anything not registered is denied.

The table itself is declared per app: each app's `access.py` calls `register(app=..., actions=...,
scopes=..., action_scopes=..., menu=...)`; `load()` (from `XijiAfterschoolConfig.ready()`) imports every
app's `access` module, checks the registrations with `build_table()` and refuses to start
(ImproperlyConfigured) on a duplicate key, an unknown role, a scope for another app's model, or a rule or
menu entry naming an action nobody registered. `python manage.py access_table` prints the whole table.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, Q, QuerySet

from schools.models import Membership, Role

ScopeRule = Callable[[Membership], Q]
ALL: ScopeRule = lambda m: Q()  # noqa: E731 — county-wide roles see every row of a model

# ---------------------------------------------------------------- named role sets (said once, used by every access.py)

# Run a service class's sessions: they teach it, stand in for it, or (a class teacher) teach one themselves.
SESSION_STAFF = frozenset({Role.SERVICE_TEACHER, Role.VOLUNTEER, Role.CLASS_TEACHER})
# The education bureau and its inspectors: read every school of the county.
COUNTY_READERS = frozenset({Role.BUREAU, Role.INSPECTOR})
# Oversee schools without running one: the township (its schools) and the county readers (every school).
SUPERVISORS = frozenset({Role.TOWNSHIP_COORDINATOR, *COUNTY_READERS})
# Read the school's funding records: the school itself and the county's money departments.
MONEY_READERS = frozenset({Role.SCHOOL_ADMIN, Role.BUREAU, Role.FINANCE, Role.INSPECTOR, Role.AUDITOR})
# The county departments: every school of the county is theirs to see.
COUNTY_DEPARTMENTS = frozenset({Role.BUREAU, Role.INSPECTOR, Role.FINANCE, Role.HR, Role.AUDITOR})


def same_rule(roles: Iterable[str], rule: ScopeRule) -> dict[str, ScopeRule]:
    """{role: rule} for several roles that see the same rows (one rule function, written once)."""
    return dict.fromkeys(roles, rule)


# ---------------------------------------------------------------- rule builders (the shapes most rules take)
# Each gives the rule "rows whose `path` leads to this membership's anchor": its school, township, class or person.


def at_school(path: str = "school") -> ScopeRule:
    return lambda m: Q(**{path: m.school_id})


def in_township(path: str = "school__township") -> ScopeRule:
    return lambda m: Q(**{path: m.township_id})


def of_class(path: str = "admin_class") -> ScopeRule:
    return lambda m: Q(**{path: m.admin_class_id})


def of_person(path: str) -> ScopeRule:
    return lambda m: Q(**{path: m.user_id})


# ---------------------------------------------------------------- the registry


@dataclass(frozen=True)
class MenuEntry:
    """A link in the menu of one role, shown when the user holds `role` and that role may take `action`.

    `home=True`: the role's home page (the menu's first link for that role, labelled with the role; where a
    person holding the role lands). Other entries follow the role's home in `order`.
    """

    role: str
    url: str  # a URL name, e.g. "funding:claim-list"
    action: str
    label: object = None  # lazily translated; a home is labelled with its role
    order: int = 0
    home: bool = False


@dataclass
class Registration:
    app: str  # the app label, e.g. "funding"
    actions: dict[str, set[str]] = field(default_factory=dict)  # action -> roles that may take it
    scopes: dict[str, dict[str, ScopeRule]] = field(default_factory=dict)  # "app_label.Model" -> role -> rule
    # action -> "app_label.Model" -> role -> rule, where an action is narrower than what the role may see
    action_scopes: dict[str, dict[str, dict[str, ScopeRule]]] = field(default_factory=dict)
    menu: list[MenuEntry] = field(default_factory=list)


@dataclass
class Table:
    actions: dict[str, set[str]]
    action_apps: dict[str, str]
    scopes: dict[str, dict[str, ScopeRule]]
    action_scopes: dict[str, dict[str, dict[str, ScopeRule]]]
    menu: list[MenuEntry]


_pending: list[Registration] = []

# The live table, filled in place by load(); read through scope/can/require, never written elsewhere.
ACTIONS: dict[str, set[str]] = {}
ACTION_APPS: dict[str, str] = {}
SCOPES: dict[str, dict[str, ScopeRule]] = {}
ACTION_SCOPES: dict[str, dict[str, dict[str, ScopeRule]]] = {}
MENU: list[MenuEntry] = []


def register(*, app: str, actions=None, scopes=None, action_scopes=None, menu=()) -> Registration:
    """Declare one app's part of the policy (called once, from `<app>/access.py`). Checked by load()."""
    registration = Registration(
        app=app,
        actions={k: set(v) for k, v in (actions or {}).items()},
        scopes=dict(scopes or {}),
        action_scopes=dict(action_scopes or {}),
        menu=list(menu),
    )
    _pending.append(registration)
    return registration


def _model_of(key: str, app: str, what: str) -> type[Model]:
    from django.apps import apps

    try:
        model = apps.get_model(key)
    except (LookupError, ValueError):
        raise ImproperlyConfigured(f"{app}: {what} names {key!r}, which is not a model") from None
    if f"{model._meta.app_label}.{model.__name__}" != key:
        raise ImproperlyConfigured(f"{app}: {what} names {key!r}; write it as app_label.ModelName")
    return model


def _check_roles(roles: Iterable[str], app: str, where: str) -> None:
    unknown = sorted(str(r) for r in roles if r not in Role.values)
    if unknown:
        raise ImproperlyConfigured(f"{app}: {where} names unknown role(s) {', '.join(unknown)}")


def build_table(registrations: Iterable[Registration]) -> Table:
    """Merge and check the registrations; raise ImproperlyConfigured on the first thing that is wrong."""
    registrations = list(registrations)
    actions: dict[str, set[str]] = {}
    action_apps: dict[str, str] = {}
    scopes: dict[str, dict[str, ScopeRule]] = {}
    scope_apps: dict[str, str] = {}
    action_scopes: dict[str, dict[str, dict[str, ScopeRule]]] = {}
    menu: list[MenuEntry] = []
    apps_seen: set[str] = set()
    for reg in registrations:
        if reg.app in apps_seen:
            raise ImproperlyConfigured(f"{reg.app}: registered twice")
        apps_seen.add(reg.app)
        for action, roles in reg.actions.items():
            if action in actions:
                raise ImproperlyConfigured(
                    f"{reg.app}: action {action!r} is already registered by {action_apps[action]}"
                )
            _check_roles(roles, reg.app, f"action {action!r}")
            actions[action], action_apps[action] = set(roles), reg.app
        for key, rules in reg.scopes.items():
            if key in scopes:
                raise ImproperlyConfigured(
                    f"{reg.app}: the scope of {key!r} is already registered by {scope_apps[key]}"
                )
            model = _model_of(key, reg.app, "a scope")
            if model._meta.app_label != reg.app:
                raise ImproperlyConfigured(
                    f"{reg.app}: a scope for {key!r}, a model of {model._meta.app_label}; "
                    f"an app registers the scopes of its own models"
                )
            _check_roles(rules, reg.app, f"the scope of {key!r}")
            scopes[key], scope_apps[key] = dict(rules), reg.app
    for reg in registrations:
        for action, by_model in reg.action_scopes.items():
            if action not in actions:
                raise ImproperlyConfigured(
                    f"{reg.app}: an action scope for {action!r}, which is not a registered action"
                )
            if action_apps[action] != reg.app:
                raise ImproperlyConfigured(
                    f"{reg.app}: an action scope for {action!r}, an action of {action_apps[action]}; "
                    f"an app narrows only its own actions"
                )
            for key, rules in by_model.items():
                _model_of(key, reg.app, f"the action scope of {action!r}")
                _check_roles(rules, reg.app, f"the action scope of {action!r} on {key!r}")
                idle = sorted(str(r) for r in rules if r not in actions[action])
                if idle:
                    raise ImproperlyConfigured(
                        f"{reg.app}: the action scope of {action!r} on {key!r} names role(s) {', '.join(idle)}, "
                        f"which may not take the action"
                    )
                action_scopes.setdefault(action, {})[key] = dict(rules)
        for entry in reg.menu:
            _check_roles([entry.role], reg.app, f"the menu entry {entry.url!r}")
            if entry.action not in actions:
                raise ImproperlyConfigured(
                    f"{reg.app}: the menu entry {entry.url!r} names {entry.action!r}, which is not a registered action"
                )
            if entry.role not in actions[entry.action]:
                raise ImproperlyConfigured(
                    f"{reg.app}: the menu entry {entry.url!r} is for {entry.role}, who may not take {entry.action!r}"
                )
            if entry.home and any(e.home and e.role == entry.role for e in menu):
                raise ImproperlyConfigured(f"{reg.app}: a second home for {entry.role}")
            if not entry.home and not entry.label:
                raise ImproperlyConfigured(f"{reg.app}: the menu entry {entry.url!r} has no label")
            menu.append(entry)
    homeless = sorted({e.role for e in menu} - {e.role for e in menu if e.home})
    if homeless:
        raise ImproperlyConfigured(f"menu entries for role(s) without a home: {', '.join(homeless)}")
    return Table(actions, action_apps, scopes, action_scopes, menu)


def install(table: Table) -> None:
    """Make `table` the live policy (in place: modules holding these dicts see the change)."""
    for live, new in (
        (ACTIONS, table.actions),
        (ACTION_APPS, table.action_apps),
        (SCOPES, table.scopes),
        (ACTION_SCOPES, table.action_scopes),
    ):
        live.clear()
        live.update(new)
    MENU[:] = table.menu


def load() -> None:
    """Import every installed app's `access` module and install the checked table. Called by AppConfig.ready()."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("access")
    install(build_table(_pending))


# ---------------------------------------------------------------- the engine


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
        raise KeyError(f"unknown action {action!r}: register it in its app's access.py")
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
