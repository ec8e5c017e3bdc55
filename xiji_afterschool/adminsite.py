"""The admin site, with a second factor for the people who can use it.

With XIJI_ADMIN_OTP on (the default when DEBUG is off) /admin/ asks for a TOTP code (django-otp) after the
password, and a session signed in without one (through /login/) is not let in. The password step passes through the
one login throttle (django-axes) like every other form; wrong codes are throttled by django-otp per device.
A superuser's authenticator is enrolled with `manage.py totp_enrol <username>`."""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.db.models.base import ModelBase
from django_otp.admin import OTPAdminAuthenticationForm

from . import auditing
from .models import WorkflowEvent

# Apps whose every model is money (claims, settlements, the ledger, pay runs, disclosures): never edited here.
MONEY_APPS = {"funding"}


def is_fixed_record(model) -> bool:
    """A record /admin/ shows but never adds, changes or deletes (issue #13): every workflow event and audit record
    (append-only), every workflow record (a status moved only by its services), every money record. Derived from the
    models, so a new event model or workflow is covered without a list to update."""
    return bool(
        issubclass(model, WorkflowEvent)
        or getattr(model, "APPEND_ONLY", False)
        or hasattr(model, "TRANSITIONS")
        or any(field.name == "status" for field in model._meta.concrete_fields)
        or model._meta.app_label in MONEY_APPS
    )


class FixedRecordAdmin:
    """Mixed into the ModelAdmin of a fixed record: view only."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Accounts and roles are audited by their own receivers (schools.services.audit), with the fields before → after.
SELF_AUDITED = {"schools.User", "schools.Membership"}


class AuditedAdmin:
    """Mixed into every other ModelAdmin: an add, change or delete in /admin/ writes an audit record ("admin.add",
    "admin.change", "admin.delete") naming the object and the fields changed (their names only: no values)."""

    def log_addition(self, request, obj, message):
        auditing.write(action="admin.add", obj=obj, note=_fields_of(message))
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        auditing.write(action="admin.change", obj=obj, note=_fields_of(message))
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            auditing.write(action="admin.delete", obj=obj)
        return super().log_deletions(request, queryset)


def _fields_of(message) -> str:
    """The changed field names of an admin log message (a list of {"changed": {"fields": [...]}}...)."""
    names = []
    for part in message if isinstance(message, list) else []:
        for detail in part.values():
            names.extend(str(name) for name in (detail or {}).get("fields", []))
    return ", ".join(names)[:200]


class GuardedAdminSite(AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        """Register as usual, then, in this one place whatever the app wrote: a fixed record's ModelAdmin is made
        view-only (no app can let /admin/ delete an event, a workflow or a money record), and every other one writes
        an audit record for each add, change and delete."""
        super().register(model_or_iterable, admin_class, **options)
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        for model in models:
            model_admin = self._registry.get(model)
            if model_admin is None or isinstance(model_admin, (FixedRecordAdmin, AuditedAdmin)):
                continue
            if is_fixed_record(model):
                mixin, prefix = FixedRecordAdmin, "Fixed"
            elif model._meta.label not in SELF_AUDITED:
                mixin, prefix = AuditedAdmin, "Audited"
            else:
                continue
            guarded = type(f"{prefix}{type(model_admin).__name__}", (mixin, type(model_admin)), {})
            self._registry[model] = guarded(model, self)

    def has_permission(self, request):
        allowed = super().has_permission(request)
        if allowed and settings.XIJI_ADMIN_OTP:
            is_verified = getattr(request.user, "is_verified", None)
            return bool(is_verified and is_verified())
        return allowed

    def login(self, request, extra_context=None):
        if settings.XIJI_ADMIN_OTP:
            self.login_form, self.login_template = OTPAdminAuthenticationForm, "otp/admin111/login.html"
        else:
            self.login_form = self.login_template = None
        return super().login(request, extra_context)
