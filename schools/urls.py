from django.urls import path

from . import views

app_name = "schools"
urlpatterns = [
    path("school/", views.school_home, name="school-home"),
    path("class/", views.class_home, name="class-home"),
    path("teacher/", views.teacher_home, name="teacher-home"),
    path("township/", views.township_home, name="township-home"),
    path("schools/", views.school_list, name="school-list"),
    path("schools/<int:pk>/", views.school_detail, name="school-detail"),
    path("schools/<int:school_pk>/roster-export/", views.roster_export_create, name="roster-export-create"),
    path("students/", views.student_list, name="student-list"),
    path("students/<int:pk>/", views.student_detail, name="student-detail"),
    path("exports/<int:pk>/", views.roster_export_detail, name="roster-export-detail"),
    path("exports/<int:pk>/download/", views.roster_export_download, name="roster-export-download"),
]
