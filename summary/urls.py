from django.urls import path

from summary import views

urlpatterns = [
    path("", views.home, name="home"),
    path("summary.csv", views.summary_export, name="summary-export"),
    path("summary.xlsx", views.summary_export_xlsx, name="summary-export-xlsx"),
]
