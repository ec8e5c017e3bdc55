"""Incidents and insurance (R32): recorded once, followed up by appending, guardians told and notified of their own
child only, the insurance claim's order of steps and the compensation split to the fen."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from safety.models import Incident, IncidentChild, IncidentFollowUp, InsuranceClaim
from safety.rules import incidents as rules
from safety.selectors import incidents as selectors
from safety.services import incidents as services
from schools.models import Notification, NotificationKind
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed

from ..conftest import events

pytestmark = pytest.mark.usefixtures("english")  # the messages asserted are the English msgids

D = Decimal


def _record(w, *, children=None, actor=None, **kw):
    children = children or [w.child, w.other_child]
    return services.incident_record(
        actor=actor or w.service_teacher,
        school=w.school_a,
        occurred_at=kw.pop("occurred_at", timezone.now() - datetime.timedelta(hours=2)),
        place="操场",
        description="两名学生在操场跑步时相撞摔倒",
        children=[
            {"student": s, "injury": f"{s.name}膝盖擦伤", "first_aid": "消毒包扎", "first_aid_by": "王老师"}
            for s in children
        ],
        **kw,
    )


def _tell_all(w, incident):
    for child in incident.children.all():
        services.incident_tell_guardian(
            actor=w.service_teacher, child=child, told_at=timezone.now(), how="phone", guardian_name="家长"
        )


def test_recording_tells_each_family_of_its_own_child_only(world):
    w = world
    incident = _record(w)
    assert incident.status == Incident.Status.OPEN
    assert [e[0] for e in events(incident)] == ["record"]
    mine = Notification.objects.get(user=w.parent)
    assert mine.kind == NotificationKind.INCIDENT
    assert "马小明" in mine.title + mine.body and "李小红" not in mine.title + mine.body
    assert mine.url == reverse("safety:incident-detail", args=[incident.pk])
    theirs = Notification.objects.get(user=w.other_parent)
    assert "李小红" in theirs.title and "马小明" not in theirs.title + theirs.body


def test_guardian_page_names_only_their_child_and_counts_the_others(client, world):
    w = world
    incident = _record(w)
    services.incident_follow_up(
        actor=w.school_admin,
        incident=incident,
        child=incident.children.get(student=w.other_child),
        date=timezone.localdate(),
        note="李小红到县医院复查，无骨折",
    )
    services.incident_follow_up(actor=w.school_admin, incident=incident, date=timezone.localdate(), note="操场已修整")
    client.force_login(w.parent)
    page = client.get(reverse("safety:incident-detail", args=[incident.pk])).content.decode()
    assert "马小明" in page and "李小红" not in page
    assert rules.others_label(1) in page
    assert "操场已修整" in page and "县医院" not in page  # the other child's follow-up stays hidden
    client.force_login(w.school_admin)
    page = client.get(reverse("safety:incident-detail", args=[incident.pk])).content.decode()
    assert "马小明" in page and "李小红" in page and "县医院" in page


def test_guardian_of_a_child_not_involved_gets_404(client, world):
    w = world
    incident = _record(w, children=[w.child_a2])
    for who, status in [("parent", 404), ("other_parent", 404), ("school_admin", 200), ("township", 200)]:
        client.force_login(getattr(w, who))
        assert client.get(reverse("safety:incident-detail", args=[incident.pk])).status_code == status, who


def test_who_may_record_and_who_sees_a_teachers_record(world):
    w = world
    incident = _record(w, actor=w.volunteer)
    assert incident.recorded_by == w.volunteer
    assert set(selectors.incident_list(viewer=w.volunteer)) == {incident}
    assert set(selectors.incident_list(viewer=w.service_teacher)) == set()  # not theirs to read
    assert set(selectors.incident_list(viewer=w.school_admin)) == {incident}
    assert set(selectors.incident_list(viewer=w.other_school_admin)) == set()
    assert set(selectors.incident_list(viewer=w.bureau)) == {incident}
    for outsider in (w.other_school_admin, w.gate, w.parent, w.bureau):
        with pytest.raises(PermissionDenied):
            _record(w, actor=outsider)
    with pytest.raises(PermissionDenied):  # the township reads, never writes
        services.incident_follow_up(actor=w.township, incident=incident, date=timezone.localdate(), note="x")


def test_bad_input_is_refused_and_nothing_is_written(world):
    w = world
    child_b = w.child_b
    cases = [
        ({"occurred_at": timezone.now() + datetime.timedelta(hours=1)}, "future"),
        ({"children": [child_b]}, "pupil of this school"),
        ({"children": [w.child, w.child]}, "twice"),
    ]
    for kwargs, words in cases:
        with pytest.raises(DomainError, match=words):
            _record(w, **kwargs)
    with pytest.raises(DomainError, match="at least one child"):
        services.incident_record(
            actor=w.school_admin, school=w.school_a, occurred_at=timezone.now(), place="x", description="y", children=[]
        )
    with pytest.raises(DomainError, match="Injury"):
        services.incident_record(
            actor=w.school_admin,
            school=w.school_a,
            occurred_at=timezone.now(),
            place="操场",
            description="y",
            children=[{"student": w.child, "injury": "  "}],
        )
    assert Incident.objects.count() == 0 and IncidentChild.objects.count() == 0
    assert Notification.objects.count() == 0


def test_closing_needs_every_guardian_told_and_a_summary(world):
    w = world
    incident = _record(w)
    with pytest.raises(DomainError, match="马小明"):
        services.incident_close(actor=w.school_admin, incident=incident, summary="已处理")
    with pytest.raises(DomainError, match="before the incident"):
        services.incident_tell_guardian(
            actor=w.service_teacher,
            child=incident.children.first(),
            told_at=incident.occurred_at - datetime.timedelta(minutes=1),
            how="phone",
            guardian_name="马文清",
        )
    _tell_all(w, incident)
    with pytest.raises(PermissionDenied):  # the teacher records, the school admin closes
        services.incident_close(actor=w.service_teacher, incident=incident, summary="已处理")
    with pytest.raises(DomainError):
        services.incident_close(actor=w.school_admin, incident=incident, summary="   ")
    services.incident_close(actor=w.school_admin, incident=incident, summary="两名学生均已痊愈")
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CLOSED and incident.closed_by == w.school_admin
    assert [e[0] for e in events(incident)] == ["record", "guardian_told", "guardian_told", "close"]
    with pytest.raises(TransitionNotAllowed):
        services.incident_close(actor=w.school_admin, incident=incident, summary="again")
    # A correction is still appended after closing; the record itself never changes.
    services.incident_follow_up(
        actor=w.school_admin, incident=incident, kind="correction", date=timezone.localdate(), note="地点应为篮球场"
    )
    assert IncidentFollowUp.objects.get().kind == "correction"
    incident.refresh_from_db()
    assert incident.place == "操场"


def test_follow_up_rules(world):
    w = world
    incident = _record(w)
    other = _record(w, children=[w.child_a2])
    with pytest.raises(DomainError, match="not involved"):
        services.incident_follow_up(
            actor=w.school_admin,
            incident=incident,
            child=other.children.get(),
            date=timezone.localdate(),
            note="x",
        )
    with pytest.raises(DomainError, match="before the incident"):
        services.incident_follow_up(actor=w.school_admin, incident=incident, date=datetime.date(2000, 1, 1), note="x")
    with pytest.raises(DomainError, match="future"):
        services.incident_follow_up(
            actor=w.school_admin,
            incident=incident,
            date=timezone.localdate() + datetime.timedelta(days=1),
            note="x",
        )


def _claim(w, incident=None):
    incident = incident or _record(w)
    return services.insurance_open(
        actor=w.school_admin, incident=incident, policy="liability", insurer="中国人保", policy_no="PICC-2021-01"
    )


def test_insurance_claim_moves_in_order_with_an_event_per_step(world):
    w = world
    claim = _claim(w)
    with pytest.raises(DomainError, match="already"):
        services.insurance_open(
            actor=w.school_admin, incident=claim.incident, policy="accident", insurer="x", policy_no="y"
        )
    today = timezone.localdate()
    with pytest.raises(TransitionNotAllowed):
        services.insurance_accept(actor=w.school_admin, claim=claim, decided_on=today)
    with pytest.raises(PermissionDenied):
        services.insurance_file(actor=w.service_teacher, claim=claim, filed_on=today, amount_claimed=D("800.00"))
    with pytest.raises(DomainError):
        services.insurance_file(actor=w.school_admin, claim=claim, filed_on=today, amount_claimed=D("800.005"))
    services.insurance_file(actor=w.school_admin, claim=claim, filed_on=today, amount_claimed=D("800.00"))
    with pytest.raises(TransitionNotAllowed):
        services.insurance_pay(actor=w.school_admin, claim=claim, paid_on=today, amount_paid=D("800.00"))
    services.insurance_accept(actor=w.school_admin, claim=claim, decided_on=today)
    with pytest.raises(DomainError, match="more than was claimed"):
        services.insurance_pay(actor=w.school_admin, claim=claim, paid_on=today, amount_paid=D("800.01"))
    services.insurance_pay(actor=w.school_admin, claim=claim, paid_on=today, amount_paid=D("750.50"))
    claim.refresh_from_db()
    assert claim.status == InsuranceClaim.Status.PAID and claim.amount_paid == D("750.50")
    assert [(e[0], e[1], e[2]) for e in events(claim)] == [
        ("open", "", "not_filed"),
        ("file", "not_filed", "filed"),
        ("accept", "filed", "accepted"),
        ("pay", "accepted", "paid"),
    ]
    with pytest.raises(TransitionNotAllowed):
        services.insurance_refuse(actor=w.school_admin, claim=claim, decided_on=today, reason="x")


def test_refused_claim_needs_a_reason(world):
    w = world
    claim = _claim(w)
    today = timezone.localdate()
    services.insurance_file(actor=w.school_admin, claim=claim, filed_on=today, amount_claimed=D("300.00"))
    with pytest.raises(DomainError):
        services.insurance_refuse(actor=w.school_admin, claim=claim, decided_on=today, reason=" ")
    services.insurance_refuse(actor=w.school_admin, claim=claim, decided_on=today, reason="不属于保险责任")
    claim.refresh_from_db()
    assert claim.status == InsuranceClaim.Status.REFUSED and claim.refusal_reason == "不属于保险责任"


def _shares(insurer, school, other, family):
    return {
        "share_insurer": D(insurer),
        "share_school": D(school),
        "share_other_party": D(other),
        "share_family": D(family),
    }


def test_compensation_shares_add_up_to_the_total_to_the_fen(world):
    w = world
    claim = _claim(w)
    today = timezone.localdate()
    services.insurance_file(actor=w.school_admin, claim=claim, filed_on=today, amount_claimed=D("1000.00"))
    with pytest.raises(DomainError, match="once the insurer"):
        services.insurance_compensation(
            actor=w.school_admin, claim=claim, total=D("1000.00"), shares=_shares("0", "1000", "0", "0")
        )
    services.insurance_accept(actor=w.school_admin, claim=claim, decided_on=today)
    services.insurance_pay(actor=w.school_admin, claim=claim, paid_on=today, amount_paid=D("600.00"))
    refused = [
        (_shares("600.00", "200.00", "100.00", "99.99"), "must be equal to the fen"),  # one fen short
        (_shares("500.00", "300.00", "100.00", "100.00"), "what the insurer paid"),
        (_shares("600.00", "300.00", "200.00", "-100.00"), "negative"),
        (_shares("600.00", "200.00", "100.00", "100.00"), "Name the other party"),
    ]
    for shares, words in refused:
        with pytest.raises(DomainError, match=words):
            services.insurance_compensation(actor=w.school_admin, claim=claim, total=D("1000.00"), shares=shares)
    services.insurance_compensation(
        actor=w.school_admin,
        claim=claim,
        total=D("1000.00"),
        shares=_shares("600.00", "200.00", "100.00", "100.00"),
        other_party="相撞学生家长",
    )
    claim.refresh_from_db()
    assert (
        claim.compensation_total
        == D("1000.00")
        == (claim.share_insurer + claim.share_school + claim.share_other_party + claim.share_family)
    )
    assert events(claim)[-1][0] == "compensation"


def test_the_database_refuses_shares_that_do_not_add_up(world):
    w = world
    claim = _claim(w)
    with pytest.raises(IntegrityError), transaction.atomic():
        InsuranceClaim.objects.filter(pk=claim.pk).update(
            compensation_total=D("10.00"),
            share_insurer=D("0"),
            share_school=D("5.00"),
            share_other_party=D("0"),
            share_family=D("4.99"),
        )


def test_check_compensation_rule_without_the_database():
    rules.check_compensation(total=D("0.03"), shares=_shares("0.01", "0.01", "0.01", "0"), insurer_paid=D("0.01"))
    with pytest.raises(DomainError):
        rules.check_compensation(total=D("0.03"), shares=_shares("0.01", "0.01", "0", "0"), insurer_paid=D("0.01"))
    with pytest.raises(DomainError):
        rules.check_compensation(total=D("0"), shares=_shares("0", "0", "0", "0"), insurer_paid=None)


def test_incident_counts_for_the_county_console(world):
    w = world
    first = _record(w, severity=Incident.Severity.SERIOUS)
    _record(w, children=[w.child_a2], occurred_at=timezone.now() - datetime.timedelta(days=40))
    _tell_all(w, first)
    services.incident_close(actor=w.school_admin, incident=first, summary="ok")
    since = timezone.localdate() - datetime.timedelta(days=30)
    assert selectors.incident_counts(viewer=w.bureau, since=since) == {
        "total": 1,
        "open": 0,
        "serious": 1,
        "children": 2,
        "claims_pending": 0,
    }
    assert selectors.incident_counts(viewer=w.bureau, since=since - datetime.timedelta(days=30))["total"] == 2
    assert selectors.incident_counts(viewer=w.other_school_admin, since=since)["total"] == 0
    assert selectors.incident_counts(viewer=w.parent, since=since)["total"] == 1


def test_record_page_records_and_redirects(client, world):
    w = world
    client.force_login(w.class_teacher)
    url = reverse("safety:incident-create", args=[w.school_a.pk])
    assert client.get(url).status_code == 200
    data = {
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "place": "教室",
        "description": "课桌角碰伤额头",
        "severity": "minor",
        "during_service": "on",
        "student_1": str(w.child.pk),
        "injury_1": "额头轻微红肿",
    }
    response = client.post(url, {**data, "injury_1": ""})
    assert response.status_code == 200 and Incident.objects.count() == 0  # the injury is asked for
    response = client.post(url, data)
    incident = Incident.objects.get()
    assert response.status_code == 302 and response.url == reverse("safety:incident-detail", args=[incident.pk])
    assert incident.recorded_by == w.class_teacher


@pytest.mark.needs_postgres  # the triggers are PostgreSQL's
def test_the_database_refuses_to_edit_an_incident(world):
    w = world
    incident = _record(w)
    for statement in (
        lambda: Incident.objects.filter(pk=incident.pk).update(place="别处"),
        lambda: Incident.objects.filter(pk=incident.pk).delete(),
        lambda: IncidentChild.objects.filter(incident=incident).update(injury="无"),
        lambda: IncidentChild.objects.filter(incident=incident).delete(),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            statement()
    services.incident_follow_up(actor=w.school_admin, incident=incident, date=timezone.localdate(), note="复查")
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentFollowUp.objects.update(note="改写")
    _tell_all(w, incident)
    services.incident_close(actor=w.school_admin, incident=incident, summary="已痊愈")  # the workflow may close it
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CLOSED and incident.place == "操场"
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.filter(pk=incident.pk).update(closing_summary="改写")
