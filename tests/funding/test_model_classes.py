"""Model custody classes (R36, 示范性课后托管班): the bureau proposes a service class against the published criteria
and recognises it with the county trade union; recognition books the grant into the school's fund once."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from funding.models import Fund, LedgerEntry, ModelClass, ModelClassEvent
from funding.services import model_classes as services
from funding.services.ledger import ledger_spend
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed

from ..access.hours import make_service_class
from ..concurrency import at_once
from ..conftest import messages_of
from ..factories import user_with_role

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def proposed(world):
    w = world
    w.choir = make_service_class(w.school_a, school_year=w.school_year, teacher=w.service_teacher, name="合唱团")
    w.other_class = make_service_class(w.school_b, school_year=w.school_year, teacher=w.other_school_admin, name="B")
    w.model = services.model_class_propose(
        actor=w.bureau, service_class=w.choir, school_year=w.school_year, criteria=["safety", "content"],
        grant_amount="5000.00", with_trade_union=True, citation="活动丰富，家长满意",
    )  # fmt: skip
    return w


def _today_in_year(w) -> datetime.date:
    today = timezone.localdate()
    return min(max(today, w.school_year.start_date), w.school_year.end_date)


def test_proposal_starts_proposed_with_its_criteria_and_history(proposed):
    w = proposed
    m = ModelClass.objects.get()
    assert (m.status, m.criteria, m.grant_amount, m.with_trade_union) == (
        ModelClass.Status.PROPOSED, ["safety", "content"], Decimal("5000.00"), True,
    )  # fmt: skip
    assert list(m.events.values_list("action", "from_status", "to_status", "actor")) == [
        ("propose", "", "proposed", w.bureau.pk)
    ]
    assert not LedgerEntry.objects.exists()  # a proposal books nothing


def test_recognition_books_exactly_one_ledger_entry_of_the_grant(proposed):
    w = proposed
    day = _today_in_year(w)
    services.model_class_recognise(actor=w.bureau, model_class=w.model, recognised_on=day, note="县总工会联合认定")
    w.model.refresh_from_db()
    assert (w.model.status, w.model.recognised_by, w.model.recognised_on) == ("recognised", w.bureau, day)
    entry = LedgerEntry.objects.get()
    fund = Fund.objects.get(school=w.school_a, school_year=w.school_year)
    assert (entry.kind, entry.amount, entry.model_class, entry.claim, entry.fund, entry.date) == (
        LedgerEntry.Kind.ALLOCATION, Decimal("5000.00"), w.model, None, fund, day,
    )  # fmt: skip
    assert fund.allocated == Decimal("5000.00") == sum(e.amount for e in fund.entries.all())
    # The school spends it like any allocation, within the four earmarked uses.
    ledger_spend(
        actor=w.school_admin, fund=fund, category="consumables", amount="1200.00", date=day, description="服装"
    )
    fund.refresh_from_db()
    assert fund.balance == Decimal("3800.00")


def test_recognising_twice_is_refused_and_books_nothing_more(proposed):
    w = proposed
    services.model_class_recognise(actor=w.bureau, model_class=w.model)
    with pytest.raises(TransitionNotAllowed):
        services.model_class_recognise(actor=w.bureau, model_class=ModelClass.objects.get(pk=w.model.pk))
    assert LedgerEntry.objects.count() == 1
    assert Fund.objects.get().allocated == Decimal("5000.00")
    assert ModelClassEvent.objects.filter(action="recognise").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_clerks_recognising_at_once_book_one_grant(proposed):
    w = proposed
    other = user_with_role("bureau")
    first, second = ModelClass.objects.get(pk=w.model.pk), ModelClass.objects.get(pk=w.model.pk)
    results = at_once(
        lambda: services.model_class_recognise(actor=w.bureau, model_class=first),
        lambda: services.model_class_recognise(actor=other, model_class=second),
    )
    assert results.count("ok") == 1, results
    assert LedgerEntry.objects.count() == 1 and Fund.objects.get().allocated == Decimal("5000.00")


def test_a_failed_booking_leaves_the_class_proposed(proposed, monkeypatch):
    """Recognition and booking are one transaction: a booking that fails undoes the recognition."""
    w = proposed

    def broken(**kwargs):
        raise DomainError("ledger unavailable")

    monkeypatch.setattr(services.ledger_services, "ledger_book_grant", broken)
    with pytest.raises(DomainError):
        services.model_class_recognise(actor=w.bureau, model_class=w.model)
    w.model.refresh_from_db()
    assert w.model.status == ModelClass.Status.PROPOSED and w.model.events.count() == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"criteria": []}, "at least one of the published criteria"),
        ({"criteria": ["safety", "bribes"]}, "at least one of the published criteria"),
        ({"grant_amount": "0"}, "more than zero"),
        ({"grant_amount": "12.345"}, "two decimal places"),
        ({"grant_amount": "lots"}, "Enter the grant in yuan"),
    ],
)
def test_a_proposal_with_bad_input_is_refused(world, change, message):
    w = world
    choir = make_service_class(w.school_a, school_year=w.school_year, teacher=w.service_teacher, name="合唱团")
    data = {"criteria": ["safety"], "grant_amount": "5000.00"} | change
    with pytest.raises(DomainError, match=message):
        services.model_class_propose(actor=w.bureau, service_class=choir, school_year=w.school_year, **data)
    assert not ModelClass.objects.exists()


def test_a_class_is_proposed_once_a_year_and_only_for_its_own_year(proposed):
    w = proposed
    with pytest.raises(DomainError, match="already been proposed"):
        services.model_class_propose(
            actor=w.bureau, service_class=w.choir, school_year=w.school_year, criteria=["safety"], grant_amount="1.00"
        )
    from .builders_settlement import past_year

    with pytest.raises(DomainError, match="was not formed for"):
        services.model_class_propose(
            actor=w.bureau, service_class=w.other_class, school_year=past_year(), criteria=["safety"],
            grant_amount="1.00",
        )  # fmt: skip
    assert ModelClass.objects.count() == 1


def test_only_the_bureau_proposes_and_recognises(proposed):
    w = proposed
    for outsider in (w.finance, w.school_admin, w.inspector, w.auditor, w.leadership):
        with pytest.raises(PermissionDenied):
            services.model_class_propose(
                actor=outsider, service_class=w.other_class, school_year=w.school_year, criteria=["safety"],
                grant_amount="1.00",
            )  # fmt: skip
        with pytest.raises(PermissionDenied):
            services.model_class_recognise(actor=outsider, model_class=w.model)
    assert ModelClass.objects.count() == 1 and not LedgerEntry.objects.exists()


def test_revoking_needs_a_reason_and_keeps_a_booked_grant(proposed):
    w = proposed
    services.model_class_recognise(actor=w.bureau, model_class=w.model)
    with pytest.raises(DomainError, match="Say why"):
        services.model_class_revoke(actor=w.bureau, model_class=w.model, reason=" ")
    services.model_class_revoke(actor=w.bureau, model_class=w.model, reason="服务记录造假")
    w.model.refresh_from_db()
    assert w.model.status == ModelClass.Status.REVOKED
    assert LedgerEntry.objects.count() == 1  # the ledger is never edited
    with pytest.raises(TransitionNotAllowed):
        services.model_class_recognise(actor=w.bureau, model_class=w.model)


def test_a_grant_entry_names_one_source_in_the_database(proposed):
    w = proposed
    fund = Fund.objects.create(school=w.school_a, school_year=w.school_year)
    with pytest.raises(IntegrityError), transaction.atomic():  # money in from nowhere
        LedgerEntry.objects.create(
            fund=fund, kind=LedgerEntry.Kind.ALLOCATION, amount=Decimal("1.00"), date=w.school_year.start_date,
            description="?", recorded_by=w.bureau,
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():  # spending tied to a model class
        LedgerEntry.objects.create(
            fund=fund, kind=LedgerEntry.Kind.SPENDING, category="consumables", amount=Decimal("1.00"),
            date=w.school_year.start_date, description="?", recorded_by=w.bureau, model_class=w.model,
        )  # fmt: skip


@pytest.mark.needs_postgres  # the append-only ledger trigger is PostgreSQL's (migration funding/0002)
def test_a_booked_grant_is_never_changed_in_the_database(proposed):
    w = proposed
    services.model_class_recognise(actor=w.bureau, model_class=w.model)
    for change in (
        lambda: LedgerEntry.objects.filter(model_class=w.model).update(amount=Decimal("1.00")),
        lambda: LedgerEntry.objects.filter(model_class=w.model).delete(),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            change()
    assert LedgerEntry.objects.get(model_class=w.model).amount == Decimal("5000.00")


# ---------------------------------------------------------------- pages


def test_bureau_proposes_and_recognises_through_the_pages(client, world):
    w = world
    choir = make_service_class(w.school_a, school_year=w.school_year, teacher=w.service_teacher, name="合唱团")
    client.force_login(w.bureau)
    form = client.get(reverse("funding:model-class-propose"), {"school": w.school_a.pk}).content.decode()
    assert "合唱团" in form
    response = client.post(
        reverse("funding:model-class-propose"),
        {"service_class": choir.pk, "criteria": ["safety", "satisfaction"], "grant_amount": "3000.00",
         "with_trade_union": "on", "citation": "家长满意度高"},
    )  # fmt: skip
    model = ModelClass.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "funding:model-class-detail", args=[model.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "Recognise and book the grant" in page and "¥3,000.00" in page
    day = _today_in_year(w)
    response = client.post(
        reverse("funding:model-class-recognise", args=[model.pk]), {"recognised_on": day.isoformat(), "note": ""}
    )
    assert messages_of(response) == ["The model class has been recognised and its grant booked into the school's fund."]
    again = client.post(
        reverse("funding:model-class-recognise", args=[model.pk]), {"recognised_on": day.isoformat(), "note": ""}
    )
    assert "This cannot be done now" in messages_of(again)[-1]
    assert LedgerEntry.objects.count() == 1
    listing = client.get(reverse("funding:model-class-list"), {"year": w.school_year.pk}).content.decode()
    assert "1 recognised model class, grants ¥3,000.00." in listing
    assert "合唱团" not in client.get(reverse("funding:model-class-propose")).content.decode()  # taken this year


def test_each_school_sees_only_its_own_model_classes(client, proposed):
    w = proposed
    b = services.model_class_propose(
        actor=w.bureau, service_class=w.other_class, school_year=w.school_year, criteria=["records"],
        grant_amount="2000.00",
    )  # fmt: skip
    client.force_login(w.other_school_admin)
    assert client.get(reverse("funding:model-class-detail", args=[w.model.pk])).status_code == 404
    assert client.get(reverse("funding:model-class-detail", args=[b.pk])).status_code == 200
    listing = client.get(reverse("funding:model-class-list"), {"year": w.school_year.pk}).content.decode()
    assert f'data-model-class="{b.pk}"' in listing and f'data-model-class="{w.model.pk}"' not in listing
    client.force_login(w.school_admin)
    funding_page = client.get(reverse("funding:school-funding", args=[w.school_a.pk])).content.decode()
    assert 'data-part="model-classes"' in funding_page and "合唱团" in funding_page
    client.force_login(w.leadership)  # the county leadership reads every school's
    listing = client.get(reverse("funding:model-class-list"), {"year": w.school_year.pk}).content.decode()
    assert f'data-model-class="{b.pk}"' in listing and f'data-model-class="{w.model.pk}"' in listing
    assert "Propose a model class" not in listing


def test_the_recognised_class_has_a_badge_on_its_schools_service_class_list(client, proposed):
    w = proposed
    url = reverse("schools:service-class-list", args=[w.school_a.pk])
    client.force_login(w.school_admin)
    assert "data-model-class" not in client.get(url).content.decode()  # proposed only
    services.model_class_recognise(actor=w.bureau, model_class=w.model)
    page = client.get(url).content.decode()
    row = page.split("合唱团")[1].split("</td>")[0]
    assert "data-model-class" in row and "Model class" in row
