import pytest
from django.urls import reverse

from schools.models import Role

from ..factories import StudentFactory, link_guardian, user_with_role


def _page(client, user, name, *args, **params):
    client.force_login(user)
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "actor, home",
    [
        ("parent", "enrollment:parent-home"),
        ("class_teacher", "enrollment:class-home"),
        ("service_teacher", "schools:teacher-today"),
        ("volunteer", "schools:teacher-today"),
        ("school_admin", "schools:school-home"),
        ("township", "schools:township-home"),
        ("bureau", "bureau:home"),
        ("finance", "funding:finance-home"),
        ("inspector", "bureau:inspector-home"),
        ("hr", "funding:hr-home"),
    ],
)
def test_each_role_lands_on_its_own_home(client, world, actor, home):
    client.force_login(getattr(world, actor))
    assert client.get(reverse("home"))["Location"] == reverse(home)


def test_a_teacher_who_is_also_a_parent_sees_both_homes_in_the_menu(client, world):
    user_with_role(Role.PARENT, user=world.class_teacher)
    link_guardian(world.child_b, user=world.class_teacher, relation="mother")
    page = _page(client, world.class_teacher, "enrollment:parent-home")
    assert reverse("enrollment:class-home") in page and reverse("enrollment:parent-home") in page
    assert "杨小花" in page  # their own child at another school
    # Being a parent at school_b does not open school_b's class pages to them.
    assert client.get(reverse("schools:student-detail", args=[world.child_a2.pk])).status_code == 404


def test_user_without_role_gets_an_explanation(client, db):
    from ..factories import UserFactory

    page = _page(client, UserFactory(), "home")
    assert "尚未分配角色" in page


def test_parent_home_lists_only_own_children(client, world):
    page = _page(client, world.parent, "enrollment:parent-home")
    assert "马小明" in page and "李小红" not in page and "杨小花" not in page


def test_id_number_is_whole_for_the_school_admin_and_masked_for_others(client, world):
    whole = world.child.id_number
    masked = world.child.masked_id_number
    assert masked.count("*") == 8
    for actor in ("school_admin",):
        page = _page(client, getattr(world, actor), "schools:student-detail", world.child.pk)
        assert whole in page
    for actor in ("parent", "class_teacher", "township", "bureau", "inspector"):
        page = _page(client, getattr(world, actor), "schools:student-detail", world.child.pk)
        assert whole not in page and masked in page, actor


def test_guardian_mobile_is_masked_for_the_class_teacher(client, world):
    mobile = world.child.guardian_links.get().guardian.mobile
    page = _page(client, world.class_teacher, "schools:student-detail", world.child.pk)
    assert mobile not in page and mobile[:3] + "****" + mobile[-4:] in page


def test_class_teacher_student_list_holds_only_their_class(client, world):
    page = _page(client, world.class_teacher, "schools:student-list")
    assert "马小明" in page and "李小红" in page and "王小军" not in page and "杨小花" not in page


def test_student_search_by_name(client, world):
    page = _page(client, world.school_admin, "schools:student-list", q="小红")
    assert "李小红" in page and "马小明" not in page


def test_township_coordinator_sees_only_schools_of_the_township(client, world):
    page = _page(client, world.township, "schools:school-list")
    assert "甲乡中心小学" in page and "乙乡中心小学" not in page


def test_school_list_filter_by_township_for_the_bureau(client, world):
    page = _page(client, world.bureau, "schools:school-list", township=world.township_b.pk)
    assert "乙乡中心小学" in page and "甲乡中心小学" not in page


def test_bad_filter_values_are_ignored_not_500(client, world):
    page = _page(client, world.bureau, "schools:school-list", township="abc", school_type="castle", page="x")
    assert "甲乡中心小学" in page
    page = _page(client, world.school_admin, "schools:student-list", admin_class="zz", page="999")
    assert "学生" in page


def test_student_list_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.school_admin)
    client.get(reverse("schools:student-list"))  # warm the session
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("schools:student-list"))
    for _ in range(40):
        StudentFactory(admin_class=world.class_a1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("schools:student-list"))


def test_county_console_counts(client, world):
    page = _page(client, world.bureau, "bureau:home")
    assert "甲乡" in page and "乙乡" in page


def test_student_counts_per_school_and_township_as_the_viewer_sees_them(world):
    """The counts moved from a join over every student to a count per school (issue 16): the same numbers."""
    from schools.models import School, Student
    from schools.selectors import roster

    w = world
    StudentFactory(admin_class=w.class_b1)  # one more at school_b
    for viewer in (w.bureau, w.township):
        schools = list(roster.school_list(viewer=viewer, with_student_count=True))
        assert schools and all(s.student_count == Student.objects.filter(school=s).count() for s in schools)
        summary = {r["township"].pk: r for r in roster.township_summary(viewer=viewer)}
        for township_id in {s.township_id for s in schools}:
            seen = [s for s in schools if s.township_id == township_id]
            assert summary[township_id]["schools"] == len(seen)
            assert summary[township_id]["students"] == sum(s.student_count for s in seen)
    township_schools = {s.pk for s in roster.school_list(viewer=w.township)}
    assert w.school_b.pk not in township_schools  # school_b lies in another township: not counted for it
    assert (
        sum(r["students"] for r in roster.township_summary(viewer=w.township))
        == Student.objects.filter(school__in=township_schools).count()
    )
    empty = School.objects.create(code="6404229999", name="空校", school_type=School.Type.PRIMARY,
                                  township=w.school_a.township)  # fmt: skip
    assert roster.school_list(viewer=w.bureau, with_student_count=True).get(pk=empty.pk).student_count == 0
    totals = roster.county_totals()
    assert (totals["students"], totals["schools"]) == (Student.objects.count(), School.objects.count())
    assert totals["boarders"] == Student.objects.filter(is_boarder=True).count()
