"""The admin site, with a second factor for the people who can use it.

With XIJI_ADMIN_OTP on (the default when DEBUG is off) /admin/ asks for a TOTP code (django-otp) after the
password, and a session signed in without one (through /login/) is not let in. The password step passes through the
one login throttle (django-axes) like every other form; wrong codes are throttled by django-otp per device.
A superuser's authenticator is enrolled with `manage.py totp_enrol <username>`."""

from django.conf import settings
from django.contrib.admin import AdminSite
from django_otp.admin import OTPAdminAuthenticationForm


class GuardedAdminSite(AdminSite):
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
