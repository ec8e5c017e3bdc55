"""The class teacher's review (班级审核, #15 item 1) on a 375 px phone: from the class home to an application
approved in at most two screens — the queue, where each waiting application has its own approve button, and the
queue again after approving, with a way back home.

Two paper applications of 李雪梅's ("banzhuren") class wait for her review: entered through the services by the
school before she signs in, so the queue is never empty whatever the demo left there."""

import re

import pytest

from .conftest import PHONE, Screens, sign_in

pytestmark = pytest.mark.browser

TEACHER = "banzhuren"

WAITING = """
from enrollment.models import Application
from schools.models import Student, User
from tests.factories_enrollment import application
from xiji_afterschool import permissions
teacher = User.objects.get(username="banzhuren")
classes = [m.admin_class_id for m in permissions.memberships_for(teacher, "application.class_review") if m.admin_class_id]
students = Student.objects.filter(admin_class__in=classes).exclude(applications__isnull=False).order_by("pk")[:2]
for student in students:
    application(student)
print(Application.objects.filter(student__admin_class__in=classes, status="submitted").count())
"""


def test_class_teacher_approves_from_the_queue_in_two_screens(page, base_url, screenshot_dir, manage):
    assert int(manage.shell(WAITING).strip().splitlines()[-1]) >= 2
    page.set_viewport_size(PHONE)
    sign_in(page, base_url, TEACHER)
    assert page.url.endswith("/class/")
    waiting = int(re.search(r"\d+", page.inner_text("[data-count=waiting]")).group())
    assert waiting >= 2
    screens = Screens(page, screenshot_dir, "review")

    # Screen 1: the queue, each application with its own approve button.
    page.click("main a[href$='/review/class/']")
    screens.shot()
    cards = page.locator(".card[id^=application-]")
    assert cards.count() >= 2
    card = cards.first
    name = card.locator("strong.fs-5").inner_text()
    card.locator("button[formaction$='/class-approve/']").click()

    # Screen 2, the goal: approved, back on the queue with one fewer waiting, and a way home.
    screens.shot()
    assert page.url.endswith("/review/class/")
    assert name in page.inner_text(".alert-success")
    assert int(page.inner_text(".nav-pills .active .badge")) == waiting - 1
    assert screens.stop() <= 2, screens.urls
    page.click("main a[href='/']")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/class/")
