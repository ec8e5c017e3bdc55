from django.urls import path

from . import views

app_name = "bureau"
urlpatterns = [
    path("", views.home, name="home"),
    path("inspector/", views.inspector_home, name="inspector-home"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<int:pk>/", views.calendar, name="calendar-year"),
    path("calendar/new/", views.school_year_edit, name="school-year-create"),
    path("calendar/<int:pk>/edit/", views.school_year_edit, name="school-year-edit"),
    path("calendar/<int:pk>/days/", views.calendar_day_add, name="calendar-day-add"),
    path("calendar/days/<int:pk>/remove/", views.calendar_day_remove, name="calendar-day-remove"),
    path("plans/status/", views.plan_status, name="plan-status"),
    path("plans/status.xlsx", views.plan_status_export, name="plan-status-export"),
]
