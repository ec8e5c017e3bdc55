"""The county console's background jobs: each calls one service and is safe to run twice."""

from celery import shared_task

from .services import compliance as compliance_services
from .services import reminders as reminders_services


@shared_task(name="bureau.send_deadline_reminders_task")
def send_deadline_reminders_task() -> dict:
    """Daily at 07:30 (CELERY_BEAT_SCHEDULE): remind the responsible people of deadlines, once per stage."""
    return reminders_services.send_deadline_reminders()


@shared_task(name="bureau.send_flag_digest_task")
def send_flag_digest_task() -> int:
    """Daily (to be scheduled): tell the bureau how many confirmed compliance flags wait for its review."""
    return compliance_services.send_flag_digest()
