"""The request context of the audit trail (issue #13): who is acting and from which address, so that a service writes
its audit record with `schools.services.audit.record(action=..., obj=...)` and never passes the request.

`AuditContextMiddleware` keeps the current request in a context variable for the length of the request; outside a
request (a Celery task, a management command) there is none and the record is the system's. The writer itself lives in
the base app (`schools.services.audit`, a concrete model); it registers here at start-up (`register_writer`) so the
project package's `workflow` can write an audit row for every workflow step without importing an app.
A PermissionDenied raised by a view is recorded as a refused access (no traceback, the path only)."""

import functools
from contextvars import ContextVar

from django.apps import apps
from django.core.exceptions import PermissionDenied

from . import clients

_request: ContextVar = ContextVar("xiji_audit_request", default=None)
_writer = None


def register_writer(writer) -> None:
    """The base app's writer module, with `record(**fields)` and `workflow_step(**fields)` (SchoolsConfig.ready)."""
    global _writer
    _writer = writer


def write(**kwargs):
    """Write one audit record through the registered writer; nothing when none is registered (never in the app)."""
    if _writer is not None:
        return _writer.record(**kwargs)
    return None


def write_step(**kwargs):
    """The audit record of a workflow step (xiji_afterschool.workflow)."""
    if _writer is not None:
        return _writer.workflow_step(**kwargs)
    return None


def current_request():
    return _request.get()


def current_user():
    """The signed-in person of the current request, or None (no request, or an anonymous one)."""
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


def current_address() -> str | None:
    request = _request.get()
    if request is None:
        return None
    if not hasattr(request, "_xiji_client_address"):
        request._xiji_client_address = clients.client_address(request)
    return request._xiji_client_address


class request_context:
    """`with request_context(request):` — what the middleware does, for a request handled outside it (tests, the
    sign-in signal receivers that get a request of their own)."""

    def __init__(self, request):
        self.request = request

    def __enter__(self):
        self.token = _request.set(self.request)
        return self.request

    def __exit__(self, *exc):
        _request.reset(self.token)


class AuditContextMiddleware:
    """Keeps the request for the audit writer; records a view's PermissionDenied as "access.refused"."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_context(request):
            return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            write(action="access.refused", result="refused", note=request.path[:200])
        return None


def download(what: str, *, model: str | None = None, key: str = "pk"):
    """A view that hands out personal data (an Excel, a PDF, a stored file or photo): every response it serves (200)
    writes "export.<what>", naming the object of the URL's `key` (a `model` row: its school is the record's school)
    and the path. Put it right above the view function, under login_required and the other guards."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                obj = None
                if model and kwargs.get(key) is not None:
                    obj = apps.get_model(model)._default_manager.filter(pk=kwargs[key]).first()
                write(action=f"export.{what}", obj=obj, note=request.get_full_path()[:200])
            return response

        return wrapped

    return decorate
