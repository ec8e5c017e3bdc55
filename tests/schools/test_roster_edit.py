"""The school corrects a student's roster data (a guardian's correction request, issue 14 item 5): the form checks
every field, the service refuses another school's class and someone else's ID number, nothing is half-written, and
the audit trail keeps each change with the ID number masked."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from schools.models import AuditRecord, Student
from schools.services import roster as services
from xiji_afterschool.errors import DomainError

from ..factories import StudentFactory

pytestmark = pytest.mark.usefixtures("english")

VALID_ID = "64042220180308005X"  # Xiji 640422, born 2018-03-08, check character X


def _post(world, **changes):
    child = world.child
    data = {
        "name": child.name, "gender": child.gender, "birth_date": child.birth_date.isoformat(),
        "id_number": child.id_number or "", "admin_class": child.admin_class_id,
        "is_boarder": "on" if child.is_boarder else "",
    }  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_the_school_corrects_a_name_birth_date_and_id_and_the_audit_keeps_it_masked(client, world):
    client.force_login(world.school_admin)
    url = reverse("schools:student-edit", args=[world.child.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, _post(world, name="马小明 ", birth_date="2018-03-08", id_number=" 6404 2220 1803 08005x")
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert response["Location"] == reverse("schools:student-detail", args=[world.child.pk])
    child = Student.objects.get(pk=world.child.pk)
    assert (child.name, child.birth_date, child.id_number) == ("马小明", datetime.date(2018, 3, 8), VALID_ID)
    record = AuditRecord.objects.get(action="roster.student_edit")
    assert record.actor == world.school_admin and set(record.changes) == {"birth_date", "id_number"}
    assert VALID_ID not in str(record.changes) and record.changes["id_number"][1].endswith("005X")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"id_number": "640422201803080018"}, "check digit"),  # the right one is 7
        ({"birth_date": "2018-02-30"}, "valid date"),
        ({"name": "马\u202e明"}, "name"),
        ({"name": ""}, "required"),
    ],
)
def test_bad_input_is_refused_with_words_and_nothing_changes(client, world, changes, message):
    before = Student.objects.filter(pk=world.child.pk).values().get()
    client.force_login(world.school_admin)
    response = client.post(reverse("schools:student-edit", args=[world.child.pk]), _post(world, **changes))
    assert response.status_code == 200 and message in response.content.decode().lower()
    assert Student.objects.filter(pk=world.child.pk).values().get() == before
    assert not AuditRecord.objects.filter(action="roster.student_edit").exists()


def test_another_childs_id_number_and_another_schools_class_are_refused(world):
    StudentFactory(admin_class=world.class_a2, id_number=VALID_ID)
    with pytest.raises(DomainError, match="Another student already has this ID number"):
        services.student_update(actor=world.school_admin, student=world.child, id_number=VALID_ID, name="改名")
    with pytest.raises(DomainError, match="own school"):
        services.student_update(actor=world.school_admin, student=world.child, admin_class=world.class_b1)
    child = Student.objects.get(pk=world.child.pk)
    assert child.name == world.child.name and child.admin_class == world.class_a1


def test_only_the_childs_school_administrator_corrects(world):
    for actor in (world.class_teacher, world.other_school_admin, world.parent, world.bureau):
        with pytest.raises(PermissionDenied):
            services.student_update(actor=actor, student=world.child, name="改名")
    assert Student.objects.get(pk=world.child.pk).name == world.child.name
