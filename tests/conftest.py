import io
from contextlib import ExitStack

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from django.utils import translation

from ledger import permissions
from tests.factories import BatchFactory, BodyFactory, UserFactory, user_with_role


@pytest.fixture(autouse=True)
def _no_language_leak():
    """A request activates its language in the thread; start every test from the default."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def user(viewer):
    """The account most page tests log in with: a viewer (reads and exports everything)."""
    return viewer


# Personas: one per role (ledger.permissions). Editors A and B belong to two working groups
# of the same batch; records "of group A" name group_a as their responsible body.


@pytest.fixture
def group_a(db):
    return BodyFactory(name="产业扶持组", batch=BatchFactory(name="第二批", number=2))


@pytest.fixture
def group_b(group_a):
    return BodyFactory(name="社会事业组", batch=group_a.batch)


@pytest.fixture
def no_role_user(db):
    """Logged in, but holds no role: may read nothing."""
    return UserFactory(username="no-role")


@pytest.fixture
def viewer(db):
    return user_with_role(permissions.VIEWER, username="viewer")


@pytest.fixture
def editor_a(group_a):
    """An editor (录入员) who is a member of group A (产业扶持组)."""
    return user_with_role(permissions.EDITOR, group_a, username="editor-a")


@pytest.fixture
def editor_b(group_b):
    """An editor (录入员) who is a member of group B (社会事业组)."""
    return user_with_role(permissions.EDITOR, group_b, username="editor-b")


@pytest.fixture
def ledger_admin(db):
    """A ledger admin (管理员): changes everything, manages accounts; not a superuser."""
    return user_with_role(permissions.LEDGER_ADMIN, username="ledger-admin")


@pytest.fixture
def client_logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def staff_user(db):
    """Staff status but no role: roles, not the staff flag, decide who enters the admin."""
    return UserFactory(is_staff=True)


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    """Each test's evidence files go to its own temporary folder, never var/evidence."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


@pytest.fixture(autouse=True)
def reports_root(settings, tmp_path):
    """Each test's generated briefings and packs go to its own folder, never var/reports."""
    settings.REPORTS_ROOT = tmp_path / "reports"
    return settings.REPORTS_ROOT


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The demo ledger, shared ----------------------------------------------------------------------
# Loading the demo takes seconds; reloading it for every test was about 40% of the suite. A test
# that reads it asks for `demo_ledger`: the module loads it once, inside a transaction on every
# database, and each test runs in its own savepoint on top (pytest-django's `db`), as Django's
# TestCase.setUpTestData does; the module's end rolls the demo back. Tests that need
# `transactional_db`, a live server or a subprocess reading the database cannot share it, nor can
# a test whose point is what loading does (twice changes nothing): those call the loader.


@pytest.fixture(scope="module")
def demo_ledger(django_db_setup, django_db_blocker):
    """The demo ledger (`load_demo`), loaded once for the module, rolled back after it."""
    with ExitStack() as atomics:
        with django_db_blocker.unblock():
            for alias in connections:
                atomics.enter_context(transaction.atomic(using=alias))
            call_command("load_demo", stdout=io.StringIO())
        yield
        with django_db_blocker.unblock():
            for alias in connections:
                transaction.set_rollback(True, using=alias)
            atomics.close()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Within each module, run the tests on the shared demo ledger last, after the others.

    The demo stays loaded from the first test that asks for it to the module's end: tests that
    do not ask for it run before, on the empty database they expect, whatever order the tests
    were collected or shuffled in. Runs after pytest-django's own reordering (plain database
    tests, then transactional ones, then the rest), so only moves tests within a run of one
    module."""
    reordered, run = [], []

    def flush():
        reordered.extend(item for item in run if "demo_ledger" not in item.fixturenames)
        reordered.extend(item for item in run if "demo_ledger" in item.fixturenames)
        run.clear()

    for item in items:
        if run and item.module is not run[-1].module:
            flush()
        run.append(item)
    flush()
    items[:] = reordered


def pytest_configure(config):
    # WhiteNoise warns that STATIC_ROOT does not exist until collectstatic has run.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")
