"""Celery tasks of enrollment: each loads by id and calls one service (safe to run twice)."""

from celery import shared_task

from .services import letters


@shared_task(name="enrollment.letter_batch_task")
def letter_batch_task(batch_id: int, base_url: str) -> str:
    """Build one class's Letters to Parents; `base_url` is the site origin the QR codes point to."""
    return letters.letter_batch_run(batch_id=batch_id, base_url=base_url).status
