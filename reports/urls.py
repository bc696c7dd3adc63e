from django.urls import path

from reports import views

urlpatterns = [
    path("briefing.docx", views.briefing, name="report-briefing"),
    path("pack/", views.pack, name="report-pack"),
    path("exports/", views.jobs, name="report-jobs"),
    path("exports/<int:pk>/", views.job, name="report-job"),
    path("exports/<int:pk>/status.json", views.job_status, name="report-job-status"),
    path("exports/<int:pk>/download/", views.job_download, name="report-job-download"),
]
