"""The public disclosure pages (issue #12 item 7): no login, published figures only, no person named, cache-friendly;
the county's own summary per township; the Letter to Parents prints the school's public address."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from funding.models import Disclosure
from funding.services.disclosure import disclosure_publish
from schools.models import SchoolPlan

from ..conftest import pdf_text_and_fonts
from ..factories import SchoolFactory
from .builders_disclosure import TEACHER_NAMES, past_year, school_year_money

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def published(world):
    """school_a's 2024–2025 autumn disclosure published (hand-checked figures: allocated 9,960.00, spent 3,456.78)."""
    world.year = past_year()
    world.money = school_year_money(world, world.year)
    world.disclosure = disclosure_publish(actor=world.school_admin, school=world.school_a, semester=world.year.autumn)
    return world


def test_anonymous_reads_index_school_page_and_disclosure(client, published):
    w = published
    index = client.get(reverse("funding:public-disclosure-index"))
    assert index.status_code == 200
    body = index.content.decode()
    assert w.school_a.name in body and w.school_b.name not in body  # only schools that published
    school_page = client.get(reverse("funding:public-disclosure-school", args=[w.school_a.pk])).content.decode()
    assert reverse("funding:public-disclosure-detail", args=[w.disclosure.pk]) in school_page
    page = client.get(reverse("funding:public-disclosure-detail", args=[w.disclosure.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "9,960.00" in text and "3,456.78" in text
    assert not any(name in text for name in TEACHER_NAMES)  # pay as a total and a range only
    assert reverse("bureau:feedback-submit") in text  # 意见反馈 from the disclosure page
    assert reverse("funding:public-disclosure-pdf", args=[w.disclosure.pk]) in text


def test_public_pages_are_cache_friendly(client, published):
    """No form, so no CSRF cookie: shared caches may keep the page; a frozen disclosure answers If-Modified-Since."""
    url = reverse("funding:public-disclosure-detail", args=[published.disclosure.pk])
    response = client.get(url)
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    assert "csrfmiddlewaretoken" not in response.content.decode() and "csrftoken" not in response.cookies
    assert response["Last-Modified"]
    again = client.get(url, headers={"if-modified-since": http_date(timezone.now().timestamp() + 60)})
    assert again.status_code == 304
    index = client.get(reverse("funding:public-disclosure-index"))
    assert "public" in index["Cache-Control"] and "csrftoken" not in index.cookies


def test_unknown_disclosure_and_school_are_404_and_a_school_without_one_says_so(client, published):
    w = published
    missing = Disclosure.objects.order_by("-pk").first().pk + 1
    assert client.get(reverse("funding:public-disclosure-detail", args=[missing])).status_code == 404
    assert client.get(reverse("funding:public-disclosure-pdf", args=[missing])).status_code == 404
    assert client.get(reverse("funding:public-disclosure-school", args=[w.school_b.pk + 999])).status_code == 404
    none_yet = client.get(reverse("funding:public-disclosure-school", args=[w.school_b.pk]))
    assert none_yet.status_code == 200 and "No disclosure has been published yet." in none_yet.content.decode()
    # An unpublished semester has no row at all: the live preview stays behind the login.
    preview = reverse("funding:disclosure-preview", args=[w.school_a.pk, w.year.spring.pk])
    assert client.get(preview).status_code == 302


def test_public_pages_refuse_writes(client, published):
    assert client.post(reverse("funding:public-disclosure-index")).status_code == 405


def test_anonymous_pdf_names_nobody(client, published, tmp_path):
    response = client.get(reverse("funding:public-disclosure-pdf", args=[published.disclosure.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, _fonts = pdf_text_and_fonts(response.content, tmp_path)
    assert "9,960.00" in text
    assert not any(name in text for name in TEACHER_NAMES)


def test_county_summary_per_township(client, published):
    """township_a: school_a (published, plan filed) and a second school (published, no plan); township_b: school_b
    (nothing). Received and spent are the sums of the published disclosures, exactly."""
    w = published
    SchoolPlan.objects.create(
        school=w.school_a, school_year=w.year.year, version=1, status=SchoolPlan.Status.FILED,
        created_by=w.school_admin, filed_at=timezone.now(), filing_number="西教体备〔2024〕9号",
    )  # fmt: skip
    second = SchoolFactory(township=w.township_a, name="甲乡二小")
    data = dict(w.disclosure.data, allocated_semester="100.10", spent_total="40.05")
    Disclosure.objects.create(school=second, semester=w.year.autumn, data=data, published_by=w.school_admin)

    from funding.selectors.disclosure import public_county_summary

    summary = public_county_summary(semester=w.year.autumn)
    rows = {r["township"].pk: r for r in summary["townships"]}
    a, b = rows[w.township_a.pk], rows[w.township_b.pk]
    assert (a["schools"], a["offering"], a["published"]) == (2, 1, 2)
    assert a["allocated"] == Decimal("10060.10") and a["spent"] == Decimal("3496.83")
    assert (b["schools"], b["offering"], b["published"], b["allocated"]) == (1, 0, 0, Decimal("0.00"))
    assert summary["total"]["allocated"] == Decimal("10060.10") and summary["total"]["published"] == 2
    assert a["allocated_year"] == Decimal(w.disclosure.data["allocated_year"]) * 2

    page = client.get(reverse("funding:public-disclosure-county"), {"semester": w.year.autumn.pk})
    assert page.status_code == 200
    text = page.content.decode()
    assert "10,060.10" in text and "3,496.83" in text and w.township_b.name in text


def test_county_summary_without_any_disclosure(client, world):
    response = client.get(reverse("funding:public-disclosure-county"))
    assert response.status_code == 200 and "No school has published a disclosure yet." in response.content.decode()


def test_letter_to_parents_links_the_public_disclosure(client, world, tmp_path):
    """The letter's page and its PDF carry the school's public disclosure address (absolute) and the feedback form."""
    client.force_login(world.parent)
    public = "http://testserver" + reverse("funding:public-disclosure-school", args=[world.school_a.pk])
    page = client.get(reverse("enrollment:letter-detail", args=[world.school_a.pk])).content.decode()
    assert public in page and reverse("bureau:feedback-submit") in page
    pdf = client.get(reverse("enrollment:letter-pdf", args=[world.school_a.pk]))
    text, _fonts = pdf_text_and_fonts(pdf.content, tmp_path)
    assert public in text


def test_public_pages_cost_the_same_for_more_schools(client, published, django_assert_max_num_queries):
    w = published
    urls = [reverse("funding:public-disclosure-index"), reverse("funding:public-disclosure-county")]
    counts = []
    for url in urls:
        with django_assert_max_num_queries(10) as few:
            client.get(url)
        counts.append(len(few.captured_queries))
    for n in range(8):
        school = SchoolFactory(township=(w.township_a, w.township_b)[n % 2])
        Disclosure.objects.create(
            school=school, semester=w.year.autumn, data=w.disclosure.data, published_by=w.school_admin
        )
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            client.get(url)
