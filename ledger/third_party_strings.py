"""Labels of installed apps that ship no Chinese translation, listed so that `make messages`
keeps them in our catalogue (locale/zh_Hans), which Django consults before the apps' own.

Nothing imports this module: gettext_noop only marks the strings for extraction. Each msgid
must match the app's source exactly; when an upgrade changes one, its label shows in English
again until it is updated here.
"""

from django.utils.translation import gettext_noop

# django-axes (login throttling): its models and admin.
AXES = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Not set"),
    gettext_noop("Expires At"),
)

# Django's account pages: strings its Chinese catalogue lacks, which a ledger admin reads.
DJANGO_ACCOUNTS = (
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
)
