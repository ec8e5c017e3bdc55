"""Hazards (R31, issue 11 §6): every step of the workflow and every refusal — assignment to the school's own staff
by a deadline not in the past, a rectification with a note and photos sniffed as images, verification or return by
the school admin, referral to the township or a county department and the reply, the daily escalation of an overdue
hazard to the bureau (once), the lists' order and the counts for the board."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from safety.models import Hazard, Rectification
from safety.rules import hazards as rules
from safety.selectors import hazards as selectors
from safety.services import hazards as services
from safety.tasks import escalate_overdue_hazards_task
from schools.models import Notification, NotificationKind, Role
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed

from ..conftest import events, messages_of
from ..factories import user_with_role

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"\x00" * 64

pytestmark = pytest.mark.usefixtures("english")  # messages asserted in English survive the Chinese catalog


@pytest.fixture
def world(shared_world):
    return shared_world


def today():
    return timezone.localdate()


def in_days(n):
    return today() + datetime.timedelta(days=n)


def photo(content=PNG, name="p.png"):
    return SimpleUploadedFile(name, content, content_type="image/png")


def report(world, text="围墙有裂缝", school=None, actor=None):
    return services.hazard_report(
        actor=actor or world.class_teacher, school=school or world.school_a, category="building",
        description=text, place="东侧围墙",
    )  # fmt: skip


def assigned(world, **kw):
    hazard = report(world, **kw)
    services.hazard_assign(
        actor=world.school_admin, hazard=hazard, responsible=world.service_teacher, deadline=in_days(3)
    )
    return hazard


def rectified(world, media):
    hazard = assigned(world)
    services.hazard_rectify(actor=world.service_teacher, hazard=hazard, note="已加固", photos=[photo()])
    return hazard


# ---------------------------------------------------------------- rules


def test_overdue_rule():
    day = datetime.date(2021, 10, 8)
    assert rules.is_overdue(status="assigned", deadline=datetime.date(2021, 10, 7), today=day)
    assert not rules.is_overdue(status="assigned", deadline=day, today=day)
    assert not rules.is_overdue(status="rectified", deadline=datetime.date(2021, 10, 1), today=day)
    assert not rules.is_overdue(status="open", deadline=None, today=day)


# ---------------------------------------------------------------- report


def test_anyone_working_at_the_school_reports_a_hazard(world):
    for actor in (world.class_teacher, world.volunteer, world.gate, world.care_staff, world.service_teacher):
        hazard = report(world, actor=actor)
        assert hazard.status == Hazard.Status.OPEN and hazard.source == Hazard.Source.REPORT
        assert events(hazard) == [("report", "", "open", actor.pk, "")]
    for outsider in (world.parent, world.other_school_admin, world.township, world.bureau):
        with pytest.raises(PermissionDenied):
            report(world, actor=outsider)


def test_a_report_needs_a_description_a_place_and_a_known_category(world):
    with pytest.raises(DomainError, match="Describe"):
        report(world, text="  ")
    with pytest.raises(DomainError, match="Say where"):
        services.hazard_report(actor=world.class_teacher, school=world.school_a, category="fire", description="x")
    with pytest.raises(DomainError, match="kind of hazard"):
        services.hazard_report(
            actor=world.class_teacher, school=world.school_a, category="weather", description="x", place="y"
        )


# ---------------------------------------------------------------- assign


def test_assign_names_a_staff_member_and_a_deadline_and_tells_them(world):
    hazard = report(world)
    services.hazard_assign(
        actor=world.school_admin, hazard=hazard, responsible=world.service_teacher, deadline=today(), note="尽快"
    )
    hazard.refresh_from_db()
    assert (hazard.status, hazard.responsible, hazard.deadline) == ("assigned", world.service_teacher, today())
    assert events(hazard)[-1] == ("assign", "open", "assigned", world.school_admin.pk, "尽快")
    told = Notification.objects.get(user=world.service_teacher)
    assert told.kind == NotificationKind.SAFETY and told.url == reverse("safety:hazard-detail", args=[hazard.pk])


def test_assign_refuses_a_past_deadline_and_people_from_elsewhere(world):
    hazard = report(world)
    with pytest.raises(DomainError, match="past"):
        services.hazard_assign(
            actor=world.school_admin, hazard=hazard, responsible=world.service_teacher, deadline=in_days(-1)
        )
    for outsider in (world.other_school_admin, world.parent, world.bureau):
        with pytest.raises(DomainError, match="work at this school"):
            services.hazard_assign(actor=world.school_admin, hazard=hazard, responsible=outsider, deadline=in_days(2))
    for actor in (world.service_teacher, world.class_teacher, world.township, world.bureau, world.other_school_admin):
        with pytest.raises(PermissionDenied):
            services.hazard_assign(actor=actor, hazard=hazard, responsible=world.service_teacher, deadline=in_days(2))
    hazard.refresh_from_db()
    assert hazard.status == "open" and hazard.responsible is None and not Notification.objects.exists()


def test_an_assigned_hazard_cannot_be_assigned_again(world):
    hazard = assigned(world)
    with pytest.raises(TransitionNotAllowed):
        services.hazard_assign(actor=world.school_admin, hazard=hazard, responsible=world.gate, deadline=in_days(2))


# ---------------------------------------------------------------- rectify


def test_the_responsible_person_records_the_rectification_with_photos(world, media):
    hazard = assigned(world)
    rectification = services.hazard_rectify(
        actor=world.service_teacher, hazard=hazard, note="已加固扶手", photos=[photo(), photo(JPEG, "q.jpg")]
    )
    hazard.refresh_from_db()
    assert hazard.status == "rectified" and rectification.note == "已加固扶手"
    assert sorted(rectification.photos.values_list("content_type", flat=True)) == ["image/jpeg", "image/png"]
    assert all(p.file.name.startswith("safety/hazards/") for p in rectification.photos.all())
    assert events(hazard)[-1] == ("rectify", "assigned", "rectified", world.service_teacher.pk, "已加固扶手")


def test_a_rectification_without_a_note_or_with_a_non_image_is_refused(world, media):
    hazard = assigned(world)
    with pytest.raises(DomainError, match="what was done"):
        services.hazard_rectify(actor=world.service_teacher, hazard=hazard, note="   ")
    with pytest.raises(DomainError, match="JPEG or PNG"):  # a PDF renamed .png: the bytes decide
        services.hazard_rectify(actor=world.service_teacher, hazard=hazard, note="ok", photos=[photo(PDF)])
    with pytest.raises(DomainError, match="JPEG or PNG"):
        services.hazard_rectify(actor=world.service_teacher, hazard=hazard, note="ok", photos=[photo(b"MZ\x90\x00")])
    with pytest.raises(DomainError, match="empty"):
        services.hazard_rectify(actor=world.service_teacher, hazard=hazard, note="ok", photos=[photo(b"")])
    with pytest.raises(DomainError, match="At most"):
        services.hazard_rectify(actor=world.service_teacher, hazard=hazard, note="ok", photos=[photo()] * 5)
    hazard.refresh_from_db()
    assert hazard.status == "assigned" and not Rectification.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(world, media):
    hazard = assigned(world)
    big = photo(PNG + b"\x00" * rules.MAX_PHOTO_BYTES)
    with pytest.raises(DomainError, match="5 MB"):
        services.hazard_rectify(actor=world.service_teacher, hazard=hazard, note="ok", photos=[big])


def test_only_the_responsible_person_or_the_admin_rectifies(world, media):
    hazard = assigned(world)
    for actor in (world.class_teacher, world.gate, world.volunteer, world.township, world.other_school_admin):
        with pytest.raises(PermissionDenied):
            services.hazard_rectify(actor=actor, hazard=hazard, note="ok")
    services.hazard_rectify(actor=world.school_admin, hazard=hazard, note="学校已处理")
    assert Hazard.objects.get(pk=hazard.pk).status == "rectified"


def test_an_open_hazard_cannot_be_rectified_before_it_is_assigned(world):
    with pytest.raises(TransitionNotAllowed):
        services.hazard_rectify(actor=world.school_admin, hazard=report(world), note="ok")


# ---------------------------------------------------------------- verify: close or return


def test_the_admin_verifies_and_closes(world, media):
    hazard = rectified(world, media)
    services.hazard_close(actor=world.school_admin, hazard=hazard, note="复查合格")
    hazard.refresh_from_db()
    assert hazard.status == "closed" and hazard.closed_at is not None
    assert events(hazard)[-1] == ("close", "rectified", "closed", world.school_admin.pk, "复查合格")
    with pytest.raises(PermissionDenied):
        services.hazard_close(actor=world.service_teacher, hazard=rectified(world, media))


def test_a_returned_hazard_goes_back_to_the_responsible_person_and_gets_a_second_rectification(world, media):
    hazard = rectified(world, media)
    with pytest.raises(DomainError, match="still wrong"):
        services.hazard_return(actor=world.school_admin, hazard=hazard, note="")
    with pytest.raises(DomainError, match="past"):
        services.hazard_return(actor=world.school_admin, hazard=hazard, note="未整改到位", deadline=in_days(-2))
    services.hazard_return(actor=world.school_admin, hazard=hazard, note="未整改到位", deadline=in_days(5))
    hazard.refresh_from_db()
    assert (hazard.status, hazard.deadline) == ("assigned", in_days(5))
    assert Notification.objects.filter(user=world.service_teacher, title__icontains="returned").exists()
    services.hazard_rectify(actor=world.service_teacher, hazard=hazard, note="重新加固")
    assert list(hazard.rectifications.values_list("note", flat=True)) == ["已加固", "重新加固"]


def test_closing_needs_a_rectification_first(world):
    with pytest.raises(TransitionNotAllowed):
        services.hazard_close(actor=world.school_admin, hazard=assigned(world))
    with pytest.raises(TransitionNotAllowed):
        services.hazard_return(actor=world.school_admin, hazard=report(world), note="x")


# ---------------------------------------------------------------- referral


@pytest.mark.parametrize("to", ["township", "public_security", "fire", "health", "market"])
def test_referral_to_each_choice_is_tracked(world, to):
    hazard = assigned(world)
    services.hazard_refer(
        actor=world.school_admin, hazard=hazard, to=to, reference="西消函〔2021〕3号", note="需专业处置"
    )
    hazard.refresh_from_db()
    assert (hazard.status, hazard.referred_to, hazard.referral_reference) == ("referred", to, "西消函〔2021〕3号")
    assert hazard.referred_at is not None


def test_referral_refusals(world):
    hazard = report(world)
    with pytest.raises(DomainError, match="whom"):
        services.hazard_refer(actor=world.school_admin, hazard=hazard, to="army", note="x")
    with pytest.raises(DomainError, match="why"):
        services.hazard_refer(actor=world.school_admin, hazard=hazard, to="fire", note="")
    with pytest.raises(PermissionDenied):
        services.hazard_refer(actor=world.service_teacher, hazard=hazard, to="fire", note="x")


def test_the_township_replies_to_its_referral_and_the_hazard_returns_to_the_school(world):
    hazard = report(world)
    services.hazard_refer(actor=world.school_admin, hazard=hazard, to="township", note="路口需设减速带")
    for actor in (world.bureau, world.inspector, world.school_admin):  # not theirs to answer
        with pytest.raises(PermissionDenied):
            services.hazard_record_reply(actor=actor, hazard=hazard, reply="x", close=False)
    with pytest.raises(DomainError, match="reply"):
        services.hazard_record_reply(actor=world.township, hazard=hazard, reply=" ", close=False)
    services.hazard_record_reply(actor=world.township, hazard=hazard, reply="已协调交通部门施划", close=False)
    hazard.refresh_from_db()
    assert (hazard.status, hazard.referral_reply) == ("open", "已协调交通部门施划") and hazard.replied_at
    assert events(hazard)[-1][:3] == ("reply", "referred", "open")


def test_the_county_records_a_departments_reply_and_may_close_on_it(world):
    hazard = report(world)
    services.hazard_refer(actor=world.school_admin, hazard=hazard, to="fire", note="消防栓无水")
    with pytest.raises(PermissionDenied):
        services.hazard_record_reply(actor=world.township, hazard=hazard, reply="x", close=True)
    services.hazard_record_reply(actor=world.inspector, hazard=hazard, reply="消防大队已维修", close=True)
    hazard.refresh_from_db()
    assert hazard.status == "closed" and hazard.closed_at is not None
    assert events(hazard)[-1][:3] == ("close_on_reply", "referred", "closed")


def test_a_township_outside_replies_to_nothing(world):
    other = user_with_role(Role.TOWNSHIP_COORDINATOR, township=world.township_b)
    hazard = report(world)
    services.hazard_refer(actor=world.school_admin, hazard=hazard, to="township", note="x")
    with pytest.raises(PermissionDenied):
        services.hazard_record_reply(actor=other, hazard=hazard, reply="x", close=False)


# ---------------------------------------------------------------- escalation


def test_an_overdue_hazard_is_escalated_to_the_bureau_once(world, eager_celery):
    hazard = assigned(world)
    not_yet = assigned(world, text="未到期")
    later = in_days(4)  # the deadline was in 3 days
    Hazard.objects.filter(pk=not_yet.pk).update(deadline=in_days(10))
    second_bureau = user_with_role(Role.BUREAU)
    assert services.hazard_escalate_overdue(today=in_days(3)) == 0  # on the deadline day: not overdue yet
    assert services.hazard_escalate_overdue(today=later) == 1
    assert services.hazard_escalate_overdue(today=later) == 0  # the next morning: nothing twice
    hazard.refresh_from_db()
    assert hazard.escalated_at is not None and hazard.status == "assigned"
    escalations = [e for e in events(hazard) if e[0] == "escalate"]
    assert len(escalations) == 1 and escalations[0][3] is None and hazard.events.last().by_system
    for user in (world.bureau, second_bureau):
        assert Notification.objects.filter(user=user, dedupe_key=f"hazard-escalated-{hazard.pk}").count() == 1
    assert not Notification.objects.filter(user=world.inspector).exists()
    assert escalate_overdue_hazards_task.delay().get() == 0  # the daily task calls the same service


def test_a_rectified_or_referred_hazard_is_not_escalated(world, media):
    hazard = rectified(world, media)
    referred = assigned(world)
    services.hazard_refer(actor=world.school_admin, hazard=referred, to="fire", note="x")
    assert services.hazard_escalate_overdue(today=in_days(30)) == 0
    assert not Hazard.objects.filter(pk__in=[hazard.pk, referred.pk], escalated_at__isnull=False).exists()


# ---------------------------------------------------------------- lists and counts


def test_list_order_open_first_by_deadline_escalated_first_for_the_county(world, media):
    closed = rectified(world, media)
    services.hazard_close(actor=world.school_admin, hazard=closed)
    soon, late = assigned(world, text="先到期"), assigned(world, text="后到期")
    Hazard.objects.filter(pk=late.pk).update(deadline=in_days(20))
    Hazard.objects.filter(pk=soon.pk).update(deadline=in_days(-1))
    escalated = assigned(world, text="已上报")
    Hazard.objects.filter(pk=escalated.pk).update(deadline=in_days(-5))
    services.hazard_escalate_overdue()  # soon and escalated are overdue now
    school_order = [h.pk for h in selectors.hazard_list(viewer=world.school_admin)]
    assert school_order == [escalated.pk, soon.pk, late.pk, closed.pk]
    Hazard.objects.filter(pk=soon.pk).update(escalated_at=None)
    county = list(selectors.hazard_list(viewer=world.bureau))
    assert [h.pk for h in county][:1] == [escalated.pk] and county[-1].pk == closed.pk
    assert [h.is_overdue for h in county] == [1, 1, 0, 0]


def test_scopes_of_the_list(world):
    report(world)
    report(world, school=world.school_b, actor=world.other_school_admin)
    assert selectors.hazard_list(viewer=world.gate).count() == 1
    assert selectors.hazard_list(viewer=world.township).count() == 1
    assert selectors.hazard_list(viewer=world.bureau).count() == 2
    assert selectors.hazard_list(viewer=world.parent).count() == 0


def test_counts_for_the_board(world, django_assert_num_queries):
    report(world)
    assigned(world)
    report(world, school=world.school_b, actor=world.other_school_admin)
    with django_assert_num_queries(1):
        counts = selectors.open_hazards_count(school_ids=[world.school_a.pk, world.school_b.pk])
    assert counts == {world.school_a.pk: 2, world.school_b.pk: 1}
    summary = selectors.hazard_summary(viewer=world.school_admin)
    assert (summary["open"], summary["assigned"], summary["active"], summary["overdue"]) == (1, 1, 2, 0)
    assert selectors.hazard_summary(viewer=world.bureau)["active"] == 3


# ---------------------------------------------------------------- pages


def test_rectify_page_uploads_photos_and_serves_them_through_the_policy(client, world, media):
    hazard = assigned(world)
    client.force_login(world.service_teacher)
    url = reverse("safety:hazard-rectify", args=[hazard.pk])
    response = client.post(url, {"note": "已更换", "photos": [photo(PDF, "fake.png")]})
    assert response.status_code == 302 and "JPEG or PNG" in " ".join(messages_of(response))
    response = client.post(url, {"note": "已更换", "photos": [photo()]})
    assert response.status_code == 302 and Hazard.objects.get(pk=hazard.pk).status == "rectified"
    picture = hazard.rectifications.get().photos.get()
    served = client.get(reverse("safety:hazard-photo", args=[picture.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == PNG
    assert (served["Cache-Control"], served["X-Content-Type-Options"]) == ("private, no-store", "nosniff")
    client.force_login(world.other_school_admin)
    assert client.get(reverse("safety:hazard-photo", args=[picture.pk])).status_code == 404


def test_hazard_pages_render_and_steps_post(client, world):
    client.force_login(world.class_teacher)
    response = client.post(
        reverse("safety:hazard-report"), {"category": "fire", "place": "三楼走廊", "description": "灭火器过期"}
    )
    hazard = Hazard.objects.get()
    assert response.status_code == 302 and hazard.reported_by == world.class_teacher
    client.force_login(world.school_admin)
    page = client.get(reverse("safety:hazard-detail", args=[hazard.pk]))
    assert page.status_code == 200 and page.context["can_assign"] and "灭火器过期" in page.content.decode()
    response = client.post(
        reverse("safety:hazard-assign", args=[hazard.pk]),
        {"responsible": world.service_teacher.pk, "deadline": in_days(-1).isoformat()},
    )
    assert "past" in " ".join(messages_of(response)) and Hazard.objects.get().status == "open"
    client.post(
        reverse("safety:hazard-assign", args=[hazard.pk]),
        {"responsible": world.service_teacher.pk, "deadline": in_days(2).isoformat()},
    )
    assert Hazard.objects.get().status == "assigned"
    listing = client.get(reverse("safety:hazard-list"))
    assert listing.status_code == 200 and "三楼走廊" in listing.content.decode()
