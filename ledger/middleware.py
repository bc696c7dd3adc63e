from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext
from django.views.defaults import page_not_found

from ledger import permissions


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose otherwise with the language switch.

    Django's LocaleMiddleware follows the browser's Accept-Language, so a team member with an
    English-language browser would land in English. The ledger is Chinese first: only the
    switch's cookie changes the language.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen or "")
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def role_not_required(view):
    """Mark a view that a logged-in account without a role may still use (logging out)."""
    view.role_required = False
    return view


class RoleRequiredMiddleware:
    """Reading the ledger's pages and exports needs a role (ledger.permissions.can_read).

    Runs after LoginRequiredMiddleware, so it only meets logged-in accounts on views that need
    a login; an account without a role gets a 403 page saying whom to ask. The admin decides
    for itself (ledger.sites.LedgerAdminSite), and views marked @login_not_required or
    @role_not_required pass.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or permissions.can_read(request.user):
            return None
        if not getattr(view_func, "login_required", True):
            return None
        if not getattr(view_func, "role_required", True):
            return None
        match = request.resolver_match
        if match and "admin" in match.app_names:
            return None
        return render(request, "ledger/no_role.html", status=403)


class RefuseNulMiddleware:
    """A URL whose query holds a NUL character is answered 400, once, for every view.

    No one types NUL; PostgreSQL cannot hold it in a text, so a search, a lookup or a filter
    handed one would fail with a 500 ("A string literal cannot contain NUL"). Forms' own
    fields already refuse it in a POST (Django's ProhibitNullCharactersValidator); the query
    string reaches filters, sorting and lookups that are not all form fields.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in key or "\x00" in value for key, value in _items(request.GET)):
            return HttpResponseBadRequest(
                gettext("The address holds a character no page accepts (NUL)."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _items(query):
    for key, values in query.lists():
        for value in values:
            yield key, value


class SiteNotFoundPageMiddleware:
    """The site's own 404 page (templates/404.html) with DEBUG on too, as in production.

    With DEBUG on, Django answers an unknown address or a missing record with its technical
    404 page, which lists every URL pattern: not what someone trying the ledger with `make
    run` should see. A 500 keeps Django's traceback page: that one is for the developer.
    With DEBUG off this does nothing (Django's handler404 renders the same template).
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and _unknown(request.path_info):
            return page_not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None


def _unknown(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return True
    return False
