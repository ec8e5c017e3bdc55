"""Background jobs that survive a crash (issue #13, items 5, 6 and 8): xiji_afterschool/jobs.py and its jobs —
the letter batch, the roster export, the roster import."""

import datetime
import io
import os
import signal
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from enrollment.models import LetterBatch
from enrollment.services import letters as letters_services
from schools.models import RosterExport, RosterImport
from schools.services import imports as imports_services
from schools.services import roster as roster_services
from xiji_afterschool import jobs
from xiji_afterschool.celery import app as celery_app
from xiji_afterschool.errors import DomainError

from .conftest import messages_of, start_celery_worker
from .enrollment.test_letters import fill_plan
from .factories import StudentFactory

CLOSED_PORT_BROKER = "redis://127.0.0.1:6390/0"  # nothing listens there


def _age(job, **fields_minutes):
    """Move the job's clocks back: _age(job, heartbeat_at=10) means its last heartbeat was 10 minutes ago."""
    then = {name: timezone.now() - datetime.timedelta(minutes=m) for name, m in fields_minutes.items()}
    type(job).objects.filter(pk=job.pk).update(**then)
    job.refresh_from_db()


@pytest.fixture
def sent(monkeypatch):
    """What would go to the broker: (model label, pk) per send, nothing sent."""
    calls = []
    monkeypatch.setattr(jobs, "_send", lambda model, pk: calls.append((model._meta.label, pk)) or True)
    return calls


@pytest.fixture
def broker_down(settings):
    """The broker is a closed port; tasks go through it, not eagerly."""
    old = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = CLOSED_PORT_BROKER, False
    yield
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = old


# ---------------------------------------------------------------- claim, beat, finish


def test_every_job_model_is_swept():
    assert {m._meta.label for m in jobs.job_models()} >= {
        "enrollment.LetterBatch",
        "schools.RosterExport",
        "schools.RosterImport",
    }


def test_claim_takes_a_pending_job_once_and_counts_the_attempt(world):
    export = world.export_a
    assert jobs.claim(export) == 1
    assert export.status == RosterExport.Status.RUNNING and export.attempts == 1 and export.heartbeat_at
    assert jobs.claim(export) is None  # a second delivery while it runs does nothing


def test_a_redelivered_task_takes_over_a_job_whose_worker_died_and_the_dead_attempt_cannot_finish(world):
    export = world.export_a
    first = jobs.claim(export)
    _age(export, heartbeat_at=10)  # the worker died 10 minutes ago (XIJI_JOB_STALE_MINUTES is 5)
    second = jobs.claim(export)
    assert second == 2 and export.attempts == 2
    # The first attempt's process comes back to life: it can neither report progress nor finish.
    assert not jobs.beat(export, first) and not jobs.finish(export, first)
    assert jobs.finish(export, second, row_count=3) and export.status == RosterExport.Status.DONE
    assert not jobs.finish(export, second)  # DONE exactly once
    assert jobs.claim(export) is None


@override_settings(XIJI_JOB_MAX_ATTEMPTS=2)
def test_a_stale_job_past_its_attempts_is_not_claimed_again(world):
    export = world.export_a
    jobs.claim(export)
    _age(export, heartbeat_at=10)
    jobs.claim(export)
    _age(export, heartbeat_at=10)
    assert jobs.claim(export) is None


# ---------------------------------------------------------------- the sweep


def test_sweep_requeues_a_running_job_whose_heartbeat_is_stale_and_leaves_a_live_one(world, sent):
    stale, live = world.export_a, RosterExport.objects.create(school=world.school_a, requested_by=world.school_admin)
    jobs.claim(stale)
    jobs.claim(live)
    _age(stale, heartbeat_at=6)
    counts = jobs.sweep_stale()
    stale.refresh_from_db(), live.refresh_from_db()
    assert counts == {"requeued": 1, "failed": 0} and sent == [("schools.RosterExport", stale.pk)]
    assert stale.status == RosterExport.Status.PENDING and live.status == RosterExport.Status.RUNNING
    assert jobs.claim(stale) == 2  # the queued task takes it


def test_sweep_fails_a_job_that_died_too_often_with_words_and_the_page_stops_polling(client, world, sent, english):
    export = world.export_a
    for _ in range(3):  # XIJI_JOB_MAX_ATTEMPTS
        jobs.claim(export)
        _age(export, heartbeat_at=6)
        jobs.sweep_stale()
        export.refresh_from_db()
    assert export.status == RosterExport.Status.FAILED and export.attempts == 3 and len(sent) == 2
    assert "stopped several times" in export.error
    client.force_login(world.school_admin)
    page = client.get(reverse("schools:roster-export-detail", args=[export.pk])).content.decode()
    assert "data-job-poll" not in page and "stopped several times" in page
    assert reverse("schools:roster-export-retry", args=[export.pk]) in page


def test_sweep_sends_again_a_queued_job_nobody_took_then_fails_it_when_too_old(world, sent):
    export = world.export_a  # created PENDING by the world, never sent
    _age(export, created_at=6)
    assert jobs.sweep_stale() == {"requeued": 1, "failed": 0}
    assert jobs.sweep_stale() == {"requeued": 0, "failed": 0}  # just sent: not stale yet
    _age(export, created_at=30, heartbeat_at=6)  # older than (attempts + 1) × 5 minutes
    assert jobs.sweep_stale() == {"requeued": 0, "failed": 1}
    export.refresh_from_db()
    assert export.status == RosterExport.Status.FAILED and export.error


def test_the_sweep_is_on_beat():
    from django.conf import settings

    # The worker imports every app's tasks by autodiscovery; in a test process (one of `pytest -n`'s) only what an
    # earlier test happened to import is registered, so import them as the worker does.
    celery_app.loader.import_default_modules()

    entry = settings.CELERY_BEAT_SCHEDULE["sweep-stale-jobs"]
    assert entry["task"] == "xiji_afterschool.sweep_stale_jobs_task"
    assert entry["task"] in celery_app.tasks
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    for name in ("enrollment.letter_batch_task", "schools.roster_export_task", "schools.roster_import_task"):
        task = celery_app.tasks[name]
        assert task.acks_late and task.reject_on_worker_lost and task.ignore_result
        assert task.soft_time_limit and task.time_limit > task.soft_time_limit


# ---------------------------------------------------------------- a redelivered job finishes once


def test_a_letter_batch_run_again_after_a_crash_finishes_once_with_one_file(world, media):
    fill_plan(world.plan_filed)
    batch = letters_services.letter_batch_request(
        actor=world.class_teacher, admin_class=world.class_a1, base_url="http://x"
    )
    jobs.claim(batch)  # a worker took it and was killed mid-job…
    (media / "letters").mkdir()
    _age(batch, heartbeat_at=6)
    batch = letters_services.letter_batch_run(batch_id=batch.pk)  # …the broker redelivers it
    assert batch.status == LetterBatch.Status.DONE and batch.attempts == 2 and batch.done == 2
    assert batch.file.name.endswith(f"-{batch.pk}.pdf") and batch.base_url == "http://x"
    again = letters_services.letter_batch_run(batch_id=batch.pk)  # and the first delivery once more
    assert again.status == LetterBatch.Status.DONE and again.attempts == 2 and again.file.name == batch.file.name
    assert len(list(media.rglob("*.pdf"))) == 1


def test_a_finished_attempt_that_lost_its_claim_removes_its_file(world, media, monkeypatch):
    export = world.export_a
    real_claim = jobs.claim

    def claim_then_lose(job):
        attempt = real_claim(job)
        _age(job, heartbeat_at=6)
        real_claim(job)  # the sweep gave it to another attempt while this one was working
        return attempt

    monkeypatch.setattr(jobs, "claim", claim_then_lose)
    export = roster_services.roster_export_run(export_id=export.pk)
    assert export.status == RosterExport.Status.RUNNING and export.attempts == 2 and not export.file
    assert list(media.rglob("*.xlsx")) == []


# ---------------------------------------------------------------- retry


def test_a_failed_export_is_retried_by_its_requester_and_finishes(client, world, media, eager_celery, english):
    export = world.export_a
    RosterExport.objects.filter(pk=export.pk).update(status=RosterExport.Status.FAILED, error="x", attempts=3)
    client.force_login(world.other_school_admin)
    assert client.post(reverse("schools:roster-export-retry", args=[export.pk])).status_code == 404
    client.force_login(world.school_admin)
    url = reverse("schools:roster-export-retry", args=[export.pk])
    response = client.post(url)
    export.refresh_from_db()
    assert response.status_code == 302 and export.status == RosterExport.Status.PENDING and export.attempts == 0
    export = roster_services.roster_export_run(export_id=export.pk)
    assert export.status == RosterExport.Status.DONE and export.attempts == 1
    with pytest.raises(DomainError, match="not failed"):
        roster_services.roster_export_retry(actor=world.school_admin, export=export)


# ---------------------------------------------------------------- the broker is down


@pytest.mark.django_db(transaction=True)  # commits as in production: the job is queued before the view reads it
def test_with_the_broker_down_asking_for_an_export_answers_a_message_and_leaves_nothing_queued(
    client, world, broker_down, english
):
    client.force_login(world.school_admin)
    started = time.monotonic()
    response = client.post(reverse("schools:roster-export-create", args=[world.school_a.pk]))
    assert time.monotonic() - started < 3
    export = RosterExport.objects.exclude(pk=world.export_a.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "schools:roster-export-detail", args=[export.pk]
    )
    assert export.status == RosterExport.Status.FAILED and export.finished_at
    with translation.override("en"):
        assert export.error == jobs.queue_unavailable_message()
        assert messages_of(response) == [jobs.queue_unavailable_message()]
    page = client.get(response["Location"]).content.decode()
    assert "data-job-poll" not in page and reverse("schools:roster-export-retry", args=[export.pk]) in page


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_letters_and_imports_fail_with_the_message_too(client, world, media, broker_down, english):
    fill_plan(world.plan_filed)
    client.force_login(world.class_teacher)
    response = client.post(reverse("enrollment:letter-batch-create", args=[world.class_a1.pk]))
    batch = LetterBatch.objects.get()
    assert response.status_code == 302 and batch.status == LetterBatch.Status.FAILED
    assert batch.error == jobs.queue_unavailable_message()

    client.force_login(world.school_admin)
    response = client.post(
        reverse("schools:roster-import-upload", args=[world.school_a.pk]),
        {"file": SimpleUploadedFile("r.xlsx", _workbook_bytes())},
    )
    roster_import = RosterImport.objects.get()
    assert response.status_code == 302 and roster_import.status == RosterImport.Status.FAILED
    assert messages_of(response) == [jobs.queue_unavailable_message()]


# ---------------------------------------------------------------- the roster import in a worker


def _workbook_bytes(rows=()) -> bytes:
    book = Workbook()
    book.active.append(
        ["学生姓名", "年级", "班号", "性别", "出生日期", "是否住校", "监护人姓名", "与学生关系", "监护人手机号"]
    )
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _zip_bomb(unpacked_mb: int) -> bytes:
    """A real workbook whose sheet XML is padded to `unpacked_mb` MB: a tiny file that unpacks huge."""
    source = zipfile.ZipFile(io.BytesIO(_workbook_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (unpacked_mb * 1024 * 1024), 1)
            bomb.writestr(info.filename, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_at_upload_quickly_and_never_parsed(client, world, media, english, monkeypatch):
    bomb = _zip_bomb(30)
    assert len(bomb) < 200 * 1024
    opened = []
    monkeypatch.setattr(imports_services, "load_workbook", lambda *a, **k: opened.append(a))
    client.force_login(world.school_admin)
    started = time.monotonic()
    response = client.post(
        reverse("schools:roster-import-upload", args=[world.school_a.pk]),
        {"file": SimpleUploadedFile("bomb.xlsx", bomb)},
    )
    assert time.monotonic() - started < 5
    assert response.status_code == 200 and "too large to read" in response.content.decode()
    assert opened == [] and RosterImport.objects.count() == 0


def test_the_worker_checks_the_unpacked_size_again_before_opening(world, media, english, monkeypatch, settings):
    roster_import = imports_services.roster_import_check(
        actor=world.school_admin, school=world.school_a, upload=SimpleUploadedFile("b.xlsx", _zip_bomb(3))
    )
    settings.XIJI_IMPORT_MAX_UNPACKED_MB = 2  # the cap was lowered after the upload (or the file changed)
    opened = []
    monkeypatch.setattr(imports_services, "load_workbook", lambda *a, **k: opened.append(a))
    roster_import = imports_services.roster_import_check_run(import_id=roster_import.pk)
    assert roster_import.status == RosterImport.Status.FAILED and "too large to read" in roster_import.error
    assert opened == []


def test_the_import_page_shows_progress_while_checking_then_the_result(client, world, media, english):
    roster_import = imports_services.roster_import_check(
        actor=world.school_admin,
        school=world.school_a,
        upload=SimpleUploadedFile(
            "r.xlsx",
            _workbook_bytes([["马小军", "三年级", 1, "男", "2015-03-08", "否", "马文军", "父亲", "13709540001"]]),
        ),
    )
    attempt = jobs.claim(roster_import)
    jobs.beat(roster_import, attempt, progress_done=200, progress_total=800)
    client.force_login(world.school_admin)
    url = reverse("schools:roster-import-detail", args=[roster_import.pk])
    page = client.get(url).content.decode()
    assert 'data-progress="200/800"' in page and "bar-w-25" in page and "data-job-poll" in page
    assert reverse("schools:roster-import-confirm", args=[roster_import.pk]) not in page
    _age(roster_import, heartbeat_at=6)
    roster_import = imports_services.roster_import_check_run(import_id=roster_import.pk)  # redelivered
    assert roster_import.status == RosterImport.Status.READY and roster_import.row_count == 1
    page = client.get(url).content.decode()
    assert "data-job-poll" not in page and reverse("schools:roster-import-confirm", args=[roster_import.pk]) in page


def test_an_unreadable_workbook_fails_with_its_message_and_a_retry_button(client, world, media, english):
    roster_import = imports_services.roster_import_check(
        actor=world.school_admin, school=world.school_a, upload=SimpleUploadedFile("r.xlsx", _workbook_bytes())
    )
    roster_import = imports_services.roster_import_check_run(import_id=roster_import.pk)
    assert roster_import.status == RosterImport.Status.FAILED and "no students" in roster_import.error
    client.force_login(world.school_admin)
    page = client.get(reverse("schools:roster-import-detail", args=[roster_import.pk])).content.decode()
    assert "no students" in page and reverse("schools:roster-import-retry", args=[roster_import.pk]) in page
    assert "data-job-poll" not in page


# ---------------------------------------------------------------- a real worker killed mid-job


@pytest.mark.needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_a_job_the_sweep_gives_to_another_worker_that_finishes_it_once(
    world, tmp_path, settings
):
    """Issue #13: a worker SIGKILLed at letter 25 of 32 left the batch "running" forever. Now the sweep finds the
    stale heartbeat, a second worker takes the batch, and it ends DONE once with one PDF (attempt 2)."""
    assert not celery_app.conf.task_always_eager, "REDIS_URL is set, so tasks must go through the broker"
    settings.MEDIA_ROOT = tmp_path
    fill_plan(world.plan_filed)
    for i in range(150):  # enough letters for the job to take a few seconds
        StudentFactory(admin_class=world.class_a1, name=f"学生{i:03d}")
    queue = f"test-jobs-{os.getpid()}"
    old_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    workers = []
    try:
        batch = letters_services.letter_batch_request(
            actor=world.class_teacher, admin_class=world.class_a1, base_url="http://x"
        )
        workers.append(start_celery_worker(tmp_path, queue))
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            batch.refresh_from_db()
            if batch.status == LetterBatch.Status.RUNNING and batch.done > 0:
                break
            assert workers[0].poll() is None, "the first worker died on its own"
            time.sleep(0.05)
        assert batch.status == LetterBatch.Status.RUNNING and 0 < batch.done, "the job never got going"
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=10)
        time.sleep(0.5)
        batch.refresh_from_db()
        assert batch.status == LetterBatch.Status.RUNNING and batch.attempts == 1 and not batch.file

        workers.append(start_celery_worker(tmp_path, queue))
        assert jobs.sweep_stale(stale=datetime.timedelta(0))["requeued"] >= 1  # as beat would, 5 minutes later
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            batch.refresh_from_db()
            if batch.status in (LetterBatch.Status.DONE, LetterBatch.Status.FAILED):
                break
            assert workers[1].poll() is None, "the second worker died"
            time.sleep(0.25)
        assert batch.status == LetterBatch.Status.DONE, batch.error or "the second worker did not finish in 60 s"
        assert batch.attempts == 2 and batch.done == batch.total == 152
        assert [p.name for p in tmp_path.rglob("*.pdf")] == [os.path.basename(batch.file.name)]
    finally:
        celery_app.conf.task_default_queue = old_queue
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
        outputs = [worker.communicate(timeout=30)[0] for worker in workers]
    assert outputs[-1].count("enrollment.letter_batch_task") >= 1, outputs[-1][-2000:]
