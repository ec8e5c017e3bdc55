from django.urls import path

from . import views

app_name = "funding"
urlpatterns = [
    path("finance/", views.finance_home, name="finance-home"),
    path("hr/", views.hr_home, name="hr-home"),
]
