"""Kept no longer than needed (issue #14 item 4): the bureau's page of retention periods per data class, with the
recent nightly sweeps (the auditor reads it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..forms.retention import RetentionSettingsForm
from ..rules import retention as rules
from ..selectors import retention as selectors
from ..services import retention as services


@login_required
def retention(request):
    """The periods (a form for the bureau) and the recent runs."""
    permissions.require(request.user, "retention.view")
    may_edit = permissions.can(request.user, "retention.manage")
    rows = selectors.setting_rows(viewer=request.user)
    days = {row["key"]: row["days"] for row in rows}
    form = None
    if may_edit:
        form = RetentionSettingsForm(request.POST or None, initial_days=days)
    if request.method == "POST":
        permissions.require(request.user, "retention.manage")
        if form.is_valid():
            try:
                changed = services.settings_update(actor=request.user, values=form.cleaned_data)
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                if changed:
                    messages.success(request, _("Retention periods saved."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("schools:retention")
        else:
            messages.error(request, _("Nothing was saved: please correct the periods marked below."))
    runs = list(selectors.recent_runs(viewer=request.user))
    for run in runs:
        run.rows = [(rules.label(key), run.counts.get(key, 0)) for key in rules.KEYS if run.counts.get(key)]
    return render(
        request,
        "schools/retention/settings.html",
        {
            "rows": [{**row, "field": form[row["key"]] if form else None} for row in rows],
            "form": form,
            "runs": runs,
        },
    )


urlpatterns = [
    path("retention/", retention, name="retention"),
]
