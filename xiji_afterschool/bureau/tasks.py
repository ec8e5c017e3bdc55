"""The county console's background jobs: each calls one service and is safe to run twice."""

from celery import shared_task

from .services import school_reports as school_reports_services


@shared_task(name="bureau.remind_overdue_reports_task")
def remind_overdue_reports_task() -> int:
    """Daily (the integrator adds it to CELERY_BEAT_SCHEDULE): school admins whose report is due within 3 days or
    overdue are told, once per report and stage."""
    return school_reports_services.remind_overdue_reports()
