"""Who is on the other end of a request: the one place that decides a client's address, for the login throttle
(django-axes' AXES_CLIENT_IP_CALLABLE) and for the records that keep it (a signature's address, feedback)."""

import ipaddress

from django.conf import settings


def _ip(candidate: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((candidate or "").strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's address; None if it is not an IP.

    With XIJI_TRUSTED_PROXIES = 0 (the default) it is REMOTE_ADDR and X-Forwarded-For is ignored: the client writes
    that header. With N trusted proxies in front, each appends the address it saw, so the client is the N-th entry
    from the right (entries further left were written by the client and are ignored). A request that did not pass
    through all N proxies (too few entries) keeps REMOTE_ADDR."""
    remote = _ip(request.META.get("REMOTE_ADDR"))
    trusted = settings.XIJI_TRUSTED_PROXIES
    if trusted <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < trusted:
        return remote
    return _ip(hops[-trusted]) or remote
