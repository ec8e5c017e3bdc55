"""The response headers every page and file gets beside django-csp's Content-Security-Policy: a Permissions-Policy,
and `Cache-Control: private, no-store` on whatever may carry personal data (ID numbers, mobiles, children's names).

No-store is the default: every response to a signed-in reader, and every response to anyone else unless its view
declared it public (`@cache_control(public=True, …)`: the published funding disclosures). A view's own `no-store`
(`@never_cache`: the login page, the public feedback form) is kept as it is. Static files never come here: whitenoise
answers them before this middleware, with its long cache.

A few lines of our own rather than another package (django-permissions-policy): the header is one constant string."""

from django.utils.cache import patch_cache_control

# Features no page of ours uses. The photo inputs are <input type="file" capture>: the phone's own camera app, not
# camera access by script, so camera=() does not stop them.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def _directives(response) -> set[str]:
    return {part.strip().split("=", 1)[0].lower() for part in response.get("Cache-Control", "").split(",") if part}


def may_be_stored(request, response) -> bool:
    """Only a response a view declared public, to a reader who is not signed in."""
    user = getattr(request, "user", None)
    return not (user and user.is_authenticated) and "public" in _directives(response)


class SecurityHeadersMiddleware:
    """After authentication (it asks who reads): Permissions-Policy on every response, no-store on the private ones."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if may_be_stored(request, response):
            return response
        directives = _directives(response)
        if "no-store" not in directives:
            if "public" in directives:  # a public page read by a signed-in person: it shows their name
                del response["Cache-Control"]
            patch_cache_control(response, private=True, no_store=True)
        return response
