"""Public disclosure (公示, R26; R37): the semester's figures checked by hand, publishing once and for good, who reads
it, the page and the PDF (no person named), the county's table."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from funding.models import Disclosure, PayRun
from funding.selectors.disclosure import disclosure_figures
from funding.services.disclosure import disclosure_publish
from schools.models import Role, SchoolYear, Semester
from xiji_afterschool.errors import DomainError

from ..concurrency import at_once
from ..conftest import has_cjk_font, pdf_text_and_fonts
from ..factories import SchoolFactory, StudentFactory, TownshipFactory, link_guardian, user_with_role
from .builders_disclosure import TEACHER_NAMES, D, past_year, pay_run, school_year_money, spend, teachers

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def money(world):
    """school_a's finished 2024–2025 year with the hand-checked entries of builders_disclosure.school_year_money."""
    year = past_year()
    world.year = year
    world.money = school_year_money(world, year)
    return world


def future_semester() -> Semester:
    start = timezone.localdate() + datetime.timedelta(days=400)
    year = SchoolYear.objects.create(
        name="future", start_date=start, end_date=start + datetime.timedelta(days=300), plan_deadline=start,
        application_deadline=start, refinement_deadline=start,
    )  # fmt: skip
    return Semester.objects.create(
        school_year=year, number=1, start_date=start + datetime.timedelta(days=30),
        end_date=start + datetime.timedelta(days=150),
    )  # fmt: skip


def parent_of_school_b(w):
    parent = user_with_role(Role.PARENT, full_name="杨父")
    link_guardian(w.child_b, user=parent)
    return parent


# ---------------------------------------------------------------- the figures, by hand


def test_autumn_figures_add_up_by_hand(money):
    """Allocated 9,960.00; spent teacher 3,000.00 + consumables 456.78 (running 200.00 was reversed) = 3,456.78;
    the year also spent staff 100.00 before the semester: balance 9,960.00 − 3,556.78 = 6,403.22."""
    w = money
    # Not counted: a draft run, a run of school_b, a spring run.
    b_people = teachers(w.school_b, names=["乙校老师"])
    pay_run(w.school_b, w.year.year, actor=w.other_school_admin, amounts=["999.00"], paid_on=D(2024, 10, 31),
            people=b_people)  # fmt: skip
    pay_run(w.school_a, w.year.year, actor=w.school_admin, amounts=["9999.99"], paid_on=D(2024, 11, 30),
            people=w.money.people[:1], status=PayRun.Status.DRAFT)  # fmt: skip
    pay_run(w.school_a, w.year.year, actor=w.school_admin, amounts=["500.00"], paid_on=D(2025, 3, 31),
            people=w.money.people[:1])  # fmt: skip

    data = disclosure_figures(school=w.school_a, semester=w.year.autumn)

    assert data["as_of"] == "2025-01-17"
    assert Decimal(data["allocated_semester"]) == Decimal("9960.00")
    assert Decimal(data["allocated_year"]) == Decimal("9960.00")
    assert {k: Decimal(v) for k, v in data["spent"].items()} == {
        "teacher": Decimal("3000.00"),
        "staff": Decimal("0.00"),
        "running": Decimal("0.00"),
        "consumables": Decimal("456.78"),
    }
    assert Decimal(data["spent_total"]) == Decimal("3456.78")
    assert Decimal(data["spent_year"]) == Decimal("3556.78")
    assert Decimal(data["balance"]) == Decimal("6403.22")
    assert data["teacher_pay"] == {"total": "3000.00", "teachers": 3, "lowest": "765.44", "highest": "1234.56"}
    assert data["families_charged"] == "0.00"


def test_spring_figures_count_the_year_so_far(money):
    data = disclosure_figures(school=money.school_a, semester=money.year.spring)
    assert Decimal(data["allocated_semester"]) == Decimal("1200.00")
    assert Decimal(data["allocated_year"]) == Decimal("11160.00")
    assert Decimal(data["spent"]["consumables"]) == Decimal("50.00")
    assert Decimal(data["spent_total"]) == Decimal("50.00")
    assert Decimal(data["balance"]) == Decimal("11160.00") - Decimal("3606.78")
    assert data["teacher_pay"] == {"total": "0.00", "teachers": 0, "lowest": None, "highest": None}


def test_figures_of_a_running_semester_stop_today(world, funded):
    """The world's autumn semester is the current one: entries dated after today are not counted yet."""
    today = timezone.localdate()
    data = disclosure_figures(school=world.school_a, semester=world.autumn)
    assert data["as_of"] == min(world.autumn.end_date, today).isoformat()


def test_figures_never_name_a_person(money):
    data = disclosure_figures(school=money.school_a, semester=money.year.autumn)
    text = str(data)
    for person in money.money.people:
        assert person.full_name not in text and person.username not in text
    assert set(data["teacher_pay"]) == {"total", "teachers", "lowest", "highest"}


# ---------------------------------------------------------------- publishing


def test_publish_freezes_the_figures(money):
    w = money
    disclosure = disclosure_publish(actor=w.school_admin, school=w.school_a, semester=w.year.autumn)
    assert disclosure.published_by == w.school_admin
    assert disclosure.data == disclosure_figures(school=w.school_a, semester=w.year.autumn)
    frozen = dict(disclosure.data)
    spend(w.money.fund, "running", "10.00", D(2024, 12, 20), actor=w.school_admin)  # a late entry for the autumn
    disclosure.refresh_from_db()
    assert disclosure.data == frozen
    assert Decimal(disclosure_figures(school=w.school_a, semester=w.year.autumn)["spent_total"]) == Decimal("3466.78")


def test_publishing_twice_is_refused(money):
    w = money
    disclosure_publish(actor=w.school_admin, school=w.school_a, semester=w.year.autumn)
    with pytest.raises(DomainError, match="already published"):
        disclosure_publish(actor=w.school_admin, school=w.school_a, semester=w.year.autumn)
    assert Disclosure.objects.filter(school=w.school_a, semester=w.year.autumn).count() == 1


def test_publishing_before_the_semester_starts_is_refused(world):
    semester = future_semester()
    with pytest.raises(DomainError, match="once it has started"):
        disclosure_publish(actor=world.school_admin, school=world.school_a, semester=semester)
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize("who", ["other_school_admin", "bureau", "finance", "township", "parent", "auditor"])
def test_only_the_schools_own_admin_publishes(money, who):
    with pytest.raises(PermissionDenied):
        disclosure_publish(actor=getattr(money, who), school=money.school_a, semester=money.year.autumn)
    assert not Disclosure.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_admins_publishing_at_once_publish_once(world):
    year = past_year()
    second_admin = user_with_role(Role.SCHOOL_ADMIN, school=world.school_a)
    results = at_once(
        lambda: disclosure_publish(actor=world.school_admin, school=world.school_a, semester=year.autumn),
        lambda: disclosure_publish(actor=second_admin, school=world.school_a, semester=year.autumn),
    )
    assert results.count("ok") == 1, results
    assert sum(isinstance(r, DomainError) and "already published" in r.message for r in results) == 1, results
    assert Disclosure.objects.filter(school=world.school_a, semester=year.autumn).count() == 1


# ---------------------------------------------------------------- the pages


def test_admin_previews_then_publishes_from_the_page(client, money):
    w = money
    client.force_login(w.school_admin)
    preview = client.get(reverse("funding:disclosure-preview", args=[w.school_a.pk, w.year.autumn.pk]))
    body = preview.content.decode()
    assert "¥6,403.22" in body and "¥3,456.78" in body and "Publish the disclosure" in body
    response = client.post(reverse("funding:disclosure-publish", args=[w.school_a.pk, w.year.autumn.pk]), follow=True)
    disclosure = Disclosure.objects.get()
    assert response.redirect_chain[-1][0] == reverse("funding:disclosure-detail", args=[disclosure.pk])
    assert "The disclosure is published." in response.content.decode()
    preview = client.get(reverse("funding:disclosure-preview", args=[w.school_a.pk, w.year.autumn.pk]))
    assert "Publish the disclosure" not in preview.content.decode()
    assert reverse("funding:disclosure-detail", args=[disclosure.pk]) in preview.content.decode()


def test_a_second_publish_post_gets_a_message_and_writes_nothing(client, money):
    w = money
    client.force_login(w.school_admin)
    url = reverse("funding:disclosure-publish", args=[w.school_a.pk, w.year.autumn.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "funding:disclosure-preview", args=[w.school_a.pk, w.year.autumn.pk]
    )
    assert "already published" in response.content.decode()
    assert Disclosure.objects.count() == 1


def test_a_crafted_publish_post_for_a_future_semester_writes_nothing(client, world):
    semester = future_semester()
    client.force_login(world.school_admin)
    preview = client.get(reverse("funding:disclosure-preview", args=[world.school_a.pk, semester.pk]))
    assert "Publish the disclosure" not in preview.content.decode()
    response = client.post(reverse("funding:disclosure-publish", args=[world.school_a.pk, semester.pk]), follow=True)
    assert "once it has started" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_publish_is_post_only(client, money):
    client.force_login(money.school_admin)
    url = reverse("funding:disclosure-publish", args=[money.school_a.pk, money.year.autumn.pk])
    assert client.get(url).status_code == 405
    assert not Disclosure.objects.exists()


def test_the_page_shows_the_figures_and_no_teacher(client, money):
    w = money
    disclosure = disclosure_publish(actor=w.school_admin, school=w.school_a, semester=w.year.autumn)
    client.force_login(w.parent)
    body = client.get(reverse("funding:disclosure-detail", args=[disclosure.pk])).content.decode()
    for amount in ("¥9,960.00", "¥3,000.00", "¥456.78", "¥3,456.78", "¥6,403.22", "¥765.44", "¥1,234.56"):
        assert amount in body, amount
    assert "no family is ever charged" in body
    for person in w.money.people:
        assert person.full_name not in body and person.username not in body
    assert w.school_admin.full_name not in body  # nor who published it


def test_the_pdf_prints_chinese_figures_and_no_teacher(client, money, tmp_path, settings):
    w = money
    settings.LANGUAGE_CODE = "zh-hans"
    disclosure = disclosure_publish(actor=w.school_admin, school=w.school_a, semester=w.year.autumn)
    client.force_login(w.parent)
    response = client.get(reverse("funding:disclosure-pdf", args=[disclosure.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text, fonts = pdf_text_and_fonts(response.content, tmp_path, "disclosure.pdf")
    assert w.school_a.name in text  # 甲乡中心小学: real glyphs, not empty boxes
    assert has_cjk_font(fonts)
    for amount in ("¥9,960.00", "¥3,456.78", "¥6,403.22", "¥765.44", "¥1,234.56"):
        assert amount in text, amount
    for name in TEACHER_NAMES:
        assert name not in text


def test_parents_of_the_school_read_it_and_other_parents_do_not(client, money):
    w = money
    disclosure = disclosure_publish(actor=w.school_admin, school=w.school_a, semester=w.year.autumn)
    urls = [
        reverse("funding:disclosure-list", args=[w.school_a.pk]),
        reverse("funding:disclosure-detail", args=[disclosure.pk]),
        reverse("funding:disclosure-pdf", args=[disclosure.pk]),
    ]
    client.force_login(w.parent)
    assert [client.get(u).status_code for u in urls] == [200, 200, 200]
    client.force_login(parent_of_school_b(w))
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]


def test_the_list_shows_published_disclosures_and_the_admin_gets_this_years_semesters(client, money):
    w = money
    disclosure = disclosure_publish(actor=w.school_admin, school=w.school_a, semester=w.year.autumn)
    url = reverse("funding:disclosure-list", args=[w.school_a.pk])
    client.force_login(w.parent)
    body = client.get(url).content.decode()
    assert reverse("funding:disclosure-detail", args=[disclosure.pk]) in body
    assert "disclosures/semesters/" not in body  # no preview links for parents
    client.force_login(w.school_admin)
    body = client.get(url).content.decode()
    assert reverse("funding:disclosure-preview", args=[w.school_a.pk, w.autumn.pk]) in body
    assert reverse("funding:disclosure-preview", args=[w.school_a.pk, w.spring.pk]) in body


def test_parent_home_links_each_childs_school_disclosures(client, world):
    client.force_login(world.parent)
    body = client.get(reverse("enrollment:parent-home")).content.decode()
    assert reverse("funding:disclosure-list", args=[world.school_a.pk]) in body


# ---------------------------------------------------------------- the county's table


def test_county_table_marks_published_schools_and_filters_by_township(client, money):
    w = money
    published = Disclosure.objects.create(  # the current autumn: stored directly, whatever today's date
        school=w.school_a, semester=w.autumn, data={}, published_by=w.school_admin
    )
    client.force_login(w.bureau)
    response = client.get(reverse("funding:disclosure-county"))
    rows = {r["school"].pk: r["disclosure"] for r in response.context["rows"]}
    assert rows == {w.school_a.pk: published, w.school_b.pk: None}
    assert response.context["published_count"] == 1
    response = client.get(reverse("funding:disclosure-county"), {"township": w.township_b.pk})
    assert [r["school"] for r in response.context["rows"]] == [w.school_b]
    response = client.get(reverse("funding:disclosure-county"), {"semester": w.spring.pk})
    assert response.context["semester"] == w.spring and response.context["published_count"] == 0


def test_township_sees_only_its_own_schools_in_the_county_table(client, world):
    client.force_login(world.township)
    response = client.get(reverse("funding:disclosure-county"))
    assert [r["school"] for r in response.context["rows"]] == [world.school_a]


def test_county_table_costs_the_same_queries_for_2_or_40_schools(client, world, django_assert_num_queries):
    client.force_login(world.finance)
    url = reverse("funding:disclosure-county")
    client.get(url)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    township = TownshipFactory()
    for _ in range(38):
        school = SchoolFactory(township=township)
        StudentFactory(admin_class__school=school)
    Disclosure.objects.create(school=school, semester=world.autumn, data={}, published_by=world.school_admin)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 40
    assert len(few.captured_queries) <= 10, [q["sql"][:80] for q in few.captured_queries]
