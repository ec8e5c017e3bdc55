"""The guardian's rights (issue #14, item 5): a copy of everything held about the family (page, JSON, Excel), requests
to correct or delete data or withdraw consent, answered by the school within 15 working days on the county calendar,
the family told, and the county's list of overdue requests."""

import datetime
import io
import json

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enrollment.models import DataRequest
from enrollment.rules import data_requests as rules
from enrollment.selectors import data_requests as selectors
from enrollment.services import data_requests as services
from schools.models import AuditRecord, CalendarDay, Notification, Role, StudentGuardian
from xiji_afterschool.bureau.selectors import reminders as reminders_selectors
from xiji_afterschool.bureau.services import reminders as reminders_services
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed

from ..access.parents import signed_application
from ..conftest import events, messages_of
from ..factories import GuardianFactory, SchoolYearFactory, link_guardian, user_with_role

pytestmark = pytest.mark.usefixtures("english", "english_pages")

d = datetime.date
H, M = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.MAKEUP_WORKDAY
# National Day 2026: 1–7 October without work, made up on Sunday 20 September and Saturday 10 October (调休).
NATIONAL_DAY_2026 = {**{d(2026, 10, n): H for n in range(1, 8)}, d(2026, 9, 20): M, d(2026, 10, 10): M}


# ---------------------------------------------------------------- the due date (pure)


def test_fifteen_working_days_skip_weekends():
    assert rules.due_date(d(2026, 9, 28), {}) == d(2026, 10, 19)  # Monday + 3 weeks
    assert rules.due_date(d(2026, 11, 6), {}) == d(2026, 11, 27)  # sent on a Friday
    assert rules.due_date(d(2026, 11, 7), {}) == d(2026, 11, 27)  # sent on a Saturday: counting starts on Monday


def test_due_date_over_the_national_day_week():
    """Sent Monday 28 September: 29, 30 Sept, then 8, 9 Oct, Saturday 10 Oct (made-up working day), 12–16 and 19–23 Oct:
    the fifteenth working day is Friday 23 October, four days later than without the holiday."""
    assert rules.due_date(d(2026, 9, 28), NATIONAL_DAY_2026) == d(2026, 10, 23)
    assert not rules.is_working_day(d(2026, 10, 5), NATIONAL_DAY_2026)  # a Monday of the holiday
    assert rules.is_working_day(d(2026, 10, 10), NATIONAL_DAY_2026)  # a Saturday made a working day
    assert not rules.is_working_day(d(2026, 10, 11), NATIONAL_DAY_2026)
    # An exam day or another day without after-school service is still a working day of the school office.
    assert rules.is_working_day(d(2026, 11, 10), {d(2026, 11, 10): CalendarDay.Kind.EXAM})


def test_reminder_stages():
    due = d(2026, 10, 23)
    assert rules.remind_stage(d(2026, 10, 19), due) is None
    assert rules.remind_stage(d(2026, 10, 20), due) == "soon"
    assert rules.remind_stage(due, due) == "due"
    assert rules.remind_stage(d(2026, 10, 24), due) == "overdue-0"
    assert rules.remind_stage(d(2026, 10, 31), due) == "overdue-1"
    assert rules.days_late(d(2026, 10, 26), due) == 3 and rules.days_late(due, due) == 0


def test_the_due_date_reads_the_county_calendar(db):
    year = SchoolYearFactory(start_date=d(2026, 8, 1), end_date=d(2027, 7, 31))
    for day, kind in NATIONAL_DAY_2026.items():
        CalendarDay.objects.create(school_year=year, date=day, kind=kind)
    assert selectors.due_date_for(d(2026, 9, 28)) == d(2026, 10, 23)


# ---------------------------------------------------------------- the copy of the family's data


@pytest.fixture
def family(world):
    """`parent`'s child also has a mother with her own number; `other_parent`'s child is in the same class."""
    world.mother = GuardianFactory(name="王秀英", mobile="13909549999")
    StudentGuardian.objects.create(student=world.child, guardian=world.mother, relation="mother")
    world.guardian = world.parent.guardian
    return world


def test_my_data_page_lists_only_the_parents_children_masked(family, client):
    w = family
    client.force_login(w.parent)
    page = client.get(reverse("enrollment:my-data")).content.decode()
    assert w.child.name in page and w.other_child.name not in page
    assert w.guardian.mobile not in page and w.guardian.mobile[-4:] in page, "the page masks the parent's own number"
    assert "13909549999" not in page and "139****9999" in page
    home = client.get(reverse("enrollment:parent-home")).content.decode()
    assert reverse("enrollment:my-data") in home


def test_json_copy_is_the_parents_own_data_in_full_other_mobiles_masked(family, client):
    w = family
    client.force_login(w.parent)
    response = client.get(reverse("enrollment:my-data-json"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    body = json.loads(response.content)
    assert body["guardian"] == [
        {"name": w.guardian.name, "mobile": w.guardian.mobile, "account": w.parent.username, "mobile_verified": "No",
         "registered": body["guardian"][0]["registered"]}
    ]  # fmt: skip
    assert [c["child"] for c in body["children"]] == [w.child.name]
    assert body["children"][0]["id_number"] == w.child.masked_id_number != w.child.id_number
    links = {g["relation"]: g for g in body["guardians"]}
    assert links["Father"]["mobile"] == w.guardian.mobile and links["Father"]["you"] == "Yes"
    assert links["Mother"]["mobile"] == "139****9999" and links["Mother"]["name"] == "王秀英"
    assert w.other_child.name not in response.content.decode()
    assert AuditRecord.objects.filter(action="export.my_data_json", actor=w.parent).count() == 1


def test_excel_copy_has_a_sheet_per_kind_of_data(family, client):
    w = family
    services.data_request_submit(
        actor=w.parent, kind=DataRequest.Kind.DELETION, student=w.child, school=w.school_a, details="删除接送记录"
    )
    client.force_login(w.parent)
    response = client.get(reverse("enrollment:my-data-xlsx"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:4] == ["You", "Your children", "Guardians of each child", "Applications"]
    you = list(book["You"].values)
    assert you[0][:2] == ("Name", "Mobile number") and you[1][1] == w.guardian.mobile
    children = [row[0] for row in list(book["Your children"].values)[1:]]
    assert children == [w.child.name]
    mobiles = {row[2]: row[3] for row in list(book["Guardians of each child"].values)[1:]}
    assert mobiles == {"Father": w.guardian.mobile, "Mother": "139****9999"}
    requests = list(book["Your requests about your data"].values)
    assert requests[1][3] == "Delete my data" and requests[1][4] == "Waiting for the school's answer"
    assert AuditRecord.objects.filter(action="export.my_data_xlsx", actor=w.parent).exists()


# ---------------------------------------------------------------- requests: create, answer, notify


def test_parent_asks_for_a_correction_school_answers_done_and_the_parent_is_told(world, client):
    w = world
    client.force_login(w.parent)
    form = client.get(reverse("enrollment:data-request-create")).content.decode()
    assert w.child.name in form and w.other_child.name not in form
    response = client.post(
        reverse("enrollment:data-request-create"),
        {"about": f"c{w.child.pk}", "kind": "correction", "what_is_wrong": "性别登记为女", "should_be": "男"},
    )
    request = DataRequest.objects.get()
    assert response["Location"] == reverse("enrollment:data-request-detail", args=[request.pk])
    assert "must answer by" in " ".join(messages_of(response))
    assert (request.school, request.student, request.requester, request.status) == (
        w.school_a, w.child, w.parent, DataRequest.Status.SUBMITTED
    )  # fmt: skip
    assert request.due_date == selectors.due_date_for(timezone.localdate())
    assert Notification.objects.filter(user=w.school_admin, url__endswith=f"/{request.pk}/").exists()

    client.force_login(w.school_admin)
    listing = client.get(reverse("enrollment:data-request-list")).content.decode()
    assert f'data-request="{request.pk}"' in listing
    response = client.post(reverse("enrollment:data-request-answer", args=[request.pk]),
                           {"outcome": "done", "answer": "花名册已更正"})  # fmt: skip
    assert "The family has been told" in " ".join(messages_of(response))
    request.refresh_from_db()
    assert (request.status, request.answer, request.answered_by) == ("done", "花名册已更正", w.school_admin)
    assert [e[:3] for e in events(request)] == [("submit", "", "submitted"), ("complete", "submitted", "done")]
    told = Notification.objects.get(user=w.parent, dedupe_key=f"data-request:{request.pk}:answered")
    assert "花名册已更正" in told.body
    assert AuditRecord.objects.filter(action="workflow.datarequest.complete", object_id=str(request.pk)).exists()

    again = client.post(reverse("enrollment:data-request-answer", args=[request.pk]), {"outcome": "refused",
                                                                                        "answer": "x"})  # fmt: skip
    assert "cannot be done now" in " ".join(messages_of(again))


def test_a_refusal_needs_a_reason(world, client):
    w = world
    request = services.data_request_submit(
        actor=w.parent, kind=DataRequest.Kind.DELETION, student=w.child, school=w.school_a, details="删除接送人手机号"
    )
    client.force_login(w.school_admin)
    response = client.post(reverse("enrollment:data-request-answer", args=[request.pk]), {"outcome": "refused"})
    assert "reason" in " ".join(messages_of(response))
    request.refresh_from_db()
    assert request.status == DataRequest.Status.SUBMITTED
    with pytest.raises(Exception, match="reason"):
        services.data_request_answer(actor=w.school_admin, request=request, done=False, answer="  ")
    services.data_request_answer(actor=w.school_admin, request=request, done=False, answer="接送记录须保存至学年结束")
    request.refresh_from_db()
    assert request.status == DataRequest.Status.REFUSED
    with pytest.raises(TransitionNotAllowed):
        services.data_request_answer(actor=w.school_admin, request=request, done=True, answer="")


def test_a_correction_must_say_what_is_wrong_and_what_it_should_be(world, client):
    client.force_login(world.parent)
    response = client.post(
        reverse("enrollment:data-request-create"),
        {"about": f"c{world.child.pk}", "kind": "correction", "what_is_wrong": "生日"},
    )
    assert response.status_code == 200 and "Say what it should be" in response.content.decode()
    assert not DataRequest.objects.exists()


def test_a_parent_cannot_ask_about_another_familys_child(world, client):
    w = world
    client.force_login(w.parent)
    response = client.post(
        reverse("enrollment:data-request-create"),
        {"about": f"c{w.other_child.pk}", "kind": "deletion", "details": "删除"},
    )
    assert response.status_code == 200 and not DataRequest.objects.exists()
    with pytest.raises(PermissionDenied):
        services.data_request_submit(actor=w.parent, kind="deletion", student=w.other_child, school=w.school_a,
                                     details="删除")  # fmt: skip
    with pytest.raises(PermissionDenied):  # their own data at a school that has none of their children
        services.data_request_submit(actor=w.parent, kind="deletion", school=w.school_b, details="删除")
    own = services.data_request_submit(actor=w.parent, kind="deletion", school=w.school_a, details="删除我的手机号")
    assert own.student is None and own.school == w.school_a
    # the other family and the other school never see it; the class teacher sees only requests about a child
    assert not selectors.data_request_list(viewer=w.other_parent).exists()
    assert not selectors.data_request_list(viewer=w.other_school_admin).exists()
    assert list(selectors.data_request_list(viewer=w.school_admin)) == [own]
    assert not selectors.data_request_list(viewer=w.class_teacher).exists()


def test_the_class_teacher_sees_the_class_requests_but_cannot_answer(world, client):
    w = world
    request = services.data_request_submit(
        actor=w.parent, kind="deletion", student=w.child, school=w.school_a, details="删除"
    )
    client.force_login(w.class_teacher)
    page = client.get(reverse("enrollment:data-request-detail", args=[request.pk])).content.decode()
    assert "Answer the family" not in page
    assert (
        client.post(reverse("enrollment:data-request-answer", args=[request.pk]), {"outcome": "done"}).status_code
        == 403
    )


# ---------------------------------------------------------------- overdue: the county's list and the reminders


def _open(w, *, school, student, due, requester=None):
    return DataRequest.objects.create(
        school=school, student=student, requester=requester or w.parent, kind=DataRequest.Kind.DELETION,
        details="删除", submitted_at=timezone.now(), due_date=due,
    )  # fmt: skip


def test_bureau_sees_overdue_requests_by_school(world, client):
    w = world
    today = timezone.localdate()
    parent_b = user_with_role(Role.PARENT)
    link_guardian(w.child_b, user=parent_b)
    late_a = _open(w, school=w.school_a, student=w.child, due=today - datetime.timedelta(days=5))
    _open(w, school=w.school_a, student=w.child, due=today - datetime.timedelta(days=2))
    _open(w, school=w.school_b, student=w.child_b, due=today - datetime.timedelta(days=1), requester=parent_b)
    _open(w, school=w.school_a, student=w.child, due=today)  # due today: not late yet
    answered = _open(
        w, school=w.school_b, student=w.child_b, due=today - datetime.timedelta(days=9), requester=parent_b
    )
    services.data_request_answer(actor=w.other_school_admin, request=answered, done=True, answer="")

    rows = selectors.overdue_by_school(viewer=w.bureau, today=today)
    assert [(r["school"], r["count"], r["oldest"], r["days_late"]) for r in rows] == [
        (w.school_a, 2, late_a.due_date, 5), (w.school_b, 1, today - datetime.timedelta(days=1), 1)
    ]  # fmt: skip
    assert [r["school"] for r in selectors.overdue_by_school(viewer=w.township, today=today)] == [w.school_a]
    client.force_login(w.bureau)
    page = client.get(reverse("enrollment:data-request-overdue")).content.decode()
    assert f'data-school="{w.school_a.pk}"' in page and f'data-school="{w.school_b.pk}"' in page
    assert w.child.name not in page, "the county's list carries no family's data"
    home = client.get(reverse("bureau:home")).content.decode()
    assert "data-data-requests-overdue" in home and 'rounded-pill">3</span>' in home
    # the console's overdue list counts them too
    kinds = [i.kind for i in reminders_selectors.overdue_items(w.bureau, today)]
    assert kinds.count("data_request") == 3


def test_the_daily_job_reminds_the_school_once_per_stage(world):
    w = world
    today = timezone.localdate()
    request = _open(w, school=w.school_a, student=w.child, due=today - datetime.timedelta(days=1))
    sent = reminders_services.send_deadline_reminders(today=today)
    assert sent["data_request"] == 1
    assert reminders_services.send_deadline_reminders(today=today)["data_request"] == 0, "told once"
    assert Notification.objects.filter(user=w.school_admin, dedupe_key=f"data-request:{request.pk}:overdue-0").exists()


def test_my_data_and_the_school_list_read_a_fixed_number_of_queries(world, client):
    w = world
    client.force_login(w.parent)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    services.data_request_submit(actor=w.parent, kind="deletion", student=w.child, school=w.school_a, details="删除")
    first = count(reverse("enrollment:my-data"))
    StudentGuardian.objects.create(student=w.child_a2, guardian=w.parent.guardian, relation="father")
    for _ in range(3):
        services.data_request_submit(
            actor=w.parent, kind="deletion", student=w.child_a2, school=w.school_a, details="删"
        )
    assert count(reverse("enrollment:my-data")) == first
    client.force_login(w.school_admin)
    listing = count(reverse("enrollment:data-request-list"))
    services.data_request_submit(actor=w.parent, kind="deletion", school=w.school_a, details="删除")
    assert count(reverse("enrollment:data-request-list")) == listing


def test_a_consent_is_withdrawn_directly_so_no_new_withdrawal_request_is_taken(world, client):
    w = world
    with pytest.raises(DomainError, match="withdrawn directly"):
        services.data_request_submit(actor=w.parent, kind="withdrawal", student=w.child, school=w.school_a)
    client.force_login(w.parent)
    page = client.get(reverse("enrollment:data-request-create")).content.decode()
    assert 'value="withdrawal"' not in page and reverse("enrollment:consent-list") in page
    response = client.post(reverse("enrollment:data-request-create"), {"about": f"c{w.child.pk}", "kind": "withdrawal"})
    assert response.status_code == 200 and not DataRequest.objects.exists()


def test_the_school_answering_an_older_withdrawal_request_is_pointed_to_the_childs_application(world, client):
    """A withdrawal request sent before consent was withdrawn directly (issue #14 item 2) is still answered."""
    w = world
    app = signed_application(w)
    request = DataRequest.objects.create(
        school=w.school_a, student=w.child, requester=w.parent, kind=DataRequest.Kind.WITHDRAWAL,
        submitted_at=timezone.now(), due_date=timezone.localdate(),
    )  # fmt: skip
    client.force_login(w.school_admin)
    page = client.get(reverse("enrollment:data-request-detail", args=[request.pk])).content.decode()
    assert f'data-application="{app.pk}"' in page and "Withdraw the child's application first" in page
    client.force_login(w.parent)
    page = client.get(reverse("enrollment:data-request-detail", args=[request.pk])).content.decode()
    assert "data-application" not in page and "Answer the family" not in page
