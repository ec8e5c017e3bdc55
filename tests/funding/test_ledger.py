"""The earmarked ledger (专款专用, R24): four categories only, never beyond the allocation, never edited."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from openpyxl import load_workbook

from funding.models import Category, Fund, LedgerEntry, PayRun, PayScheme
from funding.selectors.ledger import fund_list, ledger_entries, spent_by_category
from funding.services.ledger import ledger_book_allocation, ledger_reverse, ledger_spend
from schools.models import Role, Stage
from xiji_afterschool.errors import DomainError

from ..concurrency import at_once
from ..factories import SchoolFactory, user_with_role
from .builders_settlement import claim

K = LedgerEntry.Kind


pytestmark = pytest.mark.usefixtures("english")


def spend(w, amount, category=Category.CONSUMABLES, **kw):
    kw.setdefault("date", w.school_year.start_date)
    kw.setdefault("description", "购买作业本和文具")
    return ledger_spend(actor=w.school_admin, fund=w.fund, category=category, amount=amount, **kw)


def fund_state(fund: Fund) -> tuple:
    fund.refresh_from_db()
    return fund.allocated, fund.spent, LedgerEntry.objects.filter(fund=fund).count()


# ---------------------------------------------------------------- spending


def test_spending_books_an_entry_and_moves_the_running_total(funded):
    w = funded
    entry = spend(w, "1234.50", voucher_no=" 记-001 ")
    assert (entry.kind, entry.category, entry.amount, entry.voucher_no) == (
        K.SPENDING,
        Category.CONSUMABLES,
        Decimal("1234.50"),
        "记-001",
    )
    assert entry.recorded_by == w.school_admin
    spend(w, Decimal("3000.00"), category=Category.TEACHER)
    spend(w, 5, category=Category.TEACHER)
    assert fund_state(w.fund) == (Decimal("9960.00"), Decimal("4239.50"), 4)
    assert w.fund.balance == Decimal("5720.50")
    assert spent_by_category(fund=w.fund) == {
        Category.TEACHER: Decimal("3005.00"),
        Category.STAFF: Decimal("0.00"),
        Category.RUNNING: Decimal("0.00"),
        Category.CONSUMABLES: Decimal("1234.50"),
    }


def test_the_last_fen_can_be_spent_but_not_one_more(funded):
    w = funded
    spend(w, "9959.99")
    with pytest.raises(DomainError, match=re.escape("balance is ¥0.01, the entry ¥0.02")):
        spend(w, "0.02")
    spend(w, "0.01")
    assert fund_state(w.fund) == (Decimal("9960.00"), Decimal("9960.00"), 3)
    with pytest.raises(DomainError, match="more than was allocated"):
        spend(w, "0.01")
    assert fund_state(w.fund) == (Decimal("9960.00"), Decimal("9960.00"), 3)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"category": "banquet"}, "only on the four earmarked uses"),
        ({"category": ""}, "only on the four earmarked uses"),
        ({"amount": "12.345"}, "at most two decimal places"),
        ({"amount": "0"}, "more than zero"),
        ({"amount": "-5.00"}, "more than zero"),
        ({"amount": "abc"}, "Enter the amount in yuan"),
        ({"amount": "Infinity"}, "Enter the amount in yuan"),
        ({"amount": 12.5}, "Enter the amount in yuan"),
        ({"description": "   "}, "Say what the money was spent on"),
        ({"date": "future"}, "cannot be in the future"),
        ({"date": datetime.date(2020, 9, 1)}, "must fall in the school year"),
    ],
)
def test_bad_spending_is_refused_and_writes_nothing(funded, change, message):
    w = funded
    kw = {"category": Category.CONSUMABLES, "amount": "10.00", "date": w.school_year.start_date, "description": "文具"}
    kw |= change
    if kw["date"] == "future":
        kw["date"] = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(DomainError, match=message):
        ledger_spend(actor=w.school_admin, fund=w.fund, **kw)
    assert fund_state(w.fund) == (Decimal("9960.00"), Decimal("0.00"), 1)


def test_only_the_schools_own_admin_records_spending_and_reversals(funded):
    w = funded
    entry = spend(w, "10.00")
    for outsider in (w.finance, w.bureau, w.auditor, w.other_school_admin, w.service_teacher, w.parent):
        with pytest.raises(PermissionDenied):
            ledger_spend(
                actor=outsider, fund=w.fund, category=Category.CONSUMABLES, amount="10.00", date=w.school_year.start_date,
                description="文具",
            )  # fmt: skip
        with pytest.raises(PermissionDenied):
            ledger_reverse(actor=outsider, entry=entry, reason="x")
    assert fund_state(w.fund) == (Decimal("9960.00"), Decimal("10.00"), 2)


@pytest.mark.django_db(transaction=True)
def test_two_spendings_of_the_last_money_at_once_only_one_succeeds(funded):
    w = funded
    spend(w, "9000.00")
    other_admin = user_with_role(Role.SCHOOL_ADMIN, school=w.school_a)
    fund_1, fund_2 = Fund.objects.get(pk=w.fund.pk), Fund.objects.get(pk=w.fund.pk)
    results = at_once(
        lambda: ledger_spend(actor=w.school_admin, fund=fund_1, category=Category.RUNNING, amount="960.00",
                             date=w.school_year.start_date, description="电费"),
        lambda: ledger_spend(actor=other_admin, fund=fund_2, category=Category.STAFF, amount="960.00",
                             date=w.school_year.start_date, description="管理人员补助"),
    )  # fmt: skip
    assert results.count("ok") == 1, results
    assert sum(isinstance(r, DomainError) for r in results) == 1, results
    assert fund_state(w.fund) == (Decimal("9960.00"), Decimal("9960.00"), 3)
    assert sum(spent_by_category(fund=w.fund).values()) == Decimal("9960.00")


# ---------------------------------------------------------------- reversal and immutability


def test_a_mistake_is_corrected_by_a_reversing_entry(funded):
    w = funded
    wrong = spend(w, "500.00", category=Category.RUNNING, voucher_no="记-007")
    reversal = ledger_reverse(actor=w.school_admin, entry=wrong, reason="  科目记错  ")
    assert (reversal.kind, reversal.category, reversal.amount, reversal.reverses, reversal.voucher_no) == (
        K.REVERSAL,
        Category.RUNNING,
        Decimal("500.00"),
        wrong,
        "记-007",
    )
    assert reversal.description == f"Reverses entry {wrong.pk}: 科目记错"
    assert reversal.date == timezone.localdate()
    wrong.refresh_from_db()
    assert (wrong.kind, wrong.amount) == (K.SPENDING, Decimal("500.00"))  # the original stays as it was
    assert fund_state(w.fund) == (Decimal("9960.00"), Decimal("0.00"), 3)
    assert spent_by_category(fund=w.fund)[Category.RUNNING] == Decimal("0.00")
    entries = ledger_entries(fund=w.fund)
    assert {e.pk: e.reversal for e in entries} == {w.fund.entries.get(kind=K.ALLOCATION).pk: None, wrong.pk: reversal,
                                                   reversal.pk: None}  # fmt: skip


def test_what_cannot_be_reversed_is_refused(funded):
    w = funded
    entry = spend(w, "100.00")
    reversal = ledger_reverse(actor=w.school_admin, entry=entry, reason="重复录入")
    allocation = LedgerEntry.objects.get(kind=K.ALLOCATION)
    cases = [
        (entry, "重复", "already been reversed"),
        (reversal, "撤销冲销", "Only a spending entry can be reversed"),
        (allocation, "拨款有误", "Only a spending entry can be reversed"),
        (spend(w, "50.00"), "   ", "Say why the entry is reversed"),
    ]
    before = fund_state(w.fund)
    for target, reason, message in cases:
        with pytest.raises(DomainError, match=message):
            ledger_reverse(actor=w.school_admin, entry=target, reason=reason)
    assert fund_state(w.fund) == before


def test_the_entry_of_an_approved_pay_run_cannot_be_reversed(funded):
    w = funded
    entry = spend(w, "3000.00", category=Category.TEACHER, description="教师课后服务补助")
    scheme = PayScheme.objects.create(school=w.school_a, school_year=w.school_year, created_by=w.school_admin)
    month = w.school_year.start_date.replace(day=1)
    PayRun.objects.create(
        school=w.school_a, school_year=w.school_year, scheme=scheme, status=PayRun.Status.APPROVED, first_month=month,
        last_month=month, pool=Decimal("3000.00"), ledger_entry=entry, created_by=w.school_admin,
    )  # fmt: skip
    entry = LedgerEntry.objects.get(pk=entry.pk)
    with pytest.raises(DomainError, match="pays an approved pay run"):
        ledger_reverse(actor=w.school_admin, entry=entry, reason="发错了")
    assert fund_state(w.fund) == (Decimal("9960.00"), Decimal("3000.00"), 2)


def test_entries_are_never_edited_or_deleted(funded):
    w = funded
    entry = spend(w, "100.00")
    for name in ("ledger-edit", "ledger-delete", "ledger-entry-edit", "ledger-entry-delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"funding:{name}", args=[entry.pk])
    model_admin = admin.site._registry[LedgerEntry]  # support staff may look, never change
    request = RequestFactory().get("/admin/")
    request.user = user_with_role(Role.BUREAU, is_superuser=True, is_staff=True)
    assert model_admin.has_view_permission(request, entry)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    if connection.vendor == "postgresql":  # the database refuses too (migration 0002)
        for change in (
            lambda: LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00")),
            lambda: LedgerEntry.objects.filter(pk=entry.pk).delete(),
            lambda: LedgerEntry.objects.filter(kind=K.ALLOCATION).update(description="改"),
        ):
            with pytest.raises(IntegrityError), transaction.atomic():
                change()
    else:  # SQLite has no triggers: no page or service edits an entry, and the model check still holds
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("0.00"))
    entry.refresh_from_db()
    assert entry.amount == Decimal("100.00") and LedgerEntry.objects.count() == 2


def test_the_database_refuses_spending_beyond_the_allocation_whatever_the_code_does(funded):
    w = funded
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=w.fund.pk).update(spent=Decimal("9960.01"))
    assert fund_state(w.fund) == (Decimal("9960.00"), Decimal("0.00"), 1)


def at_commit():
    """Fire the deferred checks now, as COMMIT would (the test's transaction is never committed), then defer again."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.mark.needs_postgres
def test_the_database_keeps_the_fund_totals_to_the_ledger(funded):
    """Migration funding 0006: a total moves only with its ledger entry; checked at commit, after both."""
    w = funded
    spent = spend(w, "300.00", category=Category.RUNNING)
    ledger_reverse(actor=w.school_admin, entry=spent, reason="科目记错")
    spend(w, "100.00")
    at_commit()  # the services' compare-and-set and entries, in one transaction, pass
    assert fund_state(w.fund) == (Decimal("9960.00"), Decimal("100.00"), 4)
    with connection.cursor() as cursor:
        for statement, params in (
            ("UPDATE funding_fund SET spent = 0 WHERE id = %s", [w.fund.pk]),
            ("UPDATE funding_fund SET allocated = allocated + 1000 WHERE id = %s", [w.fund.pk]),
            (  # an entry without its total
                "INSERT INTO funding_ledgerentry (fund_id, kind, category, amount, date, description, voucher_no,"
                " recorded_by_id, created_at) VALUES (%s, 'spending', 'running', 50, %s, 'x', '', %s, now())",
                [w.fund.pk, w.school_year.start_date, w.school_admin.pk],
            ),
        ):
            with pytest.raises(IntegrityError, match="do not match its ledger"), transaction.atomic():
                cursor.execute(statement, params)
                at_commit()
        # a total moved with a matching entry in the same transaction passes: the ledger shows it
        with transaction.atomic():
            cursor.execute("UPDATE funding_fund SET spent = spent + 50 WHERE id = %s", [w.fund.pk])
            cursor.execute(statement, params)
            at_commit()
    assert fund_state(w.fund) == (Decimal("9960.00"), Decimal("150.00"), 5)


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_hand_typed_total_fails_at_commit(funded):
    """Committed for real (no test transaction around it): the deferred check runs at COMMIT."""
    w = funded
    spend(w, "100.00")
    with pytest.raises(IntegrityError, match="do not match its ledger"), connection.cursor() as cursor:
        cursor.execute("UPDATE funding_fund SET spent = 0 WHERE id = %s", [w.fund.pk])  # autocommit: COMMIT now
    assert fund_state(w.fund) == (Decimal("9960.00"), Decimal("100.00"), 2)


def test_an_allocated_claim_books_money_into_the_fund(world, rate):
    w = world
    allocated = claim(w, w.school_a, w.school_year, lines=[(Stage.PRIMARY, 2, 10, 2)], approved="1100.50")
    entry = ledger_book_allocation(claim=allocated, actor=w.finance, date=w.school_year.start_date, voucher_no="V-1")
    fund = Fund.objects.get(school=w.school_a, school_year=w.school_year)
    assert (entry.kind, entry.amount, entry.claim, entry.fund) == (K.ALLOCATION, Decimal("1100.50"), allocated, fund)
    assert (fund.allocated, fund.spent) == (Decimal("1100.50"), Decimal("0.00"))


# ---------------------------------------------------------------- selectors and pages


def test_fund_list_is_scoped_and_takes_a_fixed_number_of_queries(funded, django_assert_num_queries):
    w = funded
    for _i in range(5):
        Fund.objects.create(school=SchoolFactory(), school_year=w.school_year)
    Fund.objects.create(school=w.school_b, school_year=w.school_year)
    list(fund_list(viewer=w.finance))  # memberships are loaded once per user
    with django_assert_num_queries(1):
        funds = list(fund_list(viewer=w.finance, school_year=w.school_year))
    assert len(funds) == 7
    assert [f.school for f in fund_list(viewer=w.school_admin)] == [w.school_a]
    assert list(fund_list(viewer=w.parent)) == []


def test_ledger_page_shows_totals_categories_budgets_and_reversed_entries(client, funded):
    w = funded
    from funding.models import SpendingPlan

    SpendingPlan.objects.create(
        school=w.school_a, school_year=w.school_year, budget_teacher=Decimal("6000.00"),
        budget_consumables=Decimal("1000.00"), created_by=w.school_admin,
    )  # fmt: skip
    wrong = spend(w, "1200.00", voucher_no="记-009")
    ledger_reverse(actor=w.school_admin, entry=wrong, reason="金额错误")
    spend(w, "1020.00")
    client.force_login(w.inspector)
    page = client.get(reverse("funding:ledger-detail", args=[w.school_a.pk, w.school_year.pk])).content.decode()
    assert "¥9,960.00" in page and "¥1,020.00" in page and "¥8,940.00" in page
    assert f"reversed by #{wrong.pk + 1}" in page and "记-009" in page
    assert "-¥20.00" in page  # consumables over budget by 20
    assert "Record spending" not in page  # the inspector reads only


def test_spending_through_the_page(client, funded):
    w = funded
    url = reverse("funding:ledger-spend", args=[w.school_a.pk, w.school_year.pk])
    client.force_login(w.school_admin)
    good = {
        "category": "running",
        "amount": "88.80",
        "date": w.school_year.start_date.isoformat(),
        "description": "水费",
    }
    page = client.post(url, good, follow=True).content.decode()
    assert "The spending has been recorded." in page
    assert fund_state(w.fund) == (Decimal("9960.00"), Decimal("88.80"), 2)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for bad, message in [
        ({"amount": "1.005"}, "Ensure that there are no more than 2 decimal places."),
        ({"amount": "-1"}, "Ensure this value is greater than or equal to 0.01."),
        ({"amount": "0"}, "Ensure this value is greater than or equal to 0.01."),
        ({"amount": ""}, "This field is required."),
        ({"category": "banquet"}, "Select a valid choice."),
        ({"description": "  "}, "This field is required."),
        ({"date": tomorrow}, "The date cannot be in the future."),
        ({"date": "2021-02-30"}, "Enter a valid date."),
        ({"amount": "99999.00"}, "more than was allocated"),
    ]:
        page = client.post(url, good | bad, follow=True).content.decode()
        assert message.replace("'", "&#x27;") in page, bad
    assert fund_state(w.fund) == (Decimal("9960.00"), Decimal("88.80"), 2)


def test_reversing_through_the_page(client, funded):
    w = funded
    entry = spend(w, "300.00")
    url = reverse("funding:ledger-reverse", args=[entry.pk])
    client.force_login(w.school_admin)
    page = client.post(url, {"reason": " "}, follow=True).content.decode()
    assert "Nothing was recorded." in page
    assert fund_state(w.fund) == (Decimal("9960.00"), Decimal("300.00"), 2)
    page = client.post(url, {"reason": "录错学校"}, follow=True).content.decode()
    assert f"Entry {entry.pk} has been reversed." in page
    page = client.post(url, {"reason": "再来一次"}, follow=True).content.decode()  # a crafted second reversal
    assert "This entry has already been reversed." in page
    assert fund_state(w.fund) == (Decimal("9960.00"), Decimal("0.00"), 3)


def test_excel_export_reconciles_to_the_fen(client, funded):
    w = funded
    spend(w, "1000.10", category=Category.TEACHER)
    wrong = spend(w, "0.33", category=Category.RUNNING)
    ledger_reverse(actor=w.school_admin, entry=wrong, reason="重复")
    spend(w, "2345.67", category=Category.CONSUMABLES)
    client.force_login(w.auditor)
    response = client.get(reverse("funding:ledger-export", args=[w.school_a.pk, w.school_year.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(values_only=True)]
    money = lambda v: Decimal("0.00") if v is None else Decimal(str(v)).quantize(Decimal("0.01"))  # noqa: E731
    entries = [r for r in rows[1:] if r and isinstance(r[0], int)]
    assert len(entries) == 5
    total_in = sum(money(r[6]) for r in entries)
    total_out = sum(money(r[7]) for r in entries)
    w.fund.refresh_from_db()
    assert (total_in, total_out) == (w.fund.allocated, w.fund.spent) == (Decimal("9960.00"), Decimal("3345.77"))
    assert money(entries[-1][8]) == w.fund.balance == Decimal("6614.23")
    total = next(r for r in rows if r and r[2] == "Total")
    assert (money(total[6]), money(total[7]), money(total[8])) == (
        Decimal("9960.00"),
        Decimal("3345.77"),
        Decimal("6614.23"),
    )
    by_category = {r[3]: money(r[7]) for r in rows if r and r[2] == "Spent on"}
    assert by_category == {
        "Teacher subsidies": Decimal("1000.10"),
        "Staff and management subsidies": Decimal("0.00"),
        "Daily running costs": Decimal("0.00"),
        "Consumables": Decimal("2345.67"),
    }


def test_county_table_lists_every_school_with_its_totals(client, funded, django_assert_max_num_queries):
    w = funded
    spend(w, "960.00")
    for _i in range(4):
        SchoolFactory()
    client.force_login(w.bureau)
    url = reverse("funding:ledger-list")
    client.get(url)
    with django_assert_max_num_queries(10):  # whatever the number of schools
        page = client.get(url).content.decode()
    assert w.school_a.name in page and w.school_b.name in page
    assert "¥9,960.00" in page and "¥960.00" in page and "¥9,000.00" in page
    client.force_login(w.school_admin)
    page = client.get(url).content.decode()
    assert w.school_a.name in page and w.school_b.name not in page
