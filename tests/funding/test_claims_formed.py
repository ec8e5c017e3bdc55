"""The first review shows what was formed (issue #12, item 2): beside each claim line the service classes the school
formed for the year, the children in them and the class-hours delivered so far; claims of more classes than were
formed are marked on the list and can be listed alone."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.selectors.claims import claim_formed_figures, claim_list, claims_exceeding
from funding.services import claims as services
from schools.models import ServiceClassMember, Session, Stage

from ..access.hours import make_service_class, make_session
from ..factories import AdminClassFactory, SchoolFactory, StudentFactory
from .builders_settlement import claim

S = Session.Status
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def formed(world, rate):
    """school_a claims 3 primary classes for the current year and formed 2 primary classes (3 and 1 children now,
    one child having left) and 1 junior class; school_b claims 1 and formed 1."""
    w = world
    day = w.autumn.start_date + datetime.timedelta(days=7)
    grade8 = AdminClassFactory(school=w.school_a, grade=8, number=1)
    p1 = make_service_class(
        w.school_a, school_year=w.school_year, teacher=w.service_teacher, name="P1", admin_classes=[w.class_a1]
    )
    p2 = make_service_class(
        w.school_a, school_year=w.school_year, teacher=w.service_teacher, name="P2", admin_classes=[w.class_a2]
    )
    make_service_class(
        w.school_a, school_year=w.school_year, teacher=w.service_teacher, name="J1", admin_classes=[grade8]
    )
    for student in (w.child, w.other_child, StudentFactory(admin_class=w.class_a1)):
        ServiceClassMember.objects.create(service_class=p1, student=student, start_date=day, added_by=w.school_admin)
    ServiceClassMember.objects.create(service_class=p2, student=w.child_a2, start_date=day, added_by=w.school_admin)
    ServiceClassMember.objects.create(
        service_class=p2, student=StudentFactory(admin_class=w.class_a2), start_date=day,
        end_date=day + datetime.timedelta(days=3), added_by=w.school_admin,
    )  # fmt: skip
    make_session(p1, day, teacher=w.service_teacher, present=3)
    make_session(p1, day + datetime.timedelta(days=1), teacher=w.service_teacher, class_hours="1.5", present=3)
    make_session(p2, day, teacher=w.service_teacher, status=S.CONFIRMED, present=1)
    make_session(p2, day + datetime.timedelta(days=1), teacher=w.service_teacher, status=S.NEEDS_CONFIRMATION)
    w.claim_a = services.claim_create(
        actor=w.school_admin, school=w.school_a, school_year=w.school_year, classes={"primary": 3}
    )
    services.claim_submit(actor=w.school_admin, claim=w.claim_a)
    b1 = make_service_class(
        w.school_b, school_year=w.school_year, teacher=w.service_teacher, name="B1", admin_classes=[w.class_b1]
    )
    ServiceClassMember.objects.create(service_class=b1, student=w.child_b, start_date=day, added_by=w.school_admin)
    w.claim_b = claim(w, w.school_b, w.school_year, lines=[(Stage.PRIMARY, 1, 100, 2)], status="submitted")
    return w


def rows(figures, pk):
    return [(r.stage, r.claimed, r.formed, r.children, r.sessions, r.class_hours, r.exceeds) for r in figures[pk]]


def test_formed_figures_per_stage_beside_the_claim(formed):
    w = formed
    figures = claim_formed_figures(claims=claim_list(viewer=w.bureau))
    assert rows(figures, w.claim_a.pk) == [
        (Stage.PRIMARY, 3, 2, 4, 3, Decimal("5.5"), True),  # the waiting session is not delivered yet
        (Stage.JUNIOR, 0, 1, 0, 0, Decimal("0.0"), False),
    ]
    assert rows(figures, w.claim_b.pk) == [(Stage.PRIMARY, 1, 1, 1, 0, Decimal("0.0"), False)]
    assert claims_exceeding(figures) == {w.claim_a.pk}


def _queries(viewer) -> int:
    with CaptureQueriesContext(connection) as context:
        claim_formed_figures(claims=claim_list(viewer=viewer))
    return len(context)


def test_formed_figures_take_a_fixed_number_of_queries(formed):
    """The claims, their lines, the annual claims' lines, the classes, their admin classes, members, sessions."""
    w = formed
    _queries(w.bureau)  # warm up (the viewer's memberships)
    before = _queries(w.bureau)
    for _i in range(3):  # more schools with claims, classes and sessions: the same number of queries
        school = SchoolFactory(township=w.township_b)
        claim(w, school, w.school_year, lines=[(Stage.PRIMARY, 2, 100, 2)], status="submitted")
        made = make_service_class(school, school_year=w.school_year, teacher=w.service_teacher, name="C")
        make_session(made, w.autumn.start_date, present=1)
    assert _queries(w.bureau) == before <= 8
    assert len(claim_formed_figures(claims=claim_list(viewer=w.bureau))) == 5


def test_a_supplementary_claim_counts_with_its_annual_claim(world, rate):
    w = world
    make_service_class(
        w.school_a, school_year=w.school_year, teacher=w.service_teacher, name="P1", admin_classes=[w.class_a1]
    )
    make_service_class(
        w.school_a, school_year=w.school_year, teacher=w.service_teacher, name="P2", admin_classes=[w.class_a1]
    )
    annual = claim(w, w.school_a, w.school_year, lines=[(Stage.PRIMARY, 2, 100, 2)])
    extra = claim(w, w.school_a, w.school_year, lines=[(Stage.PRIMARY, 1, 50, 2)], supplements=annual)
    figures = claim_formed_figures(claims=[annual, extra])
    assert [(r.claimed, r.claimed_in_total, r.formed, r.exceeds) for r in figures[annual.pk]] == [(2, 2, 2, False)]
    assert [(r.claimed, r.claimed_in_total, r.formed, r.exceeds) for r in figures[extra.pk]] == [(1, 3, 2, True)]


def test_first_review_page_shows_what_was_formed(client, formed):
    w = formed
    client.force_login(w.bureau)
    page = client.get(reverse("funding:claim-detail", args=[w.claim_a.pk])).content.decode()
    assert "Claimed against what was formed" in page
    assert '<tr data-stage="primary" class="table-danger">' in page and "Exceeds classes formed" in page
    primary = page.split('data-stage="primary"')[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in primary.split("</td>")[1:6]] == ["3", "2", "4", "3", "5.5"]


def test_claim_list_marks_and_filters_claims_exceeding_what_was_formed(client, formed):
    w = formed
    client.force_login(w.bureau)
    queue = client.get(reverse("funding:claim-list")).content.decode()  # the bureau's first-review queue
    assert f'data-exceeds="{w.claim_a.pk}"' in queue and f'data-exceeds="{w.claim_b.pk}"' not in queue
    assert w.school_b.name in queue
    only = client.get(reverse("funding:claim-list"), {"exceeding": "on"}).content.decode()
    assert w.school_a.name in only and w.school_b.name not in only
    export = client.get(reverse("funding:claim-export"), {"exceeding": "on"})
    assert export.status_code == 200


def test_a_school_sees_its_own_claim_against_what_it_formed_and_not_another(client, formed):
    w = formed
    client.force_login(w.other_school_admin)
    assert client.get(reverse("funding:claim-detail", args=[w.claim_a.pk])).status_code == 404
    page = client.get(reverse("funding:claim-list"), {"exceeding": "on"}).content.decode()
    assert w.school_a.name not in page
