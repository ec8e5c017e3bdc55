"""Password resets without a superuser (issue 13 §2): who reset whose password, when (the password itself is never
stored here; the person must replace the temporary one at the next sign-in)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.models import TimeStampedModel


class PasswordReset(TimeStampedModel):
    """One reset: a school administrator for a teacher of their school, the bureau for a school administrator."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="password_resets", verbose_name=_("user")
    )
    reset_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reset by")
    )
    # The resetter's school (a school administrator's), so the record is scoped like the rest of the school's data.
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("school")
    )
    role = models.CharField(_("as role"), max_length=24)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("password reset")
        verbose_name_plural = _("password resets")

    def __str__(self):
        return f"{self.user} ← {self.reset_by}"
