"""Celery tasks of safety: each calls one service and is safe to run twice."""

from celery import shared_task

from .services import hazards as hazards_services


@shared_task(name="safety.escalate_overdue_hazards_task")
def escalate_overdue_hazards_task() -> int:
    """Daily at 07:00 (CELERY_BEAT_SCHEDULE): hazards past their deadline go to the bureau, once each."""
    return hazards_services.hazard_escalate_overdue()
