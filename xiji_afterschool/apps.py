from django.apps import AppConfig


class XijiAfterschoolConfig(AppConfig):
    name = "xiji_afterschool"
    verbose_name = "Xiji After-School"

    def ready(self):
        # Every app's access.py registers its actions, scopes and menu entries; a wrong table refuses to start.
        from . import checks, permissions, privacy  # noqa: F401 — checks registers the encryption keys' system check

        permissions.load()
        # Every app's privacy.py registers its personal fields (issue #14 item 3); a field that does not exist, or an
        # action or scope the access table lacks, refuses to start.
        privacy.load()
