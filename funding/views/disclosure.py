"""Public disclosure (公示, R26): a school's published disclosures, one disclosure as a page and a PDF, the school
admin's live preview and publishing, and the county's table of who has published."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_GET, require_POST

from schools.models import School, Semester
from schools.selectors import calendar as calendar_selectors
from xiji_afterschool import auditing, permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.exports import render_pdf

from ..forms.disclosure import DisclosureCountyFilterForm
from ..selectors import disclosure as selectors
from ..services import disclosure as services


def _school(request, school_pk, action: str):
    """The school, if the viewer reads its disclosures (else 404), and the right to `action` on it (else 403)."""
    school = get_object_or_404(selectors.disclosure_schools(viewer=request.user), pk=school_pk)
    permissions.require(request.user, action, school)
    return school


def _figures_context(school, semester, data: dict) -> dict:
    return {
        "school": school,
        "semester": semester,
        "data": data,
        "as_of": datetime.date.fromisoformat(data["as_of"]),
        "spent_rows": selectors.spent_rows(data),
    }


@login_required
def disclosure_list(request, school_pk):
    """The school's published disclosures, newest first; the school admin also gets this year's semesters to publish."""
    school = _school(request, school_pk, "disclosure.view")
    disclosures = selectors.disclosure_list(viewer=request.user).filter(school=school)
    semesters = []
    if permissions.can(request.user, "disclosure.publish", school):
        school_year = calendar_selectors.current_school_year()
        published = {d.semester_id for d in disclosures}
        semesters = [
            {"semester": s, "published": s.pk in published}
            for s in (school_year.semesters.all() if school_year else [])
        ]
    return render(
        request,
        "funding/disclosure/disclosure_list.html",
        {"school": school, "disclosures": disclosures, "semesters": semesters},
    )


def _fetch(request, pk):
    disclosure = get_object_or_404(selectors.disclosure_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "disclosure.view", disclosure)
    return disclosure


@login_required
def disclosure_detail(request, pk):
    disclosure = _fetch(request, pk)
    context = _figures_context(disclosure.school, disclosure.semester, disclosure.data)
    context["disclosure"] = disclosure
    return render(request, "funding/disclosure/disclosure_detail.html", context)


@login_required
@auditing.download("disclosure", model="funding.Disclosure")
def disclosure_pdf(request, pk):
    disclosure = _fetch(request, pk)
    context = _figures_context(disclosure.school, disclosure.semester, disclosure.data)
    context["disclosure"] = disclosure
    pdf = render_pdf("funding/disclosure/disclosure_pdf.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="disclosure-{disclosure.pk}.pdf"'
    return response


@login_required
def disclosure_preview(request, school_pk, semester_pk):
    """The school admin's live figures for a semester, with the publish button while it is not yet published."""
    school = _school(request, school_pk, "disclosure.publish")
    semester = get_object_or_404(Semester.objects.select_related("school_year"), pk=semester_pk)
    published = selectors.disclosure_list(viewer=request.user).filter(school=school, semester=semester).first()
    context = _figures_context(school, semester, selectors.disclosure_figures(school=school, semester=semester))
    context |= {"published": published, "started": semester.start_date <= timezone.localdate()}
    return render(request, "funding/disclosure/disclosure_preview.html", context)


@login_required
@require_POST
def disclosure_publish(request, school_pk, semester_pk):
    school = _school(request, school_pk, "disclosure.publish")
    semester = get_object_or_404(Semester, pk=semester_pk)
    try:
        disclosure = services.disclosure_publish(actor=request.user, school=school, semester=semester)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("funding:disclosure-preview", school_pk=school.pk, semester_pk=semester.pk)
    messages.success(request, _("The disclosure is published. Parents of the school can now read it."))
    return redirect("funding:disclosure-detail", pk=disclosure.pk)


@login_required
def disclosure_county(request):
    """Every school the viewer reads: is this semester's disclosure published? Filter by township."""
    permissions.require(request.user, "disclosure.view")
    school_year = calendar_selectors.current_school_year()
    form = DisclosureCountyFilterForm(request.GET or None, school_year=school_year)
    filters = form.cleaned_data if form.is_valid() else {}
    semester = filters.get("semester") or selectors.current_semester(school_year)
    township = filters.get("township")
    rows = (
        selectors.disclosure_county(viewer=request.user, semester=semester, township_id=township and township.pk)
        if semester
        else []
    )
    context = {
        "form": form,
        "semester": semester,
        "rows": rows,
        "published_count": sum(1 for r in rows if r["disclosure"]),
    }
    return render(request, "funding/disclosure/disclosure_county.html", context)


# ---------------------------------------------------------------- public pages (no login; issue #12 item 7)
# Published figures only, never a person. Cache-friendly: a published disclosure never changes, so its page and PDF
# answer conditional GETs (Last-Modified) and may be kept by shared caches; the lists are kept a few minutes.
# The pages render no form (public_page hides the language switch), so no CSRF cookie makes them per-visitor.

PUBLIC_LIST_MAX_AGE = 300  # seconds: a newly published disclosure shows within five minutes
PUBLIC_FROZEN_MAX_AGE = 3600  # a published disclosure never changes


def _public_disclosure(pk):
    return get_object_or_404(selectors.public_disclosure_list(), pk=pk)


def _published_at(request, pk, **kwargs):
    return selectors.public_disclosure_list().filter(pk=pk).values_list("created_at", flat=True).first()


@require_GET
@cache_control(public=True, max_age=PUBLIC_LIST_MAX_AGE)
def public_disclosure_index(request):
    """Anyone: the schools with a published disclosure, by township, and the way to the county's summary."""
    schools = selectors.public_school_list()
    townships: dict = {}
    for school in schools:
        townships.setdefault(school.township, []).append(school)
    return render(
        request,
        "funding/disclosure/public_index.html",
        {"townships": list(townships.items()), "public_page": True},
    )


@require_GET
@cache_control(public=True, max_age=PUBLIC_LIST_MAX_AGE)
def public_disclosure_school(request, school_pk):
    """Anyone: one school's published disclosures (the Letter to Parents links here); none yet is said so."""
    school = get_object_or_404(School.objects.select_related("township"), pk=school_pk)
    disclosures = selectors.public_disclosure_list().filter(school=school)
    return render(
        request,
        "funding/disclosure/public_school.html",
        {"school": school, "disclosures": disclosures, "public_page": True},
    )


@require_GET
@cache_control(public=True, max_age=PUBLIC_FROZEN_MAX_AGE)
@condition(last_modified_func=_published_at)
def public_disclosure_detail(request, pk):
    """Anyone: one published disclosure (unknown or unpublished: 404)."""
    disclosure = _public_disclosure(pk)
    context = _figures_context(disclosure.school, disclosure.semester, disclosure.data)
    context |= {"disclosure": disclosure, "public_page": True}
    return render(request, "funding/disclosure/public_detail.html", context)


@require_GET
@cache_control(public=True, max_age=PUBLIC_FROZEN_MAX_AGE)
@condition(last_modified_func=_published_at)
def public_disclosure_pdf(request, pk):
    """Anyone: the published disclosure as the PDF posted at the school gate."""
    disclosure = _public_disclosure(pk)
    context = _figures_context(disclosure.school, disclosure.semester, disclosure.data)
    context["disclosure"] = disclosure
    pdf = render_pdf("funding/disclosure/disclosure_pdf.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="disclosure-{disclosure.pk}.pdf"'
    return response


@require_GET
@cache_control(public=True, max_age=PUBLIC_LIST_MAX_AGE)
def public_disclosure_county(request):
    """Anyone: the county's own summary for a semester with published disclosures (?semester=<id>), per township."""
    semesters = selectors.public_semesters()
    chosen = request.GET.get("semester", "")
    semester = next((s for s in semesters if str(s.pk) == chosen), semesters[0] if semesters else None)
    summary = selectors.public_county_summary(semester=semester) if semester else None
    return render(
        request,
        "funding/disclosure/public_county.html",
        {"semesters": semesters, "semester": semester, "summary": summary, "public_page": True},
    )


urlpatterns = [
    path("schools/<int:school_pk>/disclosures/", disclosure_list, name="disclosure-list"),
    path("disclosures/<int:pk>/", disclosure_detail, name="disclosure-detail"),
    path("disclosures/<int:pk>/pdf/", disclosure_pdf, name="disclosure-pdf"),
    path(
        "schools/<int:school_pk>/disclosures/semesters/<int:semester_pk>/",
        disclosure_preview,
        name="disclosure-preview",
    ),
    path(
        "schools/<int:school_pk>/disclosures/semesters/<int:semester_pk>/publish/",
        disclosure_publish,
        name="disclosure-publish",
    ),
    path("disclosures/", disclosure_county, name="disclosure-county"),
    # Public (no login): published disclosures and the county's summary.
    path("public/disclosures/", public_disclosure_index, name="public-disclosure-index"),
    path("public/disclosures/county/", public_disclosure_county, name="public-disclosure-county"),
    path("public/schools/<int:school_pk>/disclosures/", public_disclosure_school, name="public-disclosure-school"),
    path("public/disclosures/<int:pk>/", public_disclosure_detail, name="public-disclosure-detail"),
    path("public/disclosures/<int:pk>.pdf", public_disclosure_pdf, name="public-disclosure-pdf"),
]
