"""Service classes (组班, R19): forming and changing them, and the membership rules (the only writes of members).

Every refusal is checked with nothing written. Dates are computed from the world's current school year.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from schools.models import ActivityCategory, Membership, Role, ServiceClass, ServiceClassMember
from schools.services import classes as services
from xiji_afterschool.errors import DomainError

from ..factories import AdminClassFactory, StudentFactory, user_with_role

pytestmark = pytest.mark.usefixtures("english", "english_pages")


Kind = ServiceClass.Kind
TODAY = timezone.localdate


def make_class(w, *, name="书法一班", teacher="service_teacher", capacity=30, admin_classes=(), **fields):
    return services.service_class_save(
        actor=w.school_admin,
        school=w.school_a,
        school_year=w.school_year,
        name=name,
        kind=fields.get("kind", Kind.REGULAR),
        activity=fields.get("activity", ActivityCategory.ARTS),
        teacher=getattr(w, teacher) if teacher else None,
        capacity=capacity,
        admin_classes=admin_classes,
    )


def add(w, service_class, student, start=None):
    return services.service_class_add_member(
        actor=w.school_admin, service_class=service_class, student=student, start_date=start or TODAY()
    )


def counts():
    return ServiceClass.objects.count(), ServiceClassMember.objects.count()


# ---------------------------------------------------------------- forming a class


def test_admin_forms_a_class_mixing_grades_and_classes(world):
    class_a3 = AdminClassFactory(school=world.school_a, grade=5, number=2)
    sc = make_class(world, admin_classes=[world.class_a1, class_a3], capacity=25)
    sc.refresh_from_db()
    assert (sc.name, sc.kind, sc.activity, sc.teacher, sc.capacity, sc.created_by) == (
        "书法一班", "regular", "arts", world.service_teacher, 25, world.school_admin,
    )  # fmt: skip
    assert set(sc.admin_classes.all()) == {world.class_a1, class_a3}
    # every role that may be responsible at the school
    for i, who in enumerate(["volunteer", "class_teacher", "school_admin"]):  # the volunteer: a retired teacher
        assert make_class(world, name=f"班{i}", teacher=who).teacher == getattr(world, who)


@pytest.mark.parametrize("kind", [Membership.VolunteerKind.UNIVERSITY_STUDENT, Membership.VolunteerKind.PARENT])
def test_a_volunteer_who_is_not_a_teacher_assists_but_is_never_responsible(world, kind):
    """The plan: “每个班应安排1名教师” — a retired teacher may be the one responsible; other volunteers assist."""
    world.student_volunteer = user_with_role(Role.VOLUNTEER, school=world.school_a)
    Membership.objects.filter(user=world.student_volunteer).update(volunteer_kind=kind)
    with pytest.raises(DomainError, match="other volunteers assist"):
        make_class(world, teacher="student_volunteer")
    assert not ServiceClass.objects.filter(teacher=world.student_volunteer).exists()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"capacity": 0}, "between 1 and 80"),
        ({"capacity": 81}, "between 1 and 80"),
        ({"name": "  "}, "name"),
        ({"kind": "weekend"}, "kind of service"),
        ({"activity": "makeup_lessons"}, "activity"),
        ({"teacher": "parent"}, "cannot be responsible"),
        ({"teacher": "other_school_admin"}, "cannot be responsible"),
        ({"teacher": "township"}, "cannot be responsible"),
        ({"admin_classes": "class_b1"}, "own school"),
    ],
)
def test_forming_a_class_refuses_bad_input_and_writes_nothing(world, change, message):
    fields = {"name": "书法一班", "kind": Kind.REGULAR, "activity": ActivityCategory.ARTS, "capacity": 30}
    fields.update({k: v for k, v in change.items() if k not in ("teacher", "admin_classes")})
    before = counts()
    with pytest.raises(DomainError) as exc:
        services.service_class_save(
            actor=world.school_admin,
            school=world.school_a,
            school_year=world.school_year,
            teacher=getattr(world, change.get("teacher", "service_teacher")),
            admin_classes=[getattr(world, change["admin_classes"])] if "admin_classes" in change else [],
            **fields,
        )
    assert message in exc.value.message
    assert counts() == before


def test_an_inactive_teacher_cannot_be_responsible(world):
    world.service_teacher.is_active = False
    world.service_teacher.save()
    with pytest.raises(DomainError):
        make_class(world)
    assert not ServiceClass.objects.exists()


def test_names_are_unique_per_school_and_year_with_a_clear_message(world):
    make_class(world, name="书法一班")
    with pytest.raises(DomainError) as exc:
        make_class(world, name=" 书法一班 ", activity=ActivityCategory.SPORTS)
    assert "already has a service class named “书法一班”" in exc.value.message
    assert ServiceClass.objects.count() == 1
    # the same name at another school is fine
    teacher_b = user_with_role(Role.SERVICE_TEACHER, school=world.school_b)
    services.service_class_save(
        actor=world.other_school_admin, school=world.school_b, school_year=world.school_year, name="书法一班",
        kind=Kind.REGULAR, activity=ActivityCategory.ARTS, teacher=teacher_b, capacity=10,
    )  # fmt: skip
    assert ServiceClass.objects.count() == 2


@pytest.mark.parametrize("who", ["service_teacher", "class_teacher", "township", "bureau", "other_school_admin"])
def test_only_the_schools_admin_forms_classes(world, who):
    with pytest.raises(PermissionDenied):
        services.service_class_save(
            actor=getattr(world, who), school=world.school_a, school_year=world.school_year, name="x",
            kind=Kind.REGULAR, activity=ActivityCategory.ARTS, teacher=world.service_teacher, capacity=10,
        )  # fmt: skip
    assert not ServiceClass.objects.exists()


def test_changing_a_class_keeps_its_students(world):
    sc = make_class(world, capacity=3, admin_classes=[world.class_a1, world.class_a2])
    add(world, sc, world.child)
    add(world, sc, world.child_a2)

    def change(**kw):
        fields = {"name": sc.name, "kind": sc.kind, "activity": sc.activity, "teacher": world.service_teacher}
        fields.update(capacity=3, admin_classes=[world.class_a1, world.class_a2])
        fields.update(kw)
        return services.service_class_save(
            actor=world.school_admin, school=world.school_a, school_year=world.school_year, service_class=sc, **fields
        )

    refusals = [
        ({"capacity": 1}, "2 students are in this class"),
        ({"teacher": None}, "must keep a responsible teacher"),
        ({"kind": Kind.EXTENDED}, "kind of service can only change"),
        ({"admin_classes": [world.class_a1]}, "王小军"),
    ]
    for kw, message in refusals:
        with pytest.raises(DomainError) as exc:
            change(**kw)
        assert message in exc.value.message
        sc.refresh_from_db()
        assert (sc.capacity, sc.teacher_id, sc.kind) == (3, world.service_teacher.pk, "regular")
        assert sc.admin_classes.count() == 2
    change(capacity=2, activity=ActivityCategory.READING, name="阅读班", admin_classes=[])
    sc.refresh_from_db()
    assert (sc.name, sc.activity, sc.capacity, sc.admin_classes.count()) == ("阅读班", "reading", 2, 0)


def test_a_class_of_another_school_cannot_be_changed_through_this_school(world):
    sc = make_class(world)
    with pytest.raises((DomainError, PermissionDenied)):
        services.service_class_save(
            actor=world.other_school_admin, school=world.school_b, school_year=world.school_year, service_class=sc,
            name="x", kind=Kind.REGULAR, activity=ActivityCategory.ARTS, teacher=None, capacity=10,
        )  # fmt: skip
    sc.refresh_from_db()
    assert sc.name == "书法一班"


# ---------------------------------------------------------------- members


def test_adding_members_and_the_refusals_each_writing_nothing(world):
    no_teacher = make_class(world, name="无老师班", teacher=None)
    full = make_class(world, name="满员班", capacity=1)
    class_a1_only = make_class(world, name="三年级班", admin_classes=[world.class_a1])
    add(world, full, world.other_child)
    start = TODAY()
    cases = [
        (no_teacher, world.child, start, "A class without a responsible teacher cannot take students."),
        (full, world.child, start, "is full: all 1 places are taken"),
        (class_a1_only, world.child_b, start, "student of another school"),
        (class_a1_only, world.child_a2, start, "does not take students from"),
        (class_a1_only, world.child, world.school_year.end_date + datetime.timedelta(days=1), "outside the school"),
        (full, world.other_child, start, "already in 满员班"),
        (class_a1_only, world.other_child, start, "already has a place in 满员班"),
    ]
    for service_class, student, day, message in cases:
        before = counts()
        with pytest.raises(DomainError) as exc:
            add(world, service_class, student, day)
        assert message in exc.value.message, message
        assert counts() == before
    member = add(world, class_a1_only, world.child)
    assert (member.start_date, member.end_date, member.added_by) == (start, None, world.school_admin)


@pytest.mark.parametrize("who", ["service_teacher", "class_teacher", "township", "other_school_admin"])
def test_only_the_schools_admin_adds_members(world, who):
    sc = make_class(world)
    with pytest.raises(PermissionDenied):
        services.service_class_add_member(
            actor=getattr(world, who), service_class=sc, student=world.child, start_date=TODAY()
        )
    assert not ServiceClassMember.objects.exists()


def test_removing_a_member_frees_the_place_and_keeps_the_row(world):
    sc = make_class(world, capacity=1)
    add(world, sc, world.child)
    with pytest.raises(DomainError):
        add(world, sc, world.other_child)
    member = services.service_class_remove_member(
        actor=world.school_admin, service_class=sc, student=world.child, end_date=TODAY()
    )
    assert member.end_date == TODAY()
    add(world, sc, world.other_child)
    assert ServiceClassMember.objects.filter(service_class=sc).count() == 2
    with pytest.raises(DomainError) as exc:  # not (or no longer) in the class
        services.service_class_remove_member(
            actor=world.school_admin, service_class=sc, student=world.child, end_date=TODAY()
        )
    assert "is not in" in exc.value.message
    with pytest.raises(PermissionDenied):
        services.service_class_remove_member(
            actor=world.service_teacher, service_class=sc, student=world.other_child, end_date=TODAY()
        )


def test_a_place_left_in_the_future_is_freed_on_that_day(world):
    sc = make_class(world, capacity=1)
    start = world.school_year.start_date
    add(world, sc, world.child, start)
    leaves = start + datetime.timedelta(days=30)
    services.service_class_remove_member(
        actor=world.school_admin, service_class=sc, student=world.child, end_date=leaves
    )
    with pytest.raises(DomainError):  # still there before that day
        add(world, sc, world.other_child, leaves - datetime.timedelta(days=1))
    assert add(world, sc, world.other_child, leaves).start_date == leaves


def test_leaving_before_the_start_holds_the_place_for_no_day(world):
    sc = make_class(world)
    start = world.school_year.end_date - datetime.timedelta(days=5)
    add(world, sc, world.child, start)
    member = services.service_class_remove_member(
        actor=world.school_admin, service_class=sc, student=world.child, end_date=start - datetime.timedelta(days=9)
    )
    assert member.end_date == member.start_date == start


# ---------------------------------------------------------------- pages


def test_teachers_see_only_the_classes_they_teach(client, world):
    mine = make_class(world, name="我的班")
    theirs = make_class(world, name="别人的班", teacher="volunteer")
    client.force_login(world.service_teacher)
    page = client.get(reverse("schools:service-class-list", args=[world.school_a.pk])).content.decode()
    assert "我的班" in page and "别人的班" not in page
    assert client.get(reverse("schools:service-class-detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("schools:service-class-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("schools:service-class-edit", args=[mine.pk])).status_code == 403


def test_list_shows_counts_teacher_and_what_it_draws_from(client, world):
    AdminClassFactory(school=world.school_a, grade=3, number=2)
    AdminClassFactory(school=world.school_a, grade=4, number=2)  # so class_a2 alone is not the whole grade 4
    grade3 = list(world.school_a.admin_classes.filter(grade=3))
    sc = make_class(world, name="书法一班", capacity=2, admin_classes=[*grade3, world.class_a2])
    make_class(world, name="空班", teacher=None)
    add(world, sc, world.child)
    client.force_login(world.school_admin)
    page = client.get(reverse("schools:service-class-list", args=[world.school_a.pk])).content.decode()
    assert "1 / 2" in page and world.service_teacher.full_name in page
    assert "Grade 3 (all classes)" in page and "Grade 4 class 1" in page
    assert "No responsible teacher" in page
    detail = client.get(reverse("schools:service-class-detail", args=[sc.pk])).content.decode()
    assert "马小明" in detail and "Grade 3 class 1" in detail


def test_list_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.school_admin)
    url = reverse("schools:service-class-list", args=[world.school_a.pk])
    make_class(world, name="班0", admin_classes=[world.class_a1])
    client.get(url)
    with django_assert_max_num_queries(13) as few:  # 12, and one for the model-class badges ({% load funding %})
        client.get(url)
    for i in range(1, 8):
        sc = make_class(world, name=f"班{i}", admin_classes=[world.class_a1, world.class_a2])
        add(world, sc, StudentFactory(admin_class=world.class_a1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_create_page_posts_a_class_with_whole_grades(client, world):
    AdminClassFactory(school=world.school_a, grade=3, number=2)
    AdminClassFactory(school=world.school_a, grade=4, number=2)
    client.force_login(world.school_admin)
    url = reverse("schools:service-class-create", args=[world.school_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "篮球班", "kind": "regular", "activity": "sports", "teacher": world.volunteer.pk,
            "capacity": "40", "grades": ["3"], "admin_classes": [world.class_a2.pk],
        },
    )  # fmt: skip
    sc = ServiceClass.objects.get(name="篮球班")
    assert response.status_code == 302 and response["Location"] == reverse("schools:service-class-detail", args=[sc.pk])
    assert set(sc.admin_classes.values_list("grade", "number")) == {(3, 1), (3, 2), (4, 1)}
    # the edit form shows the whole grade ticked and the single class
    form = client.get(reverse("schools:service-class-edit", args=[sc.pk])).context["form"]
    assert form.initial["grades"] == [3] and form.initial["admin_classes"] == [world.class_a2.pk]


@pytest.mark.parametrize(
    "data",
    [
        {"capacity": "abc"},
        {"capacity": "81"},
        {"teacher": "999999"},
        {"admin_classes": ["zz"]},
        {"kind": "weekend"},
        {"name": "x" * 41},
    ],
)
def test_create_page_refuses_bad_input_without_error_pages(client, world, data):
    client.force_login(world.school_admin)
    post = {"name": "篮球班", "kind": "regular", "activity": "sports", "teacher": world.volunteer.pk, "capacity": "40"}
    post.update(data)
    response = client.post(reverse("schools:service-class-create", args=[world.school_a.pk]), post)
    assert response.status_code == 200
    assert not ServiceClass.objects.exists()


def test_create_page_shows_the_services_refusal(client, world):
    make_class(world, name="篮球班")
    client.force_login(world.school_admin)
    post = {"name": "篮球班", "kind": "regular", "activity": "sports", "teacher": world.volunteer.pk, "capacity": "40"}
    response = client.post(reverse("schools:service-class-create", args=[world.school_a.pk]), post)
    assert response.status_code == 200
    assert "already has a service class named" in response.content.decode()
    assert ServiceClass.objects.count() == 1
    # another school's class id in the form is not a choice: a form error, nothing written
    post.update(name="乙", admin_classes=[world.class_b1.pk])
    assert client.post(reverse("schools:service-class-create", args=[world.school_a.pk]), post).status_code == 200
    assert ServiceClass.objects.count() == 1


def test_edit_page_saves_and_refuses_lowering_the_capacity_below_the_students(client, world):
    sc = make_class(world, capacity=2)
    add(world, sc, world.child)
    add(world, sc, world.other_child)
    client.force_login(world.school_admin)
    url = reverse("schools:service-class-edit", args=[sc.pk])
    post = {"name": "书法二班", "kind": "regular", "activity": "arts", "teacher": world.service_teacher.pk}
    response = client.post(url, {**post, "capacity": "1"})
    assert response.status_code == 200 and "2 students are in this class" in response.content.decode()
    sc.refresh_from_db()
    assert (sc.name, sc.capacity) == ("书法一班", 2)
    assert client.post(url, {**post, "capacity": "5"}).status_code == 302
    sc.refresh_from_db()
    assert (sc.name, sc.capacity) == ("书法二班", 5)
