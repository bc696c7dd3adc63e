"""The tests' settings: the project's, plus a ledger that exists only for the tests
(tests/example_ledger, README "Adding a ledger"), which the machinery must find like any other."""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.example_ledger"]
ROOT_URLCONF = "tests.urls"

# Background tasks run at once, inside the request or command that enqueues them.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
