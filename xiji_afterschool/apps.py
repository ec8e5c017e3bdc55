from django.apps import AppConfig


class XijiAfterschoolConfig(AppConfig):
    name = "xiji_afterschool"
    verbose_name = "Xiji After-School"
