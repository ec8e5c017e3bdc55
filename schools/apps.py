from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = _("Schools and roster")

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth import signals
        from django.db.models.signals import post_delete, post_save, pre_save

        from xiji_afterschool import auditing

        from .services import accounts, audit

        auditing.register_writer(audit)
        for model in (self.get_model("User"), self.get_model("Membership")):
            pre_save.connect(audit.on_account_pre_save, sender=model, dispatch_uid=f"xiji-audit-pre-{model.__name__}")
            post_save.connect(audit.on_account_saved, sender=model, dispatch_uid=f"xiji-audit-save-{model.__name__}")
            post_delete.connect(audit.on_account_deleted, sender=model, dispatch_uid=f"xiji-audit-del-{model.__name__}")

        signals.user_login_failed.connect(accounts.on_login_failed, dispatch_uid="xiji-login-failed")
        signals.user_logged_in.connect(accounts.on_logged_in, dispatch_uid="xiji-logged-in")
        user_locked_out.connect(accounts.on_locked_out, dispatch_uid="xiji-locked-out")
