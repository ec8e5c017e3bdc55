"""The register of personal information (issue #14 item 3): the page of the bureau's person in charge of personal
information (个人信息保护负责人), read by the auditor too. The same register is docs/privacy.md."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from xiji_afterschool import permissions, privacy

from ..selectors import privacy as selectors


@login_required
def privacy_register(request):
    permissions.require(request.user, "privacy.view")
    groups = selectors.register_by_category(viewer=request.user)
    gaps = privacy.gap_models(row for _category, rows in groups for row in rows)
    fields = sum(len(row.entry.fields) for _category, rows in groups for row in rows)
    return render(
        request,
        "bureau/privacy/register.html",
        {
            "groups": groups,
            "gaps": gaps,
            "fields": fields,
            "may_set_retention": permissions.can(request.user, "retention.view"),
        },
    )


urlpatterns = [
    path("privacy/", privacy_register, name="privacy"),
]
