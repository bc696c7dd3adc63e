from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from aidledger import lookups, views
from aidledger.import_views import file_urls
from aidledger.middleware import role_not_required

urlpatterns = [
    path("", views.home, name="home"),
    path("summary.csv", views.summary_export, name="summary-export"),
    path("summary.xlsx", views.summary_export_xlsx, name="summary-export-xlsx"),
    *views.MemberListView.urls("members/", name="members"),
    *file_urls("members/", ledger="members"),
    path("members/<int:pk>/", views.member_detail, name="member-detail"),
    *views.ChangeListView.urls("changes/", name="changes"),
    path("lookup/<slug:name>/", lookups.lookup, name="lookup"),
    path("pairings/", include("pairings.urls")),
    path("projects/", include("projects.urls")),
    path("evidence/", include("evidence.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", role_not_required(auth_views.LogoutView.as_view()), name="logout"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
