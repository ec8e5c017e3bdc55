"""Hand-over (R30, issue 11 §2, §9): the dismissal page and its one-tap buttons, every rule of the service, the
staff hand-over chain, bus and dormitory receipts, confirmation by code or signature, corrections, the paper sheet
and its entry, the guardian's history, and a batch that costs the same number of queries for 5 children or 25."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safety.models import Handover, SafetySettings
from safety.rules import handovers as rules
from safety.selectors import handovers as selectors
from safety.services import handovers as services
from schools.models import AdminClass, Notification, NotificationKind, Role, SessionAssistant, StudentGuardian, User
from xiji_afterschool.errors import DomainError

from ..conftest import has_cjk_font, messages_of, pdf_text_and_fonts, pretend_today
from ..factories import StudentFactory, link_guardian, user_with_role
from .handover_world import boarder, bus_rider, collector, dismissal_world, make_session, walk_home

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def w(world):
    dismissal_world(world)
    world.father = StudentGuardian.objects.get(student=world.child).guardian
    return world


def tap(w, student, choice, actor=None, **extra):
    return services.handover_one(actor=actor or w.service_teacher, session=w.session, student=student, choice=choice,
                                 **extra)  # fmt: skip


def refused(call) -> str:
    with pytest.raises(DomainError) as exc:
        call()
    return str(exc.value.message)


# ---------------------------------------------------------------- pure rules


def test_rules_dismissal_order_codes_signature_windows():
    keys = [
        rules.dismissal_key(group=rules.GROUP_DORMITORY, grade=1, class_number=1, route="", name="甲"),
        rules.dismissal_key(group=rules.GROUP_BUS, grade=1, class_number=1, route="2路", name="乙"),
        rules.dismissal_key(group=rules.GROUP_COLLECTED, grade=4, class_number=1, route="", name="丙"),
        rules.dismissal_key(group=rules.GROUP_COLLECTED, grade=3, class_number=2, route="", name="丁"),
    ]
    assert sorted(keys) == [keys[3], keys[2], keys[1], keys[0]]
    assert rules.guardian_code("13995401234") == "1234"
    assert rules.code_matches("123456", " 123456 ") and not rules.code_matches("123456", "12345")
    assert not rules.code_matches("", "")
    assert rules.clean_signature("M1 2 L3 4") == "M1 2 L3 4"
    assert rules.clean_signature("<script>") == "" and rules.clean_signature("") == ""
    assert rules.clean_signature("M1 1" + " L2 2" * 3000) == ""  # too long
    assert rules.may_walk_home(grade=3, leave_by=None, at=datetime.time(18))
    assert not rules.may_walk_home(grade=2, leave_by=None, at=datetime.time(17))
    assert not rules.may_walk_home(grade=5, leave_by=datetime.time(17, 30), at=datetime.time(17, 31))
    day = datetime.date(2025, 12, 1)
    assert rules.paper_entry_open(day=day, today=day + datetime.timedelta(days=3))
    assert not rules.paper_entry_open(day=day, today=day + datetime.timedelta(days=4))
    assert not rules.correction_open(day=day, today=day + datetime.timedelta(days=1))


# ---------------------------------------------------------------- the page


def test_dismissal_page_lists_present_children_in_order_with_their_buttons(client, w):
    grandma = collector(w, w.child_a2)
    bus_rider(w, w.other_child)
    client.force_login(w.service_teacher)
    response = client.get(reverse("safety:handover-dismissal", args=[w.session.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert w.absent_child.name not in html  # absent: not on the page
    # Collected first (grade 3 before grade 4), the bus rider after.
    assert html.index(f'data-child="{w.child.pk}"') < html.index(f'data-child="{w.child_a2.pk}"')
    assert html.index(f'data-child="{w.child_a2.pk}"') < html.index(f'data-child="{w.other_child.pk}"')
    assert f'data-to="guardian:{w.father.pk}"' in html and f'data-to="collector:{grandma.pk}"' in html
    assert "Grandmother 马桂花" in html and 'data-to="bus"' in html and "School bus 2路" in html
    assert "Handed over 0 / 3, remaining 3" in html
    assert f'href="tel:{w.father.mobile}"' in html and "not on the pick-up list" in html


def test_a_tap_with_fetch_redraws_the_row_and_tells_the_guardian(client, w, django_capture_on_commit_callbacks):
    client.force_login(w.service_teacher)
    url = reverse("safety:handover-tap", args=[w.session.pk, w.child.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"to": f"guardian:{w.father.pk}"}, HTTP_X_REQUESTED_WITH="fetch")
    answer = response.json()
    assert response.status_code == 200 and answer["ok"] and answer["done"]
    assert "Handed to Father" in answer["html"] and 'data-done="1"' in answer["html"] and "Correct" in answer["html"]
    handover = Handover.objects.get(student=w.child)
    assert (handover.to, handover.guardian, handover.sequence, handover.from_staff) == (
        "collector",
        w.father,
        1,
        w.service_teacher,
    )
    note = Notification.objects.get(user=w.parent)
    assert note.kind == NotificationKind.HANDED_OVER and w.child.name in note.body and "Father" in note.body
    assert note.dedupe_key == f"handover:{handover.pk}"
    # A second tap on the same child: refused, with who took them and when; nothing new.
    response = client.post(url, {"to": f"guardian:{w.father.pk}"}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 409 and "Already handed over to Father" in response.json()["message"]
    assert Handover.objects.filter(student=w.child).count() == 1


def test_a_tap_without_javascript_redirects_to_the_childs_row(client, w):
    client.force_login(w.service_teacher)
    response = client.post(reverse("safety:handover-tap", args=[w.session.pk, w.child.pk]),
                           {"to": f"guardian:{w.father.pk}"})  # fmt: skip
    assert response.status_code == 302
    assert response.url == reverse("safety:handover-dismissal", args=[w.session.pk]) + f"#child-{w.child.pk}"
    assert "collected by Father" in messages_of(response)[0]
    page = client.get(response.url).content.decode()
    assert "Handed over 1 / 3, remaining 2" in page


def test_a_child_not_on_the_roll_of_the_session_is_404_and_an_absent_one_refused(client, w):
    client.force_login(w.service_teacher)
    outsider = StudentFactory(admin_class=w.class_a1)
    response = client.post(reverse("safety:handover-tap", args=[w.session.pk, outsider.pk]), {"to": "alone"})
    assert response.status_code == 404
    message = refused(lambda: tap(w, w.absent_child, "alone"))
    assert "was not present today" in message
    assert not Handover.objects.exists()


# ---------------------------------------------------------------- who may take the child


def test_listed_adults_only_valid_and_not_revoked(w):
    today = timezone.localdate()
    expired = collector(w, w.child_a2, name="过期", valid_until=today - datetime.timedelta(days=1))
    future = collector(w, w.child_a2, name="未来", valid_from=today + datetime.timedelta(days=1))
    removed = collector(w, w.child_a2, name="已删", revoked_at=timezone.now(), revoked_by=w.school_admin)
    for adult in (expired, future, removed):
        assert "not on the pick-up list" in refused(lambda a=adult: tap(w, w.child_a2, f"collector:{a.pk}"))
    # Another child's guardian is not this child's.
    assert "not on the pick-up list" in refused(lambda: tap(w, w.child_a2, f"guardian:{w.father.pk}"))
    good = collector(w, w.child_a2)
    handover = tap(w, w.child_a2, f"collector:{good.pk}")
    assert (handover.to, handover.collector, handover.recipient_relation) == ("collector", good, "grandmother")
    assert handover.recipient_label == "Grandmother 马桂花"  # the stored value, worded for the reader


def test_delegation_only_for_its_day(w):
    from safety.models import Delegation

    today = timezone.localdate()
    other_day = Delegation.objects.create(student=w.child, date=today + datetime.timedelta(days=1), name="马二叔",
                                          relation="uncle_aunt", mobile="13995405678", announced_by=w.parent)  # fmt: skip
    cancelled = Delegation.objects.create(student=w.child, date=today, name="马三叔", relation="uncle_aunt",
                                          mobile="13995405679", announced_by=w.parent, cancelled_at=timezone.now())  # fmt: skip
    for d in (other_day, cancelled):
        assert "Nobody was announced" in refused(lambda d=d: tap(w, w.child, f"delegate:{d.pk}"))
    today_one = Delegation.objects.create(student=w.child, date=today, name="马大叔", relation="uncle_aunt",
                                          mobile="13995405670", announced_by=w.parent)  # fmt: skip
    handover = tap(w, w.child, f"delegate:{today_one.pk}")
    assert handover.to == Handover.To.DELEGATE and handover.delegation == today_one


def test_going_home_alone_needs_a_permission_the_grade_and_the_time(w):
    assert "no valid permission" in refused(lambda: tap(w, w.child, "alone"))
    young = StudentFactory(admin_class=AdminClass.objects.create(school=w.school_a, grade=2, number=1), name="小一")
    session = make_session(w, students=[young])
    walk_home(w, young)
    message = refused(lambda: services.handover_one(actor=w.service_teacher, session=session, student=young,
                                                    choice="alone"))  # fmt: skip
    assert "below grade 3" in message
    walk_home(w, w.child, leave_by=datetime.time(0, 0))
    assert "only until 00:00" in refused(lambda: tap(w, w.child, "alone"))
    walk_home(w, w.other_child)
    handover = tap(w, w.other_child, "alone")
    assert handover.to == Handover.To.ALONE and handover.walk_home is not None


def test_bus_only_for_a_rider_of_a_running_route_and_to_its_escort(w):
    assert "does not ride" in refused(lambda: tap(w, w.child, "bus"))
    bus_rider(w, w.child)
    w.route.active = False
    w.route.save()
    assert "does not ride" in refused(lambda: tap(w, w.child, "bus"))
    w.route.active = True
    w.route.save()
    handover = tap(w, w.child, "bus")
    assert (handover.to, handover.bus_route, handover.to_staff) == ("bus", w.route, w.care_staff)


def test_dormitory_only_for_a_boarder_with_a_place(w):
    assert "no dormitory place" in refused(lambda: tap(w, w.child, "dormitory"))
    boarder(w, w.child)
    handover = tap(w, w.child, "dormitory")
    assert (handover.to, handover.dormitory, handover.to_staff) == ("dormitory", w.dormitory, w.care_staff)


def test_someone_else_is_refused_without_the_guardians_consent(client, w):
    assert "not on the pick-up list" in refused(lambda: tap(w, w.child, "consent"))
    consent = services.Consent(guardian_id=w.father.pk, phoned=w.father.mobile, said="让他舅舅接",
                               name="马舅舅", relation="uncle_aunt", mobile="13995409999")  # fmt: skip
    # Only a guardian of this child may consent.
    stranger = services.Consent(**{**consent.__dict__, "guardian_id": w.father.pk + 999})
    assert "Phone one of the child's guardians" in refused(lambda: tap(w, w.child, "consent", consent=stranger))
    handover = tap(w, w.child, "consent", consent=consent)
    assert handover.to == Handover.To.CONSENT and handover.recipient_name == "马舅舅"
    assert "让他舅舅接" in handover.consent_note and w.father.mobile in handover.consent_note
    # Through the page: a bad mobile is a form error, nothing recorded.
    client.force_login(w.service_teacher)
    response = client.post(reverse("safety:handover-tap", args=[w.session.pk, w.other_child.pk]), {
        "to": "consent", "guardian": StudentGuardian.objects.get(student=w.other_child).guardian_id,
        "phoned": "13900000000", "said": "可以", "name": "李阿姨", "relation": "neighbour", "mobile": "123",
    }, HTTP_X_REQUESTED_WITH="fetch")  # fmt: skip
    assert response.status_code == 409 and "mobile" in response.json()["message"].lower()
    assert not Handover.objects.filter(student=w.other_child).exists()


# ---------------------------------------------------------------- who holds the child


def assist(w, user):
    SessionAssistant.objects.create(session=w.session, person=user)


def test_only_the_holder_or_the_school_admin_hands_over(w):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # not their session at all
        tap(w, w.child, f"guardian:{w.father.pk}", actor=w.volunteer)
    assist(w, w.volunteer)  # an assistant sees the page, but the teacher holds the children
    assert "holds this child now" in refused(lambda: tap(w, w.child, f"guardian:{w.father.pk}", actor=w.volunteer))
    handover = tap(w, w.child, f"guardian:{w.father.pk}", actor=w.school_admin)
    assert handover.from_staff == w.school_admin
    # A school admin of another school is not this school's: refused by the policy.
    with pytest.raises(PermissionDenied):
        tap(w, w.other_child, "alone", actor=w.other_school_admin)


def test_staff_handover_chain_custody_and_the_holders_page(client, w):
    pairs = [(w.session, w.child), (w.session, w.other_child)]
    done = services.handover_to_staff(actor=w.service_teacher, pairs=pairs, to_staff=w.volunteer)
    assert [h.to for h in done] == ["staff", "staff"] and all(h.to_staff == w.volunteer for h in done)
    custody = selectors.custody_for_session(w.session)
    assert custody[w.child.pk].holder_id == w.volunteer.pk and custody[w.child_a2.pk].holder_id == w.service_teacher.pk
    # The teacher no longer holds them.
    assert "holds this child now" in refused(lambda: tap(w, w.child, f"guardian:{w.father.pk}"))
    # The volunteer sees them on "Children in my care" and hands them on to the care staff.
    client.force_login(w.volunteer)
    page = client.get(reverse("safety:held-children")).content.decode()
    assert f'data-child="{w.child.pk}"' in page and f'data-child="{w.child_a2.pk}"' not in page
    response = client.post(
        reverse("safety:held-staff"), {"to_staff": w.care_staff.pk, "children": [w.child.pk, w.other_child.pk]}
    )
    assert response.status_code == 302, messages_of(response)
    custody = selectors.custody_for_session(w.session)
    assert custody[w.child.pk].holder_id == w.care_staff.pk
    assert Handover.objects.get(student=w.child, sequence=2).from_staff == w.volunteer
    # The care staff hands the child to the father: final, nobody holds the child.
    handover = tap(w, w.child, f"guardian:{w.father.pk}", actor=w.care_staff)
    assert handover.sequence == 3 and selectors.custody_for_session(w.session)[w.child.pk].holder_id is None
    # Staff only of this school, and not oneself.
    outsider = user_with_role(Role.SERVICE_TEACHER, school=w.school_b)
    assert "member of staff of this school" in refused(
        lambda: services.handover_to_staff(actor=w.service_teacher, pairs=[(w.session, w.child_a2)], to_staff=outsider)
    )
    assert "another member of staff" in refused(
        lambda: services.handover_to_staff(actor=w.service_teacher, pairs=[(w.session, w.child_a2)],
                                           to_staff=w.service_teacher)
    )  # fmt: skip


def test_staff_handover_page_preselects_all_remaining(client, w):
    tap(w, w.child, f"guardian:{w.father.pk}")
    client.force_login(w.service_teacher)
    url = reverse("safety:handover-staff", args=[w.session.pk])
    html = client.get(url).content.decode()
    assert html.count("checked") == 2 and w.child.name not in html.split("<form")[1]
    response = client.post(url, {"to_staff": w.care_staff.pk, "children": [w.other_child.pk, w.child_a2.pk]})
    assert response.status_code == 302
    assert Handover.objects.filter(to="staff", to_staff=w.care_staff).count() == 2
    page = client.get(reverse("safety:handover-dismissal", args=[w.session.pk])).content.decode()
    assert "Handed over 3 / 3, remaining 0" in page


def test_bus_and_dormitory_receipts_on_the_care_staff_home(client, w):
    bus_rider(w, w.child, stop="将台")
    boarder(w, w.other_child)
    on_bus = tap(w, w.child, "bus")
    in_dorm = tap(w, w.other_child, "dormitory")
    client.force_login(w.care_staff)
    response = client.get("/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("safety:held-children")
    assert (
        "2路" in html
        and "将台" in html
        and f'data-receive="{on_bus.pk}"' in html
        and f'data-receive="{in_dorm.pk}"' in html
    )
    response = client.post(reverse("safety:handover-receive", args=[on_bus.pk]))
    on_bus.refresh_from_db()
    assert on_bus.received_by == w.care_staff and on_bus.received_at is not None
    # Once only.
    assert "Already confirmed" in refused(lambda: services.handover_receive(actor=w.care_staff, handover=on_bus))
    # Only the one it was handed to; a final hand-over to an adult has no receipt.
    assert "Only the member of staff" in refused(
        lambda: services.handover_receive(actor=w.school_admin, handover=in_dorm)
    )
    grandma = collector(w, w.child_a2)
    adult = tap(w, w.child_a2, f"collector:{grandma.pk}")
    assert "Only a hand-over to the bus" in refused(
        lambda: services.handover_receive(actor=w.school_admin, handover=adult)
    )
    # The escort's page shows the confirmation instead of the button.
    html = client.get(reverse("safety:held-children")).content.decode()
    assert f'data-receive="{on_bus.pk}"' not in html and "On the bus" in html


# ---------------------------------------------------------------- confirmation


def test_code_confirmation(w):
    SafetySettings.objects.create(school=w.school_a, confirmation="code")
    grandma = collector(w, w.child_a2)
    assert "Wrong pick-up code" in refused(
        lambda: tap(
            w, w.child_a2, f"collector:{grandma.pk}", code="000000" if grandma.pickup_code != "000000" else "111111"
        )
    )
    handover = tap(w, w.child_a2, f"collector:{grandma.pk}", code=grandma.pickup_code)
    assert handover.confirmation == "code"
    assert "Wrong pick-up code" in refused(lambda: tap(w, w.child, f"guardian:{w.father.pk}", code="12"))
    assert tap(w, w.child, f"guardian:{w.father.pk}", code=w.father.mobile[-4:]).confirmation == "code"


def test_signature_confirmation(client, w):
    SafetySettings.objects.create(school=w.school_a, confirmation="signature")
    assert "sign" in refused(lambda: tap(w, w.child, f"guardian:{w.father.pk}"))
    assert "sign" in refused(lambda: tap(w, w.child, f"guardian:{w.father.pk}", signature="<svg onload=x>"))
    handover = tap(w, w.child, f"guardian:{w.father.pk}", signature="M10 10 L20 20 L30 15")
    assert handover.confirmation == "signature" and handover.signature == "M10 10 L20 20 L30 15"
    client.force_login(w.service_teacher)
    page = client.get(reverse("safety:handover-dismissal", args=[w.session.pk])).content.decode()
    assert "data-signature-pad" in page and "Signature required" in page


def test_school_admin_sets_the_confirmation(client, w):
    client.force_login(w.school_admin)
    response = client.post(reverse("safety:settings-edit"), {"confirmation": "code"})
    assert response.status_code == 302
    assert SafetySettings.objects.get(school=w.school_a).confirmation == "code"
    response = client.post(reverse("safety:settings-edit"), {"confirmation": "bogus"})
    assert response.status_code == 200 and SafetySettings.objects.get(school=w.school_a).confirmation == "code"


# ---------------------------------------------------------------- corrections, never edited


def test_corrections(client, w, monkeypatch):
    wrong = tap(w, w.child, f"guardian:{w.father.pk}")
    grandma = collector(w, w.child)
    assert "Say why" in refused(lambda: services.handover_correct(actor=w.service_teacher, handover=wrong,
                                                                  choice=f"collector:{grandma.pk}", reason=" "))  # fmt: skip
    assist(w, w.volunteer)
    assert "Only whoever recorded it" in refused(
        lambda: services.handover_correct(actor=w.volunteer, handover=wrong, choice="bus", reason="错了")
    )
    fixed = services.handover_correct(actor=w.service_teacher, handover=wrong, choice=f"collector:{grandma.pk}",
                                      reason="点错了，是奶奶接走的")  # fmt: skip
    assert (fixed.sequence, fixed.corrects, fixed.collector) == (2, wrong, grandma)
    wrong.refresh_from_db()
    assert wrong.to == "collector" and wrong.guardian == w.father  # the first record stays as it was
    # Only the latest record can be corrected.
    assert "Only the latest" in refused(lambda: services.handover_correct(actor=w.service_teacher, handover=wrong,
                                                                          choice="alone", reason="x"))  # fmt: skip
    # "Still with me": the teacher holds the child again and may hand them over.
    back = services.handover_correct(actor=w.school_admin, handover=fixed, choice=f"staff:{w.school_admin.pk}",
                                     reason="孩子还在学校")  # fmt: skip
    assert back.to == "staff" and selectors.custody_for_session(w.session)[w.child.pk].holder_id == w.school_admin.pk
    # The next day: no more corrections.
    pretend_today(monkeypatch, timezone.localdate() + datetime.timedelta(days=1))
    assert "same day" in refused(lambda: services.handover_correct(actor=w.school_admin, handover=back,
                                                                   choice=f"guardian:{w.father.pk}", reason="x"))  # fmt: skip
    # A live tap on a past session is refused too (the paper sheet is for that).
    assert "recorded on the day" in refused(lambda: tap(w, w.other_child, "alone"))


def test_correction_page(client, w):
    wrong = tap(w, w.child, f"guardian:{w.father.pk}")
    client.force_login(w.service_teacher)
    url = reverse("safety:handover-correct", args=[wrong.pk])
    assert "Not handed over" in client.get(url).content.decode()
    response = client.post(url, {"to": f"staff:{w.service_teacher.pk}", "reason": "还没走"})
    assert response.status_code == 302
    assert Handover.objects.filter(student=w.child).count() == 2


def test_receipt_is_the_only_change_and_services_never_update(w):
    handover = tap(w, w.child, f"guardian:{w.father.pk}")
    before = Handover.objects.filter(pk=handover.pk).values().get()
    services.handover_to_staff(actor=w.service_teacher, pairs=[(w.session, w.other_child)], to_staff=w.care_staff)
    assert Handover.objects.filter(pk=handover.pk).values().get() == before


# ---------------------------------------------------------------- a batch: constant queries


def _class_of(w, n):
    students = [StudentFactory(admin_class=w.class_a1) for _i in range(n)]
    for s in students:
        link_guardian(s)
    return make_session(w, students=students), students


def _batch(w, session, students, django_capture=None):
    links = dict(StudentGuardian.objects.filter(student__in=students).values_list("student_id", "guardian_id"))
    entries = [services.Entry(session=session, student=s, choice=f"guardian:{links[s.pk]}") for s in students]
    actor = User.objects.get(pk=w.service_teacher.pk)  # a fresh object: its memberships are not cached yet
    with CaptureQueriesContext(connection) as queries:
        services.handover_record(actor=actor, entries=entries)
    return len(queries)


def test_a_batch_costs_the_same_queries_for_5_or_25_children(w):
    small = _batch(w, *_class_of(w, 5))
    large = _batch(w, *_class_of(w, 25))
    assert small == large, (small, large)
    assert small <= 17  # 16 for the batch, 1 for open late pick-up alerts it resolves
    assert Handover.objects.filter(to="collector").count() == 30


def test_a_batch_is_all_or_nothing(w):
    entries = [services.Entry(session=w.session, student=w.child, choice=f"guardian:{w.father.pk}"),
               services.Entry(session=w.session, student=w.absent_child, choice="alone")]  # fmt: skip
    assert "not present" in refused(lambda: services.handover_record(actor=w.service_teacher, entries=entries))
    assert not Handover.objects.exists()


# ---------------------------------------------------------------- paper


def test_paper_sheet_pdf(client, w, tmp_path):
    collector(w, w.child_a2)
    bus_rider(w, w.other_child)
    client.force_login(w.service_teacher)
    response = client.get(reverse("safety:handover-sheet", args=[w.session.pk]))
    assert response["Content-Type"] == "application/pdf"
    text, fonts = pdf_text_and_fonts(response.content, tmp_path)
    assert has_cjk_font(fonts)
    for expected in (w.child.name, w.other_child.name, w.child_a2.name, "马桂花", "2路", "Signatureoftheadult"):
        assert expected in text, expected
    assert w.absent_child.name not in text


def test_paper_entry_by_the_teacher_within_three_days(client, w, monkeypatch):
    past = timezone.localdate() - datetime.timedelta(days=2)
    session = make_session(w, day=past)
    grandma = collector(w, w.child_a2, valid_from=past - datetime.timedelta(days=5))
    client.force_login(w.service_teacher)
    url = reverse("safety:handover-paper", args=[session.pk])
    response = client.post(url, {f"to_{w.child_a2.pk}": f"collector:{grandma.pk}", f"time_{w.child_a2.pk}": "17:42",
                                 f"to_{w.child.pk}": f"guardian:{w.father.pk}"})  # fmt: skip
    assert response.status_code == 200 and not Handover.objects.exists()  # a time is required per child
    response = client.post(url, {f"to_{w.child_a2.pk}": f"collector:{grandma.pk}", f"time_{w.child_a2.pk}": "17:42"})
    assert response.status_code == 302, messages_of(response)
    handover = Handover.objects.get(student=w.child_a2)
    assert handover.on_paper and handover.confirmation == "paper" and handover.date == past
    assert timezone.localtime(handover.handed_at).strftime("%H:%M") == "17:42"
    # Not by another member of staff, even the one holding a child; not after three days.
    services.handover_record(
        actor=w.service_teacher, on_paper=True,
        entries=[services.Entry(session=session, student=w.child, choice=f"staff:{w.volunteer.pk}",
                                at=timezone.make_aware(datetime.datetime.combine(past, datetime.time(17))))],
    )  # fmt: skip
    assert "Only the session's teacher" in refused(lambda: services.handover_record(
        actor=w.volunteer, on_paper=True,
        entries=[services.Entry(session=session, student=w.child, choice=f"guardian:{w.father.pk}",
                                at=timezone.make_aware(datetime.datetime.combine(past, datetime.time(17, 50))))],
    ))  # fmt: skip
    pretend_today(monkeypatch, past + datetime.timedelta(days=4))
    assert "within 3 days" in refused(lambda: services.handover_record(
        actor=w.service_teacher, on_paper=True,
        entries=[services.Entry(session=session, student=w.other_child, choice="alone",
                                at=timezone.make_aware(datetime.datetime.combine(past, datetime.time(17))))],
    ))  # fmt: skip


# ---------------------------------------------------------------- the guardian's view


def test_guardian_sees_only_their_own_childs_handovers(client, w):
    tap(w, w.child, f"guardian:{w.father.pk}")
    client.force_login(w.parent)
    html = client.get(reverse("safety:student-handovers", args=[w.child.pk])).content.decode()
    assert "Listed adult" in html and "Father" in html and w.service_teacher.full_name in html
    assert client.get(reverse("safety:student-handovers", args=[w.other_child.pk])).status_code == 404


def test_a_past_sessions_page_offers_the_paper_entry_not_taps(client, w):
    session = make_session(w, day=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(w.service_teacher)
    html = client.get(reverse("safety:handover-dismissal", args=[session.pk])).content.decode()
    assert "not today's" in html and 'data-to="guardian:' not in html
    assert reverse("safety:handover-paper", args=[session.pk]) in html


def test_handing_over_a_late_child_resolves_their_alert_at_once(w):
    """The late pick-up job raised an alert; the grandmother arrives and the teacher taps: the alert is resolved in
    the same step (by the system, pointing at the hand-over), not a minute later by the next run."""
    from safety.models import LateAlert
    from safety.services import alerts as alerts_services

    raised = alerts_services.late_alerts_raise(
        now=timezone.make_aware(datetime.datetime.combine(w.session.date, datetime.time(17, 46)))
    )
    assert raised.raised == 3
    alert = LateAlert.objects.get(student=w.child)
    handover = tap(w, w.child, f"guardian:{w.father.pk}")
    alert.refresh_from_db()
    assert (alert.status, alert.resolution, alert.handover) == ("resolved", "collected", handover)
    assert alert.events.last().by_system
    assert LateAlert.objects.filter(status="open").count() == 2  # the others still wait
