"""The admin site, with a second factor for the people who can use it.

With XIJI_ADMIN_OTP on (the default when DEBUG is off) /admin/ asks for a TOTP code (django-otp) after the
password, and a session signed in without one (through /login/) is not let in. The password step passes through the
one login throttle (django-axes) like every other form; wrong codes are throttled by django-otp per device.
A superuser's authenticator is enrolled with `manage.py totp_enrol <username>`."""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.db.models.base import ModelBase
from django_otp.admin import OTPAdminAuthenticationForm

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


class GuardedAdminSite(AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        """Register as usual; a fixed record's ModelAdmin (whatever the app wrote) is made view-only here, the one
        place, so no app can let /admin/ delete an event, a workflow or a money record."""
        super().register(model_or_iterable, admin_class, **options)
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        for model in models:
            model_admin = self._registry.get(model)
            if model_admin is not None and is_fixed_record(model) and not isinstance(model_admin, FixedRecordAdmin):
                fixed = type(f"Fixed{type(model_admin).__name__}", (FixedRecordAdmin, type(model_admin)), {})
                self._registry[model] = fixed(model, self)

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
