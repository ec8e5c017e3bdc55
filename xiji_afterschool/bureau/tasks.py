"""The county console's background jobs: each calls one service and is safe to run twice."""

from celery import shared_task

from .services import inspections as inspections_services


@shared_task(name="bureau.remind_rectifications_task")
def remind_rectifications_task() -> int:
    """Daily (CELERY_BEAT_SCHEDULE, e.g. 08:00): schools hear of inspection rectifications due soon or overdue,
    once per rectification and deadline."""
    return inspections_services.remind_rectifications()
