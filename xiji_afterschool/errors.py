"""Domain errors: expected refusals with a translated message safe to show the user."""


class DomainError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def form_errors(form) -> str:
    """A refused form's errors as one message line, each after its field's label ("Amount: Enter a number.")."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts += [f"{label}: {error}" if label else str(error) for error in errors]
    return " ".join(parts)


def checked_text(value: str, *, required: str, max_length: int) -> str:
    """A service's free-text input, stripped: `required` (the message) when empty, refused when too long."""
    from django.utils.translation import gettext as _

    value = (value or "").strip()
    if not value:
        raise DomainError(required)
    if len(value) > max_length:
        raise DomainError(_("At most %(max)s characters.") % {"max": max_length})
    return value


def server_error(request):
    """The 500 handler. A database that cannot be reached (restarting, failing over) answers 503 "try again"
    with Retry-After instead of "something went wrong"; Django has already logged the error with its traceback.
    Rendered without the request's context: the context processors would ask the unreachable database."""
    import sys

    from django.db import InterfaceError, OperationalError
    from django.http import HttpResponse
    from django.template import loader

    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)
