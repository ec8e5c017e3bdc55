"""Application logs (issue 13 §3): a file a day kept 180 days, a 5xx with its traceback, a 403 in one line, no
ID number or mobile in any line; and a database that cannot be reached answers 503 "try again", logged."""

import datetime
import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client, override_settings
from django.urls import path

from schools.models import AuditRecord
from xiji_afterschool import logs
from xiji_afterschool import urls as project_urls


def _refused(request):
    raise PermissionDenied("not yours")


def _broken(request):
    raise RuntimeError("boom 110105201001011234 13912345678")


urlpatterns = [path("refused/", _refused), path("broken/", _broken), *project_urls.urlpatterns]


@pytest.fixture
def log_file(tmp_path):
    """The project's file handler, as settings configure it, writing into a temporary directory."""
    root = logging.getLogger()
    configured = next(h for h in root.handlers if isinstance(h, logs.DailyFileHandler))
    handler = logs.DailyFileHandler(tmp_path, retention_days=180)
    handler.setFormatter(configured.formatter)
    for log_filter in configured.filters:
        handler.addFilter(log_filter)
    root.addHandler(handler)
    yield lambda: (tmp_path / f"xiji-{datetime.date.today().isoformat()}.log").read_text(encoding="utf-8")
    root.removeHandler(handler)
    handler.close()


def test_settings_send_every_line_to_the_day_file_through_both_filters():
    root = logging.getLogger()
    handler = next(h for h in root.handlers if isinstance(h, logs.DailyFileHandler))
    assert any(isinstance(f, logs.OneLineForClientErrors) for f in handler.filters)
    assert isinstance(handler.formatter, logs.RedactingFormatter)
    assert handler.retention_days >= 180
    assert logging.getLogger("django.request").getEffectiveLevel() <= logging.WARNING


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_is_logged_with_its_traceback_and_no_personal_numbers(log_file):
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    text = log_file()
    assert "Internal Server Error: /broken/" in text
    assert "Traceback (most recent call last)" in text and "RuntimeError" in text
    assert "110105201001011234" not in text and "13912345678" not in text
    assert "110105********1234" in text and "139****5678" in text


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_refusal_is_one_line_and_one_audit_record(log_file):
    response = Client().get("/refused/")
    assert response.status_code == 403
    assert AuditRecord.objects.filter(action="access.refused", note="/refused/").count() == 1
    lines = [line for line in log_file().splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "Forbidden (Permission denied): /refused/" in lines[0]
    assert "Traceback" not in log_file()


def test_redact_masks_ids_and_mobiles_but_not_other_numbers():
    assert logs.redact("id 11010520100101123X mobile 13912345678 order 20261205") == (
        "id 110105********123X mobile 139****5678 order 20261205"
    )


def test_the_day_file_changes_at_midnight_and_old_days_are_removed(tmp_path):
    old = tmp_path / "xiji-2020-01-01.log"
    old.write_text("old\n")
    kept = tmp_path / f"xiji-{(datetime.date.today() - datetime.timedelta(days=10)).isoformat()}.log"
    kept.write_text("recent\n")
    (tmp_path / "other.log").write_text("not ours\n")
    handler = logs.DailyFileHandler(tmp_path, retention_days=180)
    assert not old.exists() and kept.exists() and (tmp_path / "other.log").exists()
    handler.day = datetime.date.today() - datetime.timedelta(days=1)  # as if the process started yesterday
    handler.emit(logging.LogRecord("xiji", logging.INFO, __file__, 1, "after midnight", None, None))
    handler.close()
    assert handler.baseFilename.endswith(f"xiji-{datetime.date.today().isoformat()}.log")
    assert "after midnight" in (tmp_path / f"xiji-{datetime.date.today().isoformat()}.log").read_text()


@pytest.mark.needs_postgres  # an SQLite file cannot restart; PostgreSQL can
@pytest.mark.django_db(transaction=True)
def test_a_database_that_cannot_be_reached_answers_try_again_and_is_logged(log_file, django_user_model):
    """The database restarting: new connections are refused. A signed-in page answers 503 with Retry-After and the
    "try again" page (no 500, no context that would ask the database again), and the error is in the log."""
    user = django_user_model.objects.create_user(username="clerk", password="x-Secret-2026")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT="1")  # nothing listens there: as during a restart
    try:
        response = client.get("/")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "请稍后再试" in response.content.decode()
    text = log_file()
    assert "Service Unavailable: /" in text and "OperationalError" in text
