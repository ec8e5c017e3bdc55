"""The class teacher's home (issue 15 item 3): each child with this year's application, the number waiting for the
class teacher's review, 代录 only where there is nothing yet, and children of one name told apart."""

import datetime

import pytest
from django.urls import reverse

from enrollment.models import Application

from ..access.review import make_application
from ..factories import StudentFactory

pytestmark = pytest.mark.usefixtures("english")


def test_class_home_shows_each_childs_application_and_the_review_count(client, world):
    submitted = make_application(world.child, school_year=world.school_year)
    twin_a = StudentFactory(admin_class=world.class_a1, name="马玉龙", birth_date=datetime.date(2018, 3, 8))
    twin_b = StudentFactory(admin_class=world.class_a1, name="马玉龙", birth_date=datetime.date(2018, 11, 2))
    withdrawn = make_application(twin_a, school_year=world.school_year)
    Application.objects.filter(pk=withdrawn.pk).update(status=Application.Status.WITHDRAWN)
    client.force_login(world.class_teacher)
    response = client.get(reverse("enrollment:class-home"))
    assert response.status_code == 200
    rows = {row["student"].pk: row for row in response.context["rows"]}
    assert rows[world.child.pk]["application"] == submitted
    assert rows[twin_b.pk]["application"] is None
    assert response.context["waiting"] == 1
    page = response.content.decode()
    assert 'data-count="waiting">1 waiting' in page
    # 代录 only for a child with nothing yet; a submitted application shows its status and opens it
    assert reverse("enrollment:application-enter", args=[twin_b.pk]) in page
    assert reverse("enrollment:application-enter", args=[world.child.pk]) not in page
    assert reverse("enrollment:application-detail", args=[submitted.pk]) in page
    assert rows[twin_a.pk]["same_name"] and rows[twin_b.pk]["same_name"] and not rows[world.child.pk]["same_name"]
    assert "March 2018" in page and "November 2018" in page
    # another class of the same school is not on this page
    assert world.child_a2.pk not in rows


def test_class_home_costs_the_same_queries_for_more_children(client, world, django_assert_max_num_queries):
    client.force_login(world.class_teacher)
    client.get(reverse("enrollment:class-home"))
    for _ in range(15):
        make_application(StudentFactory(admin_class=world.class_a1), school_year=world.school_year)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("enrollment:class-home")).status_code == 200
