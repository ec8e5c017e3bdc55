from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = _("Schools and roster")

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth import signals

        from .services import accounts

        signals.user_login_failed.connect(accounts.on_login_failed, dispatch_uid="xiji-login-failed")
        signals.user_logged_in.connect(accounts.on_logged_in, dispatch_uid="xiji-logged-in")
        user_locked_out.connect(accounts.on_locked_out, dispatch_uid="xiji-locked-out")
