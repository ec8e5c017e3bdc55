from django.contrib import admin
from django.urls import include, path

from schools.views import accounts

urlpatterns = [
    *accounts.urlpatterns,
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("schools.urls")),
    path("enrollment/", include("enrollment.urls")),
    path("funding/", include("funding.urls")),
    path("safety/", include("safety.urls")),
    path("bureau/", include("xiji_afterschool.bureau.urls")),
    path("admin/", admin.site.urls),
]
# Uploaded and generated files are never served as /media/: downloads go through views that ask the policy.

handler500 = "xiji_afterschool.errors.server_error"
