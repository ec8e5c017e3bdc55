"""Celery tasks of the project package: the stale-job sweep every job model shares."""

from celery import shared_task

from . import jobs


@shared_task(name="xiji_afterschool.sweep_stale_jobs_task")
def sweep_stale_jobs_task() -> dict:
    """Every 2 minutes (CELERY_BEAT_SCHEDULE): jobs whose worker died are queued again or failed."""
    return jobs.sweep_stale()
