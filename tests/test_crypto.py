"""Personal identifiers encrypted at rest (issue 14 item 6): AES-GCM under keys from the environment, keyed digests for
lookups and uniqueness, key rotation, and a pg_dump that holds no clear ID number or mobile."""

import os
import subprocess
import sys

import pytest
from django.apps import apps
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, models, transaction

from schools.models import Guardian, Role, Student, User
from schools.rules import roster as roster_rules
from schools.selectors import roster as roster_selectors
from xiji_afterschool import crypto
from xiji_afterschool.demo import PARENT_MOBILE
from xiji_afterschool.fields import DigestField, EncryptedCharField, TailField, reseal_model

from .factories import GuardianFactory, StudentFactory, user_with_role

OLD_KEY, NEW_KEY = crypto.new_key(), crypto.new_key()


def raw(model, pk, column):
    """What the database holds, past the field (what a dump or a psql session would show)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {qn(column)} FROM {qn(model._meta.db_table)} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_a_value_round_trips_sealed_differently_each_time_and_only_in_its_own_column(settings):
    settings.XIJI_FIELD_KEYS = [OLD_KEY]
    one, two = crypto.encrypt("13909540001", "t.mobile"), crypto.encrypt("13909540001", "t.mobile")
    assert one != two and "13909540001" not in one
    assert one.startswith(f"x1${crypto.key_id(crypto._decode_key(OLD_KEY))}$")
    assert crypto.decrypt(one, "t.mobile") == "13909540001"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(one, "other.mobile")  # moved into another column: does not open
    assert crypto.encrypt("", "t.mobile") == "" and crypto.encrypt(None, "t.mobile") is None


def test_a_wrong_key_does_not_open_a_value(settings):
    settings.XIJI_FIELD_KEYS = [OLD_KEY]
    sealed = crypto.encrypt("640422201305170011", "t.id")
    settings.XIJI_FIELD_KEYS = [NEW_KEY]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(sealed, "t.id")
    # a forged key id does not help: the tag does not verify under another key
    forged = sealed.replace(crypto.sealed_key_id(sealed), crypto.key_id(crypto._decode_key(NEW_KEY)))
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(forged, "t.id")


def test_no_keys_means_nothing_is_sealed_or_read(settings):
    settings.XIJI_FIELD_KEYS = []
    with pytest.raises(Exception, match="XIJI_FIELD_KEYS"):
        crypto.encrypt("13909540001", "t.mobile")


def test_the_database_holds_cipher_text_and_python_the_clear_value(db):
    student = StudentFactory()
    guardian = GuardianFactory(mobile=PARENT_MOBILE)
    stored_id = raw(Student, student.pk, "id_number")
    assert crypto.is_sealed(stored_id) and student.id_number not in stored_id
    assert raw(Student, student.pk, "id_number_last4") == student.id_number[-4:]
    assert crypto.is_sealed(raw(Guardian, guardian.pk, "mobile")) and PARENT_MOBILE not in raw(
        Guardian, guardian.pk, "mobile"
    )
    assert Student.objects.get(pk=student.pk).id_number == student.id_number
    assert Guardian.objects.values_list("mobile", flat=True).get(pk=guardian.pk) == PARENT_MOBILE


def test_lookups_go_through_the_digest_and_normalise_the_digits(db):
    guardian = GuardianFactory(mobile="13909540001")
    assert list(Guardian.objects.by_mobile("１３９０９５４０００１")) == [guardian]  # full-width: the same person
    assert list(Guardian.objects.by_mobile("+86 139-0954-0001")) == [guardian]
    assert not Guardian.objects.by_mobile("13909540002").exists()
    with pytest.raises(FieldError, match="encrypted"):
        Guardian.objects.filter(mobile="13909540001").exists()  # would silently find nothing: refused loudly
    with pytest.raises(FieldError, match="encrypted"):
        Student.objects.filter(id_number__endswith="001X").exists()
    assert Student.objects.filter(id_number=None).count() == 0  # "no value" still answers


def test_uniqueness_holds_across_spellings_of_one_number(db):
    body = "64042220130517001"
    id_number = body + roster_rules.id_number_check_char(body)
    StudentFactory(id_number=id_number)
    GuardianFactory(mobile="13909540001")
    with pytest.raises(IntegrityError), transaction.atomic():
        GuardianFactory(mobile="１３９０９５４０００１")
    wide = "".join(chr(ord(c) + 0xFEE0) for c in id_number)  # full-width digits (and Ｘ)
    with pytest.raises(IntegrityError), transaction.atomic():
        StudentFactory(id_number=wide)
    User.objects.create(username="a", mobile="13909540001")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="b", mobile="１３９０９５４０００１")


def test_staff_search_finds_a_whole_id_by_digest_and_the_last_digits_in_clear(db):
    admin = user_with_role(Role.SCHOOL_ADMIN, school=StudentFactory().school)
    student = StudentFactory(admin_class__school=admin.memberships.get().school)
    found = roster_selectors.student_list(viewer=admin, search=student.id_number.lower())
    assert list(found) == [student]
    assert student in roster_selectors.student_list(viewer=admin, search=student.id_number[-4:])
    assert list(roster_selectors.student_list(viewer=admin, search=student.id_number[:6])) == []  # the region: no


def test_parent_accounts_sign_in_by_mobile_with_no_mobile_in_the_user_name(client, db):
    user = User.objects.create(username=crypto.parent_username(PARENT_MOBILE), mobile=PARENT_MOBILE)
    user.set_password("pw-Xiji-2021")
    user.save()
    assert PARENT_MOBILE not in user.username
    response = client.post("/login/", {"username": "１３９ ０９５４ ０００１", "password": "pw-Xiji-2021"})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    client.logout()
    client.post("/login/", {"username": "13909540001", "password": "wrong"})
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.exists()
    assert not AccessAttempt.objects.filter(username__contains="13909540001").exists()  # the throttle: no clear number


def test_rotation_old_values_readable_then_resealed_then_old_key_removable(db, settings):
    settings.XIJI_FIELD_KEYS = [OLD_KEY]
    student, guardian = StudentFactory(), GuardianFactory()
    old_kid = crypto.sealed_key_id(raw(Student, student.pk, "id_number"))
    settings.XIJI_FIELD_KEYS = [NEW_KEY, OLD_KEY]  # step 1: the new key first
    assert Student.objects.get(pk=student.pk).id_number == student.id_number  # old values still open
    with pytest.raises(CommandError):
        call_command("rotate_field_keys", "--check", stdout=open(os.devnull, "w"))
    call_command("rotate_field_keys", stdout=open(os.devnull, "w"))  # step 2
    new_kid = crypto.key_id(crypto._decode_key(NEW_KEY))
    assert crypto.sealed_key_id(raw(Student, student.pk, "id_number")) == new_kid != old_kid
    assert crypto.sealed_key_id(raw(Guardian, guardian.pk, "mobile")) == new_kid
    call_command("rotate_field_keys", "--check", stdout=open(os.devnull, "w"))  # step 3: nothing left
    assert reseal_model(Student, connection) == 0  # idempotent: a second run writes nothing
    settings.XIJI_FIELD_KEYS = [NEW_KEY]  # step 4: the old key dropped
    assert Student.objects.get(pk=student.pk).id_number == student.id_number
    assert Guardian.objects.by_mobile(guardian.mobile).get() == guardian


def test_a_new_lookup_key_is_taken_up_by_the_rotation(db, settings):
    guardian = GuardianFactory()
    user = User.objects.create(username=crypto.parent_username(guardian.mobile), mobile=guardian.mobile)
    settings.XIJI_LOOKUP_KEY = "another-lookup-key-of-enough-length-0123456789"
    assert not Guardian.objects.by_mobile(guardian.mobile).exists()
    call_command("rotate_field_keys", stdout=open(os.devnull, "w"))
    assert Guardian.objects.by_mobile(guardian.mobile).get() == guardian
    user.refresh_from_db()
    assert (
        user.username == crypto.parent_username(guardian.mobile)
        and User.objects.by_mobile(guardian.mobile).get() == user
    )


def test_clear_rows_left_from_before_are_sealed_by_the_migration_step(db):
    """What migration schools/0015 does to the rows it finds: clear in, sealed and digested out."""
    guardian = GuardianFactory(mobile="13909540007")
    with connection.cursor() as cursor:  # as the table was before the migration
        cursor.execute(
            "UPDATE schools_guardian SET mobile = %s, mobile_digest = NULL WHERE id = %s", ["13909540007", guardian.pk]
        )
    assert Guardian.objects.get(pk=guardian.pk).mobile == "13909540007"  # a clear value still reads
    assert reseal_model(Guardian, connection) == 1
    assert crypto.is_sealed(raw(Guardian, guardian.pk, "mobile"))
    assert Guardian.objects.by_mobile("13909540007").get() == guardian


def test_every_id_number_and_mobile_column_is_encrypted():
    """A new column named like an identifier must be encrypted too (or be a digest, a tail or a masked copy)."""
    plain = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            named = field.name.endswith(("mobile", "id_number")) and not field.name.startswith("masked")
            if named and isinstance(field, models.CharField) and not isinstance(field, EncryptedCharField):
                plain.append(f"{model._meta.label}.{field.name}")
            if isinstance(field, DigestField | TailField):
                assert isinstance(model._meta.get_field(field.of), EncryptedCharField)
    assert plain == []


def _production_check(**env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "XIJI_"))}
    production = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x7#kq!2v-production-like-secret-key-with-enough-length-and-entropy-9f3",
        "DJANGO_ALLOWED_HOSTS": "afterschool.xiji.example",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        env={**base, **production, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_refuses_missing_or_development_keys():
    missing = _production_check()
    assert missing.returncode != 0 and "xiji.E001" in missing.stderr and "XIJI_FIELD_KEYS" in missing.stderr
    dev = _production_check(XIJI_FIELD_KEYS=crypto.DEV_FIELD_KEY, XIJI_LOOKUP_KEY=crypto.DEV_LOOKUP_KEY)
    assert dev.returncode != 0 and "xiji.E003" in dev.stderr
    bad = _production_check(XIJI_FIELD_KEYS="not-a-key", XIJI_LOOKUP_KEY="x" * 40)
    assert bad.returncode != 0 and "32 bytes" in bad.stderr


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_pg_dump_holds_no_clear_id_number_or_mobile():
    from safety.models import Collector

    student = StudentFactory(name="加密检查")
    guardian = GuardianFactory(mobile=PARENT_MOBILE, name="加密家长")
    parent = User.objects.create(username=crypto.parent_username("13909540002"), mobile="13909540002")
    Collector.objects.create(
        student=student, name="接送人", relation="uncle_aunt", mobile="13909540003", valid_from="2025-09-01",
        source="guardian", added_by=parent,
    )  # fmt: skip
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    dump = subprocess.run(
        ["pg_dump", "--data-only", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432),
         "-U", db["USER"], db["NAME"]],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert "加密检查" in dump and "加密家长" in dump  # the rows are in the dump…
    for clear in (student.id_number, student.id_number[:14], guardian.mobile, "13909540002", "13909540003"):
        assert clear not in dump  # …their identifiers are not
    assert dump.count("x1$") >= 4


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)  # the rows committed first, as the command finds them
def test_rotation_reaches_append_only_rows_and_leaves_their_guard_in_force(settings):
    """Visitor entries refuse UPDATE on PostgreSQL (safety/0002): the rotation lifts the trigger for its own
    transaction only, and the guard refuses a change again right after."""
    from django.utils import timezone

    from safety.models import Visit

    settings.XIJI_FIELD_KEYS = [OLD_KEY]
    school = StudentFactory().school
    keeper = user_with_role(Role.SCHOOL_ADMIN, school=school)
    visit = Visit.objects.create(
        school=school, date=timezone.localdate(), name="来访人", purpose="parcel", mobile="13909540009",
        time_in=timezone.now(), recorded_by=keeper,
    )  # fmt: skip
    settings.XIJI_FIELD_KEYS = [NEW_KEY, OLD_KEY]
    with transaction.atomic():
        assert reseal_model(Visit, connection) == 1
    assert crypto.sealed_key_id(raw(Visit, visit.pk, "mobile")) == crypto.key_id(crypto._decode_key(NEW_KEY))
    settings.XIJI_FIELD_KEYS = [NEW_KEY]
    assert Visit.objects.get(pk=visit.pk).mobile == "13909540009"
    with pytest.raises(Exception, match="never changed"), transaction.atomic():
        Visit.objects.filter(pk=visit.pk).update(name="改名")
