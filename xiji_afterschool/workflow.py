"""State machines: one transition table per workflow, moved by compare-and-set, every step logged.

A model that uses this has a `status` field, a `TRANSITIONS = {action: (sources, target)}` table, the words for its
steps in `ACTION_LABELS = {action: label}` and for its badge in `STATUS_STYLE = {status: bootstrap colour}`, and an
event model (a `xiji_afterschool.models.WorkflowEvent`) reachable as `obj.events`. Three helpers write the events:

- `start(obj, ...)`: a new record came into being (action "create", or the workflow's own word, from "" to its status);
- `transition(obj, action, ...)`: the status moved by one of TRANSITIONS;
- `log(obj, action, ...)`: something happened that does not move the status (from and to are the current status).

Each takes `actor` (the person) or `system=True` with `actor=None` (a scheduled job did it on its own).
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from . import auditing
from .errors import DomainError


class TransitionNotAllowed(DomainError):
    def __init__(self, *, action: str, status: str, label: str = ""):
        super().__init__(
            _("This cannot be done now: the record is “%(status)s”. Reload the page to see its current state.")
            % {"status": label or status}
        )
        self.action = action
        self.status = status


def allowed_actions(obj) -> list[str]:
    return [action for action, (sources, _target) in obj.TRANSITIONS.items() if obj.status in sources]


def _who(actor, system: bool) -> dict:
    if system == (actor is not None):
        raise ValueError("an event is done by a person (actor) or by the system (system=True, actor=None)")
    return {"actor": actor, "by_system": system}


def start(obj, *, actor, action: str = "create", note: str = "", system: bool = False) -> None:
    """Log the creation of a new record `obj` (saved, in its first status): from "" to its status.

    `action` names the step where the workflow has its own word for it (a settlement is "file"d)."""
    obj.events.create(action=action, from_status="", to_status=obj.status, note=note, **_who(actor, system))
    auditing.write_step(obj=obj, action=action, from_status="", to_status=obj.status, actor=actor, system=system)


def log(obj, action: str, *, actor, note: str = "", system: bool = False) -> None:
    """Log a step that does not move the status (e.g. a pay run's shares recomputed): from and to are its status."""
    obj.events.create(action=action, from_status=obj.status, to_status=obj.status, note=note, **_who(actor, system))
    auditing.write_step(
        obj=obj, action=action, from_status=obj.status, to_status=obj.status, actor=actor, system=system
    )


def transition(obj, action: str, *, actor, note: str = "", system: bool = False, **extra_fields) -> None:
    """Move obj by `action` if its *stored* status allows it; two racing callers cannot both succeed.

    Call inside the service's transaction. The row is locked (PostgreSQL) and the UPDATE is conditional
    on the status (atomic on SQLite too), so the loser of a race gets TransitionNotAllowed. `extra_fields` are
    written in the same UPDATE (who approved, when).
    """
    who = _who(actor, system)
    sources, target = obj.TRANSITIONS[action]
    manager = type(obj)._default_manager
    current = manager.select_for_update().filter(pk=obj.pk).values_list("status", flat=True).first()
    updated = 0
    if current in sources:
        updated = manager.filter(pk=obj.pk, status=current).update(
            status=target, updated_at=timezone.now(), **extra_fields
        )
    obj.refresh_from_db()
    if updated != 1:
        raise TransitionNotAllowed(action=action, status=obj.status, label=obj.get_status_display())
    obj.events.create(action=action, from_status=current, to_status=target, note=note, **who)
    auditing.write_step(obj=obj, action=action, from_status=current, to_status=target, actor=actor, system=system)
