"""Who is on the other end of a request, as the records that keep it (a signature's address) need it."""

import ipaddress


def client_address(request) -> str | None:
    """The signer's address: the first X-Forwarded-For hop behind the proxy, else REMOTE_ADDR; None if not an IP.
    (Recorded beside a signature, never trusted for a decision: the login throttle keys on its own.)"""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
    for candidate in (forwarded, request.META.get("REMOTE_ADDR", "")):
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None
