"""Kept no longer than needed (issue #14 item 4): the retention settings, the nightly sweep with the clock moved
forward (`sweep(now=...)`), files readable by the service account only, and the bureau's page."""

import datetime
import os
import stat

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Agreement, Application, LetterBatch
from schools.models import (
    AuditRecord,
    Guardian,
    MobileCode,
    RetentionRun,
    RetentionSetting,
    RosterExport,
    RosterImport,
    Student,
    StudentGuardian,
)
from schools.rules import retention as rules
from schools.services import retention as services
from schools.tasks import retention_sweep_task
from xiji_afterschool import jobs
from xiji_afterschool.private_files import open_private

from ..conftest import messages_of
from ..factories import link_guardian
from ..factories_enrollment import agreement_text, application, school_admin_of

DAY = datetime.timedelta(days=1)
ANON = rules.ANONYMISED


def later(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


# ---------------------------------------------------------------- rules (no database)


def test_bounds_keep_the_legal_minimums_and_say_why():
    assert rules.check_days(rules.AUDIT, 180) is None
    assert "180" in rules.check_days(rules.AUDIT, 179)
    assert "180" in rules.check_days(rules.LOGS, 30)
    assert rules.check_days(rules.MONEY, 30 * 365) is None
    assert "10950" in rules.check_days(rules.ATTENDANCE, 29 * 365)
    assert rules.check_days(rules.EXPORTS, 0) is not None
    assert rules.check_days(rules.EXPORTS, 91) is not None  # kept no longer than needed: a most too
    assert rules.check_days(rules.LETTERS, 0) is None


def test_letters_are_due_the_day_after_the_period_after_the_year():
    end = datetime.date(2027, 7, 31)
    assert not rules.letters_due(year_end=end, days=0, today=end)
    assert rules.letters_due(year_end=end, days=0, today=end + DAY)
    assert not rules.letters_due(year_end=end, days=10, today=end + 10 * DAY)
    assert rules.last_school_year_end_due(days=10, today=end + 11 * DAY) == end


def test_log_names_and_birth_year():
    today = datetime.date(2030, 1, 10)
    assert rules.log_day_due(name="xiji-2029-01-01.log", prefix="xiji", today=today, days=180)
    assert not rules.log_day_due(name="xiji-2029-12-01.log", prefix="xiji", today=today, days=180)
    assert not rules.log_day_due(name="other-2000-01-01.log", prefix="xiji", today=today, days=180)
    assert not rules.log_day_due(name="xiji-notadate.log", prefix="xiji", today=today, days=180)
    assert rules.birth_year_only(datetime.date(2016, 5, 17)) == datetime.date(2016, 1, 1)


# ---------------------------------------------------------------- the settings


def test_defaults_are_written_by_the_migration(db):
    days = dict(RetentionSetting.objects.values_list("key", "days"))
    assert days == {
        "exports": 7,
        "imports": 7,
        "letters": 0,
        "applicants_closed": 730,
        "attendance": 10950,
        "money": 10950,
        "audit": 1095,
        "logs": 1095,
        "verification_codes": 1,
        "messages": 365,
        "gate": 365,
        "safety_records": 1095,
        "incidents": 7300,
        "requests": 1095,
    }
    assert set(days) == set(rules.KEYS)


def test_settings_update_is_audited_and_refuses_below_the_minimum(world):
    assert services.settings_update(actor=world.bureau, values={"exports": 3, "audit": 1095}) == ["exports"]
    assert RetentionSetting.objects.get(key="exports").days == 3
    entry = AuditRecord.objects.get(action="retention.set")
    assert entry.changes == {"exports": [7, 3]} and entry.actor == world.bureau
    from xiji_afterschool.errors import DomainError

    with pytest.raises(DomainError):
        services.settings_update(actor=world.bureau, values={"exports": 5, "logs": 90})
    assert RetentionSetting.objects.get(key="exports").days == 3  # nothing of the refused change is saved
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.settings_update(actor=world.auditor, values={"exports": 5})


# ---------------------------------------------------------------- files


def _finished_export(world, content=b"PK roster") -> RosterExport:
    export = RosterExport.objects.create(school=world.school_a, requested_by=world.school_admin)
    name = jobs.store_file(export, "roster.xlsx", content)
    RosterExport.objects.filter(pk=export.pk).update(status=RosterExport.Status.DONE, file=name)
    export.refresh_from_db()
    return export


def test_a_stored_export_is_readable_by_the_service_account_only(world, media):
    export = _finished_export(world)
    path = export.file.path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700


def test_files_written_outside_the_storage_are_private_too(tmp_path, settings):
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"old")
    os.chmod(target, 0o644)
    with open_private(target, "wb") as f:
        f.write(b"new")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600 and target.read_bytes() == b"new"
    from xiji_afterschool.logs import DailyFileHandler

    handler = DailyFileHandler(tmp_path / "logs", retention_days=180)
    import logging

    handler.emit(logging.LogRecord("x", logging.WARNING, __file__, 1, "hello", None, None))
    handler.close()
    (log_file,) = (tmp_path / "logs").iterdir()
    assert stat.S_IMODE(os.stat(log_file).st_mode) == 0o600


def test_exports_and_imports_go_with_their_files_after_the_period(world, media):
    export = _finished_export(world)
    upload = RosterImport(
        school=world.school_a, uploaded_by=world.school_admin, original_name="名单.xlsx", status="ready"
    )
    upload.file.save("roster.xlsx", ContentFile(b"PK upload"), save=True)
    waiting = world.export_a  # still queued: never swept under a worker
    export_path, upload_path = export.file.path, upload.file.path
    orphan = media / "exports" / "roster" / "left-by-a-killed-attempt.xlsx"
    orphan.write_bytes(b"PK")

    run = services.sweep(now=later(6.9))
    assert run.counts["exports"] == 0 and run.counts["imports"] == 0
    assert os.path.exists(export_path) and os.path.exists(upload_path) and orphan.exists()

    run = services.sweep(now=later(7.1))
    assert run.counts["exports"] == 1 and run.counts["imports"] == 1
    assert not RosterExport.objects.filter(pk=export.pk).exists()
    assert not RosterImport.objects.filter(pk=upload.pk).exists()
    assert not os.path.exists(export_path) and not os.path.exists(upload_path)
    assert not orphan.exists()
    assert run.details["files"] == 2 and run.details["orphan_files"] == 1
    assert RosterExport.objects.filter(pk=waiting.pk).exists()


def test_letters_go_once_their_school_year_has_ended(world, media):
    batch = LetterBatch.objects.create(
        school=world.school_a,
        school_year=world.school_year,
        admin_class=world.class_a1,
        requested_by=world.school_admin,
        status=LetterBatch.Status.DONE,
    )
    batch.file.save("letters.pdf", ContentFile(b"%PDF letters"), save=True)
    path = batch.file.path
    end = world.school_year.end_date
    at_end = timezone.make_aware(datetime.datetime.combine(end, datetime.time(23, 0)))
    assert services.sweep(now=at_end).counts["letters"] == 0
    assert os.path.exists(path)
    run = services.sweep(now=at_end + DAY)
    assert run.counts["letters"] == 1
    assert not LetterBatch.objects.filter(pk=batch.pk).exists() and not os.path.exists(path)


def test_verification_codes_go_after_a_day(world):
    code = MobileCode.objects.create(
        purpose="register", mobile_digest="d" * 64, masked_mobile="139****0001", expires_at=later(0.01)
    )
    assert services.sweep(now=later(0.5)).counts["verification_codes"] == 0
    assert services.sweep(now=later(1.01)).counts["verification_codes"] == 1
    assert not MobileCode.objects.filter(pk=code.pk).exists()


def test_log_files_older_than_the_period_are_removed(world, tmp_path, settings):
    settings.XIJI_LOG_DIR = str(tmp_path)
    today = timezone.localdate()
    old = tmp_path / f"xiji-{today - 1096 * DAY:%Y-%m-%d}.log"
    recent = tmp_path / f"xiji-{today - 30 * DAY:%Y-%m-%d}.log"
    other = tmp_path / "notes.txt"
    for path in (old, recent, other):
        path.write_text("x")
    assert services.sweep(now=timezone.now()).counts["logs"] == 1
    assert not old.exists() and recent.exists() and other.exists()


# ---------------------------------------------------------------- applicants


def test_a_withdrawn_applicant_is_anonymised_two_years_on_and_a_live_one_kept(world, media):
    withdrawn = application(world.child, status=Application.Status.WITHDRAWN)
    withdrawn.events.create(
        action="return",
        from_status="submitted",
        to_status="returned",
        note="孩子有哮喘，请补充说明",
        actor=world.school_admin,
    )
    live = application(world.other_child)
    lone_guardian = link_guardian(world.child)  # no account, no other child: goes with the child
    parent_guardian = world.child.guardian_links.get(guardian__user=world.parent).guardian
    birth = world.child.birth_date

    run = services.sweep(now=later(729))
    assert run.total == 0
    withdrawn.refresh_from_db()
    assert withdrawn.pickup_person == "马爷爷"

    now = later(731)
    run = services.sweep(now=now)
    withdrawn.refresh_from_db()
    assert withdrawn.pickup_person == ANON and withdrawn.pickup_mobile == "" and withdrawn.pickup_difficulty == ANON
    assert withdrawn.status == Application.Status.WITHDRAWN and withdrawn.preferences  # statistics keep their facts
    assert withdrawn.events.get(action="return").note == ANON  # the review note may describe the child
    child = Student.objects.get(pk=world.child.pk)
    assert child.name == ANON and child.id_number is None
    assert child.birth_date == datetime.date(birth.year, 1, 1)
    assert child.link_code != world.child.link_code  # an old letter no longer links
    assert not StudentGuardian.objects.filter(student=child).exists()
    assert not Guardian.objects.filter(pk=lone_guardian.pk).exists()
    assert Guardian.objects.filter(pk=parent_guardian.pk).exists()  # the parent's own account stays
    assert Agreement.objects.get(pk=withdrawn.agreement_id).signer_name == ANON
    # the live application and its child are untouched
    live.refresh_from_db()
    assert live.pickup_person == "马爷爷"
    assert Student.objects.get(pk=world.other_child.pk).name == "李小红"

    assert run.counts["applicants_closed"] == 2  # one application, one child
    assert run.details["children_applicants_closed"] == [world.child.pk] and run.details["guardians"] == 1
    entry = AuditRecord.objects.get(action="retention.sweep", object_id=str(run.pk))
    assert entry.by_system and entry.changes == {"applicants_closed": [None, 2]}

    # idempotent: the same moment again does nothing, a later one finds nothing left to do
    runs, records = RetentionRun.objects.count(), AuditRecord.objects.count()
    assert services.sweep(now=now).pk == run.pk
    assert RetentionRun.objects.count() == runs and AuditRecord.objects.count() == records
    assert services.sweep(now=now + DAY).total == 0


def test_a_paper_consents_scan_is_deleted_with_the_childs_data(world, media):
    from enrollment.models import Consent

    application(world.child, status=Application.Status.WITHDRAWN)  # entered by the school: a paper consent
    consent = Consent.objects.get(student=world.child, channel=Consent.Channel.PAPER)
    stored = consent.scan.name
    assert stored and consent.scan.storage.exists(stored)
    services.sweep(now=later(731))
    consent.refresh_from_db()
    assert (consent.signer_name, consent.scan.name, consent.ip_address) == (ANON, "", None)
    assert not consent.scan.storage.exists(stored)  # the signed form (a name, a signature) is gone with the child
    assert consent.kind == "personal" and consent.channel == "paper"  # the fact of the consent stays


def test_a_child_kept_by_its_service_class_record_loses_only_the_application_data(world, media):
    from enrollment.services import applications as applications_services

    placed = application(world.other_child, status=Application.Status.PLACED)
    applications_services.application_withdraw(
        actor=school_admin_of(world.school_a), application=placed, effective=timezone.localdate(), note="搬家"
    )
    run = services.sweep(now=later(800))
    placed.refresh_from_db()
    assert placed.pickup_person == ANON
    assert Student.objects.get(pk=world.other_child.pk).name == "李小红"  # the membership backs the money: 30 years
    assert run.counts["applicants_closed"] == 1


def test_a_declined_agreement_is_anonymised_with_its_child(world):
    text = agreement_text(world.school_a)
    declined = Agreement.objects.create(
        student=world.child_a2,
        text=text,
        decision=Agreement.Decision.DECLINED,
        signer_name="王大军",
        relation="father",
        consent=False,
        signed_by=world.parent,
        ip_address="10.0.0.8",
        user_agent="Mobile Safari",
    )
    assert services.sweep(now=later(700)).total == 0
    run = services.sweep(now=later(731))
    declined.refresh_from_db()
    assert (declined.signer_name, declined.ip_address, declined.user_agent) == (ANON, None, "")
    assert declined.decision == Agreement.Decision.DECLINED
    assert Student.objects.get(pk=world.child_a2.pk).name == ANON
    assert run.counts["applicants_closed"] == 2


def test_the_period_the_bureau_sets_is_the_one_swept_by(world, media):
    export = _finished_export(world)
    services.settings_update(actor=world.bureau, values={"exports": 2})
    assert services.sweep(now=later(2.1)).counts["exports"] == 1
    assert not RosterExport.objects.filter(pk=export.pk).exists()


def test_the_nightly_task_sweeps_and_records_a_run(world):
    counts = retention_sweep_task()
    assert set(counts) == set(rules.KEYS)
    assert RetentionRun.objects.count() == 1


# ---------------------------------------------------------------- the page


def test_bureau_page_saves_and_refuses_with_words(client, world, english_pages):
    services.sweep(now=later(1))
    client.force_login(world.bureau)
    page = client.get(reverse("schools:retention"))
    html = page.content.decode()
    assert page.status_code == 200 and 'name="exports"' in html and "data-run=" in html
    values = {key: str(days) for key, days in services.current_days().items()}

    response = client.post(reverse("schools:retention"), {**values, "exports": "5"})
    assert response.status_code == 302
    assert RetentionSetting.objects.get(key="exports").days == 5

    response = client.post(reverse("schools:retention"), {**values, "exports": "3", "audit": "100"}, follow=True)
    html = response.content.decode()
    assert "At least 180 days" in html and "data-field-error" in html
    assert any("Nothing was saved" in m for m in messages_of(response))
    assert RetentionSetting.objects.get(key="exports").days == 5
    assert RetentionSetting.objects.get(key="audit").days == 1095

    response = client.post(reverse("schools:retention"), {**values, "exports": "abc"})
    assert "Enter a whole number of days." in response.content.decode()


def test_the_auditor_reads_but_cannot_change(client, world):
    client.force_login(world.auditor)
    page = client.get(reverse("schools:retention")).content.decode()
    assert 'name="exports"' not in page and 'data-class="exports"' in page
    assert client.post(reverse("schools:retention"), {"exports": "3"}).status_code == 403
    assert RetentionSetting.objects.get(key="exports").days == 7


def test_the_page_says_when_the_server_cuts_the_log_period_short(client, world, english_pages, settings):
    client.force_login(world.bureau)
    settings.XIJI_LOG_RETENTION_DAYS = 180  # the county keeps logs 1095 days
    assert "XIJI_LOG_RETENTION_DAYS" in client.get(reverse("schools:retention")).content.decode()
    settings.XIJI_LOG_RETENTION_DAYS = 1095
    assert "XIJI_LOG_RETENTION_DAYS" not in client.get(reverse("schools:retention")).content.decode()


def test_attendance_keeps_a_child_for_thirty_years_then_the_child_is_anonymised(world):
    from decimal import Decimal

    from schools.models import ActivityCategory, Attendance, ServiceClass, Session

    service_class = ServiceClass.objects.create(
        school=world.school_a, school_year=world.school_year, name="三年级作业辅导班",
        activity=ActivityCategory.HOMEWORK, teacher=world.service_teacher, capacity=40, created_by=world.school_admin,
    )  # fmt: skip
    session = Session.objects.create(
        service_class=service_class, date=timezone.localdate(), start_time=datetime.time(16),
        end_time=datetime.time(18), class_hours=Decimal("2"), activity_category=ActivityCategory.HOMEWORK,
        content_note="作业辅导", teacher=world.service_teacher, teacher_role=Session.TeacherRole.RESPONSIBLE,
        logged_by=world.service_teacher,
    )  # fmt: skip
    Attendance.objects.create(session=session, student=world.child, mark=Attendance.Mark.PRESENT)
    withdrawn = application(world.child, status=Application.Status.WITHDRAWN)

    run = services.sweep(now=later(29 * 365))  # the application is long due; the attendance is not
    withdrawn.refresh_from_db()
    assert withdrawn.pickup_person == ANON
    assert Student.objects.get(pk=world.child.pk).name == "马小明"
    assert run.counts["attendance"] == 0

    run = services.sweep(now=later(30 * 365 + 10))
    child = Student.objects.get(pk=world.child.pk)
    assert child.name == ANON and child.id_number is None
    assert Attendance.objects.filter(student=child).count() == 1  # the mark stays: the money rests on it
    assert run.counts["applicants_closed"] + run.counts["attendance"] == 1


# ---------------------------------------------------------------- answered requests (enrollment, bureau)


def test_answered_requests_and_feedback_are_anonymised_three_years_on(world):
    from enrollment.models import DataRequest
    from enrollment.services import data_requests
    from xiji_afterschool.bureau.models import Feedback
    from xiji_afterschool.bureau.services import feedback as feedback_services

    request = data_requests.data_request_submit(
        actor=world.parent, kind=DataRequest.Kind.DELETION, student=world.child, school=world.school_a,
        details="删除接送人手机号",
    )  # fmt: skip
    data_requests.data_request_answer(actor=world.school_admin, request=request, done=False, answer="须保存至学年结束")
    feedback = feedback_services.feedback_submit(
        actor=None, address="10.1.1.1", kind="complaint", sender="parent", theme="fees", text="收费太高",
        name="马先生", mobile="13995401234",
    )  # fmt: skip
    feedback_services.feedback_answer(actor=world.bureau, feedback=feedback, answer="已核实，收费符合规定")
    open_one = feedback_services.feedback_submit(
        actor=None, address="10.1.1.2", kind="complaint", sender="parent", theme="fees", text="还没答复", name="李女士"
    )  # not answered: not due

    assert services.sweep(now=later(3 * 365 - 1)).counts[rules.REQUESTS] == 0
    run = services.sweep(now=later(3 * 365 + 1))
    request.refresh_from_db()
    assert (request.details, request.answer) == (ANON, ANON) and request.kind == DataRequest.Kind.DELETION
    feedback.refresh_from_db()
    assert (feedback.name, feedback.mobile, feedback.text, feedback.answer) == ("", "", ANON, ANON)
    assert feedback.theme == "fees" and feedback.status == Feedback.Status.ANSWERED  # the statistics keep their facts
    assert Feedback.objects.get(pk=open_one.pk).name == "李女士"
    assert run.counts[rules.REQUESTS] >= 2 and run.details["bureau.Feedback"] == 1
    assert services.sweep(now=later(3 * 365 + 2)).counts[rules.REQUESTS] == 0
