"""The site's URLs and the test-only example ledger's (tests/settings.py)."""

from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("trainings/", include("tests.example_ledger.urls")), *site_urlpatterns]
