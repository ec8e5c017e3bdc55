"""Sign-in: the backend that finds parents by mobile and staff by username, and the pieces that tie every login form
to the one throttle (django-axes, counters in the database): the account a login names, and the sign-in receivers."""

import logging

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from xiji_afterschool import auditing, clients, sessions

from ..models import AuditRecord, Notification, User
from ..rules import accounts as accounts_rules
from ..rules import roster as roster_rules
from . import audit as audit_services

log = logging.getLogger("xiji.auth")


class MobileOrUsernameBackend(ModelBackend):
    """A valid mainland mobile number finds the user by `mobile`; anything else by username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        key = accounts_rules.normalize_login(username)
        # A mobile is found by its keyed digest (the column is encrypted, issue 14 item 6).
        found = (
            User.objects.by_mobile(key)
            if roster_rules.is_mobile(username)
            else User.objects.filter(username__iexact=key)
        )
        try:
            user = found.get()
        except User.DoesNotExist:
            User().set_password(password)  # same cost as a real check, so timing does not reveal accounts
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The signed-in user of a request, with the count of their unread notifications (the top bar's badge)
        read in the same query (a subquery on the indexed (user, read_at)), so no page pays an extra query for it."""
        unread = (
            Notification.objects.filter(user=OuterRef("pk"), read_at=None)
            .order_by()
            .values("user")
            .annotate(n=Count("pk"))
            .values("n")
        )
        try:
            user = User._default_manager.annotate(unread_notification_count=Coalesce(Subquery(unread), 0)).get(
                pk=user_id
            )
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def axes_username(request, credentials: dict | None = None) -> str | None:
    """The account a login attempt names, for django-axes (AXES_USERNAME_CALLABLE): the normalised login, so a mobile
    typed as `+86 139-...` or `139...` is one account on every login form; a mobile as the user name derived from its
    digest (`accounts_rules.login_key`), so axes' tables hold no clear number."""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = request.POST.get("username")
    return accounts_rules.login_key(typed) if typed else None


def typed_login(request, credentials: dict | None = None) -> str:
    """The login as typed, normalised: what the audit record keeps (masked by `audit.record`)."""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None and request.method == "POST":
        typed = request.POST.get("username")
    return accounts_rules.normalize_login(typed) if typed else ""


def lockout_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds()) // 60)


# Receivers of the sign-in signals (connected in SchoolsConfig.ready): every login form sends them, the admin's too.
# Log lines name people and addresses only by pseudonym; axes keeps the rows (attempts, failure log, access log).


def _audit(request, **fields) -> None:
    """The audit record of a sign-in event, with the request's address (the receivers run inside a request, but the
    admin's and tests' logins may come without the audit middleware's context)."""
    if request is not None and auditing.current_request() is not request:
        with auditing.request_context(request):
            audit_services.record(**fields)
    else:
        audit_services.record(**fields)


def _is_admin(request) -> bool:
    return bool(request is not None and request.path.startswith("/admin/"))


def on_login_failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    _audit(
        request,
        action="login.failed",
        result=AuditRecord.Result.REFUSED,
        actor=None,
        system=False,
        login=typed_login(request, credentials),
        note=request.path[:200],
    )
    log.warning(
        "login failed account=%s address=%s path=%s",
        accounts_rules.pseudonym(axes_username(request, credentials) or ""),
        accounts_rules.pseudonym(clients.client_address(request) or ""),
        request.path,
    )


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    _audit(
        request,
        action="login.locked",
        result=AuditRecord.Result.REFUSED,
        actor=None,
        system=False,
        login=typed_login(request) or username or "",
        address=ip_address or (clients.client_address(request) if request is not None else None),
        note=getattr(request, "path", "")[:200],
    )
    log.warning(
        "login locked account=%s address=%s path=%s",
        accounts_rules.pseudonym(username or ""),
        accounts_rules.pseudonym(ip_address or ""),
        getattr(request, "path", ""),
    )


def on_logged_in(sender, request, user, **kwargs):
    """A success clears the account's failure counter (not the address's: a shared school address keeps its count
    against guessing) and starts the session's clocks."""
    typed = axes_username(request, None) if request is not None and request.method == "POST" else None
    accounts = {accounts_rules.login_key(user.get_username()), typed} - {None}
    AccessAttempt.objects.filter(username__in=accounts).update(failures_since_start=0)
    if request is not None and hasattr(request, "session"):
        sessions.start(request, user)
    _audit(
        request,
        action="admin.login" if _is_admin(request) else "login.ok",
        actor=user,
        obj=user,
        school=None,
        note=getattr(request, "path", "")[:200],
    )
    log.info("login ok user_id=%s path=%s", user.pk, getattr(request, "path", ""))
