from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BureauConfig(AppConfig):
    name = "xiji_afterschool.bureau"
    label = "bureau"
    verbose_name = _("County console")

    def ready(self):
        from . import signals

        signals.connect()
