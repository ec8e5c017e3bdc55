"""The audit trail's one writer (issue #13, 等保): every change of state, sign-in and export of personal data calls
`record(action=..., obj=..., changes=..., result=...)`. The actor and the client's address come from the request
context (`xiji_afterschool.auditing`, set by its middleware); without a request (a Celery task, a command) the record
is the system's. Records are only ever inserted (PostgreSQL refuses UPDATE and DELETE).

Nothing personal is written: the object is named by its kind and number ("学生#12") unless it is an organisation
(school, class, activity, partner), and personal fields in `changes` are masked (`mask`)."""

import datetime
import decimal
import uuid

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import translation

from xiji_afterschool import auditing

from ..models import AuditRecord, School
from ..rules import roster as roster_rules

# Models whose own name (str) carries no personal data: organisations, classes, programmes.
NAMED_MODELS = {
    "schools.School",
    "schools.Township",
    "schools.Department",
    "schools.AdminClass",
    "schools.ServiceClass",
    "schools.Activity",
    "schools.Partner",
    "schools.SchoolYear",
    "schools.Semester",
}
HIDDEN = "***"


def _mask_name(value: str) -> str:
    """The first character only (a surname), and never the length."""
    return value[:1] + "**" if value else value


# Personal fields and how a change of one is written (the field names used across the apps' models).
MASKS = {
    "password": lambda v: HIDDEN,
    "id_number": lambda v: roster_rules.mask_id_number(str(v or "")),
    "mobile": lambda v: roster_rules.mask_mobile(str(v or "")),
    "pickup_mobile": lambda v: roster_rules.mask_mobile(str(v or "")),
    "username": lambda v: roster_rules.mask_mobile(str(v or "")),  # a login typed on a refused sign-in may be a mobile
    "name": lambda v: _mask_name(str(v or "")),
    "full_name": lambda v: _mask_name(str(v or "")),
    "birth_date": lambda v: str(v)[:4] if v else v,  # the year only
    "address": lambda v: HIDDEN if v else "",
    "link_code": lambda v: HIDDEN if v else "",
    "contact": lambda v: HIDDEN if v else "",  # a partner's contact person and telephone
    "description": lambda v: (str(v)[:60] + "…") if v and len(str(v)) > 60 else v,
}


def plain(value):
    """A value as JSON can hold it: numbers of money as text (exact), dates in ISO form, a row by its key."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return str(value)


def mask(field: str, value):
    masker = MASKS.get(field)
    return masker(value) if masker else plain(value)


def snapshot(obj, fields) -> dict:
    """The named fields of obj as they are now (foreign keys by id: `school` reads `school_id`)."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        out[name] = getattr(obj, field.attname)
    return out


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for the fields whose value changed, masked."""
    return {
        name: [mask(name, before.get(name)), mask(name, after.get(name))]
        for name in sorted(set(before) | set(after))
        if plain(before.get(name)) != plain(after.get(name))
    }


def created_changes(obj, fields) -> dict:
    """{field: [None, value]} for a new record's named fields (masked)."""
    return {name: [None, mask(name, value)] for name, value in snapshot(obj, fields).items()}


def object_label(obj) -> str:
    if obj is None:
        return ""
    if obj._meta.label in NAMED_MODELS:
        return str(obj)[:120]
    with translation.override(settings.LANGUAGE_CODE):
        return f"{obj._meta.verbose_name}#{obj.pk}"[:120]


# Where the school of an object is found when it has no `school` of its own (a session is its class's).
_SCHOOL_PATHS = ("service_class", "session", "student", "admin_class", "activity", "plan", "claim")


def school_of(obj):
    if obj is None:
        return None
    if isinstance(obj, School):
        return obj.pk
    school_id = getattr(obj, "school_id", None)
    if school_id:
        return school_id
    for name in _SCHOOL_PATHS:
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.is_relation and field.many_to_one and getattr(obj, field.attname, None):
            school_id = school_of(getattr(obj, name))
            if school_id:
                return school_id
    return None


_DEFAULT = object()


def record(
    *,
    action: str,
    obj=None,
    changes: dict | None = None,
    result: str = AuditRecord.Result.OK,
    note: str = "",
    school=_DEFAULT,
    actor=_DEFAULT,
    system: bool | None = None,
    login: str = "",
    label: str | None = None,
    object_type: str | None = None,
    object_id=None,
    address=_DEFAULT,
) -> AuditRecord:
    """Insert one audit record. The actor is the request's signed-in person unless given (`actor=user`, or
    `system=True` for the system's own job); with no request and no actor it is the system. `school` defaults to the
    object's school. A refused or failed attempt by no known person (a failed sign-in) keeps the `login` typed
    (masked if a mobile), never the password."""
    if actor is _DEFAULT:
        actor = None if system else auditing.current_user()
    if system is None:
        system = actor is None and (auditing.current_request() is None or result == AuditRecord.Result.OK)
    if actor is not None:
        system = False
    if address is _DEFAULT:
        address = auditing.current_address()
    if school is _DEFAULT:
        school = school_of(obj)
    elif isinstance(school, School):
        school = school.pk
    return AuditRecord.objects.create(
        actor=actor,
        by_system=system,
        login=mask("username", login or (actor.get_username() if actor is not None else ""))[:150],
        action=action[:40],
        object_type=object_type if object_type is not None else (obj._meta.label if obj is not None else ""),
        object_id=str(object_id if object_id is not None else (obj.pk if obj is not None else ""))[:40],
        object_label=(label if label is not None else object_label(obj))[:120],
        school_id=school,
        changes=changes or {},
        result=result,
        client_address=address,
        note=(note or "")[:200],
    )


def record_many(entries: list[dict]) -> list[AuditRecord]:
    """Several records in one insert (a roster import's overwritten students); each dict takes `record`'s keywords
    obj, action, actor, school, changes, note, label."""
    if not entries:
        return []
    address = auditing.current_address()
    rows = []
    for entry in entries:
        obj, actor = entry.get("obj"), entry.get("actor")
        rows.append(
            AuditRecord(
                actor=actor,
                by_system=actor is None,
                login=mask("username", actor.get_username() if actor is not None else ""),
                action=entry["action"][:40],
                object_type=obj._meta.label if obj is not None else "",
                object_id=str(obj.pk if obj is not None else "")[:40],
                object_label=(entry.get("label") or object_label(obj))[:120],
                school_id=entry["school"].pk if isinstance(entry.get("school"), School) else entry.get("school"),
                changes=entry.get("changes") or {},
                client_address=address,
                note=(entry.get("note") or "")[:200],
            )
        )
    return AuditRecord.objects.bulk_create(rows, batch_size=500)


def workflow_step(*, obj, action: str, from_status: str, to_status: str, actor, system: bool):
    """The audit row of a workflow step (xiji_afterschool.workflow calls it through auditing.write)."""
    changes = {"status": [from_status, to_status]} if from_status != to_status else {}
    return record(
        action=f"workflow.{obj._meta.model_name}.{action}",
        obj=obj,
        changes=changes,
        actor=actor,
        system=system,
    )


# ---------------------------------------------------------------- accounts and roles, wherever they are changed
# Receivers of pre_save/post_save/post_delete on User and Membership (connected in SchoolsConfig.ready), so an edit in
# /admin/, in a shell or by a service is recorded alike. A sign-in's last_login and the password services' own saves
# (which record "password.change"/"password.reset" themselves, with the actor) are left out.

USER_FIELDS = (
    "username",
    "full_name",
    "mobile",
    "is_active",
    "is_staff",
    "is_superuser",
    "must_change_password",
    "password",
)
MEMBERSHIP_FIELDS = ("user", "role", "school", "admin_class", "township", "department", "volunteer_kind")
_QUIET_UPDATES = frozenset({"last_login", "password", "must_change_password"})


def _fields_of(sender):
    return USER_FIELDS if sender._meta.label == "schools.User" else MEMBERSHIP_FIELDS


def _prefix(sender) -> str:
    return "user" if sender._meta.label == "schools.User" else "membership"


def _quiet(update_fields) -> bool:
    return update_fields is not None and set(update_fields) <= _QUIET_UPDATES


def on_account_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or _quiet(update_fields):
        return
    fields = _fields_of(sender)
    before = sender._default_manager.filter(pk=instance.pk).values(*[sender._meta.get_field(f).attname for f in fields])
    row = before.first()
    if row is not None:
        instance._audit_before = {f: row[sender._meta.get_field(f).attname] for f in fields}


def on_account_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or (not created and _quiet(update_fields)):
        return
    fields = _fields_of(sender)
    if created:
        record(action=f"{_prefix(sender)}.create", obj=instance, changes=created_changes(instance, fields))
        return
    before = instance.__dict__.pop("_audit_before", None)
    if before is None:
        return
    changes = diff(before, snapshot(instance, fields))
    if changes:
        record(action=f"{_prefix(sender)}.edit", obj=instance, changes=changes)


def on_account_deleted(sender, instance, **kwargs):
    fields = _fields_of(sender)
    changes = {name: [mask(name, value), None] for name, value in snapshot(instance, fields).items()}
    record(action=f"{_prefix(sender)}.delete", obj=instance, changes=changes)
