from django.urls import path

from pairings import views

urlpatterns = [
    *views.PairingListView.urls("", name="pairings"),
    path("<int:pk>/", views.pairing_detail, name="pairing-detail"),
    *views.UnitListView.urls("units/", name="pairing-units"),
    *views.ExchangeListView.urls("exchanges/", name="exchanges"),
    *views.ExchangeDetailView.urls("exchanges/", name="exchange-detail"),
    *views.MentorshipListView.urls("mentorships/", name="mentorships"),
    *views.MentorshipDetailView.urls("mentorships/", name="mentorship-detail"),
]
