"""Safety's background jobs: each calls one service and is safe to run twice."""

from celery import shared_task

from .services import alerts as alerts_services
from .services import hazards as hazards_services


@shared_task(name="safety.raise_late_pickups_task")
def raise_late_pickups_task() -> dict:
    """Every minute (CELERY_BEAT_SCHEDULE): raise, repeat and resolve late pick-up alerts as the system."""
    summary = alerts_services.late_alerts_raise()
    return {"raised": summary.raised, "reminded": summary.reminded, "resolved": summary.resolved}


@shared_task(name="safety.escalate_overdue_hazards_task")
def escalate_overdue_hazards_task() -> int:
    """Daily at 07:00 (CELERY_BEAT_SCHEDULE): hazards past their deadline go to the bureau, once each."""
    return hazards_services.hazard_escalate_overdue()
