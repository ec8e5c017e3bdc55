"""Access rows of the duty roster (issue 11 §2): the school admin sets it (302 on a POST, with a message when the day
is refused); the township and county read the month (their POST: 403); everyone else gets 404 on school_a's roster."""

from django.utils import timezone

from .cases import Case, only

READERS = {"school_admin": 200, "township": 200, "bureau": 200, "inspector": 200}
WRITE = {"school_admin": 302, "township": 403, "bureau": 403, "inspector": 403}

MATRIX = {
    "safety:duty-mine": only("school_admin", "other_school_admin", status=302, default=404),
    "safety:duty-month": Case(args=lambda w: [w.school_a.pk], ok=READERS, default=404),
    "safety:duty-set": Case(
        method="post", args=lambda w: [w.school_a.pk, f"{timezone.localdate():%Y-%m-%d}"], ok=WRITE, default=404
    ),
    "safety:duty-copy-week": Case(method="post", args=lambda w: [w.school_a.pk], ok=WRITE, default=404),
}
