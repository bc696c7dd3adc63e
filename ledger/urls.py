"""Pages the machinery serves for every ledger: recent changes, record lookups, logging in and
out, the language switch."""

from django.contrib.auth import views as auth_views
from django.urls import path

from ledger import changes, lookups, views
from ledger.middleware import role_not_required

urlpatterns = [
    *changes.ChangeListView.urls("changes/", name="changes"),
    path("lookup/<slug:name>/", lookups.lookup, name="lookup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", role_not_required(auth_views.LogoutView.as_view()), name="logout"),
    path("i18n/setlang/", views.set_language, name="set_language"),
]
