"""Defences that need code rather than settings: which address the login throttle counts
failures against, the page a locked-out login sees, and the page a refused form (CSRF) shows.

The settings they serve are in config/settings.py (AXES_*, TRUSTED_PROXIES,
CSRF_FAILURE_VIEW); README "Serving in production" explains them to an operator.
"""

import math

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def client_ip(request: HttpRequest) -> str | None:
    """The address login failures are counted against (AXES_CLIENT_IP_CALLABLE).

    REMOTE_ADDR, unless settings.TRUSTED_PROXIES says N reverse proxies stand in front of the
    app: then the N-th address from the right of X-Forwarded-For, the one the outermost
    trusted proxy saw. Addresses further left were written by the client and prove nothing.
    """
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [address.strip() for address in header.split(",") if address.strip()]
        if forwarded:
            # Fewer entries than proxies means fewer hops than configured; every entry was
            # then written by a proxy, and the leftmost is the closest we have to the client.
            return forwarded[max(len(forwarded) - proxies, 0)]
    return request.META.get("REMOTE_ADDR")


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The lockout page (AXES_LOCKOUT_CALLABLE): 429, in the user's language, saying when the
    username may try again from this address.

    The lock runs from the failure that set it (attempts during the lock are not counted,
    AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False), so the time shown holds.
    """
    username = get_client_username(request, credentials) or ""
    locked_since = AccessAttempt.objects.filter(
        username=username, ip_address=request.axes_ip_address
    ).aggregate(last=Max("attempt_time"))["last"]
    now = timezone.now()
    retry_at = (locked_since or now) + get_cool_off(request)
    response = render(
        request,
        "registration/locked_out.html",
        {
            "username": username,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "retry_at": retry_at,
        },
        status=429,
    )
    response["Retry-After"] = str(max(1, math.ceil((retry_at - now).total_seconds())))
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token (CSRF_FAILURE_VIEW): 403 in the site's layout and
    the user's language, with what to do next. Django's own page is English and technical."""
    return render(request, "403_csrf.html", status=403)
