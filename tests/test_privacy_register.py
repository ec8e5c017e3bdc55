"""The register of personal data (issue #14 item 3): every field of the project's models that holds personal
information is in it with a purpose, and nothing in it names a field that does not exist; the engine refuses a wrong
entry at start-up; the committed docs/privacy.md is the command's output."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import models

from xiji_afterschool import privacy
from xiji_afterschool.privacy import CHILD, DUTY, UNSET, PersonalData, Registration, build_register

PROJECT_APPS = ("schools", "enrollment", "funding", "safety", "bureau")
DOC = Path(__file__).resolve().parent.parent / "docs" / "privacy.md"

# A field whose name says it may hold something about a person. Matched against the whole name split at "_".
PERSONAL_WORDS = {
    "name", "mobile", "phone", "id", "birth", "gender", "address", "ip", "agent", "photo", "signature",
    "relation", "health", "disability", "hardship", "injury", "aid", "note", "reason", "description", "text",
    "answer", "contact", "signer", "recipient", "pickup", "username", "login", "email", "password", "migrant",
    "working", "priority", "route", "stop", "boarder", "code", "details", "changes", "body", "summary", "file",
    "mark", "wrong", "should", "response", "label", "preferences", "resolution", "adult",
    "party", "family", "last4", "host", "purpose", "title", "digest", "masked", "error", "errors",
    "workload", "points", "factor", "joined", "active", "role", "kind", "consent", "decision",
}  # fmt: skip
# Names of fields no model here uses for a person, whatever their words: the bookkeeping every row has.
BOOKKEEPING = {"id", "created_at", "updated_at"}

# Fields the words above match that hold nothing about a person, each with the reason.
NOT_PERSONAL = {
    # organisations, places and things
    "schools.Department.name": "a county office's name",
    "schools.Department.kind": "a county office's kind",
    "schools.Township.name": "a township's name",
    "schools.Township.code": "a township's administrative code",
    "schools.School.name": "a school's name",
    "schools.School.code": "a school's code",
    "schools.School.address": "a school's address, public",
    "schools.School.phone": "a school's telephone, public",
    "enrollment.ConsentText.kind": "the kind of a consent text, not a person's",
    "enrollment.ConsentText.title": "a consent text's title, the same for everyone",
    "enrollment.ConsentText.body": "a consent text, the same for everyone",
    "enrollment.ConsentEvent.note": "a step's note on a consent record, written by the service",
    "schools.SchoolYear.name": "a school year's name",
    "schools.CalendarDay.kind": "the kind of a calendar day",
    "schools.CalendarDay.note": "why a day has no service (a holiday): about the calendar",
    "schools.Partner.name": "an organisation's name",
    "schools.Partner.kind": "an organisation's kind",
    "schools.Activity.name": "an activity's name",
    "schools.Activity.description": "what an activity is",
    "schools.ServiceClass.name": "a service class's name",
    "schools.ServiceClass.kind": "a service class's kind",
    "schools.SubsidyRate.note": "why the county's rate changed",
    "schools.PlanAttachment.title": "a plan document's title",
    "schools.PlanAttachment.file": "the school's plan document",
    "schools.TimetableSlot.kind": "a timetable slot's kind",
    "schools.Session.content_note": "what the class did in a session",
    "schools.Session.teacher_role": "the role the session's teacher acted in (their name is the linked account)",
    "schools.HoursAdjustment.role": "the role the adjusted hours were worked in",
    "schools.AuditRecord.object_id": "a record's key",
    "schools.RosterExport.error": "why a job failed, in words the code wrote (never a row's values)",
    "schools.RosterImport.error": "why a job failed, in words the code wrote (never a row's values)",
    "schools.RetentionRun.details": "ids and counts of what a sweep did",
    "schools.MobileCode.purpose": "what a code proves (registration, recovery)",
    "schools.Notification.kind": "the kind of a notice",
    "enrollment.AgreementText.body": "the agreement's text, the same for every family",
    "enrollment.LetterBatch.error": "why a job failed, in words the code wrote",
    # money records of schools
    "funding.LedgerEntry.description": "what money was spent on (a school's accounts, no person)",
    "funding.LedgerEntry.kind": "an entry's kind",
    "funding.Claim.kind": "a claim's kind",
    "funding.Claim.reason": "why a school claims more (a school's record)",
    "funding.Claim.reduction_reason": "why the county cut a school's claim",
    "funding.SpendingPlan.summary": "the school's plan for spending its fund",
    "funding.SettlementLine.service_class_name": "a service class's name",
    # safety: places, things, plans
    "safety.BusRoute.name": "a bus route's name",
    "safety.BusRoute.active": "whether a route runs",
    "safety.Dormitory.name": "a dormitory's name",
    "safety.Venue.name": "a venue's name",
    "safety.Venue.kind": "a venue's kind",
    "safety.Venue.active": "whether a venue is used",
    "safety.VenueCheck.note": "the state of a venue",
    "safety.VenueCheckItem.text": "a checklist item",
    "safety.VenueCheckItem.note": "the state of a venue",
    "safety.Hazard.description": "a hazard of a place",
    "safety.Rectification.note": "how a hazard was put right",
    "safety.RectificationPhoto.file": "a photo of a place put right",
    "safety.EmergencyPlan.title": "an emergency plan's title",
    "safety.Drill.went_wrong": "what went wrong in a drill (the school's, no person)",
    "safety.Drill.changes": "what the school changes after a drill",
    "schools.CountySettings.earliest_pickup_time": "the county's earliest pick-up time",
    "schools.CountySettings.late_pickup_minutes": "the county's setting",
    "schools.CountySettings.late_pickup_repeat_minutes": "the county's setting",
    "funding.SpendingPlan.office_meeting_resolution": "the school office's resolution number",
    "funding.SpendingPlan.staff_congress_resolution": "the staff congress's resolution number",
    "bureau.FlagReview.note": "the county's review of a flagged session (a school's delivery)",
    "bureau.Rectification.response_photo_type": "a photo's file type",
    "safety.InsuranceClaim.share_other_party": "the amount only (the other party's name is registered)",
    "safety.Incident.code": "a case number",
    # the console: numbers and the state of schools
    "bureau.ConsoleRefresh.error": "why a computation failed",
    "bureau.Feedback.code": "a tracking code, no person",
    "bureau.Feedback.kind": "the kind of a message",
    "bureau.Inspection.kind": "an inspection's kind",
    "bureau.Inspection.reinspection_note": "the state of a school at re-inspection",
    "bureau.InspectionCheck.note": "the state of a school",
    "bureau.Finding.description": "a finding about a school",
    "bureau.FindingPhoto.file": "a photo of a school's premises",
    "bureau.Rectification.response": "how a school put a finding right",
    "bureau.Rectification.response_photo": "a photo of a school's premises",
    "bureau.ReportWindow.kind": "a report's kind",
    "bureau.ReportWindow.title": "a reporting window's title",
    "bureau.ReportFigure.name": "a figure's name in a school report",
    "bureau.ReportFigure.reason": "why a school's reported figure differs",
}

# Every workflow event's note (the abstract WorkflowEvent) is a step's comment. Notes on a school's record (a plan, a
# claim, a session…) are the school's; those on a person's record are registered with their model.
EVENT_NOTES_OF_SCHOOL_RECORDS = {
    "schools.SchoolPlanEvent",
    "schools.SessionEvent",
    "funding.ClaimEvent",
    "funding.ModelClassEvent",
    "funding.PaySchemeEvent",
    "funding.PayRunEvent",
    "funding.SettlementEvent",
    "funding.SpendingPlanEvent",
    "safety.HazardEvent",
    "bureau.InspectionEvent",
    "bureau.RectificationEvent",
    "bureau.ReportWindowEvent",
    "bureau.SchoolReportEvent",
}


def _words(name: str) -> set[str]:
    return set(name.split("_"))


def _looks_personal(field: models.Field) -> bool:
    if field.name in BOOKKEEPING or field.is_relation:
        # A relation is a key: the person's data is in the registered fields of the row it points to.
        return False
    return bool(_words(field.name) & PERSONAL_WORDS)


def _project_models():
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if not model._meta.abstract and not model._meta.proxy:
                yield model


def test_every_personal_field_is_in_the_register():
    missing = []
    for model in _project_models():
        for field in model._meta.concrete_fields:
            key = f"{model._meta.label}.{field.name}"
            if not _looks_personal(field) or key in NOT_PERSONAL:
                continue
            if field.name == "note" and model._meta.label in EVENT_NOTES_OF_SCHOOL_RECORDS:
                continue
            if (model._meta.label, field.name) not in privacy.REGISTER:
                missing.append(key)
    assert not missing, (
        "personal fields with no purpose in the register (add them to the app's privacy.py, remove them, or say in "
        "NOT_PERSONAL why they are not personal): " + ", ".join(missing)
    )


def test_the_exceptions_name_fields_that_exist_and_are_not_registered():
    for key, reason in NOT_PERSONAL.items():
        label, name = key.rsplit(".", 1)
        model = apps.get_model(label)
        model._meta.get_field(name)  # FieldDoesNotExist: a stale exception
        assert reason
        assert (label, name) not in privacy.REGISTER, f"{key} is both registered and declared not personal"
        assert _looks_personal(model._meta.get_field(name)), f"{key} needs no exception: drop it"
    for label in EVENT_NOTES_OF_SCHOOL_RECORDS:
        assert apps.get_model(label)._meta.get_field("note")


def test_every_registered_field_exists_and_has_a_purpose_and_a_basis():
    assert privacy.ENTRIES
    for entry in privacy.ENTRIES:
        model = apps.get_model(entry.model)
        for name in entry.fields:
            assert model._meta.get_field(name).concrete
        assert entry.purpose and entry.basis.startswith("《个人信息保护法》")
        assert entry.retention in privacy.retention_keys()


def test_the_heuristic_finds_a_childs_fields_and_passes_over_keys_and_sums():
    student = apps.get_model("schools.Student")
    found = {f.name for f in student._meta.concrete_fields if _looks_personal(f)}
    assert {"name", "birth_date", "id_number", "gender", "link_code", "is_boarder"} <= found
    assert "school" not in found and "admin_class" not in found
    fund = apps.get_model("funding.Fund")
    assert not {f.name for f in fund._meta.concrete_fields if _looks_personal(f)}


# ---------------------------------------------------------------- the engine refuses a wrong register


def _entry(**kw):
    values = dict(
        model="schools.Student",
        fields=("name",),
        category=CHILD,
        purpose="花名册",
        basis=DUTY,
        retention=UNSET,
    )
    values.update(kw)
    return PersonalData(**values)


@pytest.mark.parametrize(
    "app, kw, says",
    [
        ("schools", {"fields": ("nickname",)}, "no field 'nickname'"),
        ("schools", {"model": "schools.Pupil"}, "not a model"),
        ("enrollment", {}, "a model of schools"),
        ("schools", {"category": "其他"}, "unknown category"),
        ("schools", {"purpose": ""}, "named purpose"),
        ("schools", {"retention": "forever"}, "unknown retention class"),
        ("schools", {"whole_for": "student.peek"}, "not a registered action"),
        ("schools", {"model": "schools.Guardian", "fields": ("name",)}, "no scope"),
    ],
)
def test_a_wrong_entry_refuses_to_start(app, kw, says):
    with pytest.raises(ImproperlyConfigured, match=re.escape(says)):
        build_register([Registration(app=app, entries=[_entry(**kw)])])


def test_a_field_registered_twice_refuses_to_start():
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        build_register([Registration(app="schools", entries=[_entry(), _entry(fields=("gender", "name"))])])
    assert len(build_register([Registration(app="schools", entries=[_entry(), _entry(fields=("gender",))])])) == 2


def test_who_sees_the_id_number_comes_from_the_access_engine():
    entry = privacy.REGISTER["schools.Student", "id_number"]
    seen = privacy.audience(entry)
    assert seen.whole == ("school_admin",)  # student.view_identifiers
    assert "class_teacher" in seen.masked and "bureau" in seen.masked
    assert "auditor" not in seen.whole + seen.masked  # no scope on the roster
    guardian = privacy.audience(privacy.REGISTER["schools.Guardian", "mobile"])  # seen on the child's record
    assert guardian.whole == ("school_admin",) and "parent" in guardian.masked


def test_the_id_number_stays_optional_with_its_one_purpose():
    field = apps.get_model("schools.Student")._meta.get_field("id_number")
    assert field.blank and field.null
    assert "可选" in privacy.REGISTER["schools.Student", "id_number"].purpose


def test_unused_account_fields_are_gone():
    user = apps.get_model("schools.User")
    names = {f.name for f in user._meta.get_fields()}
    assert not names & {"first_name", "last_name", "email"}
    with pytest.raises(ValueError, match="no e-mail"):
        user.objects.create_user("clerk", email="clerk@example.org", password="x-Secret-2026")
    made = user.objects._create_user_object("clerk", None, "x-Secret-2026", full_name="张三")  # nothing saved
    assert made.get_full_name() == "张三" and made.check_password("x-Secret-2026")
    made.clean()  # Django's clean would normalise an e-mail address; ours keeps to the username


# ---------------------------------------------------------------- the committed register


@pytest.mark.django_db
def test_the_committed_register_is_current():
    out = StringIO()
    call_command("privacy_register", stdout=out)
    assert DOC.read_text(encoding="utf-8") == out.getvalue(), (
        "docs/privacy.md is out of date: run `python manage.py privacy_register > docs/privacy.md` and commit it"
    )
