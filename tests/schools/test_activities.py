"""The activity catalogue (R9–R11) and partners (R11, R12): services and pages."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from schools.forms.activities import ActivityForm, PartnerForm
from schools.models import Activity, ActivityCategory, Partner
from schools.services.activities import TRAINING_INSTITUTION_MARKERS, activity_save, partner_save
from xiji_afterschool.errors import DomainError

# The categories of the plan (R9–R11), as the issue names them.
PLAN_CATEGORIES = [
    "作业辅导", "答疑辅导", "拓展学习", "文艺", "体育", "劳动", "阅读", "兴趣小组", "社团", "节庆展演",
    "观影观演观赛", "托管自习", "户外活动", "社会实践", "四点半课堂",
]  # fmt: skip
R12 = "Subject-type training institutions may not take part in after-school service."


def _partner(school, name="西吉县青少年活动中心", kind=Partner.Kind.YOUTH_CENTRE):
    return Partner.objects.create(school=school, name=name, kind=kind)


def _activity(school, name="篮球社", category=ActivityCategory.SPORTS, partner=None):
    return Activity.objects.create(school=school, name=name, category=category, partner=partner)


def _save_activity(world, **kw):
    args = {
        "actor": world.school_admin,
        "school": world.school_a,
        "name": "篮球社",
        "category": "sports",
        "partner": None,
    }
    return activity_save(**{**args, **kw})


# --- The categories ---


def test_every_category_of_the_plan_is_offered_and_nothing_else():
    labels = [str(label) for label in ActivityCategory.labels]
    assert len(ActivityCategory.values) == 15
    for name in PLAN_CATEGORIES:
        assert sum(name in label for label in labels) >= 1, name
    form = ActivityForm(partners=Partner.objects.none())
    assert [value for value, _ in form.fields["category"].choices] == ["", *ActivityCategory.values]
    assert not ActivityForm({"name": "数学", "category": ""}, partners=Partner.objects.none()).is_valid()


def test_list_page_groups_every_category_in_plan_order(client, world):
    partner = _partner(world.school_a)
    for i, category in enumerate(ActivityCategory.values):
        _activity(world.school_a, name=f"活动{i:02d}", category=category, partner=partner if i == 4 else None)
    _activity(world.school_b, name="乙校的活动", category=ActivityCategory.READING)
    client.force_login(world.service_teacher)
    response = client.get(reverse("schools:activity-list", args=[world.school_a.pk]))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [g["value"] for g in groups] == ActivityCategory.values
    assert [a.name for g in groups for a in g["activities"]] == [f"活动{i:02d}" for i in range(15)]
    assert response.context["empty_categories"] == []
    assert response.context["can_manage"] is False
    content = response.content.decode()
    assert "乙校的活动" not in content
    assert "西吉县青少年活动中心" in content
    assert reverse("schools:activity-create", args=[world.school_a.pk]) not in content


def test_list_page_names_the_categories_still_empty(client, world):
    _activity(world.school_a, name="合唱团", category=ActivityCategory.ARTS)
    client.force_login(world.school_admin)
    response = client.get(reverse("schools:activity-list", args=[world.school_a.pk]))
    assert [g["value"] for g in response.context["groups"]] == ["arts"]
    assert len(response.context["empty_categories"]) == 14
    assert response.context["can_manage"] is True
    assert reverse("schools:activity-create", args=[world.school_a.pk]) in response.content.decode()


@pytest.mark.parametrize("count", [3, 40])
def test_list_page_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries, count):
    partners = [_partner(world.school_a, name=f"伙伴{i}", kind=Partner.Kind.COMMUNITY) for i in range(3)]
    for i in range(count):
        category = ActivityCategory.values[i % 15]
        _activity(world.school_a, name=f"活动{i}", category=category, partner=partners[i % 3])
    client.force_login(world.school_admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("schools:activity-list", args=[world.school_a.pk]))
    assert response.context["activity_count"] == count


# --- Activities: the service ---


def test_admin_adds_an_activity_hosted_by_a_partner(world):
    partner = _partner(world.school_a)
    activity = _save_activity(world, name="  篮球社 ", partner=partner, description="每周二、四在操场")
    activity.refresh_from_db()
    assert (activity.school, activity.name, activity.category, activity.partner) == (
        world.school_a,
        "篮球社",
        "sports",
        partner,
    )
    assert activity.description == "每周二、四在操场"


@pytest.mark.parametrize("category", ["补课", "新授", "makeup", "new_content", ""])
def test_service_refuses_a_category_outside_the_plan(world, english, category):
    with pytest.raises(DomainError) as exc:
        _save_activity(world, name="数学课", category=category)
    assert "not for new lessons" in exc.value.message
    assert Activity.objects.count() == 0


def test_activity_names_are_unique_per_school(world, english):
    first = _save_activity(world, name="合唱团", category="arts")
    with pytest.raises(DomainError) as exc:
        _save_activity(world, name=" 合唱团", category="clubs")
    assert exc.value.message == "The school already has an activity called 合唱团."
    assert Activity.objects.count() == 1
    # Saving the activity under its own name is no clash; another school may use the same name.
    assert _save_activity(world, activity=first, name="合唱团", category="clubs").category == "clubs"
    activity_save(actor=world.other_school_admin, school=world.school_b, name="合唱团", category="arts", partner=None)
    assert Activity.objects.filter(name="合唱团").count() == 2


def test_activity_cannot_use_another_schools_partner(world, english):
    theirs = _partner(world.school_b, name="乙乡青少年活动中心")
    with pytest.raises(DomainError) as exc:
        _save_activity(world, partner=theirs)
    assert exc.value.message == "Choose one of this school's partners."
    mine = _save_activity(world, partner=None)
    with pytest.raises(DomainError):
        _save_activity(world, activity=mine, partner=theirs)
    mine.refresh_from_db()
    assert mine.partner is None and Activity.objects.count() == 1


def test_only_the_schools_administrator_may_change_the_catalogue(world):
    for actor in (world.service_teacher, world.volunteer, world.township, world.bureau, world.other_school_admin):
        with pytest.raises(PermissionDenied):
            _save_activity(world, actor=actor)
        with pytest.raises(PermissionDenied):
            partner_save(actor=actor, school=world.school_a, name="吉强镇社区", kind="community")
    theirs = _activity(world.school_b, name="乙校篮球")
    with pytest.raises(PermissionDenied):
        activity_save(
            actor=world.school_admin, school=world.school_b, activity=theirs, name="x", category="sports", partner=None
        )
    assert Activity.objects.count() == 1 and Partner.objects.count() == 0


def test_service_refuses_bad_fields_with_a_message(world):
    with pytest.raises(DomainError):
        _save_activity(world, name="   ")
    with pytest.raises(DomainError):
        _save_activity(world, name="长" * 61)
    assert Activity.objects.count() == 0


# --- Partners: the service ---


@pytest.mark.parametrize(
    "name",
    [
        "西吉县启航培训学校",
        "西吉县学而思培训中心",
        "宁夏智博教育培训有限公司",
        "吉强镇小状元辅导班",
        "西吉县英才补习学校",
        "西吉县学科培训部",
        "阳光课外辅导",
        "某某校外培训机构",
        "Bright Star Tutoring Centre",
        "XIJI TRAINING SCHOOL",
        "Sunshine tutoring  center",
    ],
)
def test_partner_named_as_a_training_institution_is_refused(world, english, name):
    for kind in Partner.Kind.values:
        with pytest.raises(DomainError) as exc:
            partner_save(actor=world.school_admin, school=world.school_a, name=name, kind=kind)
        assert exc.value.message == R12
    assert Partner.objects.count() == 0


def test_renaming_a_partner_into_a_training_institution_is_refused(world, english):
    partner = _partner(world.school_a, name="吉强镇社区", kind=Partner.Kind.COMMUNITY)
    with pytest.raises(DomainError):
        partner_save(
            actor=world.school_admin, school=world.school_a, partner=partner, name="吉强镇补习中心", kind="community"
        )
    partner.refresh_from_db()
    assert partner.name == "吉强镇社区"


def test_markers_are_a_module_level_tuple_with_the_required_words():
    assert isinstance(TRAINING_INSTITUTION_MARKERS, tuple)
    for marker in ("培训学校", "培训中心", "培训机构", "辅导班", "补习", "教育培训", "学科培训", "课外辅导"):
        assert marker in TRAINING_INSTITUTION_MARKERS


@pytest.mark.parametrize(
    "name, kind",
    [
        ("西吉县青少年活动中心", Partner.Kind.YOUTH_CENTRE),
        ("吉强镇乡村学校少年宫", Partner.Kind.YOUTH_PALACE),
        ("吉强镇社区", Partner.Kind.COMMUNITY),
        ("宁夏六盘山文化传媒有限公司", Partner.Kind.ENTERPRISE),
        ("西吉县农家教育实践基地", Partner.Kind.ENTERPRISE),
    ],
)
def test_partners_of_each_kind_are_accepted(world, name, kind):
    partner = partner_save(
        actor=world.school_admin, school=world.school_a, name=name, kind=kind, contact="马老师 13909541234"
    )
    partner.refresh_from_db()
    assert (partner.school, partner.name, partner.kind, partner.contact) == (
        world.school_a,
        name,
        kind,
        "马老师 13909541234",
    )


@pytest.mark.parametrize("kind", ["training", "subject_training", "学科类校外培训机构", ""])
def test_partner_kind_outside_the_four_is_refused(world, kind):
    with pytest.raises(DomainError):
        partner_save(actor=world.school_admin, school=world.school_a, name="某机构", kind=kind)
    assert not PartnerForm({"name": "某机构", "kind": kind}).is_valid()
    assert Partner.objects.count() == 0


def test_partner_names_are_unique_per_school(world, english):
    first = partner_save(actor=world.school_admin, school=world.school_a, name="吉强镇社区", kind="community")
    with pytest.raises(DomainError) as exc:
        partner_save(actor=world.school_admin, school=world.school_a, name="吉强镇社区 ", kind="enterprise")
    assert exc.value.message == "The school already has a partner called 吉强镇社区."
    partner_save(
        actor=world.school_admin, school=world.school_a, partner=first, name="吉强镇社区", kind="community", contact="x"
    )
    partner_save(actor=world.other_school_admin, school=world.school_b, name="吉强镇社区", kind="community")
    assert Partner.objects.count() == 2


# --- Pages ---


def test_admin_adds_an_activity_through_the_page(client, world):
    partner = _partner(world.school_a)
    client.force_login(world.school_admin)
    url = reverse("schools:activity-create", args=[world.school_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"name": "剪纸兴趣小组", "category": "interest", "partner": partner.pk, "description": "非遗剪纸"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("schools:activity-list", args=[world.school_a.pk])
    activity = Activity.objects.get()
    assert (activity.name, activity.category, activity.partner, activity.school) == (
        "剪纸兴趣小组",
        "interest",
        partner,
        world.school_a,
    )


def test_admin_edits_an_activity_through_the_page(client, world):
    activity = _activity(world.school_a, name="篮球社")
    client.force_login(world.school_admin)
    url = reverse("schools:activity-edit", args=[world.school_a.pk, activity.pk])
    response = client.get(url)
    assert response.context["form"].initial["name"] == "篮球社"
    response = client.post(url, {"name": "篮球队", "category": "clubs", "partner": "", "description": ""})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.name, activity.category) == ("篮球队", "clubs")


@pytest.mark.parametrize("category", ["补课", "新授", "new_lesson"])
def test_crafted_category_is_refused_by_the_form(client, world, category):
    client.force_login(world.school_admin)
    response = client.post(
        reverse("schools:activity-create", args=[world.school_a.pk]), {"name": "数学", "category": category}
    )
    assert response.status_code == 200
    assert "category" in response.context["form"].errors
    assert Activity.objects.count() == 0


def test_crafted_category_on_edit_leaves_the_activity_alone(client, world):
    activity = _activity(world.school_a, name="篮球社")
    client.force_login(world.school_admin)
    response = client.post(
        reverse("schools:activity-edit", args=[world.school_a.pk, activity.pk]), {"name": "篮球社", "category": "补课"}
    )
    assert response.status_code == 200
    activity.refresh_from_db()
    assert activity.category == "sports"


def test_another_schools_partner_is_refused_by_the_form(client, world):
    theirs = _partner(world.school_b, name="乙乡少年宫", kind=Partner.Kind.YOUTH_PALACE)
    client.force_login(world.school_admin)
    response = client.post(
        reverse("schools:activity-create", args=[world.school_a.pk]),
        {"name": "篮球社", "category": "sports", "partner": theirs.pk},
    )
    assert response.status_code == 200
    assert "partner" in response.context["form"].errors
    assert Activity.objects.count() == 0


def test_duplicate_activity_name_shows_a_message(client, world, english):
    _activity(world.school_a, name="篮球社")
    client.force_login(world.school_admin)
    response = client.post(
        reverse("schools:activity-create", args=[world.school_a.pk]), {"name": "篮球社", "category": "clubs"}
    )
    assert response.status_code == 200
    assert "The school already has an activity called 篮球社." in [str(m) for m in response.context["messages"]]
    assert Activity.objects.count() == 1


def test_admin_adds_and_edits_a_partner_through_the_page(client, world):
    client.force_login(world.school_admin)
    response = client.post(
        reverse("schools:partner-create", args=[world.school_a.pk]),
        {"name": "吉强镇社区", "kind": "community", "contact": "马主任 0954-1234567"},
    )
    assert response.status_code == 302
    partner = Partner.objects.get()
    assert (partner.school, partner.kind, partner.contact) == (world.school_a, "community", "马主任 0954-1234567")
    response = client.post(
        reverse("schools:partner-edit", args=[world.school_a.pk, partner.pk]),
        {"name": "吉强镇东关社区", "kind": "community", "contact": ""},
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.name, partner.contact) == ("吉强镇东关社区", "")


def test_training_institution_is_refused_through_the_page(client, world, english):
    client.force_login(world.school_admin)
    url = reverse("schools:partner-create", args=[world.school_a.pk])
    response = client.post(url, {"name": "西吉县状元辅导班", "kind": "enterprise"})
    assert response.status_code == 200
    assert R12 in [str(m) for m in response.context["messages"]]
    response = client.post(url, {"name": "某公司", "kind": "training_institution"})
    assert response.status_code == 200 and "kind" in response.context["form"].errors
    assert Partner.objects.count() == 0


def test_teacher_may_read_the_catalogue_but_not_change_it(client, world):
    activity = _activity(world.school_a, name="篮球社")
    partner = _partner(world.school_a)
    client.force_login(world.service_teacher)
    assert client.get(reverse("schools:activity-list", args=[world.school_a.pk])).status_code == 200
    posts = [
        (reverse("schools:activity-create", args=[world.school_a.pk]), {"name": "新活动", "category": "sports"}),
        (
            reverse("schools:activity-edit", args=[world.school_a.pk, activity.pk]),
            {"name": "改名", "category": "sports"},
        ),
        (reverse("schools:partner-create", args=[world.school_a.pk]), {"name": "新伙伴", "kind": "community"}),
        (
            reverse("schools:partner-edit", args=[world.school_a.pk, partner.pk]),
            {"name": "改名", "kind": "community"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert list(Activity.objects.values_list("name", flat=True)) == ["篮球社"]
    assert list(Partner.objects.values_list("name", flat=True)) == ["西吉县青少年活动中心"]


def test_another_schools_admin_gets_404_and_writes_nothing(client, world):
    activity = _activity(world.school_a, name="篮球社")
    partner = _partner(world.school_a)
    client.force_login(world.other_school_admin)
    a, b = world.school_a.pk, world.school_b.pk
    assert client.get(reverse("schools:activity-list", args=[a])).status_code == 404
    assert (
        client.post(reverse("schools:activity-create", args=[a]), {"name": "x", "category": "sports"}).status_code
        == 404
    )
    data = {"name": "x", "category": "sports"}
    assert client.post(reverse("schools:activity-edit", args=[a, activity.pk]), data).status_code == 404
    # Their own school in the URL does not reach school_a's rows either.
    assert client.post(reverse("schools:activity-edit", args=[b, activity.pk]), data).status_code == 404
    assert (
        client.post(
            reverse("schools:partner-edit", args=[b, partner.pk]), {"name": "x", "kind": "community"}
        ).status_code
        == 404
    )
    activity.refresh_from_db()
    partner.refresh_from_db()
    assert (activity.name, partner.name, Activity.objects.count()) == ("篮球社", "西吉县青少年活动中心", 1)
