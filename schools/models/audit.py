"""The audit trail (等保 security audit, issue #13): one row per change of state, sign-in and export of personal
data, written by `schools.services.audit.record` and never changed (PostgreSQL refuses UPDATE and DELETE: migration
0011). A row names what was done (`action`, a short code such as "session.record"), by whom (a person, or the system
on its own), to what (`object_type`, `object_id`, a short `object_label` that carries no personal data), with the
fields that changed (`changes`: {field: [before, after]}, personal fields masked), the result and the client's address.
"""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..rules import roster as roster_rules
from .roster import School

# The words for each action code the trail writes; a code not listed (a workflow's own step) is shown by the
# workflow's words or as its code. Keep keys sorted by area.
ACTION_LABELS = {
    "login.ok": _("Signed in"),
    "login.failed": _("Sign-in failed"),
    "login.locked": _("Account locked after failed sign-ins"),
    "admin.login": _("Signed in to the administration site"),
    "admin.add": _("Added in the administration site"),
    "admin.change": _("Changed in the administration site"),
    "admin.delete": _("Deleted in the administration site"),
    "access.refused": _("Access refused"),
    "password.change": _("Password changed"),
    "password.reset": _("Password reset"),
    "user.create": _("Account created"),
    "user.edit": _("Account changed"),
    "user.delete": _("Account deleted"),
    "membership.create": _("Role granted"),
    "membership.edit": _("Role changed"),
    "membership.delete": _("Role removed"),
    "session.record": _("Session recorded with its roll"),
    "calendar.day_set": _("Calendar day set (no service, or a make-up working day)"),
    "calendar.day_remove": _("Calendar day removed"),
    "rate.set": _("Subsidy rate set"),
    "roster.import": _("Roster imported"),
    "roster.student_overwrite": _("Student overwritten by import"),
    "roster.student_edit": _("Student's roster data corrected"),
    "child.link": _("Child linked to a parent account"),
    "service_class.create": _("Service class created"),
    "service_class.edit": _("Service class changed"),
    "activity.create": _("Activity created"),
    "activity.edit": _("Activity changed"),
    "partner.create": _("Partner created"),
    "partner.edit": _("Partner changed"),
    "export.audit": _("Audit trail exported"),
    "retention.set": _("Retention period changed"),
    "retention.sweep": _("Data past its retention period deleted or anonymised"),
}

WORKFLOW_GENERIC = {"create": _("Created")}

# Action prefixes offered as a filter on the audit page (the part before the dot).
ACTION_AREAS = {
    "login": _("Sign-ins"),
    "admin": _("Administration site"),
    "access": _("Refused access"),
    "password": _("Passwords"),
    "user": _("Accounts"),
    "membership": _("Roles"),
    "session": _("Sessions"),
    "calendar": _("Calendar"),
    "rate": _("Subsidy rate"),
    "roster": _("Roster"),
    "child": _("Child links"),
    "service_class": _("Service classes"),
    "activity": _("Activities"),
    "partner": _("Partners"),
    "export": _("Exports and downloads"),
    "retention": _("Data retention"),
    "workflow": _("Workflow steps"),
}


class AuditRecord(models.Model):
    APPEND_ONLY = True  # /admin/ shows it view-only (xiji_afterschool.adminsite.is_fixed_record)

    class Result(models.TextChoices):
        OK = "ok", _("Done")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # The trail outlives an account: deleting a user leaves their records (and `login`, their name at the time), so
    # the key is not a database constraint and a deletion does nothing here (the rows are append-only anyway).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acted by"),
    )
    by_system = models.BooleanField(_("done by the system"), default=False)
    # The actor's login at the time, or the login typed on a refused sign-in (no account acts then); a mobile masked.
    # Never a password.
    login = models.CharField(_("login"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    object_label = models.CharField(_("object"), max_length=120, blank=True)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("school")
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    result = models.CharField(_("result"), max_length=8, choices=Result.choices, default=Result.OK)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-at", "-pk"]
        indexes = [
            # the audit page's filters, newest first
            models.Index(fields=["actor", "-at"], name="schools_audit_actor_at"),
            models.Index(fields=["school", "-at"], name="schools_audit_school_at"),
            models.Index(fields=["object_type", "object_id"], name="schools_audit_object"),
        ]
        constraints = [
            # Who did it is known, as for workflow events; a refused sign-in names no account (by_system False, no
            # actor) and keeps the login typed instead.
            models.CheckConstraint(
                condition=Q(actor__isnull=False, by_system=False)
                | Q(actor__isnull=True, by_system=True)
                | Q(actor__isnull=True, by_system=False, result__in=["refused", "failed"]),
                name="schools_auditrecord_person_or_system",
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_label}"

    @property
    def action_label(self) -> str:
        label = ACTION_LABELS.get(self.action)
        if label:
            return str(label)
        if self.action.startswith("export."):
            return _("Export or download: %(what)s") % {"what": self.action.removeprefix("export.")}
        if self.action.startswith("workflow.") and self.object_type:
            # a workflow step: the record model's own words for it ("workflow.claim.approve" → Claim's "approve")
            try:
                model = apps.get_model(self.object_type)
            except (LookupError, ValueError):
                return self.action
            step = self.action.rsplit(".", 1)[-1]
            words = getattr(model, "ACTION_LABELS", {}).get(step) or WORKFLOW_GENERIC.get(step)
            if words:
                return f"{model._meta.verbose_name}: {words}"
        return self.action

    @property
    def who(self) -> str:
        try:
            actor = self.actor if self.actor_id else None
        except ObjectDoesNotExist:  # the account was deleted since: its login at the time stays
            actor = None
        if actor is not None:
            name = str(actor)
            return roster_rules.mask_mobile(name) if roster_rules.is_mobile(name) else name
        if self.by_system:
            return str(_("The system"))
        return self.login or "—"
