"""Coverage (R3, R2): the numbers of a small school worked out by hand, the county table, scope, query counts and
the Excel export. Definitions: enrollment/coverage.py."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from enrollment.models import Application
from enrollment.selectors import coverage
from schools.models import Role

from ..access.hours import make_service_class
from ..access.review import make_application
from ..factories import (
    AdminClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    StudentFactory,
    link_guardian,
    user_with_role,
)
from ..factories_enrollment import application

pytestmark = pytest.mark.usefixtures("english_pages")

S = Application.Status
D = Decimal
KEYS = ("students", "applicants", "in_review", "approved", "placed", "waiting", "withdrawn", "not_placed", "coverage")


def numbers(row: dict, keys=KEYS) -> dict:
    return {k: row[k] for k in keys if k in row}


def n(students=None, applicants=0, in_review=0, approved=0, placed=0, waiting=0, withdrawn=0, coverage=None):
    row = {"students": students} if students is not None else {}
    row.update(
        applicants=applicants, in_review=in_review, approved=approved, placed=placed, waiting=waiting,
        withdrawn=withdrawn, not_placed=applicants - withdrawn - placed, coverage=coverage,
    )  # fmt: skip
    return row


@pytest.fixture
def w(world):
    """A village primary school of township_a (no filed plan): grade 1 has 6 children, grade 2 has 4.

    grade 1: s1 submitted (dual) · s2 class_approved (dual, migrant) · s3 approved (hardship) · s4 placed (dual)
             · s5 withdrew (hardship) and applied again, now active (disability) · s6 did not apply (placed last year)
    grade 2: t1 waiting (dual, hardship) · t2 withdrew twice (migrant on one) · t3 returned · t4 active (disability)
    Elsewhere: school_b's child_b is placed; school_a has a filed plan and nobody applied.
    """
    school = SchoolFactory(
        name="丙村小学", school_type="village", township=world.township_a, central_school=world.school_a
    )
    g1, g2 = AdminClassFactory(school=school, grade=1, number=1), AdminClassFactory(school=school, grade=2, number=1)
    s = [StudentFactory(admin_class=g1, name=f"一年级{i}") for i in range(1, 7)]
    t = [StudentFactory(admin_class=g2, name=f"二年级{i}") for i in range(1, 5)]
    world.village = school
    world.village_admin = user_with_role(Role.SCHOOL_ADMIN, school=school)
    application(s[0], status=S.SUBMITTED, dual_working=True)
    application(s[1], status=S.CLASS_APPROVED, dual_working=True, migrant_child=True)
    application(s[2], status=S.APPROVED, economic_hardship=True)
    application(s[3], status=S.PLACED, dual_working=True)
    application(s[4], status=S.WITHDRAWN, economic_hardship=True)
    application(s[4], status=S.ACTIVE, disability=True)
    # Last year's: the services know only the current year, so this one is built directly.
    make_application(s[5], school_year=SchoolYearFactory(name="上一学年"), status=S.ACTIVE)
    application(t[0], status=S.WAITING, dual_working=True, economic_hardship=True)
    application(t[1], status=S.WITHDRAWN, migrant_child=True)
    application(t[1], status=S.WITHDRAWN)
    application(t[2], status=S.RETURNED)
    application(t[3], status=S.ACTIVE, disability=True)
    application(world.child_b, status=S.PLACED)
    return world


GRADE_1 = n(6, applicants=5, in_review=2, approved=3, placed=2, coverage=D("40.0"))
GRADE_2 = n(4, applicants=4, in_review=1, approved=2, placed=1, waiting=1, withdrawn=1, coverage=D("25.0"))
VILLAGE = n(10, applicants=9, in_review=3, approved=5, placed=3, waiting=1, withdrawn=1, coverage=D("33.3"))
GROUPS_BY_GRADE = {  # group -> (grade 1, grade 2, school)
    "dual_working": (
        n(applicants=3, in_review=2, approved=1, placed=1, coverage=D("33.3")),
        n(applicants=1, approved=1, waiting=1, coverage=D("0.0")),
        n(applicants=4, in_review=2, approved=2, placed=1, waiting=1, coverage=D("25.0")),
    ),
    "migrant_child": (
        n(applicants=1, in_review=1, coverage=D("0.0")),
        n(applicants=1, withdrawn=1, coverage=D("0.0")),
        n(applicants=2, in_review=1, withdrawn=1, coverage=D("0.0")),
    ),
    "disability": (
        n(applicants=1, approved=1, placed=1, coverage=D("100.0")),
        n(applicants=1, approved=1, placed=1, coverage=D("100.0")),
        n(applicants=2, approved=2, placed=2, coverage=D("100.0")),
    ),
    "economic_hardship": (  # s5's hardship was on the withdrawn application that the active one replaced
        n(applicants=1, approved=1, coverage=D("0.0")),
        n(applicants=1, approved=1, waiting=1, coverage=D("0.0")),
        n(applicants=2, approved=2, waiting=1, coverage=D("0.0")),
    ),
}


def test_school_numbers_by_grade_and_priority_group_match_the_hand_count(w):
    data = coverage.school_coverage(viewer=w.village_admin, school=w.village, school_year=w.school_year)
    assert [r["grade"] for r in data["grades"]] == [1, 2]
    assert numbers(data["grades"][0]) == GRADE_1
    assert numbers(data["grades"][1]) == GRADE_2
    assert numbers(data["total"]) == VILLAGE
    for group, (first, second, school) in GROUPS_BY_GRADE.items():
        assert numbers(data["grades"][0]["groups"][group]) == first, group
        assert numbers(data["grades"][1]["groups"][group]) == second, group
        assert numbers(data["total"]["groups"][group]) == school, group
    # applicants = in review + approved + withdrawn, always
    for row in [*data["grades"], data["total"]]:
        assert row["applicants"] == row["in_review"] + row["approved"] + row["withdrawn"]


def test_school_coverage_needs_the_right_to_see_it(w):
    for who in ("village_admin", "township", "bureau", "inspector"):
        coverage.school_coverage(viewer=getattr(w, who), school=w.village, school_year=w.school_year)
    for who in ("school_admin", "other_school_admin", "class_teacher", "finance", "parent"):
        with pytest.raises(PermissionDenied):
            coverage.school_coverage(viewer=getattr(w, who), school=w.village, school_year=w.school_year)


def test_school_page(w, client):
    client.force_login(w.village_admin)
    response = client.get(reverse("enrollment:coverage-school", args=[w.village.pk]))
    assert response.status_code == 200
    assert numbers(response.context["data"]["total"]) == VILLAGE
    html = response.content.decode()
    assert "33.3%" in html and "40.0%" in html and "Grade 2" in html and "Child of migrant workers" in html
    client.force_login(w.school_admin)  # the central school's admin does not see the village school at all
    assert client.get(reverse("enrollment:coverage-school", args=[w.village.pk])).status_code == 404
    client.force_login(w.class_teacher)  # sees school_a, may not read its coverage
    assert client.get(reverse("enrollment:coverage-school", args=[w.school_a.pk])).status_code == 403


def test_county_table_least_covered_first_with_totals_and_marks(w):
    data = coverage.county_coverage(viewer=w.bureau, school_year=w.school_year)
    rows = data["schools"]
    assert [r["school"] for r in rows] == [w.village, w.school_b, w.school_a]  # 33.3 %; 100 %; nobody applied
    assert numbers(rows[0]) == VILLAGE
    assert numbers(rows[1]) == n(1, applicants=1, approved=1, placed=1, coverage=D("100.0"))
    assert numbers(rows[2]) == n(3)
    # school_a has a filed plan but nobody applied and it formed no service class: a plan alone serves no child (R3).
    assert [(r["has_filed_plan"], r["offers_service"], r["needs_attention"]) for r in rows] == [
        (False, True, True), (False, True, True), (True, False, True),
    ]  # fmt: skip
    make_service_class(w.school_a, school_year=w.school_year, teacher=w.service_teacher, admin_classes=[w.class_a1])
    rows = coverage.county_coverage(viewer=w.bureau, school_year=w.school_year)["schools"]
    assert [(r["offers_service"], r["needs_attention"]) for r in rows if r["school"] == w.school_a] == [(True, False)]
    assert numbers(data["total"]) == n(14, applicants=10, in_review=3, approved=6, placed=4, waiting=1, withdrawn=1,
                                       coverage=D("40.0"))  # fmt: skip
    assert numbers(data["total"]["groups"]["disability"]) == GROUPS_BY_GRADE["disability"][2]


def test_county_table_is_scoped_and_filtered(w):
    def schools(viewer, **filters):
        return [r["school"] for r in coverage.county_coverage(viewer=viewer, school_year=w.school_year, **filters)["schools"]]  # fmt: skip

    assert schools(w.bureau, township_id=w.township_a.pk) == [w.village, w.school_a]
    assert schools(w.bureau, school_type="village") == [w.village]
    assert schools(w.inspector) == [w.village, w.school_b, w.school_a]
    assert schools(w.township) == [w.village, w.school_a]
    assert schools(w.school_admin) == [w.school_a]
    assert schools(w.class_teacher) == [] and schools(w.parent) == []
    # An admin of school_b who is also a parent at school_a sees only school_b's coverage.
    user_with_role(Role.PARENT, user=w.other_school_admin)
    link_guardian(w.child, user=w.other_school_admin, relation="mother", primary=False)
    assert schools(w.other_school_admin) == [w.school_b]


def _more_schools(w, count):
    for i in range(count):
        school = SchoolFactory(township=w.township_b)
        klass = AdminClassFactory(school=school, grade=1 + i % 6, number=1)
        application(StudentFactory(admin_class=klass), status=S.PLACED, disability=True)
        application(StudentFactory(admin_class=klass), status=S.WAITING)


def test_county_page_costs_the_same_for_3_or_12_schools(w, client, django_assert_max_num_queries):
    client.force_login(w.bureau)
    url = reverse("enrollment:coverage-county")
    with django_assert_max_num_queries(10):  # the same fixed count at both sizes (one is the service-class query)
        small = client.get(url)
    assert len(small.context["data"]["schools"]) == 3
    _more_schools(w, 9)
    with django_assert_max_num_queries(10):
        big = client.get(url)
    assert len(big.context["data"]["schools"]) == 12
    assert big.context["data"]["total"]["placed"] == 4 + 9 and big.context["data"]["total"]["waiting"] == 1 + 9


def test_school_page_costs_the_same_whatever_the_applications(w, client, django_assert_max_num_queries):
    client.force_login(w.bureau)
    url = reverse("enrollment:coverage-school", args=[w.village.pk])
    with django_assert_max_num_queries(10):
        client.get(url)
    klass = AdminClassFactory(school=w.village, grade=3, number=1)
    for _ in range(10):
        application(StudentFactory(admin_class=klass), status=S.ACTIVE)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert [r["grade"] for r in response.context["data"]["grades"]] == [1, 2, 3]


def test_county_page_shows_marks(w, client):
    client.force_login(w.bureau)
    html = client.get(reverse("enrollment:coverage-county"), {"township": w.township_a.pk}).content.decode()
    assert "丙村小学" in html and "乙乡中心小学" not in html
    assert "No filed plan" in html and "5 not placed" in html and "33.3%" in html


def test_excel_export_of_the_county_table(w, client):
    client.force_login(w.township)
    response = client.get(reverse("enrollment:coverage-county-export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:12] == (
        "Township", "School", "School type", "Students", "Applicants", "In review", "Approved", "Placed",
        "Waiting list", "Withdrawn", "Not placed yet", "Coverage (%)",
    )  # fmt: skip
    assert len(rows[0]) == 13 + 4 * 7
    assert [r[1] for r in rows[1:]] == ["丙村小学", "甲乡中心小学", None]  # the township's schools, then the total
    assert rows[0][12:14] == ("Filed plan", "Both parents work: Applicants")
    # the village school: its numbers, no filed plan, then the dual-working group's numbers
    assert rows[1][3:20] == (10, 9, 3, 5, 3, 1, 1, 5, 33.3, "No", 4, 2, 2, 1, 1, 0, 25)
    assert rows[3][:13] == ("Total", None, None, 13, 9, 3, 5, 3, 1, 1, 5, 33.3, None)  # empty cells read as None
