"""The product's URLs, plus the bench's baseline admin and its trivial page.

Both sit behind the same middleware as every page: a login is required (LoginRequiredMiddleware),
and the bench's user is a superuser, whom the role middleware lets in.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bench.admin import site
from config.urls import urlpatterns as product_urlpatterns


def trivial(request: HttpRequest) -> HttpResponse:
    """The least a logged-in page can cost: session, user, middleware, a few bytes."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/admin/", site.urls),
    path("bench/trivial/", trivial, name="bench-trivial"),
    *product_urlpatterns,
]
