"""Passwords (issue 13 §2, 等保 identity checks): the rules, in Chinese; the change page; the forced change at the
next sign-in; resets by a school administrator and by the bureau, recorded, and who may not reset whom."""

import re

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from schools.models import PasswordReset, Role, User
from schools.rules import passwords as rules

from ..factories import user_with_role

LOGIN = "/login/"
CHANGE = reverse("schools:password-change")
STAFF = reverse("schools:password-staff")
GOOD = "Qing-shui-2026"
CJK = re.compile(r"[\u4e00-\u9fff]")


def reset_url(user):
    return reverse("schools:password-reset", args=[user.pk])


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9")


@pytest.fixture
def person(db):
    return User(username="mazhang", mobile="13909540001", full_name="马章")


# ---------------------------------------------------------------- the rules

REFUSED = [
    ("xijixiji", "password_too_simple"),  # the example: lower case only
    ("Ab1!", "password_too_short"),
    ("abcdefgh1", "password_too_simple"),  # two classes
    ("Aa1-" * 33, "password_too_long"),  # 132 characters
    ("Mazhang-2026", "password_contains_identifier"),  # the username
    ("Tel13909540001", "password_contains_identifier"),  # the mobile
    ("Password1", "password_too_common"),
]


@pytest.mark.parametrize("password, code", REFUSED)
def test_each_rule_refuses_its_password(person, password, code):
    with pytest.raises(ValidationError) as caught:
        password_validation.validate_password(password, user=person)
    assert code in {error.code for error in caught.value.error_list}


@pytest.mark.parametrize("password", [GOOD, "xiji2026ABC", "西吉Xiji-2026", "Aa1-" * 32])
def test_a_password_of_three_classes_is_accepted(person, password):
    password_validation.validate_password(password, user=person)  # no error; 128 characters is the maximum


def test_a_temporary_password_passes_every_rule(person):
    seen = {rules.temporary_password() for _n in range(50)}
    assert len(seen) == 50
    for password in seen:
        password_validation.validate_password(password, user=person)


@pytest.mark.parametrize("password, code", REFUSED)
def test_every_message_and_help_text_is_in_chinese(person, password, code):
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as caught:
            password_validation.validate_password(password, user=person)
        texts = [*caught.value.messages, *password_validation.password_validators_help_texts()]
    for text in texts:
        assert CJK.search(text), text
        assert not re.search(r"[A-Za-z]{4,}", text.replace("%", "")), text  # no English word left


OURS = {"password_too_short", "password_too_simple", "password_too_long", "password_contains_identifier"}


def test_every_new_validator_message_has_a_chinese_entry(person):
    """Each of our validators' messages is in the compiled zh_Hans catalog (not English on a Chinese page)."""
    seen = set()
    with translation.override("zh-hans"):
        for password, _code in REFUSED:
            try:
                password_validation.validate_password(password, user=person)
            except ValidationError as error:
                for item in error.error_list:
                    if item.code in OURS:
                        seen.add(item.code)
                        assert CJK.search(str(item.message)), item.message
    assert seen == OURS


# ---------------------------------------------------------------- the change page


def test_everyone_reaches_the_change_page_from_the_top_bar(client, world):
    client.force_login(world.parent)
    assert CHANGE in client.get(reverse("schools:notification-list")).content.decode()
    assert client.get(CHANGE).status_code == 200


def test_changing_ones_own_password(client, world):
    user = world.class_teacher
    client.force_login(user)
    wrong = client.post(CHANGE, {"old_password": "nope", "new_password1": GOOD, "new_password2": GOOD})
    assert (wrong.status_code == 200 and "当前密码不正确" in wrong.content.decode()) or "not correct" in (
        wrong.content.decode()
    )
    weak = client.post(
        CHANGE, {"old_password": "pw-Xiji-2021", "new_password1": "xijixiji", "new_password2": "xijixiji"}
    )
    assert weak.status_code == 200
    user.refresh_from_db()
    assert user.check_password("pw-Xiji-2021")
    differ = client.post(CHANGE, {"old_password": "pw-Xiji-2021", "new_password1": GOOD, "new_password2": GOOD + "x"})
    assert differ.status_code == 200
    done = client.post(CHANGE, {"old_password": "pw-Xiji-2021", "new_password1": GOOD, "new_password2": GOOD})
    assert done.status_code == 302 and done["Location"] == reverse("home")
    user.refresh_from_db()
    assert user.check_password(GOOD) and not user.must_change_password
    assert client.get(CHANGE).status_code == 200  # still signed in (the session hash was updated)


def test_the_page_is_for_signed_in_people_only(client, db):
    assert client.get(CHANGE).status_code == 302


# ---------------------------------------------------------------- forced change at the next sign-in


def test_a_password_set_by_someone_else_must_be_changed_before_anything_else(client, world):
    user = world.service_teacher
    user.must_change_password = True
    user.save()
    assert sign_in(client, user.username, "pw-Xiji-2021").status_code == 302
    for url in (reverse("home"), reverse("schools:notification-list"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == CHANGE, url
    page = client.get(CHANGE)
    assert page.status_code == 200 and 'data-forced="1"' in page.content.decode()
    client.post(CHANGE, {"old_password": "pw-Xiji-2021", "new_password1": GOOD, "new_password2": GOOD})
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get(reverse("schools:notification-list")).status_code == 200


def test_signing_out_stays_possible_while_a_change_is_due(client, world):
    world.gate.must_change_password = True
    world.gate.save()
    client.force_login(world.gate)
    assert client.post(reverse("logout"))["Location"] == reverse("login")


def test_a_password_set_in_admin_must_be_changed(client, world):
    boss = User.objects.create_superuser("root", password=GOOD)
    client.force_login(boss)
    url = reverse("admin:auth_user_password_change", args=[world.volunteer.pk])
    response = client.post(url, {"password1": GOOD, "password2": GOOD, "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    world.volunteer.refresh_from_db()
    assert world.volunteer.check_password(GOOD) and world.volunteer.must_change_password


# ---------------------------------------------------------------- resets


def test_a_school_administrator_resets_a_teachers_password_shown_once_and_recorded(client, world):
    teacher = world.service_teacher
    client.force_login(world.school_admin)
    listing = client.get(STAFF).content.decode()
    assert reset_url(teacher) in listing and reset_url(world.class_teacher) in listing
    assert reset_url(world.other_school_admin) not in listing and reset_url(world.bureau) not in listing
    assert client.get(reset_url(teacher)).status_code == 200
    response = client.post(reset_url(teacher))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    temporary = re.search(r'data-temporary="1"[^>]*>([^<]+)<', response.content.decode()).group(1)
    teacher.refresh_from_db()
    assert teacher.check_password(temporary) and not teacher.check_password("pw-Xiji-2021")
    assert teacher.must_change_password
    record = PasswordReset.objects.get()
    assert (record.user, record.reset_by, record.school, record.role) == (
        teacher,
        world.school_admin,
        world.school_a,
        Role.SCHOOL_ADMIN,
    )
    assert str(teacher.full_name or teacher.username) in client.get(STAFF).content.decode()  # in "Latest resets"
    # The teacher signs in with it and must choose their own.
    client.logout()
    sign_in(client, teacher.username, temporary)
    assert client.get(reverse("home"))["Location"] == CHANGE
    client.post(CHANGE, {"old_password": temporary, "new_password1": GOOD, "new_password2": GOOD})
    teacher.refresh_from_db()
    assert teacher.check_password(GOOD) and not teacher.must_change_password


@pytest.mark.parametrize("whom", ["class_teacher", "volunteer", "gate", "care_staff"])
def test_the_school_administrator_resets_each_kind_of_school_staff(client, world, whom):
    client.force_login(world.school_admin)
    assert client.post(reset_url(getattr(world, whom))).status_code == 200
    assert getattr(world, whom).__class__.objects.get(pk=getattr(world, whom).pk).must_change_password


def test_the_bureau_resets_a_school_administrators_password(client, world):
    client.force_login(world.bureau)
    assert reset_url(world.school_admin) in client.get(STAFF).content.decode()
    assert client.post(reset_url(world.school_admin)).status_code == 200
    world.school_admin.refresh_from_db()
    assert world.school_admin.must_change_password
    record = PasswordReset.objects.get()
    assert record.reset_by == world.bureau and record.role == Role.BUREAU and record.school is None


def _refused(client, actor, target):
    client.force_login(actor)
    before = User.objects.get(pk=target.pk).password
    assert client.post(reset_url(target)).status_code == 404
    assert client.get(reset_url(target)).status_code == 404
    assert User.objects.get(pk=target.pk).password == before
    assert not PasswordReset.objects.exists()


def test_another_schools_teacher_is_404(client, world):
    _refused(client, world.school_admin, user_with_role(Role.SERVICE_TEACHER, school=world.school_b))


def test_a_teacher_who_also_works_at_another_school_is_not_the_administrators_to_reset(client, world):
    user_with_role(Role.VOLUNTEER, user=world.service_teacher, school=world.school_b)
    _refused(client, world.school_admin, world.service_teacher)


@pytest.mark.parametrize("target", ["other_school_admin", "bureau", "township", "finance", "parent"])
def test_the_school_administrator_may_not_reset_anyone_else(client, world, target):
    _refused(client, world.school_admin, getattr(world, target))


def test_a_teacher_holding_a_county_role_is_out_of_the_school_administrators_reach(client, world):
    user_with_role(Role.BUREAU, user=world.class_teacher)
    _refused(client, world.school_admin, world.class_teacher)


def test_no_reset_of_ones_own_or_a_superusers_password(client, world):
    boss = User.objects.create_superuser("root2", password=GOOD)
    user_with_role(Role.SERVICE_TEACHER, user=boss, school=world.school_a)
    _refused(client, world.school_admin, boss)
    _refused(client, world.school_admin, world.school_admin)


@pytest.mark.parametrize("target", ["service_teacher", "class_teacher", "finance", "township"])
def test_the_bureau_resets_only_school_administrators(client, world, target):
    _refused(client, world.bureau, getattr(world, target))


def test_the_bureau_may_not_reset_a_school_administrator_who_holds_a_county_role(client, world):
    user_with_role(Role.FINANCE, user=world.other_school_admin)
    _refused(client, world.bureau, world.other_school_admin)


@pytest.mark.parametrize("actor", ["class_teacher", "township", "finance", "auditor", "parent", "leadership"])
def test_nobody_else_resets(client, world, actor):
    _refused(client, getattr(world, actor), world.service_teacher)
