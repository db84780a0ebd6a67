"""Every route of the capacity-building pages."""

from django.urls import path

from training.views import attendance, classes, coverage, enrolments

app_name = "training"

urlpatterns = [
    path("", classes.class_list, name="home"),
    path("new/", classes.class_create, name="class_create"),
    path("coverage/", coverage.coverage_page, name="coverage"),
    path("coverage.xlsx", coverage.coverage_xlsx, name="coverage_xlsx"),
    path("<int:pk>/", classes.class_detail, name="class_detail"),
    path("<int:pk>/edit/", classes.class_edit, name="class_edit"),
    path("<int:pk>/step/", classes.class_step, name="class_step"),
    path("<int:pk>/files/", classes.material_add, name="material_add"),
    path("<int:pk>/files/<int:file_pk>/", classes.material_download, name="material_download"),
    path("<int:pk>/enrol/", enrolments.enrol, name="enrol"),
    path("<int:pk>/attendance/", attendance.attendance, name="attendance"),
    path("<int:pk>/attendance.xlsx", attendance.attendance_xlsx, name="attendance_xlsx"),
    path("<int:pk>/attendance.pdf", attendance.attendance_pdf, name="attendance_pdf"),
    path("<int:pk>/completion/", attendance.completion, name="completion"),
    path("enrolments/<int:pk>/withdraw/", enrolments.withdraw, name="withdraw"),
    path("enrolments/<int:pk>/reveal/", enrolments.reveal, name="reveal"),
]
