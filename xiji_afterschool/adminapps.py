"""django.contrib.admin whose site asks for the second factor (adminsite.py); listed in INSTALLED_APPS in its place.
(Its own module: a config here imports no models, and xiji_afterschool/apps.py keeps one default config.)"""

from django.contrib.admin import apps


class GuardedAdminConfig(apps.AdminConfig):
    default_site = "xiji_afterschool.adminsite.GuardedAdminSite"
