from django.urls import path

from ledger.imports.views import file_urls
from pairings import views

urlpatterns = [
    *views.PairingListView.urls("", name="pairings"),
    *file_urls("", ledger="pairings"),
    path("<int:pk>/", views.pairing_detail, name="pairing-detail"),
    *views.UnitListView.urls("units/", name="pairing-units"),
    *file_urls("units/", ledger="units"),
    *views.ExchangeListView.urls("exchanges/", name="exchanges"),
    *file_urls("exchanges/", ledger="exchanges"),
    *views.ExchangeDetailView.urls("exchanges/", name="exchange-detail"),
    *views.MentorshipListView.urls("mentorships/", name="mentorships"),
    *file_urls("mentorships/", ledger="mentorships"),
    *views.MentorshipDetailView.urls("mentorships/", name="mentorship-detail"),
]
