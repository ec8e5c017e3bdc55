"""Login, logout, and the home dispatcher that sends each person to the home page of their first role."""

import logging

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from xiji_afterschool import navigation

from ..forms.accounts import LoginForm
from ..services import accounts as services

log = logging.getLogger("xiji.auth")


def _client_address(request) -> str:
    # Behind the reverse proxy the first X-Forwarded-For hop is the client; direct, REMOTE_ADDR.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")


def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier, address = form.cleaned_data["username"], _client_address(request)
        if services.is_locked(identifier, address):
            minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
            message = ngettext(
                "Too many failed sign-in attempts. Please wait %(minutes)s minute and try again.",
                "Too many failed sign-in attempts. Please wait %(minutes)s minutes and try again.",
                minutes,
            )
            form.add_error(None, message % {"minutes": minutes})
        else:
            user = authenticate(request, username=identifier, password=form.cleaned_data["password"])
            if user is None:
                services.record_failure(identifier, address)
                form.add_error(None, _("The mobile number/username or password is not correct."))
            else:
                services.clear_failures(identifier)
                login(request, user)
                log.info("login ok user_id=%s", user.pk)
                next_url = request.POST.get("next") or request.GET.get("next")
                if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                    return redirect(next_url)
                return redirect("home")
    return render(request, "schools/accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        log.info("logout user_id=%s", request.user.pk)
    logout(request)
    return redirect("login")


@login_required
def home(request):
    """Send each person to the home page of their first role; explain when they have none yet."""
    name = navigation.home_url_name(request.user)
    if name is None:
        return render(request, "no_role.html")
    return redirect(name)


urlpatterns = [
    path("", home, name="home"),
    path("login/", login_view, name="login"),
    path("logout/", logout_view, name="logout"),
]
