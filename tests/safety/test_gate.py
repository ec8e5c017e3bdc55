"""The gate (issue 11 §5, §9): the visitor log (ID last 4 only, times, one time out, corrections, paper entry,
database triggers), early leave (the class teacher's own class, a listed adult, the gate's one tap), the gate's
page (its school, today only), the school admin's log, the Excel and the gate sheet PDF."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from safety.models import Collector, Delegation, EarlyLeave, LateAlert, Visit
from safety.rules import gate as rules
from safety.selectors import gate as selectors
from safety.services import gate as services
from schools.models import Role
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed

from ..conftest import events, has_cjk_font, messages_of, pdf_text_and_fonts
from ..factories import link_guardian, user_with_role

pytestmark = pytest.mark.usefixtures("english")  # the messages asserted are the English msgids

NOW = timezone.make_aware(datetime.datetime(2026, 3, 10, 14, 0))
ID = "64042219800101123X"


@pytest.fixture
def at_2pm(monkeypatch):
    """Every test here runs at 14:00 on a school day (so "2 hours back" never crosses midnight)."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def w(world, at_2pm):
    return world


def visit(w, **kw):
    fields = {"name": "张三", "id_checked": True, "id_last4": "123x", "purpose": Visit.Purpose.REPAIRS}
    return services.visit_record(actor=w.gate, school=w.school_a, **(fields | kw))


def guardian_key(student) -> str:
    return f"g{student.guardian_links.get().guardian_id}"


def permit(w, student=None, date=None, adult=None, actor=None):
    student = student or w.child
    return services.early_leave_permit(
        actor=actor or w.class_teacher, student=student, date=date or timezone.localdate(),
        leave_at=datetime.time(15, 30), reason=EarlyLeave.Reason.SICK, adult=adult or guardian_key(student),
    )  # fmt: skip


def collector(w, student=None, **kw):
    fields = {"name": "马二叔", "relation": "uncle_aunt", "mobile": "13912345678", "source": "guardian",
              "valid_from": timezone.localdate() - datetime.timedelta(days=10), "added_by": w.parent}  # fmt: skip
    return Collector.objects.create(student=student or w.child, **(fields | kw))


# ---------------------------------------------------------------- pure rules


def test_only_the_last_four_characters_of_an_id_are_kept():
    assert rules.id_last4(checked=True, value=" 123x ") == "123X"
    assert rules.id_last4(checked=False, value="") == ""
    with pytest.raises(DomainError, match="never the whole number"):
        rules.id_last4(checked=True, value=ID)
    with pytest.raises(DomainError, match="last 4 characters"):
        rules.id_last4(checked=True, value="12")
    with pytest.raises(DomainError, match="last 4 characters"):
        rules.id_last4(checked=True, value="12#4")
    with pytest.raises(DomainError, match="Tick"):
        rules.id_last4(checked=False, value="1234")


def test_time_in_is_now_or_up_to_two_hours_back_and_time_out_after_it():
    hours = datetime.timedelta(hours=1)
    assert rules.live_time_in(time_in=NOW - 2 * hours + datetime.timedelta(minutes=1), now=NOW)
    with pytest.raises(DomainError, match="future"):
        rules.live_time_in(time_in=NOW + datetime.timedelta(minutes=5), now=NOW)
    with pytest.raises(DomainError, match="2 hours"):
        rules.live_time_in(time_in=NOW - 2 * hours - datetime.timedelta(minutes=1), now=NOW)
    assert rules.time_out(time_in=NOW - hours, time_out=None, now=NOW) is None
    with pytest.raises(DomainError, match="after the time in"):
        rules.time_out(time_in=NOW - hours, time_out=NOW - 2 * hours, now=NOW)
    with pytest.raises(DomainError, match="future"):
        rules.time_out(time_in=NOW - hours, time_out=NOW + hours, now=NOW)


def test_paper_sheets_within_three_days_and_early_leave_never_for_the_past():
    today = NOW.date()
    assert rules.paper_day(day=today - datetime.timedelta(days=3), today=today)
    with pytest.raises(DomainError, match="within 3 days"):
        rules.paper_day(day=today - datetime.timedelta(days=4), today=today)
    with pytest.raises(DomainError, match="not come yet"):
        rules.paper_day(day=today + datetime.timedelta(days=1), today=today)
    with pytest.raises(DomainError, match="passed"):
        rules.early_leave_day(day=today - datetime.timedelta(days=1), today=today)
    with pytest.raises(DomainError, match="30 days"):
        rules.early_leave_day(day=today + datetime.timedelta(days=31), today=today)


# ---------------------------------------------------------------- visitor log


def test_a_visitor_entry_keeps_only_the_last_four_and_a_whole_id_writes_nothing(w):
    entry = visit(w, mobile="13900001111", host_name="王校长")
    assert (entry.id_last4, entry.date, entry.time_in, entry.recorded_by) == ("123X", NOW.date(), NOW, w.gate)
    with pytest.raises(DomainError, match="never the whole number"):
        visit(w, name="李四", id_last4=ID)
    assert list(Visit.objects.values_list("name", flat=True)) == ["张三"]
    assert not Visit.objects.filter(id_last4__contains="0101").exists()


def test_time_in_not_in_the_future_nor_more_than_two_hours_back(w):
    with pytest.raises(DomainError, match="future"):
        visit(w, time_in=NOW + datetime.timedelta(minutes=10))
    with pytest.raises(DomainError, match="2 hours"):
        visit(w, time_in=NOW - datetime.timedelta(hours=3))
    assert visit(w, time_in=NOW - datetime.timedelta(minutes=90)).time_in == NOW - datetime.timedelta(minutes=90)
    assert Visit.objects.count() == 1


def test_the_person_visited_must_be_on_the_schools_staff(w):
    assert visit(w, host=w.service_teacher).visiting == str(w.service_teacher)
    with pytest.raises(DomainError, match="staff"):
        visit(w, host=w.other_school_admin)


def test_time_out_is_one_tap_and_only_once(w, monkeypatch):
    entry = visit(w)
    later = NOW + datetime.timedelta(minutes=40)
    monkeypatch.setattr(timezone, "now", lambda: later)
    services.visit_sign_out(actor=w.gate, visit=entry)
    entry.refresh_from_db()
    assert (entry.time_out, entry.out_recorded_by) == (later, w.gate)
    with pytest.raises(DomainError, match="recorded already"):
        services.visit_sign_out(actor=w.gate, visit=entry)
    with pytest.raises(PermissionDenied):  # the school admin reads the log; the gate keeps it
        services.visit_sign_out(actor=w.school_admin, visit=visit(w, name="王五"))


def test_a_correction_is_a_new_entry_and_the_first_stays(w):
    first = visit(w, name="张山")
    fields = {
        "name": "张三",
        "id_checked": True,
        "id_last4": "123X",
        "purpose": "repairs",
        "time_in": datetime.time(13, 50),
    }
    with pytest.raises(DomainError, match="why"):
        services.visit_correct(actor=w.gate, visit=first, reason="  ", **fields)
    correction = services.visit_correct(actor=w.gate, visit=first, reason="名字写错", **fields)
    first.refresh_from_db()
    assert (first.name, first.time_out) == ("张山", None)  # unchanged
    assert (correction.corrects, correction.correction_reason, correction.name) == (first, "名字写错", "张三")
    inside = list(selectors.visits_inside(viewer=w.gate, school=w.school_a))
    assert inside == [correction], "the corrected entry no longer counts as inside"
    with pytest.raises(DomainError, match="corrected already"):
        services.visit_correct(actor=w.school_admin, visit=first, reason="again", **fields)
    with pytest.raises(DomainError, match="corrected"):
        services.visit_sign_out(actor=w.gate, visit=first)
    with pytest.raises(DomainError, match="after the time in"):
        services.visit_correct(actor=w.gate, visit=correction, reason="x", **fields | {"time_out": datetime.time(13)})


def test_paper_entries_by_the_gate_or_the_admin_within_three_days(w):
    day = NOW.date() - datetime.timedelta(days=2)
    fields = {"name": "快递员", "id_checked": False, "id_last4": "", "purpose": "parcel", "time_in": datetime.time(9)}
    entry = services.visit_enter_paper(
        actor=w.gate, school=w.school_a, day=day, time_out=datetime.time(9, 10), **fields
    )
    assert (entry.on_paper, entry.date, timezone.localtime(entry.time_out).time()) == (True, day, datetime.time(9, 10))
    assert services.visit_enter_paper(actor=w.school_admin, school=w.school_a, day=day, **fields).on_paper
    with pytest.raises(DomainError, match="within 3 days"):
        services.visit_enter_paper(actor=w.gate, school=w.school_a, day=day - datetime.timedelta(days=2), **fields)
    with pytest.raises(DomainError, match="after the time in"):
        services.visit_enter_paper(actor=w.gate, school=w.school_a, day=day, time_out=datetime.time(8), **fields)
    with pytest.raises(DomainError, match="future"):
        services.visit_enter_paper(
            actor=w.gate, school=w.school_a, day=NOW.date(), **fields | {"time_in": datetime.time(15)}
        )
    for outsider in (w.class_teacher, w.other_school_admin, w.township, w.bureau):
        with pytest.raises(PermissionDenied):
            services.visit_enter_paper(actor=outsider, school=w.school_a, day=day, **fields)
    assert Visit.objects.count() == 2


def test_the_gate_sees_only_its_school_and_only_today(w, client):
    gate_b = user_with_role(Role.GATE, school=w.school_b)
    with pytest.raises(PermissionDenied):
        services.visit_record(actor=gate_b, school=w.school_a, name="x", id_checked=False, id_last4="", purpose="other")
    today = visit(w, name="今天的")
    yesterday = services.visit_enter_paper(
        actor=w.school_admin, school=w.school_a, day=NOW.date() - datetime.timedelta(days=1), name="昨天的",
        id_checked=False, id_last4="", purpose="meals", time_in=datetime.time(11),
    )  # fmt: skip
    assert list(selectors.visit_list(viewer=w.gate)) == [today]
    assert list(selectors.visit_list(viewer=gate_b)) == []
    assert set(selectors.visit_list(viewer=w.school_admin, action="visit.view_log")) == {today, yesterday}
    client.force_login(w.gate)
    assert client.post(reverse("safety:visit-leave", args=[yesterday.pk])).status_code == 404
    assert client.get(reverse("safety:visit-correct", args=[yesterday.pk])).status_code == 404
    assert client.get(reverse("safety:gate-sheet") + "?date=2026-03-09").status_code == 403
    assert client.get(reverse("safety:gate-log") + "?date=2026-03-09").status_code == 403
    page = client.get(reverse("safety:gate-today")).content.decode()
    assert "今天的" in page and "昨天的" not in page
    client.force_login(gate_b)
    assert client.post(reverse("safety:visit-leave", args=[today.pk])).status_code == 404
    assert "今天的" not in client.get(reverse("safety:gate-today")).content.decode()


def test_the_visit_form_refuses_bad_input_without_losing_it(w, client, english_pages):
    client.force_login(w.gate)
    url = reverse("safety:visit-add")
    data = {"name": "赵六", "purpose": "parent", "id_checked": "on", "id_last4": ID, "mobile": "12345"}
    response = client.post(url, data)
    assert response.status_code == 200 and "赵六" in response.content.decode()
    assert Visit.objects.count() == 0
    response = client.post(url, data | {"mobile": "139 0000 1111", "id_last4": "1234"})
    assert response.status_code == 302 and Visit.objects.get().mobile == "13900001111"
    response = client.post(url, data | {"mobile": "", "id_last4": ID})
    assert response.status_code == 200 and "never the whole number" in response.content.decode()
    assert Visit.objects.count() == 1


@pytest.mark.needs_postgres  # the triggers exist on PostgreSQL only (migration safety/0002_append_only_triggers)
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_to_change_or_delete_a_visitor_entry(world, at_2pm):
    entry = visit(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.filter(pk=entry.pk).update(name="别人")
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.filter(pk=entry.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():  # the time out together with another change
        Visit.objects.filter(pk=entry.pk).update(time_out=NOW, id_last4="9999")
    Visit.objects.filter(pk=entry.pk).update(time_out=NOW, out_recorded_by=world.gate)  # the one-time fill
    with pytest.raises(IntegrityError), transaction.atomic():  # and only once
        Visit.objects.filter(pk=entry.pk).update(time_out=NOW + datetime.timedelta(minutes=5))
    entry.refresh_from_db()
    assert (entry.name, entry.id_last4, entry.time_out) == ("张三", "123X", NOW)


# ---------------------------------------------------------------- early leave


def test_the_class_teacher_permits_an_early_leave_for_their_own_class_only(w):
    leave = permit(w)
    assert (leave.status, leave.adult_name, leave.school, leave.guardian_id) == (
        EarlyLeave.Status.PERMITTED, w.child.guardian_links.get().guardian.name, w.school_a,
        w.child.guardian_links.get().guardian_id,
    )  # fmt: skip
    assert events(leave) == [("permit", "", "permitted", w.class_teacher.pk, "")]
    link_guardian(w.child_a2)
    for actor in (w.class_teacher, w.school_admin, w.gate):  # another class; and nobody but a class teacher
        with pytest.raises(PermissionDenied):
            permit(w, student=w.child_a2, actor=actor)
    with pytest.raises(DomainError, match="already has an early leave"):
        permit(w)


def test_an_early_leave_names_one_of_the_childs_allowed_adults_that_day(w):
    other_guardian = f"g{w.other_child.guardian_links.get().guardian_id}"
    with pytest.raises(DomainError, match="not on the list"):
        permit(w, adult=other_guardian)
    removed = collector(w, revoked_at=NOW)
    with pytest.raises(DomainError, match="not on the list"):
        permit(w, adult=f"c{removed.pk}")
    tomorrow = NOW.date() + datetime.timedelta(days=1)
    delegation = Delegation.objects.create(
        student=w.child, date=tomorrow, name="马舅舅", relation="uncle_aunt", mobile="13700001111",
        announced_by=w.parent,
    )  # fmt: skip
    with pytest.raises(DomainError, match="not on the list"):
        permit(w, adult=f"d{delegation.pk}")  # announced for tomorrow, not today
    assert permit(w, date=tomorrow, adult=f"d{delegation.pk}").adult_name == "马舅舅"
    uncle = collector(w)
    assert permit(w, adult=f"c{uncle.pk}").collector == uncle
    with pytest.raises(DomainError, match="passed"):
        permit(w, date=NOW.date() - datetime.timedelta(days=1))


def test_the_gate_records_the_departure_with_the_named_adult_once(w, monkeypatch):
    leave = permit(w)
    with pytest.raises(DomainError, match="Confirm"):
        services.early_leave_depart(actor=w.gate, early_leave=leave, confirmed=False)
    with pytest.raises(PermissionDenied):
        services.early_leave_depart(actor=w.class_teacher, early_leave=leave, confirmed=True)
    later = NOW + datetime.timedelta(hours=1, minutes=35)
    monkeypatch.setattr(timezone, "now", lambda: later)
    services.early_leave_depart(actor=w.gate, early_leave=leave, confirmed=True)
    leave.refresh_from_db()
    assert (leave.status, leave.left_at, leave.left_recorded_by) == ("left", later, w.gate)
    assert [e[0] for e in events(leave)] == ["permit", "leave"]
    with pytest.raises(TransitionNotAllowed):
        services.early_leave_depart(actor=w.gate, early_leave=leave, confirmed=True)
    with pytest.raises(TransitionNotAllowed):
        services.early_leave_cancel(actor=w.class_teacher, early_leave=leave)


def test_an_adult_removed_after_the_permission_is_refused_at_the_gate(w):
    uncle = collector(w)
    leave = permit(w, adult=f"c{uncle.pk}")
    Collector.objects.filter(pk=uncle.pk).update(revoked_at=NOW)
    with pytest.raises(DomainError, match="not on the list"):
        services.early_leave_depart(actor=w.gate, early_leave=leave, confirmed=True)
    assert EarlyLeave.objects.get(pk=leave.pk).status == "permitted"


def test_cancel_before_leaving_and_the_gate_sees_only_todays(w):
    leave = permit(w)
    services.early_leave_cancel(actor=w.class_teacher, early_leave=leave, note="家长改主意")
    with pytest.raises(TransitionNotAllowed):
        services.early_leave_depart(actor=w.gate, early_leave=leave, confirmed=True)
    again = permit(w)  # a cancelled one does not block a new one
    tomorrow = permit(w, student=w.other_child, date=NOW.date() + datetime.timedelta(days=1))
    assert set(selectors.early_leave_list(viewer=w.gate)) == {leave, again}
    with pytest.raises(PermissionDenied):  # tomorrow's is not the gate's yet
        services.early_leave_depart(actor=w.gate, early_leave=tomorrow, confirmed=True)
    assert set(selectors.early_leaves_for_teacher(viewer=w.class_teacher)) == {leave, again, tomorrow}


def test_the_early_leave_page_lists_the_days_adults_and_refuses_an_unlisted_one(w, client):
    uncle = collector(w)
    client.force_login(w.class_teacher)
    url = reverse("safety:early-leave-add")
    page = client.get(url, {"student": w.child.pk, "date": "2026-03-10"}).content.decode()
    assert "马二叔" in page and 'name="adult"' in page
    data = {"student": w.child.pk, "date": "2026-03-10", "leave_at": "15:30", "reason": "sick"}
    other = f"g{w.other_child.guardian_links.get().guardian_id}"
    response = client.post(url, data | {"adult": other})
    assert response.status_code == 200 and not EarlyLeave.objects.exists()
    response = client.post(url, data | {"student": w.child_a2.pk, "adult": f"c{uncle.pk}"})
    assert response.status_code == 200 and not EarlyLeave.objects.exists()  # not the teacher's class
    assert client.post(url, data | {"adult": f"c{uncle.pk}"}).status_code == 302
    assert EarlyLeave.objects.get().collector == uncle


def test_the_gate_taps_left_on_its_page(w, client, english_pages):
    leave = permit(w)
    client.force_login(w.gate)
    url = reverse("safety:early-leave-depart", args=[leave.pk])
    response = client.post(url)
    assert response.status_code == 302 and "Confirm" in " ".join(messages_of(response))
    assert EarlyLeave.objects.get(pk=leave.pk).status == "permitted"
    client.post(url, {"confirmed": "on"})
    assert EarlyLeave.objects.get(pk=leave.pk).status == "left"


# ---------------------------------------------------------------- the gate's page, the log, the sheet


def test_the_gate_page_shows_the_day_and_todays_adults_masked(w, client, english_pages):
    entry = visit(w, name="送餐员", purpose="meals")
    uncle = collector(w, mobile="13912345678")
    permit(w, adult=f"c{uncle.pk}")
    client.force_login(w.gate)
    page = client.get(reverse("safety:gate-today")).content.decode()
    assert "送餐员" in page and reverse("safety:visit-leave", args=[entry.pk]) in page
    assert "马小明" in page and "Left now" in page  # the early leave, with its one tap
    assert "Who may collect" in page
    found = client.get(reverse("safety:gate-today"), {"q": "小明"}).content.decode()
    assert "马二叔" in found and "139****5678" in found and "13912345678" not in found
    guardian = w.child.guardian_links.get().guardian
    assert guardian.masked_mobile in found and guardian.mobile not in found
    nothing = client.get(reverse("safety:gate-today"), {"q": "没有这个人"}).content.decode()
    assert "No child found" in nothing


def test_open_late_pickups_are_at_the_top_in_red(w, client, english_pages):
    from schools.models import ServiceClass, Session

    service_class = ServiceClass.objects.create(
        school=w.school_a, school_year=w.school_year, name="书法班", activity="homework", teacher=w.service_teacher,
        capacity=30, created_by=w.school_admin,
    )  # fmt: skip
    session = Session.objects.create(
        service_class=service_class, date=NOW.date(), start_time=datetime.time(16), end_time=datetime.time(17),
        class_hours=1, activity_category="homework", content_note="练字", teacher=w.service_teacher,
        teacher_role="responsible", status="recorded", logged_by=w.service_teacher,
    )  # fmt: skip
    LateAlert.objects.create(school=w.school_a, student=w.child, date=NOW.date(), session=session, holder=w.gate)
    resolved = LateAlert.objects.create(
        school=w.school_a, student=w.other_child, date=NOW.date(), session=session, holder=w.gate, status="resolved"
    )
    client.force_login(w.gate)
    page = client.get(reverse("safety:gate-today")).content.decode()
    top = page[: page.index("Visitor enters")]
    assert "list-group-item-danger" in top and "马小明" in top and resolved.student.name not in top


def test_the_admin_reads_any_day_and_exports_the_month(w, client):
    first = visit(w, name="张山", mobile="13900001111")
    services.visit_correct(actor=w.gate, visit=first, reason="名字写错", name="张三", id_checked=True,
                           id_last4="123X", purpose="repairs", time_in=datetime.time(13, 55))  # fmt: skip
    client.force_login(w.school_admin)
    page = client.get(reverse("safety:gate-log"), {"date": "2026-03-10"}).content.decode()
    assert "张山" in page and "张三" in page and "名字写错" in page
    assert "张山" not in client.get(reverse("safety:gate-log"), {"date": "2026-03-09"}).content.decode()
    response = client.get(reverse("safety:gate-log-export"), {"month": "2026-03"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3 and {rows[1][1], rows[2][1]} == {"张山", "张三"}
    assert "139****1111" in rows[1] + rows[2] and "13900001111" not in rows[1] + rows[2]
    client.force_login(w.other_school_admin)
    assert "张山" not in client.get(reverse("safety:gate-log"), {"date": "2026-03-10"}).content.decode()
    assert (
        len(
            list(
                load_workbook(
                    io.BytesIO(client.get(reverse("safety:gate-log-export"), {"month": "2026-03"}).content)
                ).active.iter_rows()
            )
        )
        == 1
    )


def test_the_gate_sheet_prints_the_day_in_chinese(w, client, tmp_path):
    visit(w, name="张三")
    permit(w)
    client.force_login(w.gate)
    response = client.get(reverse("safety:gate-sheet"))
    assert response["Content-Type"] == "application/pdf"
    text, fonts = pdf_text_and_fonts(response.content, tmp_path)
    assert "张三" in text and "马小明" in text and "甲乡中心小学" in text and "…123X" in text
    assert has_cjk_font(fonts)


def test_buses_are_expected_only_on_a_service_day(w):
    """No bus runs on a weekend or a holiday: the gate's page and sheet list none then."""
    from safety.models import BusRoute
    from safety.selectors import gate as gate_selectors

    BusRoute.objects.create(school=w.school_a, name="1号线", stops="甲村,乙村", departs_at=datetime.time(17, 40))
    weekday = w.autumn.start_date + datetime.timedelta(days=14)
    while weekday.isoweekday() > 5:
        weekday += datetime.timedelta(days=1)
    saturday = weekday + datetime.timedelta(days=6 - weekday.isoweekday())
    assert [r.name for r in gate_selectors.buses_of_day(school=w.school_a, date=weekday)] == ["1号线"]
    assert not gate_selectors.buses_of_day(school=w.school_a, date=saturday).exists()
    assert not gate_selectors.buses_of_day(school=w.school_a, date=w.calendar_day.date).exists()
