"""What a signed-in session may do: end (an idle limit and an absolute lifetime, one pair for staff and one for
parents), and, while its person must change a password someone else set, nothing but that.

A parent is a user whose only role is parent (a teacher who is also a parent is staff: the stricter limits apply).
The session keeps when it began and when it was last used (epoch seconds); a request past either limit is signed
out and sent to the login page with a message. Settings: XIJI_IDLE_MINUTES_STAFF (30), XIJI_IDLE_MINUTES_PARENT
(7 days), XIJI_SESSION_MAX_HOURS (12, staff), XIJI_SESSION_MAX_HOURS_PARENT (30 days)."""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from schools.models import Role

from . import permissions

log = logging.getLogger("xiji.auth")

STARTED, SEEN = "xiji_session_started", "xiji_session_seen"
TOUCH_SECONDS = 60  # the last-use mark is written at most once a minute, so a page of requests costs one write
# The stored session and its cookie outlive the idle limit by this much (a backstop, never the check): a person who
# comes back within it is told why they were signed out instead of meeting a bare login page.
GRACE_SECONDS = 3600


def _expire_after(session, idle: int) -> None:
    session.set_expiry(idle + GRACE_SECONDS)


def is_parent_only(user) -> bool:
    return permissions.roles(user) == {Role.PARENT}


def limits(user) -> tuple[int, int]:
    """(idle seconds, absolute seconds) for this user."""
    if is_parent_only(user):
        return settings.XIJI_IDLE_MINUTES_PARENT * 60, settings.XIJI_SESSION_MAX_HOURS_PARENT * 3600
    return settings.XIJI_IDLE_MINUTES_STAFF * 60, settings.XIJI_SESSION_MAX_HOURS * 3600


def start(request, user) -> None:
    """Called at sign-in: both clocks start now."""
    now = int(time.time())
    request.session[STARTED] = now
    request.session[SEEN] = now
    _expire_after(request.session, limits(user)[0])


class SessionLimitsMiddleware:
    """After authentication and messages: signs out a session idle too long or older than its lifetime."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._check(request, user)
            if expired is not None:
                return expired
        return self.get_response(request)

    def _check(self, request, user):
        session, now = request.session, int(time.time())
        idle, lifetime = limits(user)
        started, seen = session.get(STARTED), session.get(SEEN)
        if started is None or seen is None:  # a session from before these limits: its clocks start now
            session[STARTED], session[SEEN] = started or now, now
            _expire_after(session, idle)
            return None
        if now - started > lifetime:
            reason = _("Your session has reached its time limit. Please sign in again.")
        elif now - seen > idle:
            reason = _("You were signed out after a period of inactivity. Please sign in again.")
        else:
            if now - seen >= TOUCH_SECONDS:
                session[SEEN] = now
                _expire_after(session, idle)
            return None
        log.info("session ended user_id=%s reason=%s", user.pk, "lifetime" if now - started > lifetime else "idle")
        logout(request)
        messages.info(request, reason)
        target = reverse("login")
        if request.method == "GET" and not request.path.startswith(target):
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)


class PasswordChangeRequiredMiddleware:
    """Forced password change (issue 13 §2): a person whose password someone else set (a reset, /admin/) is sent to
    the change-password page until they have chosen their own; only that page, signing out, the language switch and
    static files stay reachable meanwhile."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = (reverse("schools:password-change"), reverse("logout"), "/i18n/", "/static/")
            if not request.path.startswith(allowed):
                return redirect("schools:password-change")
        return self.get_response(request)
