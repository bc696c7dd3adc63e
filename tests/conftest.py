import pytest
from django.utils import translation

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _no_language_leak():
    """A request activates its language in the thread; start every test from the default."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def user(db):
    """A plain account: can log in, not staff, no permissions."""
    return UserFactory()


@pytest.fixture
def client_logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def staff_user(db):
    """Staff without any model permission: may enter the admin, may not see its lists."""
    return UserFactory(is_staff=True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config):
    # WhiteNoise warns that STATIC_ROOT does not exist until collectstatic has run.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")
