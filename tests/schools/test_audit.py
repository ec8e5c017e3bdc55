"""The audit trail (issue #13 item 3, 等保): one record per sign-in, change of state and download of personal data,
with the actor (or the system), the client's address and the result; the page and its workbook for the auditor and
the bureau; append-only in PostgreSQL; view-only in /admin/."""

import datetime
import io
from contextlib import contextmanager
from decimal import Decimal

import openpyxl
import pytest
from django.apps import apps
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from enrollment.services import parents as parents_services
from schools.models import AuditRecord, Role, Student, User
from schools.services import audit as audit_services
from schools.services import classes as classes_services
from schools.services import rates as rates_services
from xiji_afterschool import auditing, workflow
from xiji_afterschool.adminsite import FixedRecordAdmin, is_fixed_record
from xiji_afterschool.models import WorkflowEvent

from ..factories import UserFactory, user_with_role
from .test_imports import apply, check, pupil, school  # noqa: F401 (school is a fixture)
from .test_sessions import log, w  # noqa: F401 (w is a fixture)

PASSWORD = "pw-Xiji-2021"
ADDRESS = "10.20.30.40"


@contextmanager
def as_request(user, address=ADDRESS):
    """A service called inside a request of `user` from `address` (what AuditContextMiddleware provides)."""
    request = RequestFactory().post("/somewhere/", REMOTE_ADDR=address)
    request.user = user
    with auditing.request_context(request):
        yield request


def only(action: str) -> AuditRecord:
    """The one record of `action` written since the test's own set-up (the `since` mark)."""
    records = list(AuditRecord.objects.filter(action=action, pk__gt=_mark[0]))
    assert len(records) == 1, [r.action for r in AuditRecord.objects.filter(pk__gt=_mark[0])]
    return records[0]


_mark = [0]


def mark() -> None:
    """From now on `only` looks at new records (the world's set-up writes accounts and roles too)."""
    _mark[0] = AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture(autouse=True)
def _reset_mark():
    _mark[0] = 0


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def staff(db):
    return user_with_role(Role.BUREAU, username="jiaotiju")


# ---------------------------------------------------------------- sign-ins


def test_a_failed_login_is_one_refused_record_with_the_login_and_address_never_the_password(client, staff):
    client.post("/login/", {"username": "jiaotiju", "password": "wrong-secret"}, REMOTE_ADDR=ADDRESS)
    record = only("login.failed")
    assert (record.actor, record.by_system, record.result) == (None, False, "refused")
    assert (record.login, record.client_address) == ("jiaotiju", ADDRESS)
    assert "wrong-secret" not in str(AuditRecord.objects.values_list())


def test_a_failed_parent_login_keeps_the_mobile_masked(client, db):
    client.post("/login/", {"username": "13912345678", "password": "x"}, REMOTE_ADDR=ADDRESS)
    assert only("login.failed").login == "139****5678"


def test_a_lockout_is_one_record(client, staff):
    for i in range(5):
        client.post("/login/", {"username": "jiaotiju", "password": "wrong"}, REMOTE_ADDR=f"10.0.0.{i}")
    record = only("login.locked")
    assert (record.result, record.login, record.client_address) == ("refused", "jiaotiju", "10.0.0.4")
    assert AuditRecord.objects.filter(action="login.failed").count() == 5


def test_a_login_and_an_admin_login_are_recorded_with_the_person_and_address(client, staff, superuser, settings):
    settings.XIJI_ADMIN_OTP = False
    assert (
        client.post("/login/", {"username": "jiaotiju", "password": PASSWORD}, REMOTE_ADDR=ADDRESS).status_code == 302
    )
    record = only("login.ok")
    assert (record.actor, record.result, record.client_address) == (staff, "ok", ADDRESS)
    client.logout()
    data = {"username": "root", "password": PASSWORD, "next": "/admin/"}
    assert client.post("/admin/login/", data, REMOTE_ADDR="10.9.9.9").status_code == 302
    record = only("admin.login")
    assert (record.actor, record.client_address) == (superuser, "10.9.9.9")


def test_a_refused_page_is_recorded_without_a_traceback(client, world):
    client.force_login(world.school_admin)
    assert client.get(reverse("schools:audit-list"), REMOTE_ADDR=ADDRESS).status_code == 403
    record = only("access.refused")
    assert (record.actor, record.result, record.note) == (world.school_admin, "refused", "/audit/")


# ---------------------------------------------------------------- the gaps closed


def test_a_session_recorded_with_its_roll_is_one_record_with_the_counts(w):  # noqa: F811
    with as_request(w.service_teacher):
        session = log(w)
    record = only("session.record")
    assert (record.actor, record.client_address, record.result) == (w.service_teacher, ADDRESS, "ok")
    assert (record.object_type, record.object_id, record.school) == ("schools.Session", str(session.pk), w.school_a)
    assert record.changes["present"] == [None, session.present] and record.changes["absent"] == [None, 0]


def test_a_rate_change_names_the_bureau_person(world):
    with as_request(world.bureau):
        rate = rates_services.rate_set(
            actor=world.bureau, amount=Decimal("35.00"), effective_from=datetime.date(2031, 3, 1)
        )
    record = only("rate.set")
    assert (record.actor, record.client_address, record.object_id) == (world.bureau, ADDRESS, str(rate.pk))
    assert record.changes["amount"] == [None, "35.00"]


def test_a_roster_reimport_records_each_overwritten_student_before_and_after(world, school):  # noqa: F811
    rows = [pupil(i) for i in range(3)]
    with as_request(world.school_admin):
        apply(world, check(world, school, rows))
    first_import = AuditRecord.objects.filter(action="roster.import").count()
    rows[0][0], rows[0][6] = "学生零号", "否"  # renamed, no longer boards
    with as_request(world.school_admin):
        apply(world, check(world, school, rows))
    assert AuditRecord.objects.filter(action="roster.import").count() == first_import + 1
    record = only("roster.student_overwrite")
    student = Student.objects.by_id_number(rows[0][5]).get()
    assert (record.actor, record.client_address, record.object_id) == (world.school_admin, ADDRESS, str(student.pk))
    assert record.changes["name"] == ["学**", "学**"]  # masked: a name is personal
    assert record.changes["is_boarder"] == [True, False]
    assert "id_number" not in record.changes and record.object_label.endswith(f"#{student.pk}")


def test_a_child_link_is_one_record(world):
    with as_request(world.parent):
        parents_services.child_link(actor=world.parent, code=world.child_a2.link_code, relation="father")
    record = only("child.link")
    assert (record.actor, record.client_address, record.school) == (world.parent, ADDRESS, world.school_a)
    assert record.object_id == str(world.child_a2.pk) and record.changes["relation"] == [None, "father"]


def test_a_service_class_edit_records_the_fields_before_and_after(world):
    def save(capacity):
        return classes_services.service_class_save(
            actor=world.school_admin, school=world.school_a, school_year=world.school_year, name="书法一班",
            kind="regular", activity="arts", teacher=world.service_teacher, capacity=capacity, service_class=existing,
        )  # fmt: skip

    existing = None
    with as_request(world.school_admin):
        existing = save(30)
        save(40)
        save(40)  # nothing changed: no record
    assert only("service_class.create").object_label == "书法一班"
    assert only("service_class.edit").changes == {"capacity": [30, 40]}


def test_a_membership_change_in_admin_is_one_record(client, world, superuser, settings):
    settings.XIJI_ADMIN_OTP = False
    client.force_login(superuser)
    mark()
    membership = world.volunteer.memberships.get()
    url = reverse("admin:schools_membership_change", args=[membership.pk])
    data = {"user": world.volunteer.pk, "role": Role.SERVICE_TEACHER, "school": world.school_a.pk}
    assert client.post(url, data, REMOTE_ADDR=ADDRESS).status_code == 302
    record = only("membership.edit")
    assert (record.actor, record.client_address, record.school) == (superuser, ADDRESS, world.school_a)
    assert record.changes["role"] == [Role.VOLUNTEER, Role.SERVICE_TEACHER]


def test_a_user_edit_in_a_shell_is_the_systems_with_the_mobile_masked(world):
    mark()
    world.volunteer.mobile = "13800001111"
    world.volunteer.save()
    record = only("user.edit")
    assert (record.actor, record.by_system) == (None, True)
    assert record.changes == {"mobile": ["", "138****1111"]}


def test_a_password_reset_is_one_record_with_the_resetter(client, world):
    client.force_login(world.school_admin)
    mark()
    client.post(reverse("schools:password-reset", args=[world.service_teacher.pk]), REMOTE_ADDR=ADDRESS)
    record = only("password.reset")
    assert (record.actor, record.object_id, record.client_address) == (
        world.school_admin, str(world.service_teacher.pk), ADDRESS,
    )  # fmt: skip
    assert not AuditRecord.objects.filter(action="user.edit", pk__gt=_mark[0]).exists()


def test_every_workflow_step_writes_a_record_with_the_status_change(world):
    plan = world.plan_v2 if hasattr(world, "plan_v2") else world.school_a.plans.order_by("-pk").first()
    with as_request(world.school_admin):
        workflow.log(plan, "note", actor=world.school_admin)
    record = only("workflow.schoolplan.note")
    assert (record.actor, record.object_id, record.school) == (world.school_admin, str(plan.pk), world.school_a)
    assert record.changes == {}


def test_a_roster_export_download_is_one_record(client, world, eager_celery, media, django_capture_on_commit_callbacks):
    client.force_login(world.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("schools:roster-export-create", args=[world.school_a.pk]))
    export = (
        world.school_a.roster_exports.exclude(pk=world.export_a.pk).get()
        if hasattr(world.school_a, "roster_exports")
        else type(world.export_a).objects.exclude(pk=world.export_a.pk).get()
    )
    download = client.get(reverse("schools:roster-export-download", args=[export.pk]), REMOTE_ADDR=ADDRESS)
    assert download.status_code == 200
    record = only("export.roster")
    assert (record.actor, record.client_address, record.school) == (world.school_admin, ADDRESS, world.school_a)
    assert record.object_id == str(export.pk)
    # a refused download writes no export record
    client.force_login(world.other_school_admin)
    assert client.get(reverse("schools:roster-export-download", args=[export.pk])).status_code == 404
    assert AuditRecord.objects.filter(action="export.roster").count() == 1


def test_personal_fields_are_masked_in_changes():
    changes = audit_services.diff(
        {"id_number": "640422201201011234", "mobile": "13912345678", "password": "a", "capacity": 1},
        {"id_number": "640422201201015678", "mobile": "13912340000", "password": "b", "capacity": 1},
    )
    assert changes == {
        "id_number": ["640422********1234", "640422********5678"],
        "mobile": ["139****5678", "139****0000"],
        "password": ["***", "***"],
    }


# ---------------------------------------------------------------- the page and its workbook


@pytest.fixture
def trail(world):
    """Three records: a sign-in of the bureau, an edit at school_b, a refused sign-in."""
    a = audit_services.record(action="login.ok", actor=world.bureau, obj=world.bureau, school=None, address="10.0.0.1")
    b = audit_services.record(action="service_class.edit", actor=world.school_admin, obj=world.school_b)
    c = audit_services.record(action="login.failed", actor=None, system=False, result="refused", login="nobody")
    return a, b, c


def _shown(response) -> set[str]:
    import re

    return set(re.findall(r'data-action="([^"]+)"', response.content.decode()))


@pytest.mark.parametrize("who", ["auditor", "bureau"])
def test_the_page_filters_by_person_school_object_action_and_result(client, world, trail, who, english):
    client.force_login(getattr(world, who))
    url = reverse("schools:audit-list")
    assert {"login.ok", "login.failed"} <= _shown(client.get(url, {"action": "login"}))
    assert "service_class.edit" not in _shown(client.get(url, {"action": "login"}))
    assert "service_class.edit" in _shown(client.get(url, {"person": world.school_admin.username}))
    assert "login.ok" not in _shown(client.get(url, {"person": world.school_admin.username}))
    assert _shown(client.get(url, {"school": world.school_b.pk, "action": "service_class"})) == {"service_class.edit"}
    assert _shown(client.get(url, {"school": world.school_a.pk, "action": "service_class"})) == set()
    assert _shown(client.get(url, {"object_type": "schools.School"})) == {"service_class.edit"}
    assert _shown(client.get(url, {"action": "login", "result": "refused"})) == {"login.failed"}
    assert _shown(client.get(url, {"person": "nobody"})) == {"login.failed"}


def test_the_page_filters_by_date_and_refuses_a_reversed_range_with_a_message(client, world, trail, english):
    client.force_login(world.auditor)
    url = reverse("schools:audit-list")
    today = timezone.localdate()
    yesterday, tomorrow = today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)
    assert "login.failed" in _shown(client.get(url, {"date_from": today.isoformat(), "action": "login"}))
    assert "login.failed" in _shown(client.get(url, {"date_to": today.isoformat(), "action": "login"}))
    assert _shown(client.get(url, {"date_to": yesterday.isoformat()})) == set()
    assert _shown(client.get(url, {"date_from": tomorrow.isoformat()})) == set()
    bad = client.get(url, {"date_from": today.isoformat(), "date_to": yesterday.isoformat()})
    assert bad.status_code == 200 and "The first day must not come after the last day." in bad.content.decode()
    assert client.get(url, {"date_from": "not-a-date", "school": "x"}).status_code == 200


def test_the_workbook_holds_the_filtered_rows_and_its_export_is_recorded(client, world, trail, english):
    client.force_login(world.auditor)
    response = client.get(reverse("schools:audit-export"), {"action": "login"}, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Time", "Person", "Action", "Code")
    assert {r[3] for r in rows[1:]} == {"login.failed", "login.ok"}
    assert "nobody" in {r[1] for r in rows[1:]}
    record = only("export.audit")
    assert (record.actor, record.client_address) == (world.auditor, ADDRESS)


def test_actions_are_shown_in_words(world, trail):
    with translation.override("en"):
        assert trail[0].action_label == "Signed in"
        record = audit_services.record(action="workflow.schoolplan.submit", obj=world.school_a.plans.first())
        assert record.action_label != "workflow.schoolplan.submit"


# ---------------------------------------------------------------- never changed, never deleted


def fixed_kinds() -> list:
    """What /admin/ must never delete, derived from the models: every event, every workflow record and every
    record with a status, every money record, the audit trail."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, WorkflowEvent)
        or hasattr(model, "TRANSITIONS")
        or any(f.name == "status" for f in model._meta.concrete_fields)
        or model._meta.app_label == "funding"
        or model is AuditRecord
    ]


def test_admin_never_adds_changes_or_deletes_events_audit_workflow_or_money_records(rf, superuser):
    request = rf.get("/admin/")
    request.user = superuser
    checked = 0
    for model in fixed_kinds():
        model_admin = admin.site._registry.get(model)
        if model_admin is None:
            continue
        checked += 1
        assert isinstance(model_admin, FixedRecordAdmin) and is_fixed_record(model), model
        assert not model_admin.has_delete_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_add_permission(request), model
    assert checked >= 30
    for label in (
        "enrollment.ApplicationEvent",
        "enrollment.Application",
        "funding.LedgerEntry",
        "schools.AuditRecord",
    ):
        assert apps.get_model(label) in admin.site._registry, label


def test_admin_refuses_to_delete_an_application_event(client, world, superuser, settings):
    settings.XIJI_ADMIN_OTP = False
    record = audit_services.record(action="login.ok", actor=world.bureau)
    client.force_login(superuser)
    assert client.get(reverse("admin:schools_auditrecord_delete", args=[record.pk])).status_code == 403
    assert client.get(reverse("admin:schools_auditrecord_change", args=[record.pk])).status_code == 200


def _refused(sql: str, params) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        return "append-only" in str(error)
    return False


@pytest.mark.needs_postgres
def test_every_event_table_and_the_audit_table_carry_the_append_only_trigger(db):
    """Derived from the models: a new event model without its app's trigger migration fails here. A table whose rows
    hold personal fields carries the variant that lets the retention sweep anonymise them (dbguards.allow_anonymising)."""
    tables = {m._meta.db_table for m in apps.get_models() if issubclass(m, WorkflowEvent)} | {"schools_auditrecord"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname IN ('xiji_refuse_change', 'xiji_refuse_change_but_anonymising') "
            "AND NOT t.tgisinternal"
        )
        guarded = {row[0] for row in cursor.fetchall()}
    assert tables - guarded == set()


@pytest.mark.needs_postgres
def test_postgres_refuses_update_and_delete_of_an_audit_row_and_of_an_event_row_of_every_app(world):
    record = audit_services.record(action="login.ok", actor=world.bureau)
    assert _refused("UPDATE schools_auditrecord SET note = 'x' WHERE id = %s", [record.pk])
    assert _refused("DELETE FROM schools_auditrecord WHERE id = %s", [record.pk])
    events = [m for m in apps.get_models() if issubclass(m, WorkflowEvent)]
    assert {m._meta.app_label for m in events} >= {"schools", "enrollment", "funding", "safety", "bureau"}
    for model in events:
        # One event row without building its record: inserted with the foreign-key triggers off (replica role, for
        # this insert only), so the row's record need not exist; then our triggers, on again, must refuse.
        table, key = model._meta.db_table, model.record_field().column
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(
                f"INSERT INTO {table} ({key}, action, from_status, to_status, note, by_system, created_at) "  # noqa: S608
                "VALUES (987654, 'x', '', 'y', '', true, now()) RETURNING id"
            )
            event_id = cursor.fetchone()[0]
            cursor.execute("SET LOCAL session_replication_role = origin")
        assert _refused(f"UPDATE {table} SET note = 'x' WHERE id = %s", [event_id]), table  # noqa: S608
        assert _refused(f"DELETE FROM {table} WHERE id = %s", [event_id]), table  # noqa: S608


def test_the_audit_record_check_allows_a_person_the_system_or_a_refused_anonymous_attempt(world):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        AuditRecord.objects.create(action="x", actor=world.bureau, by_system=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditRecord.objects.create(action="x", actor=None, by_system=False, result="ok")
    AuditRecord.objects.create(action="x", actor=None, by_system=False, result="refused")
    assert User.objects.exists()


def test_the_trail_outlives_a_deleted_account(world):
    user = UserFactory(username="linshi")
    kept, user_id = audit_services.record(action="login.ok", actor=user), user.pk
    user.delete()
    kept = AuditRecord.objects.select_related("actor").get(pk=kept.pk)
    assert (kept.actor_id, kept.who) == (user_id, "linshi")
    assert AuditRecord.objects.get(pk=kept.pk).who == "linshi"
    assert AuditRecord.objects.filter(action="user.delete", object_id=str(user_id)).count() == 1


def test_an_edit_in_admin_of_any_other_model_is_recorded_by_field_name_without_values(rf, world, superuser):
    request = rf.post("/admin/schools/student/1/change/", REMOTE_ADDR=ADDRESS)
    request.user = superuser
    model_admin = admin.site._registry[Student]
    with auditing.request_context(request):
        model_admin.log_change(request, world.child, [{"changed": {"fields": ["Name", "Resident ID number"]}}])
    record = only("admin.change")
    assert (record.actor, record.client_address, record.school) == (superuser, ADDRESS, world.school_a)
    assert record.note == "Name, Resident ID number" and world.child.name not in record.object_label
