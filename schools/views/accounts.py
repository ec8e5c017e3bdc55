"""Login, logout, and the home dispatcher that sends each person to the home page of their first role."""

import logging

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


def login_view(request):
    """The app's sign-in. The throttle is django-axes' (the first authentication backend): a locked account or
    address is refused even with the right password, and AxesMiddleware answers with `locked_out` below."""
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if user is None:
            form.add_error(None, _("The mobile number/username or password is not correct."))
        else:
            login(request, user)
            next_url = request.POST.get("next") or request.GET.get("next")
            if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                return redirect(next_url)
            return redirect("home")
    return render(request, "schools/accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE) for every login form, /admin/login/ included: a page in
    the reader's language saying how long to wait, status 429."""
    minutes = services.lockout_minutes()
    message = ngettext(
        "Too many failed sign-in attempts. Please wait %(minutes)s minute and try again.",
        "Too many failed sign-in attempts. Please wait %(minutes)s minutes and try again.",
        minutes,
    ) % {"minutes": minutes}
    return render(request, "schools/accounts/locked.html", {"message": message}, status=429)


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
