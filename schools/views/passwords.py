"""Passwords (issue 13 §2): everyone's change-password page, and resets without a superuser (a school administrator
for the school's teachers, the bureau for school administrators), the temporary password shown once."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..forms.passwords import PasswordChangeForm, PasswordRecoverForm
from ..models import MobileCode
from ..selectors import passwords as selectors
from ..services import passwords as services
from . import verification as verification_views


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """One's own password; the only page a person with must_change_password reaches until they have changed it."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_own_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            request.user.refresh_from_db()
            update_session_auth_hash(request, request.user)  # stay signed in here; other sessions end
            messages.success(request, _("Your password is changed."))
            return redirect("home")
    return render(
        request, "schools/passwords/password_change.html", {"form": form, "forced": request.user.must_change_password}
    )


@login_required
def password_staff(request):
    """The people whose password the viewer may reset, searchable, and the latest resets."""
    permissions.require(request.user, "password.reset")
    search = request.GET.get("q", "")[:50]
    context = {
        "people": selectors.resettable_staff(viewer=request.user, search=search)[:200],
        "search": search,
        "resets": selectors.recent_resets(viewer=request.user),
    }
    return render(request, "schools/passwords/password_staff.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_reset(request, pk):
    """Confirm, then show the temporary password once (never stored, never shown again)."""
    person = get_object_or_404(selectors.resettable_staff(viewer=request.user), pk=pk)
    temporary = None
    if request.method == "POST":
        try:
            temporary = services.reset_password(actor=request.user, user=person)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("schools:password-staff")
    return render(request, "schools/passwords/password_reset.html", {"person": person, "temporary": temporary})


@never_cache
@require_http_methods(["GET", "POST"])
def password_recover(request):
    """Public: a parent who forgot the password asks for a code to their number (step=send), then types the code and
    a new password on the same page (step=recover). The answers never tell whether the number has an account."""
    if request.user.is_authenticated:
        return redirect("schools:password-change")
    request_form, form, notice = verification_views.code_step(
        request, purpose=MobileCode.Purpose.RECOVER, form_class=PasswordRecoverForm, submit_step="recover"
    )
    if form is not None and form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.recover_password(mobile=data["mobile"], code=data["code"], new_password=data["new_password1"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(request, _("Your password is changed. Please sign in with it."))
            return redirect("login")
    context = {"request_form": request_form, "form": form, "notice": notice}
    return render(request, "schools/passwords/password_recover.html", context)


urlpatterns = [
    path("account/password/recover/", password_recover, name="password-recover"),
    path("account/password/", password_change, name="password-change"),
    path("account/password/staff/", password_staff, name="password-staff"),
    path("account/password/staff/<int:pk>/reset/", password_reset, name="password-reset"),
]
