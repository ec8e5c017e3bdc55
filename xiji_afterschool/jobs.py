"""Background jobs that survive a crash (issue #13, item 5): the one life every job row leads.

A job model (a letter batch, a roster export, a roster import…) inherits `BackgroundJob` and keeps its own
`status` field whose `Status` has `PENDING`, `RUNNING` and `FAILED` (any other status is a finished one), an
`error` and a `finished_at`, and names its task in `JOB_TASK` (a dotted path; the task takes the job's id). Every
concrete subclass is swept by `sweep_stale`, so a later job gets the crash handling by inheriting the class.

- `enqueue(job)` sends the task after commit; with the broker unreachable the job is FAILED at once with a clear
  message (the view reads it back and shows it, never a 500) and nothing stays queued.
- `claim(job)` is the task's first step: compare-and-set PENDING → RUNNING, or a RUNNING job whose heartbeat is
  stale (its worker died; the broker redelivered the message) → RUNNING again. It returns the attempt number, the
  token `beat`, `finish` and `fail` compare against, so a worker that lost its claim can never finish the job.
- `beat(job, attempt, **progress)` proves the worker alive and stores progress.
- `finish(job, attempt, status, **fields)` and `fail(job, attempt, error)`: the one move out of RUNNING.
- `sweep_stale()` (CELERY_BEAT_SCHEDULE): a RUNNING job whose heartbeat is older than XIJI_JOB_STALE_MINUTES is
  queued again (or FAILED after XIJI_JOB_MAX_ATTEMPTS runs); a PENDING job nobody took for as long is sent again
  (or FAILED once it is older than the attempts allow).
- `retry(job)`: FAILED → PENDING and enqueue (the service asks the permission first).
"""

import datetime
import logging

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import DomainError

log = logging.getLogger("xiji.jobs")


def task_options() -> dict:
    """The options of every job's task: acknowledged when it ends and given back if its worker dies, so the broker
    redelivers it; no result stored (the job's row is the result, and no result backend is touched when queuing);
    a soft time limit that fails the job cleanly, then a hard one that kills the process (the sweep takes over)."""
    return {
        "acks_late": True,
        "reject_on_worker_lost": True,
        "ignore_result": True,
        "soft_time_limit": settings.XIJI_JOB_SOFT_TIME_LIMIT,
        "time_limit": settings.XIJI_JOB_TIME_LIMIT,
    }


def queue_unavailable_message() -> str:
    return _("The task queue is unavailable for now; please try again later.")


class BackgroundJob(models.Model):
    """The fields of a job's life beside its own status, error and finished_at."""

    JOB_TASK = ""  # dotted path of the Celery task, called with the job's id

    attempts = models.PositiveSmallIntegerField(gettext_lazy("attempts"), default=0)
    heartbeat_at = models.DateTimeField(gettext_lazy("last sign of life"), null=True, blank=True)
    started_at = models.DateTimeField(gettext_lazy("started at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_waiting(self) -> bool:
        """Queued or running: the page keeps polling."""
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED


def job_models() -> list[type[BackgroundJob]]:
    """Every concrete job model of the installed apps: the registry is the class hierarchy."""
    return [m for m in apps.get_models() if issubclass(m, BackgroundJob)]


def _stale() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.XIJI_JOB_STALE_MINUTES)


def _probe_broker(url: str) -> None:
    """One PING without retries: redis-py retries a refused connection with backoff for seconds, and kombu offers
    no option to stop it, so a Redis broker that is down is found out here in milliseconds. Raises RedisError."""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    timeout = settings.CELERY_BROKER_CONNECTION_TIMEOUT
    client = redis.Redis.from_url(
        url, socket_connect_timeout=timeout, socket_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )
    try:
        client.ping()
    finally:
        client.close()


def _send(model: type[BackgroundJob], pk: int) -> bool:
    """Put the job's task on the queue now; False (and the job FAILED) if the broker cannot be reached."""
    from kombu.exceptions import OperationalError
    from redis.exceptions import RedisError

    from .celery import app

    task = import_string(model.JOB_TASK)
    try:
        if app.conf.task_always_eager:
            task.apply_async(args=[pk])
        else:
            # A fresh connection with no retry: a broker that is down answers within the connection timeout
            # instead of holding the request while kombu retries (settings: CELERY_BROKER_CONNECTION_TIMEOUT).
            _probe_broker(app.conf.broker_url)
            with app.connection_for_write() as connection:
                task.apply_async(args=[pk], connection=connection, retry=False)
    except (OperationalError, RedisError, OSError):
        log.warning("job %s %s could not be queued: broker unreachable", model._meta.label, pk)
        model.objects.filter(pk=pk, status=model.Status.PENDING).update(
            status=model.Status.FAILED,
            error=queue_unavailable_message(),
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        return False
    return True


def enqueue(job: BackgroundJob) -> None:
    """Send the job's task once the current transaction commits (at once outside one).

    If the broker is unreachable the job ends FAILED with `queue_unavailable_message()`: callers re-read the job
    (`job.refresh_from_db()`) after their transaction and show its error."""
    model, pk = type(job), job.pk
    type(job).objects.filter(pk=pk).update(heartbeat_at=timezone.now())  # when it was last sent
    transaction.on_commit(lambda: _send(model, pk))


def claim(job: BackgroundJob) -> int | None:
    """Take the job for this worker: the attempt number, or None if it is not ours to run (finished, failed,
    or running elsewhere with a fresh heartbeat) — a redelivered message then does nothing."""
    model = type(job)
    now = timezone.now()
    claimable = Q(status=model.Status.PENDING) | Q(
        status=model.Status.RUNNING,
        heartbeat_at__lt=now - _stale(),
        attempts__lt=settings.XIJI_JOB_MAX_ATTEMPTS,
    )
    with transaction.atomic():
        row = model.objects.select_for_update().filter(claimable, pk=job.pk).first()
        if row is None:
            return None
        attempt = row.attempts + 1
        model.objects.filter(pk=job.pk).update(
            status=model.Status.RUNNING, attempts=attempt, heartbeat_at=now, started_at=now, error="", updated_at=now
        )
    job.refresh_from_db()
    return attempt


def _mine(job: BackgroundJob, attempt: int):
    model = type(job)
    return model.objects.filter(pk=job.pk, status=model.Status.RUNNING, attempts=attempt)


def beat(job: BackgroundJob, attempt: int, **progress) -> bool:
    """A sign of life with the progress fields given; False if the job is no longer this attempt's."""
    return _mine(job, attempt).update(heartbeat_at=timezone.now(), updated_at=timezone.now(), **progress) == 1


def finish(job: BackgroundJob, attempt: int, *, status: str | None = None, **fields) -> bool:
    """RUNNING → `status` (the model's DONE by default) with `fields`, once: False if another attempt owns the
    job or it already finished (the caller then removes what it wrote)."""
    model = type(job)
    status = status or model.Status.DONE
    now = timezone.now()
    done = _mine(job, attempt).update(status=status, finished_at=now, heartbeat_at=now, updated_at=now, **fields)
    job.refresh_from_db()
    return done == 1


def fail(job: BackgroundJob, attempt: int, error: str) -> bool:
    """RUNNING → FAILED with the error shown to the requester (a retry button beside it)."""
    return finish(job, attempt, status=type(job).Status.FAILED, error=str(error)[:200])


def store_file(job: BackgroundJob, filename: str, content: bytes, *, field: str = "file") -> str:
    """Store a job's output under a name of its own (a half-written leftover of a killed attempt is replaced);
    returns the stored name, which the job's row names only when `finish` succeeds — so a job's output exists
    once, and a killed attempt leaves no second file behind its row."""
    file_field = type(job)._meta.get_field(field)
    name = file_field.generate_filename(job, filename)
    if file_field.storage.exists(name):
        file_field.storage.delete(name)
    return file_field.storage.save(name, ContentFile(content))


def retry(job: BackgroundJob) -> BackgroundJob:
    """FAILED → PENDING, attempts counted afresh, and enqueue. The caller checked the permission and holds the
    transaction. Raises DomainError if the job is not failed (a double click)."""
    model = type(job)
    moved = model.objects.filter(pk=job.pk, status=model.Status.FAILED).update(
        status=model.Status.PENDING, attempts=0, error="", finished_at=None, updated_at=timezone.now()
    )
    if moved != 1:
        raise DomainError(_("This job has not failed, so there is nothing to retry."))
    job.refresh_from_db()
    enqueue(job)
    return job


def sweep_stale(*, stale: datetime.timedelta | None = None) -> dict[str, int]:
    """Find jobs whose worker died or whose message was lost; queue them again or fail them. Returns counts."""
    stale = stale if stale is not None else _stale()
    max_attempts = settings.XIJI_JOB_MAX_ATTEMPTS
    now = timezone.now()
    counts = {"requeued": 0, "failed": 0}
    gave_up = _("The job stopped several times without finishing; please try again.")
    for model in job_models():
        running = model.objects.filter(status=model.Status.RUNNING, heartbeat_at__lt=now - stale)
        for pk, attempts in running.values_list("pk", "attempts"):
            rows = running.filter(pk=pk, attempts=attempts)  # compare-and-set against a live claim meanwhile
            if attempts >= max_attempts:
                counts["failed"] += rows.update(status=model.Status.FAILED, error=gave_up, finished_at=now)
            elif rows.update(status=model.Status.PENDING, heartbeat_at=now, updated_at=now):
                counts["requeued"] += 1
                _send(model, pk)
        # Queued but never taken (the message was lost): send it again, until it is too old to be worth it.
        waiting = model.objects.filter(status=model.Status.PENDING).filter(
            Q(heartbeat_at__lt=now - stale) | Q(heartbeat_at__isnull=True, created_at__lt=now - stale)
        )
        too_old = waiting.filter(created_at__lt=now - stale * (max_attempts + 1))
        counts["failed"] += too_old.update(status=model.Status.FAILED, error=gave_up, finished_at=now, updated_at=now)
        for pk in waiting.values_list("pk", flat=True):
            if model.objects.filter(pk=pk, status=model.Status.PENDING).update(heartbeat_at=now, updated_at=now):
                counts["requeued"] += 1
                _send(model, pk)
    if any(counts.values()):
        log.warning("stale jobs: %(requeued)s queued again, %(failed)s failed", counts)
    return counts
