from django.urls import path

from . import views

app_name = "enrollment"
urlpatterns = [
    path("parent/", views.parent_home, name="parent-home"),
]
