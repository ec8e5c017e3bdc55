import logging

import pytest
from django.urls import reverse

from schools.models import Role

from ..factories import user_with_role

LOGIN = "/login/"


@pytest.fixture
def parent(db):
    return user_with_role(Role.PARENT, username="13912345678", mobile="13912345678")


@pytest.fixture
def staff(db):
    return user_with_role(Role.BUREAU, username="jiaotiju")


def _post(client, username, password="pw-Xiji-2021", address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("typed", ["13912345678", "+86 139-1234-5678", " 139 1234 5678 "])
def test_parent_signs_in_with_mobile_number_in_any_usual_format(client, parent, typed):
    response = _post(client, typed)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("enrollment:parent-home")


def test_staff_signs_in_with_username_case_insensitively(client, staff):
    response = _post(client, "JiaoTiJu")
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("bureau:home")


def test_wrong_password_gets_a_clear_chinese_message_and_no_session(client, staff):
    response = _post(client, "jiaotiju", "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()  # needs the compiled zh_Hans catalog
    assert "_auth_user_id" not in client.session


def test_next_parameter_is_honoured_only_for_this_site(client, staff):
    ok = client.post(LOGIN + "?next=/schools/", {"username": "jiaotiju", "password": "pw-Xiji-2021"})
    assert ok["Location"] == "/schools/"
    client.logout()
    evil = client.post(LOGIN + "?next=https://evil.example/", {"username": "jiaotiju", "password": "pw-Xiji-2021"})
    assert evil["Location"] == reverse("home")


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for i in range(3):
        _post(client, "jiaotiju", "wrong", address=f"10.0.0.{i}")  # different addresses: the account counter trips
    response = _post(client, "jiaotiju", address="10.9.9.9")
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_from_one_address_lock_that_address_for_every_account(client, staff, parent, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for name in ["a1", "a2", "a3"]:
        _post(client, name, "wrong", address="10.7.7.7")
    locked = _post(client, "13912345678", address="10.7.7.7")
    assert "登录失败次数过多" in locked.content.decode()
    elsewhere = _post(client, "13912345678", address="10.8.8.8")
    assert elsewhere.status_code == 302


def test_a_successful_login_resets_the_account_counter(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    _post(client, "jiaotiju", "wrong", address="10.0.1.1")
    _post(client, "jiaotiju", "wrong", address="10.0.1.2")
    assert _post(client, "jiaotiju", address="10.0.1.3").status_code == 302
    client.logout()
    _post(client, "jiaotiju", "wrong", address="10.0.1.4")
    assert _post(client, "jiaotiju", address="10.0.1.5").status_code == 302


def test_log_lines_carry_no_mobile_number_or_address(client, parent, caplog):
    with caplog.at_level(logging.INFO, logger="xiji.auth"):
        _post(client, "13912345678", "wrong", address="192.0.2.44")
        _post(client, "13912345678", address="192.0.2.44")
        client.post(reverse("logout"))
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "login failed" in text and "login ok" in text and "logout" in text
    assert "13912345678" not in text and "192.0.2.44" not in text


def test_logout_is_post_only(client, staff):
    client.force_login(staff)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_sign_in(client, staff):
    staff.is_active = False
    staff.save()
    assert _post(client, "jiaotiju").status_code == 200
