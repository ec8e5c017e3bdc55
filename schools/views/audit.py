"""The audit trail (issue #13, 等保): the auditor's and the bureau's page across every record, filtered, and the
filtered rows as a workbook (the export itself is audited)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from xiji_afterschool import permissions
from xiji_afterschool.exports import write_xlsx, xlsx_response

from ..forms.audit import AuditFilterForm
from ..reports import audit as reports
from ..selectors import audit as selectors
from ..services import audit as services


def _filtered(request):
    permissions.require(request.user, "audit.view")
    form = AuditFilterForm(
        request.GET or None,
        schools=selectors.filter_schools(viewer=request.user),
        object_types=selectors.object_types(),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        records = selectors.audit_list(viewer=request.user).none()
    else:
        records = selectors.audit_list(
            viewer=request.user,
            person=filters.get("person", ""),
            school_id=filters.get("school") and filters["school"].pk,
            object_type=filters.get("object_type", ""),
            action=filters.get("action", ""),
            result=filters.get("result", ""),
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
        )
    return form, records


@login_required
def audit_list(request):
    """The trail, newest first, 50 a page."""
    form, records = _filtered(request)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "schools/audit/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "export_limit": selectors.EXPORT_LIMIT},
    )


@login_required
def audit_export(request):
    """The filtered rows (at most EXPORT_LIMIT, newest first) as a workbook; recorded as "export.audit"."""
    _form, records = _filtered(request)
    header, rows = reports.audit_rows(records=records[: selectors.EXPORT_LIMIT])
    content = write_xlsx(title=_("Audit trail"), header=header, rows=rows)
    services.record(action="export.audit", note=f"rows={len(rows)} {request.GET.urlencode()}"[:200], school=None)
    return xlsx_response(content, f"audit-{timezone.localdate():%Y%m%d}.xlsx")


urlpatterns = [
    path("audit/", audit_list, name="audit-list"),
    path("audit/export/", audit_export, name="audit-export"),
]
