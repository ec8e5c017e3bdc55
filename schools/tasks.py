"""Celery tasks of schools: each loads by id and calls one service (safe to run twice)."""

from celery import shared_task

from xiji_afterschool import jobs

from .rules import notifications as notifications_rules
from .services import imports as imports_services
from .services import notifications as notifications_services
from .services import retention as retention_services
from .services import roster as roster_services


@shared_task(name="schools.roster_export_task", **jobs.task_options())
def roster_export_task(export_id: int) -> str:
    """Build one roster workbook (a job: xiji_afterschool/jobs.py)."""
    return roster_services.roster_export_run(export_id=export_id).status


@shared_task(name="schools.roster_import_task", **jobs.task_options())
def roster_import_task(import_id: int) -> str:
    """Check one uploaded roster (a job): the unpacked-size cap, the parse and every row, under the time limit;
    the worker's memory is bounded by CELERY_WORKER_MAX_MEMORY_PER_CHILD."""
    return imports_services.roster_import_check_run(import_id=import_id).status


@shared_task(bind=True, name="schools.send_text_message_task", acks_late=True)
def send_text_message_task(self, text_message_id: int) -> str:
    """Send one text message; a provider failure is retried with backoff (60, 120, 240, 480 s) up to 5 attempts,
    then the message is FAILED with the provider's error (shown in the inbox). Never raises the failure.

    Eagerly (no REDIS_URL: tests and the demo) the retries run at once, one after another, and stop after the
    fifth attempt; nothing is raised to the caller, whose inbox row is already saved."""
    message = notifications_services.text_message_send(text_message_id=text_message_id)
    if message is None:
        return "nothing to do"
    countdown = notifications_rules.retry_countdown(message.attempts)
    if message.status != message.Status.QUEUED or countdown is None:
        return message.status
    if self.request.is_eager:
        return send_text_message_task.apply(args=[text_message_id]).get()
    raise self.retry(countdown=countdown, max_retries=None)  # the attempts on the row are the limit


@shared_task(name="schools.release_held_text_messages_task")
def release_held_text_messages_task() -> int:
    """Every 5 minutes (CELERY_BEAT_SCHEDULE): held texts whose quiet hours are over, and queued texts whose task
    was lost (untouched for 10 minutes), are queued again. Returns how many."""
    due = notifications_services.text_messages_due()
    for pk in due:
        send_text_message_task.delay(pk)
    return len(due)


@shared_task(name="schools.retention_sweep_task")
def retention_sweep_task() -> dict:
    """Every night (CELERY_BEAT_SCHEDULE): delete or anonymise what the county's retention settings say is due, and
    record the run. Returns the counts per data class."""
    return retention_services.sweep().counts
