"""Special inspections (专项督导, R35, issue #12 item 4): the lifecycle, the refusals (a finding without evidence, a
close with open rectifications, a checklist not finished), what a school sees of an unannounced inspection, scoping,
the report PDF, reminders and the console's counts."""

import datetime
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from schools.models import Notification, Role
from tests.concurrency import at_once
from tests.conftest import events, has_cjk_font, messages_of, pdf_text_and_fonts, pretend_today
from tests.factories import user_with_role
from tests.factories_inspections import all_checks_passed, issued, png, responded, scheduled, with_finding
from xiji_afterschool.bureau.models import CheckItem, Finding, Inspection, InspectionCheck, Rectification
from xiji_afterschool.bureau.selectors import inspections as selectors
from xiji_afterschool.bureau.services import inspections as services
from xiji_afterschool.bureau.tasks import send_deadline_reminders_task
from xiji_afterschool.errors import DomainError


@pytest.fixture(autouse=True)
def _media(media):
    return media


def detail(inspection):
    return reverse("bureau:inspection-detail", args=[inspection.pk])


def test_an_inspection_goes_from_scheduled_to_closed(world, english):
    inspection = scheduled(world)
    assert inspection.status == Inspection.Status.SCHEDULED
    assert inspection.checks.count() == len(CheckItem.values) == 8
    services.inspection_start(actor=world.inspector, inspection=inspection)
    services.inspection_record_checks(actor=world.inspector, inspection=inspection, results=all_checks_passed(world))
    check = inspection.checks.get(item=CheckItem.NO_NEW_CONTENT)
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    finding = services.finding_add(
        actor=world.inspector,
        inspection=inspection,
        check=check,
        description="三年级服务班讲授新课",
        severity=Finding.Severity.MAJOR,
        deadline=deadline,
        photos=[png(), png("second.png")],
    )
    check.refresh_from_db()
    assert check.result == InspectionCheck.Result.FAIL  # a finding fails its item
    assert finding.photos.count() == 2
    assert finding.rectification.status == Rectification.Status.OPEN and finding.rectification.deadline == deadline

    services.inspection_issue(actor=world.inspector, inspection=inspection)
    assert Notification.objects.filter(user=world.school_admin, url=detail(inspection)).exists()

    rectification = finding.rectification
    services.rectification_respond(actor=world.school_admin, rectification=rectification, response="已调整为作业辅导")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.RECTIFYING
    services.rectification_accept(actor=world.inspector, rectification=rectification)
    services.inspection_reinspect(actor=world.inspector, inspection=inspection, note="复查：已整改到位")
    services.inspection_close(actor=world.bureau, inspection=inspection)
    inspection.refresh_from_db()
    rectification.refresh_from_db()
    assert inspection.status == Inspection.Status.CLOSED and inspection.closed_at
    assert rectification.status == Rectification.Status.ACCEPTED
    assert [e[0] for e in events(inspection)] == [
        "schedule", "start", "checks", "finding", "issue", "respond", "reinspect", "close",
    ]  # fmt: skip
    assert [e[0] for e in events(rectification)] == ["create", "respond", "accept"]


def test_a_finding_without_a_photo_is_refused_and_nothing_is_written(world, english, client):
    inspection = scheduled(world)
    services.inspection_start(actor=world.inspector, inspection=inspection)
    check = inspection.checks.first()
    with pytest.raises(DomainError, match="evidence"):
        services.finding_add(
            actor=world.inspector, inspection=inspection, check=check, description="x", severity="minor",
            deadline=timezone.localdate(), photos=[],
        )  # fmt: skip
    with pytest.raises(DomainError, match="Only photos"):
        services.finding_add(
            actor=world.inspector, inspection=inspection, check=check, description="x", severity="minor",
            deadline=timezone.localdate(),
            photos=[SimpleUploadedFile("a.png", b"MZ\x90\x00 not a picture", content_type="image/png")],
        )  # fmt: skip
    client.force_login(world.inspector)
    response = client.post(
        reverse("bureau:finding-add", args=[inspection.pk]),
        {"check_item": check.pk, "severity": "minor", "description": "无证据", "deadline": timezone.localdate()},
    )
    assert response.status_code == 302
    assert any("evidence" in m for m in messages_of(response))
    assert not Finding.objects.exists() and not Rectification.objects.exists()


def test_close_is_refused_while_a_rectification_is_not_accepted(world, english, client):
    inspection = issued(world)
    with pytest.raises(DomainError, match="1 rectification"):
        services.inspection_close(actor=world.inspector, inspection=inspection)
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.FINDINGS_ISSUED

    inspection = responded(world, school=world.school_b)  # answered but not accepted: still refused
    services.inspection_reinspect(actor=world.inspector, inspection=inspection, note="复查")
    client.force_login(world.inspector)
    response = client.post(reverse("bureau:inspection-close", args=[inspection.pk]))
    assert any("cannot be closed" in m for m in messages_of(response))
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.REINSPECTED


def test_reopening_after_reinspection_goes_back_to_rectification(world):
    inspection = responded(world)
    rectification = inspection.findings.get().rectification
    services.inspection_reinspect(actor=world.inspector, inspection=inspection, note="复查")
    services.rectification_reopen(
        actor=world.inspector, rectification=rectification, note="仍在收费",
        deadline=timezone.localdate() + datetime.timedelta(days=3),
    )  # fmt: skip
    inspection.refresh_from_db()
    rectification.refresh_from_db()
    assert inspection.status == Inspection.Status.RECTIFYING
    assert rectification.status == Rectification.Status.REOPENED
    with pytest.raises(DomainError):
        services.inspection_close(actor=world.inspector, inspection=inspection)


def test_findings_are_issued_only_when_every_check_is_recorded(world, english):
    inspection = scheduled(world)
    services.inspection_start(actor=world.inspector, inspection=inspection)
    with pytest.raises(DomainError, match="every check item"):
        services.inspection_issue(actor=world.inspector, inspection=inspection)
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.IN_PROGRESS


def test_the_school_does_not_see_an_unannounced_inspection_until_its_findings_are_issued(world, client):
    unannounced = with_finding(world)  # in progress, with a finding
    announced = scheduled(world, kind=Inspection.Kind.SCHEDULED)
    client.force_login(world.school_admin)
    assert client.get(detail(unannounced)).status_code == 404
    assert client.get(reverse("bureau:inspection-pdf", args=[unannounced.pk])).status_code == 404
    listed = client.get(reverse("bureau:inspection-list")).context["page"].object_list
    assert [i.pk for i in listed] == [announced.pk]
    photo = unannounced.findings.get().photos.get()
    assert client.get(reverse("bureau:finding-photo", args=[photo.pk])).status_code == 404
    assert client.get(detail(announced)).status_code == 200

    services.inspection_issue(actor=world.inspector, inspection=unannounced)
    response = client.get(detail(unannounced))
    assert response.status_code == 200 and len(response.context["findings"]) == 1
    assert client.get(reverse("bureau:finding-photo", args=[photo.pk])).status_code == 200


def test_another_school_and_another_township_get_404(world, client):
    inspection = issued(world)
    rectification = inspection.findings.get().rectification
    township_b = user_with_role(Role.TOWNSHIP_COORDINATOR, township=world.township_b)
    for outsider in (world.other_school_admin, township_b, world.parent, world.finance):
        client.force_login(outsider)
        assert client.get(detail(inspection)).status_code == 404
        assert client.get(reverse("bureau:inspection-pdf", args=[inspection.pk])).status_code == 404
    client.force_login(world.other_school_admin)
    url = reverse("bureau:rectification-respond", args=[rectification.pk])
    assert client.post(url, {"response": "不是我们学校"}).status_code == 404
    client.force_login(world.township)  # township_a reads, never acts
    assert client.get(detail(inspection)).status_code == 200
    assert client.post(reverse("bureau:inspection-close", args=[inspection.pk])).status_code == 403


def test_the_school_answers_through_the_page_with_a_photo(world, client):
    inspection = issued(world)
    rectification = inspection.findings.get().rectification
    client.force_login(world.school_admin)
    home = client.get(reverse("schools:school-home"))
    assert detail(inspection) in home.content.decode()
    response = client.post(
        reverse("bureau:rectification-respond", args=[rectification.pk]), {"response": "已退费", "photo": png()}
    )
    assert response.status_code == 302
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.RESPONDED and rectification.response_photo
    photo = client.get(reverse("bureau:rectification-photo", args=[rectification.pk]))
    assert photo.status_code == 200 and photo["Cache-Control"] == "private, no-store"


def test_the_report_pdf_is_in_chinese_with_the_findings(world, client, tmp_path):
    inspection = responded(world)
    client.force_login(world.inspector)
    response = client.get(reverse("bureau:inspection-pdf", args=[inspection.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, fonts = pdf_text_and_fonts(response.content, tmp_path)
    assert "西吉县课后服务专项督导报告" in text
    assert world.school_a.name in text and "向家长收取课后服务资料费" in text
    assert has_cjk_font(fonts)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) - 2 == 2  # the finding's photo and the school's answer's, as thumbnails


def test_remind_rectifications_before_the_deadline_and_when_overdue_once_each(world, monkeypatch):
    today = timezone.localdate()
    inspection = issued(world, deadline=today + datetime.timedelta(days=2))
    assert services.remind_rectifications(today=today) == 1
    assert services.remind_rectifications(today=today) == 0  # the dedupe key: told once
    assert services.remind_rectifications(today=today + datetime.timedelta(days=3)) == 1  # overdue now
    assert services.remind_rectifications(today=today + datetime.timedelta(days=4)) == 0
    titles = list(Notification.objects.filter(user=world.school_admin, url=detail(inspection)).values_list("title"))
    assert len(titles) == 3  # issued, due soon, overdue
    pretend_today(monkeypatch, today + datetime.timedelta(days=30))
    assert send_deadline_reminders_task.apply().get()["rectification"] == 0  # the daily job: already told


def test_inspection_counts_and_open_findings(world):
    today = timezone.localdate()
    scheduled(world)
    issued(world, deadline=today)
    closed = responded(world, school=world.school_b)
    rectification = closed.findings.get().rectification
    services.rectification_accept(actor=world.inspector, rectification=rectification)
    services.inspection_reinspect(actor=world.inspector, inspection=closed, note="复查")
    services.inspection_close(actor=world.inspector, inspection=closed)
    counts = selectors.inspection_counts(
        viewer=world.bureau, school_year=world.school_year, today=today + datetime.timedelta(days=1)
    )
    assert counts == {"scheduled": 1, "in_progress": 0, "open_findings": 1, "overdue_rectifications": 1, "closed": 1}
    township = selectors.inspection_counts(viewer=world.township, school_year=world.school_year)
    assert township["closed"] == 0 and township["open_findings"] == 1  # school_b is another township's
    assert selectors.open_findings(viewer=world.leadership).count() == 1


def test_scheduling_refuses_bad_input(world, english):
    with pytest.raises(DomainError, match="past"):
        scheduled(world, day=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(DomainError, match="inspector role"):
        services.inspection_schedule(
            actor=world.bureau, school=world.school_a, school_year=world.school_year, kind="scheduled",
            planned_date=timezone.localdate(), inspectors=[world.bureau],
        )  # fmt: skip
    assert not Inspection.objects.exists()


def test_the_inspector_home_lists_what_is_due(world, client):
    today = timezone.localdate()
    upcoming = scheduled(world)
    overdue = issued(world, school=world.school_b, deadline=today)
    client.force_login(world.inspector)
    pretend = client.get(reverse("bureau:inspector-home"))
    assert pretend.status_code == 200
    assert [i.pk for i in pretend.context["upcoming"]] == [upcoming.pk]
    assert [r.finding.inspection_id for r in pretend.context["awaiting"]] == [overdue.pk]
    assert reverse("bureau:inspection-schedule") in pretend.content.decode()


def test_an_inspection_not_started_can_be_cancelled_with_a_reason(world, english):
    inspection = scheduled(world)
    with pytest.raises(DomainError, match="why"):
        services.inspection_cancel(actor=world.bureau, inspection=inspection, note=" ")
    services.inspection_cancel(actor=world.bureau, inspection=inspection, note="县里统一调整督导时间")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.CANCELLED
    with pytest.raises(DomainError):
        services.inspection_start(actor=world.inspector, inspection=inspection)


def test_the_school_sees_an_announced_inspection_but_not_its_checklist_before_issue(world, client):
    inspection = scheduled(world, kind=Inspection.Kind.SCHEDULED)
    services.inspection_start(actor=world.inspector, inspection=inspection)
    services.inspection_record_checks(actor=world.inspector, inspection=inspection, results=all_checks_passed(world))
    client.force_login(world.school_admin)
    response = client.get(detail(inspection))
    assert response.status_code == 200
    assert list(response.context["checks"]) == [] and response.context["findings"] == []
    assert not response.context["can_pdf"]


def test_the_inspection_list_costs_the_same_for_one_or_many(world, client, django_assert_max_num_queries):
    client.force_login(world.inspector)
    scheduled(world)
    url = reverse("bureau:inspection-list")
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    issued(world, school=world.school_b)
    responded(world)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_answers_of_the_school_at_once_both_count_and_move_the_inspection_once(world, media):
    inspection = with_finding(world)
    services.finding_add(
        actor=world.inspector, inspection=inspection, check=inspection.checks.get(item=CheckItem.SAFETY_CHECKS),
        description="消防通道堆放杂物", severity="minor", deadline=timezone.localdate(), photos=[png()],
    )  # fmt: skip
    services.inspection_issue(actor=world.inspector, inspection=inspection)
    first, second = (Rectification.objects.get(pk=f.rectification.pk) for f in inspection.findings.order_by("pk"))
    results = at_once(
        lambda: services.rectification_respond(actor=world.school_admin, rectification=first, response="已退费"),
        lambda: services.rectification_respond(actor=world.school_admin, rectification=second, response="已清理"),
    )
    assert results == ["ok", "ok"], results
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.RECTIFYING
    assert [e[0] for e in events(inspection)].count("respond") == 1
    assert set(Rectification.objects.values_list("status", flat=True)) == {Rectification.Status.RESPONDED}
