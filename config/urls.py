"""The site's URLs: each app's pages under its prefix, the machinery's shared pages, the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("summary.urls")),
    path("members/", include("aidledger.urls")),
    path("pairings/", include("pairings.urls")),
    path("projects/", include("projects.urls")),
    path("periods/", include("periods.urls")),
    path("evidence/", include("evidence.urls")),
    path("reports/", include("reports.urls")),
    path("", include("ledger.urls")),
    path("admin/", admin.site.urls),
]
