"""The bench's URLs (bench/urls.py) and the tests' example ledger (tests/urls.py), whose menu
entry every page shows."""

from django.urls import include, path

from bench.urls import urlpatterns as bench_urlpatterns

urlpatterns = [path("trainings/", include("tests.example_ledger.urls")), *bench_urlpatterns]
