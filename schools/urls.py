from django.urls import path

from .views import activities, classes, hours, imports, plans, roster, sessions, timetables

app_name = "schools"
urlpatterns = [
    path("school/", roster.school_home, name="school-home"),
    path("class/", roster.class_home, name="class-home"),
    path("township/", roster.township_home, name="township-home"),
    path("schools/", roster.school_list, name="school-list"),
    path("schools/<int:pk>/", roster.school_detail, name="school-detail"),
    path("schools/<int:school_pk>/roster-export/", roster.roster_export_create, name="roster-export-create"),
    path("students/", roster.student_list, name="student-list"),
    path("students/<int:pk>/", roster.student_detail, name="student-detail"),
    path("exports/<int:pk>/", roster.roster_export_detail, name="roster-export-detail"),
    path("exports/<int:pk>/download/", roster.roster_export_download, name="roster-export-download"),
    # Timetables (R4–R8)
    path("schools/<int:school_pk>/timetables/", timetables.timetable_list, name="timetable-list"),
    path("schools/<int:school_pk>/timetables/start/", timetables.timetable_start, name="timetable-start"),
    path("timetables/<int:pk>/", timetables.timetable_edit, name="timetable-edit"),
    path("timetables/<int:pk>/revise/", timetables.timetable_revise, name="timetable-revise"),
    # The school plan (R16–R18)
    path("plans/", plans.plan_list, name="plan-list"),
    path("schools/<int:school_pk>/plan/start/", plans.plan_start, name="plan-start"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/sections/<slug:key>/", plans.plan_section_edit, name="plan-section-edit"),
    path("plans/<int:pk>/submit/", plans.plan_submit, name="plan-submit"),
    path("plans/<int:pk>/forward/", plans.plan_forward, name="plan-forward"),
    path("plans/<int:pk>/return/", plans.plan_return, name="plan-return"),
    path("plans/<int:pk>/file/", plans.plan_file, name="plan-file"),
    path("plans/<int:pk>/revise/", plans.plan_revise, name="plan-revise"),
    path("plans/<int:pk>/changes/", plans.plan_diff, name="plan-diff"),
    path("plans/<int:pk>/filing.pdf", plans.plan_filing_pdf, name="plan-filing-pdf"),
    path("plans/<int:pk>/attachments/", plans.plan_attachment_add, name="plan-attachment-add"),
    path("plans/attachments/<int:pk>/", plans.plan_attachment_download, name="plan-attachment-download"),
    path("plans/attachments/<int:pk>/remove/", plans.plan_attachment_remove, name="plan-attachment-remove"),
    *classes.urlpatterns,
    *imports.urlpatterns,
    *activities.urlpatterns,
    *sessions.urlpatterns,
    *hours.urlpatterns,
]
