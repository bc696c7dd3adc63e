"""Views every page of the site shares."""

from django.contrib.auth.decorators import login_not_required
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

# The language switch must work on the login page too, before anyone has logged in.
set_language = login_not_required(require_POST(django_set_language))
