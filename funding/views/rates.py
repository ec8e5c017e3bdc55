"""The subsidy standard (R22): the list of rates for those who handle the money; the bureau adds a new one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from schools.selectors import rates as selectors
from schools.services import rates as services
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.money import format_yuan

from ..forms.rates import RateForm


@login_required
def rate_list(request):
    """GET: every rate with its first day and basis. POST (bureau): add a rate from today or a later day."""
    permissions.require(request.user, "rate.view")
    can_manage = permissions.can(request.user, "rate.manage")
    form = RateForm()
    if request.method == "POST":
        permissions.require(request.user, "rate.manage")
        form = RateForm(request.POST)
        if form.is_valid():
            try:
                rate = services.rate_set(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("The rate of %(amount)s takes effect on %(day)s.")
                    % {"amount": format_yuan(rate.amount), "day": rate.effective_from.isoformat()},
                )
                return redirect("funding:rate-list")
    return render(
        request,
        "funding/rates/rate_list.html",
        {"rates": selectors.rate_list(viewer=request.user), "form": form, "can_manage": can_manage},
    )


urlpatterns = [
    path("rates/", rate_list, name="rate-list"),
]
