"""The spending plan (R25): budgets in the four categories, approved by the office meeting and then the staff
congress with dates, resolution numbers and minutes; fixed once approved."""

import base64
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from funding.forms.spending import SpendingPlanForm
from funding.models import SpendingPlan, SpendingPlanEvent
from funding.services.spending import spending_plan_record_approval, spending_plan_save
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
D = datetime.date


pytestmark = pytest.mark.usefixtures("english", "media")


def office_day(w) -> datetime.date:
    """A month ago, whatever day the suite runs (the staff congress follows a week later)."""
    return timezone.localdate() - datetime.timedelta(days=30)


def data(w, **changes) -> dict:
    """A complete plan as the form cleans it: budgets, both meetings, both minutes."""
    values = {
        "budget_teacher": Decimal("6000.00"),
        "budget_staff": Decimal("1000.00"),
        "budget_running": Decimal("1960.00"),
        "budget_consumables": Decimal("1000.00"),
        "summary": "教师补助按课时分配，其余用于管理、运转和耗材。",
        "office_meeting_date": office_day(w),
        "office_meeting_resolution": "校办〔2026〕3号",
        "office_meeting_minutes": SimpleUploadedFile("办公会纪要.pdf", PDF),
        "staff_congress_date": office_day(w) + datetime.timedelta(days=7),
        "staff_congress_resolution": "教代会〔2026〕1号",
        "staff_congress_minutes": SimpleUploadedFile("教代会决议.png", PNG),
    }
    return values | changes


def state(school) -> list:
    return list(SpendingPlan.objects.filter(school=school).values_list("status", "budget_teacher", "summary"))


def test_the_school_saves_a_draft_and_updates_it(world):
    w = world
    first = spending_plan_save(
        actor=w.school_admin, school=w.school_a, school_year=w.school_year,
        cleaned_data={"budget_teacher": Decimal("5000.00"), "summary": "  初稿  "},
    )  # fmt: skip
    assert (first.status, first.budget_teacher, first.budget_staff, first.summary) == (
        SpendingPlan.Status.DRAFT,
        Decimal("5000.00"),
        Decimal("0.00"),
        "初稿",
    )
    assert not first.office_meeting_minutes and first.created_by == w.school_admin
    plan = spending_plan_save(actor=w.school_admin, school=w.school_a, school_year=w.school_year, cleaned_data=data(w))
    assert plan.pk == first.pk and SpendingPlan.objects.count() == 1
    plan.refresh_from_db()
    assert plan.budget_total == Decimal("9960.00")
    assert plan.office_meeting_minutes.name.startswith(f"funding/minutes/{w.school_a.pk}/")
    assert plan.office_meeting_minutes.name.endswith(".pdf") and plan.staff_congress_minutes.name.endswith(".png")
    assert plan.office_meeting_minutes.read() == PDF
    # A later save without new files keeps the minutes already uploaded.
    again = spending_plan_save(
        actor=w.school_admin, school=w.school_a, school_year=w.school_year,
        cleaned_data=data(w, office_meeting_minutes=None, staff_congress_minutes=None, budget_staff=Decimal("0.50")),
    )  # fmt: skip
    assert again.office_meeting_minutes.name == plan.office_meeting_minutes.name
    assert again.budget_staff == Decimal("0.50")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"budget_teacher": Decimal("-1.00")}, "cannot be negative"),
        ({"budget_staff": Decimal("1.005")}, "at most two decimal places"),
        ({"budget_running": "lots"}, "enter an amount in yuan"),
        ({"office_meeting_date": "future"}, "cannot be in the future"),
        ({"staff_congress_date": "before"}, "staff congress comes after the office meeting"),
        ({"office_meeting_minutes": SimpleUploadedFile("纪要.pdf", b"MZ\x90\x00 not a pdf")}, "PDF, JPEG or PNG"),
        ({"staff_congress_minutes": SimpleUploadedFile("决议.pdf", b"")}, "empty"),
        (
            {"staff_congress_minutes": SimpleUploadedFile("决议.pdf", PDF + b"0" * (10 * 1024 * 1024))},
            "larger than 10 MB",
        ),
    ],
)
def test_bad_plans_are_refused_and_nothing_changes(world, change, message):
    w = world
    spending_plan_save(
        actor=w.school_admin, school=w.school_a, school_year=w.school_year,
        cleaned_data={"budget_teacher": Decimal("100.00"), "summary": "初稿"},
    )  # fmt: skip
    if change.get("office_meeting_date") == "future":
        change["office_meeting_date"] = timezone.localdate() + datetime.timedelta(days=1)
    if change.get("staff_congress_date") == "before":
        change["staff_congress_date"] = office_day(w) - datetime.timedelta(days=1)
    with pytest.raises(DomainError, match=message):
        spending_plan_save(
            actor=w.school_admin, school=w.school_a, school_year=w.school_year, cleaned_data=data(w, **change)
        )
    assert state(w.school_a) == [(SpendingPlan.Status.DRAFT, Decimal("100.00"), "初稿")]
    plan = SpendingPlan.objects.get()
    assert not plan.office_meeting_minutes and not plan.staff_congress_minutes


def test_only_the_schools_own_admin_writes_and_approves_the_plan(world):
    w = world
    for outsider in (w.bureau, w.finance, w.auditor, w.other_school_admin, w.service_teacher):
        with pytest.raises(PermissionDenied):
            spending_plan_save(actor=outsider, school=w.school_a, school_year=w.school_year, cleaned_data=data(w))
    assert not SpendingPlan.objects.exists()
    plan = spending_plan_save(actor=w.school_admin, school=w.school_a, school_year=w.school_year, cleaned_data=data(w))
    for outsider in (w.bureau, w.finance, w.other_school_admin):
        with pytest.raises(PermissionDenied):
            spending_plan_record_approval(actor=outsider, plan=plan)
    assert SpendingPlan.objects.get().status == SpendingPlan.Status.DRAFT


def test_approval_is_recorded_once_everything_is_there_and_then_the_plan_is_fixed(world):
    w = world
    plan = spending_plan_save(actor=w.school_admin, school=w.school_a, school_year=w.school_year, cleaned_data=data(w))
    spending_plan_record_approval(actor=w.school_admin, plan=plan, note="两会通过")
    plan.refresh_from_db()
    assert plan.status == SpendingPlan.Status.APPROVED
    assert plan.approved_by == w.school_admin and plan.approved_at is not None
    assert list(plan.events.values_list("action", "from_status", "to_status", "note")) == [
        ("record_approval", "draft", "approved", "两会通过")
    ]
    with pytest.raises(DomainError, match="has been approved and can no longer change"):
        spending_plan_save(
            actor=w.school_admin, school=w.school_a, school_year=w.school_year,
            cleaned_data={"budget_teacher": Decimal("1.00")},
        )  # fmt: skip
    with pytest.raises(TransitionNotAllowed):
        spending_plan_record_approval(actor=w.school_admin, plan=plan)
    plan.refresh_from_db()
    assert plan.budget_teacher == Decimal("6000.00") and SpendingPlanEvent.objects.count() == 1


@pytest.mark.parametrize(
    "missing, named",
    [
        ({"office_meeting_date": None}, "office meeting date"),
        ({"office_meeting_resolution": ""}, "office meeting resolution number"),
        ({"office_meeting_minutes": None}, "office meeting minutes"),
        ({"staff_congress_date": None}, "staff congress date"),
        ({"staff_congress_resolution": ""}, "staff congress resolution number"),
        ({"staff_congress_minutes": None}, "staff congress minutes"),
        (
            {
                "budget_teacher": Decimal("0"),
                "budget_staff": Decimal("0"),
                "budget_running": Decimal("0"),
                "budget_consumables": Decimal("0"),
            },
            "the budgets",
        ),
    ],
)
def test_approval_is_refused_while_something_is_missing(world, missing, named):
    w = world
    plan = spending_plan_save(
        actor=w.school_admin, school=w.school_a, school_year=w.school_year, cleaned_data=data(w, **missing)
    )
    with pytest.raises(DomainError, match=f"Still missing: {named}"):
        spending_plan_record_approval(actor=w.school_admin, plan=plan)
    assert SpendingPlan.objects.get().status == SpendingPlan.Status.DRAFT and not SpendingPlanEvent.objects.exists()


@pytest.mark.parametrize("which", ["future", "congress_first"])
def test_approval_rechecks_the_meeting_dates(world, which):
    """Dates that passed the form can still be wrong at approval (e.g. typed into the database by support)."""
    w = world
    plan = spending_plan_save(actor=w.school_admin, school=w.school_a, school_year=w.school_year, cleaned_data=data(w))
    if which == "future":
        fields = {"staff_congress_date": timezone.localdate() + datetime.timedelta(days=3)}
        message = "cannot be in the future"
    else:
        fields = {"staff_congress_date": office_day(w) - datetime.timedelta(days=1)}
        message = "staff congress comes after the office meeting"
    SpendingPlan.objects.filter(pk=plan.pk).update(**fields)
    with pytest.raises(DomainError, match=message):
        spending_plan_record_approval(actor=w.school_admin, plan=plan)
    assert SpendingPlan.objects.get().status == SpendingPlan.Status.DRAFT


def test_the_form_refuses_bad_input(world):
    w = world
    good = {
        "budget_teacher": "6000.00", "budget_staff": "1000", "budget_running": "0", "budget_consumables": "0.5",
        "summary": "", "office_meeting_date": office_day(w).isoformat(), "office_meeting_resolution": "",
        "staff_congress_date": "", "staff_congress_resolution": "",
    }  # fmt: skip
    assert SpendingPlanForm(good).is_valid()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for bad, field in [
        ({"budget_teacher": "-1"}, "budget_teacher"),
        ({"budget_staff": "1.001"}, "budget_staff"),
        ({"budget_running": ""}, "budget_running"),
        ({"budget_consumables": "abc"}, "budget_consumables"),
        ({"office_meeting_date": tomorrow}, "office_meeting_date"),
        ({"staff_congress_date": (office_day(w) - datetime.timedelta(days=1)).isoformat()}, "staff_congress_date"),
        ({"staff_congress_date": "2026-13-01"}, "staff_congress_date"),
    ]:
        form = SpendingPlanForm(good | bad)
        assert not form.is_valid() and field in form.errors, bad


# ---------------------------------------------------------------- pages


def post_data(w) -> dict:
    return {
        "budget_teacher": "6000.00", "budget_staff": "1000.00", "budget_running": "1960.00",
        "budget_consumables": "1000.00", "summary": "按课时分配", "office_meeting_date": office_day(w).isoformat(),
        "office_meeting_resolution": "校办〔2026〕3号",
        "staff_congress_date": (office_day(w) + datetime.timedelta(days=7)).isoformat(),
        "staff_congress_resolution": "教代会〔2026〕1号",
        "office_meeting_minutes": SimpleUploadedFile("纪要.pdf", PDF, content_type="application/pdf"),
        "staff_congress_minutes": SimpleUploadedFile("决议.png", PNG, content_type="image/png"),
    }  # fmt: skip


def test_writing_approving_and_reading_the_plan_through_the_pages(client, world):
    w = world
    edit = reverse("funding:spending-plan-edit", args=[w.school_a.pk, w.school_year.pk])
    detail = reverse("funding:spending-plan-detail", args=[w.school_a.pk, w.school_year.pk])
    client.force_login(w.school_admin)
    assert client.get(edit).status_code == 200
    bad = post_data(w) | {"budget_teacher": "12.345"}
    page = client.post(edit, bad, follow=True).content.decode()
    assert "Nothing was saved." in page and "Ensure that there are no more than 2 decimal places." in page
    assert not SpendingPlan.objects.exists()
    bad = post_data(w) | {"office_meeting_minutes": SimpleUploadedFile("纪要.pdf", b"<html>not a pdf</html>")}
    page = client.post(edit, bad, follow=True).content.decode()
    assert "Minutes must be a PDF, JPEG or PNG file." in page and not SpendingPlan.objects.exists()
    response = client.post(edit, post_data(w))
    assert response.status_code == 302 and response["Location"] == detail
    plan = SpendingPlan.objects.get()
    page = client.get(detail).content.decode()
    assert "¥9,960.00" in page and "Record the approval" in page and "校办〔2026〕3号" in page
    minutes = client.get(reverse("funding:spending-plan-minutes", args=[plan.pk, "office"]))
    assert minutes.status_code == 200 and minutes["Content-Type"] == "application/pdf"
    assert b"".join(minutes.streaming_content) == PDF
    congress = client.get(reverse("funding:spending-plan-minutes", args=[plan.pk, "congress"]))
    assert congress["Content-Type"] == "image/png"
    assert client.get(reverse("funding:spending-plan-minutes", args=[plan.pk, "lunch"])).status_code == 404
    approve = reverse("funding:spending-plan-approve", args=[plan.pk])
    page = client.post(approve, {"note": ""}, follow=True).content.decode()
    assert "The approval of the spending plan has been recorded." in page
    page = client.post(approve, {"note": ""}, follow=True).content.decode()  # crafted second approval
    assert "This cannot be done now" in page
    page = client.post(edit, post_data(w) | {"budget_teacher": "1.00"}, follow=True).content.decode()
    assert "has been approved and can no longer change" in page
    plan.refresh_from_db()
    assert plan.budget_teacher == Decimal("6000.00") and plan.events.count() == 1
    client.force_login(w.finance)  # the county reads the plan and its minutes
    page = client.get(detail).content.decode()
    assert "Approved by office meeting and staff congress" in page and "Record the approval" not in page
    assert client.get(reverse("funding:spending-plan-minutes", args=[plan.pk, "congress"])).status_code == 200


def test_a_plan_without_minutes_has_nothing_to_download(client, world):
    w = world
    plan = spending_plan_save(
        actor=w.school_admin, school=w.school_a, school_year=w.school_year, cleaned_data={"summary": "草稿"}
    )
    client.force_login(w.school_admin)
    assert client.get(reverse("funding:spending-plan-minutes", args=[plan.pk, "office"])).status_code == 404
    page = client.get(reverse("funding:spending-plan-detail", args=[w.school_a.pk, w.school_year.pk])).content
    assert "Before recording the approval, still needed:" in page.decode()
