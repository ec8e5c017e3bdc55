"""Compliance flags at the county (issue #12): the list of flagged sessions with their state, one session with the
county's review, and the list as a workbook."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools.models import Session
from schools.selectors import calendar as calendar_selectors
from schools.services import sessions as sessions_services
from xiji_afterschool import auditing, permissions
from xiji_afterschool.actions import post_action
from xiji_afterschool.exports import write_xlsx, xlsx_response

from ..forms.compliance import FlagFilterForm, FlagReviewForm
from ..reports import compliance as reports
from ..selectors import compliance as selectors
from ..services import compliance as services


def _flag_list(request):
    permissions.require(request.user, "compliance.view")
    school_year = calendar_selectors.current_school_year()
    form = FlagFilterForm(
        request.GET or None,
        townships=selectors.filter_townships(viewer=request.user),
        schools=selectors.filter_schools(viewer=request.user),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    sessions = selectors.flag_list(
        viewer=request.user,
        school_year=school_year,
        township_id=filters.get("township") and filters["township"].pk,
        school_id=filters.get("school") and filters["school"].pk,
        state=filters.get("state", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    return form, school_year, sessions


@login_required
def flag_list(request):
    """The county's flagged sessions: waiting for the school, waiting for the county, accepted, violations."""
    form, school_year, sessions = _flag_list(request)
    page = Paginator(sessions, 50).get_page(request.GET.get("page"))
    for session in page:
        session.state_label, session.state_style = reports.state_words(session)
        session.flag_text = sessions_services.flag_message(session.flag)
    return render(
        request,
        "bureau/compliance/flag_list.html",
        {
            "form": form,
            "school_year": school_year,
            "page": page,
            "counts": selectors.flag_counts(request.user, school_year),
            "query": _without_page(request),
        },
    )


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@auditing.download("compliance_flags")
def flag_export(request):
    _form, school_year, sessions = _flag_list(request)
    header, rows = reports.flag_rows(sessions=sessions)
    content = write_xlsx(title=_("Compliance flags"), header=header, rows=rows)
    year = school_year.name if school_year else ""
    return xlsx_response(content, f"compliance-flags-{year}-{timezone.localdate():%Y%m%d}.xlsx")


def _flagged(request, pk: int) -> Session:
    permissions.require(request.user, "compliance.view")
    try:
        return selectors.flag_detail(viewer=request.user, pk=pk)
    except Session.DoesNotExist:
        raise Http404(_("No such flagged session.")) from None


@login_required
def flag_detail(request, pk):
    """One flagged session: what was written, the flag, the school's confirmation and the county's review."""
    session = _flagged(request, pk)
    session.state_label, session.state_style = reports.state_words(session)
    can_review = session.state == selectors.State.WAITING_COUNTY and permissions.can(
        request.user, "compliance.review", session
    )
    return render(
        request,
        "bureau/compliance/flag_detail.html",
        {
            "session": session,
            "flag_text": sessions_services.flag_message(session.flag),
            "events": session.events.select_related("actor"),
            "review": getattr(session, "flag_review", None),
            "form": FlagReviewForm() if can_review else None,
        },
    )


@login_required
@require_POST
def flag_review(request, pk):
    session = _flagged(request, pk)
    return post_action(
        request,
        session,
        action="compliance.review",
        form_class=FlagReviewForm,
        call=lambda data: services.flag_review(
            actor=request.user, session=session, outcome=data["outcome"], note=data["note"]
        ),
        success=_("The county's review is recorded."),
        next_url=reverse("bureau:compliance-detail", args=[session.pk]),
    )


urlpatterns = [
    path("compliance/", flag_list, name="compliance-list"),
    path("compliance/flags.xlsx", flag_export, name="compliance-export"),
    path("compliance/<int:pk>/", flag_detail, name="compliance-detail"),
    path("compliance/<int:pk>/review/", flag_review, name="compliance-review"),
]
