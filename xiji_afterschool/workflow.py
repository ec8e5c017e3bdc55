"""State machines: one transition table per workflow, moved by compare-and-set, every move logged.

A model that uses this has a `status` field, a `TRANSITIONS = {action: (sources, target)}` table and an
event model reachable as `obj.events` with fields action, from_status, to_status, actor, note.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

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


def transition(obj, action: str, *, actor, note: str = "", **extra_fields) -> None:
    """Move obj by `action` if its *stored* status allows it; two racing callers cannot both succeed.

    Call inside the service's transaction. The row is locked (PostgreSQL) and the UPDATE is conditional
    on the status (atomic on SQLite too), so the loser of a race gets TransitionNotAllowed.
    """
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
    obj.events.create(action=action, from_status=current, to_status=target, actor=actor, note=note)
