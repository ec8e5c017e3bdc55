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
from django.views.decorators.http import require_POST

from schools.models import Semester
from schools.selectors import calendar as calendar_selectors
from xiji_afterschool import permissions
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
]
