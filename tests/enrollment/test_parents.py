"""Parent accounts: registration with a mobile number, linking a child with the letter code (guessing throttled),
and the parent's home page (status, what changed, sign again, apply; a fixed number of queries)."""

import datetime
import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrollment.models import Agreement, Application, ApplicationEvent
from enrollment.services import agreements as agreement_services
from enrollment.services import parents as services
from schools.models import Guardian, Membership, Role, StudentGuardian, User
from xiji_afterschool import crypto
from xiji_afterschool.errors import DomainError

from ..access.parents import agreement_text, signed_application
from ..conftest import messages_of, pretend_today
from ..factories import GuardianFactory, StudentFactory, UserFactory, link_guardian, user_with_role
from ..schools import sms_senders

pytestmark = pytest.mark.usefixtures("english", "english_pages")

S = Application.Status
REGISTER = reverse("enrollment:register")
LINK = reverse("enrollment:child-link")
HOME = reverse("enrollment:parent-home")
PASSWORD = "Huangtu-2021-gaoyuan"


def send_code(client, mobile="139 0954 1234"):
    return client.post(REGISTER, {"step": "send", "mobile": mobile})


def register(client, *, code=None, **overrides):
    """Ask for a code for the mobile (unless `code` is given), then register with the code the sender received."""
    data = {"mobile": "139 0954 1234", "full_name": "马  海燕", "password1": PASSWORD, "password2": PASSWORD}
    data.update(overrides)
    if code is None:
        send_code(client, data["mobile"])
        code = sms_senders.CODES[-1][1] if sms_senders.CODES else "000000"
    return client.post(REGISTER, {"step": "register", "code": code, **data})


@pytest.fixture(autouse=True)
def sender(settings):
    settings.SMS_SENDER = "tests.schools.sms_senders.RecordingSender"
    sms_senders.SENT.clear()
    sms_senders.CODES.clear()


# ---------------------------------------------------------------- registration


def test_register_page_is_public_and_short(client, db):
    page = client.get(REGISTER).content.decode()
    assert page.count("<input") - page.count('type="hidden"') == 1  # the mobile; the rest once the code is sent
    assert 'inputmode="tel"' in page and 'name="step" value="send"' in page
    page = send_code(client).content.decode()
    assert page.count("<input") - page.count('type="hidden"') == 5  # mobile, code, name, password twice
    assert 'autocomplete="one-time-code"' in page and 'value="13909541234"' in page


def test_parent_registers_with_a_mobile_number_and_is_signed_in(client, db):
    response = register(client, mobile="+86 139-0954-1234")
    # No child yet: the next step is linking one with the code of the Letter to Parents (#15 §1).
    assert response.status_code == 302 and response["Location"] == LINK
    user = User.objects.by_mobile("13909541234").get()
    assert (user.username, user.mobile, user.full_name) == (
        crypto.parent_username("13909541234"),
        "13909541234",
        "马 海燕",
    )
    assert user.mobile_verified_at is not None, "the code proved the number: text messages may go to it"
    assert user.check_password(PASSWORD)
    assert list(Membership.objects.filter(user=user).values_list("role", "school")) == [(Role.PARENT, None)]
    assert [mobile for mobile, _code in sms_senders.CODES] == ["13909541234"]
    assert client.get(HOME).status_code == 200, "signed in"
    # and can sign in later with the mobile number
    client.logout()
    assert client.login(request=RequestFactory().post("/login/"), username="13909541234", password=PASSWORD)


def test_without_the_code_sent_to_the_mobile_nothing_is_created(client, db):
    send_code(client)
    right = sms_senders.CODES[-1][1]
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    response = register(client, code=wrong)
    assert response.status_code == 200 and "The code is wrong or has expired" in response.content.decode()
    assert User.objects.count() == 0
    # A code sent to another number does not register this one.
    send_code(client, "13909545555")
    assert register(client, code=sms_senders.CODES[-1][1]).status_code == 200
    assert User.objects.count() == 0


def test_a_verified_mobile_of_a_roster_guardian_links_the_children_at_once(client, world):
    """The school holds this mother's number for two children: the code proves it is hers, no link code needed."""
    guardian = link_guardian(world.child_a2, relation="mother")  # imported by the school, no account yet
    StudentGuardian.objects.create(student=world.other_child, guardian=guardian, relation="mother", is_primary=False)
    response = register(client, mobile=guardian.mobile)
    assert response["Location"] == HOME
    guardian.refresh_from_db()
    user = User.objects.by_mobile(guardian.mobile).get()
    assert guardian.user == user
    home = client.get(HOME).content.decode()
    assert world.child_a2.name in home and world.other_child.name in home
    assert f"{world.other_child.name}、{world.child_a2.name}" in " ".join(messages_of(response)) or (
        f"{world.child_a2.name}、{world.other_child.name}" in " ".join(messages_of(response))
    )
    # Linked the way a link code would have: the same StudentGuardian rows, now the account's.
    assert set(StudentGuardian.objects.filter(guardian__user=user).values_list("student", flat=True)) == {
        world.child_a2.pk,
        world.other_child.pk,
    }


def test_the_roster_guardian_is_attached_by_the_code_of_one_of_its_children(client, world):
    """An account whose number was never proved by SMS (opened before issue 14) still needs a child's link code."""
    guardian = link_guardian(world.child_a2, relation="mother")
    user = user_with_role(Role.PARENT, username=guardian.mobile, mobile=guardian.mobile)
    # The code of another family's child does not attach the roster record (nor create a second one).
    with pytest.raises(DomainError, match="another family"):
        services.child_link(actor=user, code=world.child_b.link_code, relation="mother")
    guardian.refresh_from_db()
    assert guardian.user is None
    # The code of the guardian's own child proves the letter reached this family: now it is theirs.
    services.child_link(actor=user, code=world.child_a2.link_code, relation="mother")
    guardian.refresh_from_db()
    assert guardian.user == user


def test_a_guardian_that_already_has_an_account_is_not_taken_over(client, world):
    owner = UserFactory()
    guardian = GuardianFactory(user=owner)
    register(client, mobile=guardian.mobile)
    guardian.refresh_from_db()
    assert guardian.user == owner
    assert User.objects.by_mobile(guardian.mobile).exists(), "the account is opened, without the children"


def test_a_mobile_already_registered_gets_the_same_answer_and_no_code(client, world):
    before = User.objects.count()
    fresh = send_code(client, "13909548888").content.decode()
    taken = send_code(client, world.parent.mobile).content.decode()
    strip = lambda page, mobile: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page).replace(mobile, "M")  # noqa: E731
    assert strip(fresh, "13909548888") == strip(taken, world.parent.mobile), "nothing tells the two apart"
    assert "already registered" not in taken
    assert [mobile for mobile, _code in sms_senders.CODES] == ["13909548888"], "no code to the registered number"
    assert sms_senders.SENT[-1][0] == world.parent.mobile and "already has an account" in sms_senders.SENT[-1][1]
    response = register(client, mobile=world.parent.mobile, code="123456")
    assert response.status_code == 200 and "The code is wrong or has expired" in response.content.decode()
    assert User.objects.count() == before


def test_a_mobile_registered_after_its_code_was_sent_is_refused_to_the_codes_holder(client, world):
    send_code(client, "13909547777")
    code = sms_senders.CODES[-1][1]
    user_with_role(Role.PARENT, username="13909547777", mobile="13909547777")  # in the same minute, elsewhere
    response = register(client, mobile="13909547777", code=code)
    assert response.status_code == 200 and "already registered" in response.content.decode()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"mobile": "1390954123"}, "11-digit mainland mobile"),
        ({"mobile": "23909541234"}, "11-digit mainland mobile"),
        ({"password2": PASSWORD + "x"}, "not the same"),
        ({"password1": "12345678", "password2": "12345678"}, "too common"),
        ({"password1": "Ab1", "password2": "Ab1"}, "too short"),
        ({"password1": "13909541234a", "password2": "13909541234a"}, "too similar"),
        ({"full_name": ""}, "This field is required"),
    ],
)
def test_bad_registration_input_is_refused_and_writes_nothing(client, db, overrides, message):
    response = register(client, **overrides)
    assert response.status_code == 200 and message in response.content.decode()
    assert User.objects.count() == 0 and Membership.objects.count() == 0


def test_a_code_survives_a_typo_in_the_password(client, db):
    """The form is checked before the code is used: fixing the password needs no new code."""
    send_code(client)
    code = sms_senders.CODES[-1][1]
    assert register(client, code=code, password2=PASSWORD + "x").status_code == 200
    assert register(client, code=code)["Location"] == LINK


def test_a_signed_in_user_is_sent_home_from_the_register_page(client, world):
    client.force_login(world.parent)
    assert client.get(REGISTER)["Location"] == reverse("home")
    assert send_code(client, "13909549999")["Location"] == reverse("home")
    assert register(client, mobile="13909549999", code="123456")["Location"] == reverse("home")
    assert not User.objects.by_mobile("13909549999").exists()
    assert sms_senders.SENT == []


# ---------------------------------------------------------------- linking a child


def test_parent_links_a_child_with_the_letter_code_typed_loosely(client, world):
    student = world.child_a2
    code = student.link_code
    loose = f" {code[:4].lower()} {code[4:].lower()} "
    client.force_login(world.parent)
    response = client.post(LINK, {"code": loose, "relation": "father"})
    assert response.status_code == 302 and response["Location"] == HOME
    link = StudentGuardian.objects.get(student=student)
    assert (link.guardian, link.relation, link.is_primary) == (world.parent.guardian, "father", True)
    assert "王小军 is now linked" in " ".join(messages_of(response))
    page = client.get(HOME).content.decode()
    assert "马小明" in page and "王小军" in page, "one parent, several children"


def test_linking_a_child_who_may_apply_leads_straight_to_the_childs_page(client, world):
    """#15 §1: with the school's agreement published, the next screen is the child's page (the letter, apply and
    sign); once the child has applied, linking again elsewhere leads home (the status)."""
    agreement_text(world)
    client.force_login(world.parent)
    response = client.post(LINK, {"code": world.child_a2.link_code, "relation": "father"})
    assert response["Location"] == reverse("enrollment:application-create", args=[world.child_a2.pk])
    signed_application(world, student=world.other_child, parent=world.other_parent)
    other = user_with_role(Role.PARENT, full_name="李二")  # other_child has applied: a second guardian goes home
    client.force_login(other)
    response = client.post(LINK, {"code": world.other_child.link_code, "relation": "father"})
    assert response["Location"] == HOME


def test_linking_creates_the_guardian_record_for_a_new_account(client, world):
    user = user_with_role(Role.PARENT, full_name="李桂兰")
    client.force_login(user)
    client.post(LINK, {"code": world.child.link_code, "relation": "grandmother"})
    guardian = Guardian.objects.get(user=user)
    assert (guardian.name, guardian.mobile) == ("李桂兰", user.mobile)
    links = StudentGuardian.objects.filter(student=world.child).order_by("pk")
    assert [(sg.guardian.user, sg.is_primary) for sg in links] == [(world.parent, True), (user, False)]
    assert "马小明" in client.get(HOME).content.decode(), "one child, several guardians"


def test_code_prefill_from_the_letter_link(client, world):
    client.force_login(world.parent)
    page = client.get(LINK, {"code": "ABCD2345"}).content.decode()
    assert 'value="ABCD2345"' in page


@pytest.mark.parametrize("code, message", [("ABCD234", "exactly 8"), ("ABCD-23!5", "exactly 8"), ("", "required")])
def test_badly_shaped_codes_are_refused_by_the_form(client, world, code, message):
    client.force_login(world.parent)
    response = client.post(LINK, {"code": code, "relation": "father"})
    assert message in response.content.decode()
    assert services.link_failures(world.parent) == 0, "a typo in the shape is not a guess"


def test_a_wrong_code_is_refused_clearly_and_counted(client, world):
    before = StudentGuardian.objects.count()
    client.force_login(world.parent)
    response = client.post(LINK, {"code": "ZZZZ9999", "relation": "father"})
    assert response.status_code == 200 and "No child has this code" in response.content.decode()
    assert StudentGuardian.objects.count() == before
    assert services.link_failures(world.parent) == 1


def test_a_code_already_used_by_this_parent_is_refused_clearly(client, world):
    before = StudentGuardian.objects.count()
    client.force_login(world.parent)
    response = client.post(LINK, {"code": world.child.link_code, "relation": "father"})
    assert "马小明 is already linked to your account" in response.content.decode()
    assert StudentGuardian.objects.count() == before
    assert services.link_failures(world.parent) == 0


def test_guessing_codes_is_throttled_per_account(client, world):
    client.force_login(world.parent)
    for n in range(services.LINK_FAILURE_LIMIT):
        client.post(LINK, {"code": f"WRONG{n:03d}".replace("0", "A").replace("1", "B"), "relation": "father"})
    response = client.post(LINK, {"code": world.child_a2.link_code, "relation": "father"})
    assert "Too many wrong codes" in response.content.decode()
    assert not StudentGuardian.objects.filter(student=world.child_a2).exists()
    # Another parent is not affected.
    client.force_login(world.other_parent)
    client.post(LINK, {"code": world.child_a2.link_code, "relation": "mother"})
    assert StudentGuardian.objects.filter(student=world.child_a2).count() == 1


def test_only_parents_link_children(client, world):
    for actor in (world.class_teacher, world.school_admin, world.bureau):
        client.force_login(actor)
        assert client.post(LINK, {"code": world.child.link_code, "relation": "father"}).status_code == 403


# ---------------------------------------------------------------- the parent's home page


@pytest.fixture
def open_year(world):
    world.school_year.application_deadline = world.school_year.end_date
    world.school_year.save()
    agreement_text(world)
    return world


def test_home_offers_apply_when_open_and_a_late_application_after_the_deadline(client, open_year, monkeypatch):
    w = open_year
    client.force_login(w.parent)
    page = client.get(HOME).content.decode()
    assert reverse("enrollment:application-create", args=[w.child.pk]) in page
    assert reverse("enrollment:child-link") in page
    assert reverse("enrollment:letter-detail", args=[w.school_a.pk]) in page

    later = w.school_year.start_date + datetime.timedelta(days=60)
    w.school_year.application_deadline = later - datetime.timedelta(days=1)
    w.school_year.save()
    pretend_today(monkeypatch, later)
    page = client.get(HOME).content.decode()
    # No dead end (#15 §2): a late application, which the school accepts or puts on its waiting list.
    assert reverse("enrollment:application-create", args=[w.child.pk]) in page
    assert "Read the letter and apply late" in page and "still send a late application" in page


def test_home_shows_status_and_the_newest_change(client, open_year):
    w = open_year
    app = signed_application(w)
    ApplicationEvent.objects.create(
        application=app, action="class_return", from_status=S.SUBMITTED, to_status=S.RETURNED, actor=w.class_teacher,
        note="请补充接送人",
    )  # fmt: skip
    Application.objects.filter(pk=app.pk).update(status=S.RETURNED)
    client.force_login(w.parent)
    page = client.get(HOME).content.decode()
    assert "Returned to the parent" in page and "Returned by the class teacher" in page and "请补充接送人" in page
    assert reverse("enrollment:application-detail", args=[app.pk]) in page
    assert reverse("enrollment:application-create", args=[w.child.pk]) not in page


def test_home_asks_to_sign_the_new_agreement(client, open_year):
    w = open_year
    app = signed_application(w)
    client.force_login(w.parent)
    assert reverse("enrollment:agreement-resign", args=[app.pk]) not in client.get(HOME).content.decode()
    agreement_services.agreement_text_publish(
        actor=w.school_admin, school=w.school_a, school_year=w.school_year, body="第二版协议书正文。" * 10
    )
    page = client.get(HOME).content.decode()
    assert "Please read and sign it again" in page and reverse("enrollment:agreement-resign", args=[app.pk]) in page


def test_home_shows_a_recorded_decline_and_still_offers_to_apply(client, open_year):
    w = open_year
    Agreement.objects.create(
        student=w.child, text=agreement_text(w), decision=Agreement.Decision.DECLINED, signer_name="马文清",
        relation="father", consent=False, signed_by=w.parent,
    )  # fmt: skip
    client.force_login(w.parent)
    page = client.get(HOME).content.decode()
    assert "You chose not to take part" in page and "Apply after all" in page


def _three_children(w):
    for name in ("马小二", "马小三"):
        student = StudentFactory(admin_class=w.class_a2, name=name)
        StudentGuardian.objects.create(student=student, guardian=w.parent.guardian, relation="father")
        app = signed_application(w, student=student)
        ApplicationEvent.objects.create(
            application=app, action="submit", from_status=S.SUBMITTED, to_status=S.SUBMITTED, actor=w.parent
        )


def test_home_costs_the_same_queries_for_one_or_three_children(client, open_year, django_assert_num_queries):
    w = open_year
    signed_application(w)
    client.force_login(w.parent)
    client.get(HOME)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as one:
        assert client.get(HOME).status_code == 200
    _three_children(w)
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(HOME).content.decode()
    assert all(name in page for name in ("马小明", "马小二", "马小三"))
    assert len(one.captured_queries) <= 12, [q["sql"][:80] for q in one.captured_queries]
