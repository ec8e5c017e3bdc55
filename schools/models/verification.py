"""One-time codes sent by SMS that prove a person holds a mobile number (issue 14): to register a parent account and
to recover a forgotten password.

A row per request, kept for the record (who asked for which number, from where, whether the code was used): the
database, not the cache, so a code survives a Redis restart and the throttle cannot be reset by flushing it. Neither
the number nor the code is stored in clear: the number as a keyed digest (the throttle and the lookup need only
equality) beside its masked form for people reading the record, the code as a keyed digest of number, purpose and code.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.models import TimeStampedModel


class MobileCode(TimeStampedModel):
    class Purpose(models.TextChoices):
        REGISTER = "register", _("Register")
        RECOVER = "recover", _("Recover a password")

    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    mobile_digest = models.CharField(_("mobile number (keyed digest)"), max_length=64, db_index=True)
    masked_mobile = models.CharField(_("mobile number (masked)"), max_length=11)
    # Empty when nothing that could be used was sent (the number is already registered, or has no account to recover):
    # the request still counts towards the throttle, so the answers and the limits are the same either way.
    code_digest = models.CharField(_("code (keyed digest)"), max_length=64, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("mobile verification code")
        verbose_name_plural = _("mobile verification codes")
        indexes = [models.Index(fields=["mobile_digest", "purpose", "created_at"], name="schools_mobilecode_lookup")]

    def __str__(self) -> str:
        return f"{self.masked_mobile} · {self.get_purpose_display()}"
