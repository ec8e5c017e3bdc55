"""Forced password change (issue 13 §2): a person whose password someone else set (a reset, /admin/) is sent to the
change-password page until they have chosen their own; only that page, signing out, the language switch and
static files stay reachable meanwhile."""

from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = (reverse("schools:password-change"), reverse("logout"), "/i18n/", "/static/")
            if not request.path.startswith(allowed):
                return redirect("schools:password-change")
        return self.get_response(request)
