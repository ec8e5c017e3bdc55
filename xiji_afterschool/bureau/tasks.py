"""The county console's background jobs: keep the summary tables current, remind of deadlines, reports and
rectifications, the flag digest.
Each takes ids and calls one service, and is safe to run twice."""

from celery import shared_task

from schools.models import SchoolYear

from .services import compliance as compliance_services
from .services import console as console_services
from .services import reminders as reminders_services


@shared_task(name="bureau.refresh_console_task")
def refresh_console_task(school_year_id: int, requested_by: int | None = None) -> str:
    """Every school of one school year (nightly, or when the bureau asks)."""
    school_year = SchoolYear.objects.get(pk=school_year_id)
    try:
        run = console_services.refresh(
            school_year=school_year, trigger="request" if requested_by else "nightly", requested_by_id=requested_by
        )
    except console_services.RefreshRunning:
        return "already running"
    return run.status


@shared_task(name="bureau.refresh_console_nightly_task")
def refresh_console_nightly_task() -> list[str]:
    """Nightly (CELERY_BEAT_SCHEDULE): the current and the last school year, every school."""
    return [run.status for run in console_services.refresh_all(trigger="nightly")]


@shared_task(name="bureau.refresh_school_figures_task", bind=True, max_retries=10, default_retry_delay=30)
def refresh_school_figures_task(self, school_year_id: int, school_id: int) -> str:
    """One school's numbers after a change (see signals.py); waits its turn behind a running refresh."""
    console_services.clear_pending(school_year_id, school_id)
    school_year = SchoolYear.objects.get(pk=school_year_id)
    try:
        run = console_services.refresh(school_year=school_year, school_ids=[school_id], trigger="change")
    except console_services.RefreshRunning as exc:
        if self.request.is_eager:  # no worker to wait in: the running refresh or the nightly one counts the change
            return "already running"
        raise self.retry(exc=exc) from exc
    return run.status


@shared_task(name="bureau.send_deadline_reminders_task")
def send_deadline_reminders_task() -> dict:
    """Daily at 07:30 (CELERY_BEAT_SCHEDULE): remind the responsible people of deadlines (plans, claims, school
    reports, rectifications), once per stage."""
    return reminders_services.send_deadline_reminders()


@shared_task(name="bureau.send_flag_digest_task")
def send_flag_digest_task() -> int:
    """Daily at 07:45 (CELERY_BEAT_SCHEDULE): tell the bureau how many confirmed compliance flags wait for review."""
    return compliance_services.send_flag_digest()
