import io
import os
import time

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from schools.models import RosterExport
from xiji_afterschool.celery import app as celery_app

from ..conftest import start_celery_worker


def _sheet_rows(export):
    with export.file.open("rb") as f:
        sheet = load_workbook(io.BytesIO(f.read()), read_only=True).active
        return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_admin_exports_own_roster_and_downloads_it(
    client, world, eager_celery, media, django_capture_on_commit_callbacks
):
    client.force_login(world.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("schools:roster-export-create", args=[world.school_a.pk]))
    export = RosterExport.objects.exclude(pk=world.export_a.pk).get()
    assert response["Location"] == reverse("schools:roster-export-detail", args=[export.pk])
    assert export.status == RosterExport.Status.DONE and export.row_count == 3
    rows = _sheet_rows(export)
    assert rows[0][:3] == ["年级", "班级", "姓名"]
    names = {r[2] for r in rows[1:]}
    assert names == {"马小明", "李小红", "王小军"}  # school_a only: never 杨小花 of school_b
    child_row = next(r for r in rows if r[2] == "马小明")
    assert child_row[5] == world.child.id_number  # the school's own export carries the whole ID
    download = client.get(reverse("schools:roster-export-download", args=[export.pk]))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content)[:2] == b"PK"


def test_detail_page_says_when_ready(client, world, eager_celery, media, django_capture_on_commit_callbacks):
    client.force_login(world.school_admin)
    page = client.get(reverse("schools:roster-export-detail", args=[world.export_a.pk])).content.decode()
    assert 'data-status="pending"' in page and "data-job-poll" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("schools:roster-export-create", args=[world.school_a.pk]))
    export = RosterExport.objects.exclude(pk=world.export_a.pk).get()
    page = client.get(reverse("schools:roster-export-detail", args=[export.pk])).content.decode()
    assert 'data-status="done"' in page and reverse("schools:roster-export-download", args=[export.pk]) in page
    assert "data-job-poll" not in page


def test_download_of_an_unfinished_export_is_404(client, world):
    client.force_login(world.school_admin)
    assert client.get(reverse("schools:roster-export-download", args=[world.export_a.pk])).status_code == 404


def test_running_an_export_twice_builds_it_once(world, media):
    from schools.services import roster as services

    first = services.roster_export_run(export_id=world.export_a.pk)
    name = first.file.name
    second = services.roster_export_run(export_id=world.export_a.pk)
    assert second.status == RosterExport.Status.DONE and second.file.name == name


def test_export_fails_cleanly_when_the_requester_lost_the_role(world, media):
    from schools.services import roster as services

    world.school_admin.memberships.all().delete()
    export = services.roster_export_run(export_id=world.export_a.pk)
    assert export.status == RosterExport.Status.FAILED and not export.file


def test_other_school_admin_cannot_start_an_export(client, world):
    client.force_login(world.other_school_admin)
    assert client.post(reverse("schools:roster-export-create", args=[world.school_a.pk])).status_code == 404
    assert RosterExport.objects.count() == 1


@pytest.mark.needs_redis
@pytest.mark.django_db(transaction=True)
def test_roster_export_round_trip_through_a_real_worker_on_redis(client, world, tmp_path, settings):
    """Enqueue through Redis, let a real `celery worker` process build the file, download it here."""
    assert not celery_app.conf.task_always_eager, "REDIS_URL is set, so tasks must go through the broker"
    settings.MEDIA_ROOT = tmp_path
    queue = f"test-{os.getpid()}"
    worker = start_celery_worker(tmp_path, queue)
    old_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        client.force_login(world.school_admin)
        client.post(reverse("schools:roster-export-create", args=[world.school_a.pk]))
        export = RosterExport.objects.exclude(pk=world.export_a.pk).get()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            export.refresh_from_db()
            if export.status in (RosterExport.Status.DONE, RosterExport.Status.FAILED):
                break
            assert worker.poll() is None, "the worker died"
            time.sleep(0.25)
        assert export.status == RosterExport.Status.DONE, export.error or "worker did not finish in 90 s"
        assert {r[2] for r in _sheet_rows(export)[1:]} == {"马小明", "李小红", "王小军"}
        download = client.get(reverse("schools:roster-export-download", args=[export.pk]))
        assert download.status_code == 200
    finally:
        celery_app.conf.task_default_queue = old_queue
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert "schools.roster_export_task" in output and "succeeded" in output, output[-2000:]
