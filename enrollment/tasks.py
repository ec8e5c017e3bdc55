"""Celery tasks of enrollment: each loads by id and calls one service (safe to run twice)."""

from celery import shared_task

from xiji_afterschool import jobs

from .services import letters as letters_services
from .services import placement as placement_services


@shared_task(name="enrollment.letter_batch_task", **jobs.task_options())
def letter_batch_task(batch_id: int, base_url: str | None = None) -> str:
    """Build one class's Letters to Parents (a job: xiji_afterschool/jobs.py). `base_url`, the site origin the QR
    codes point to, is stored on the batch; the argument remains for messages queued before it was."""
    return letters_services.letter_batch_run(batch_id=batch_id, base_url=base_url).status


@shared_task(name="enrollment.activate_due_placements_task")
def activate_due_placements_task() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): placed children whose service class has started become attending."""
    return placement_services.activate_due_placements()
