"""Login throttling (django-axes through ledger/security.py) and the refused-form page."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client, RequestFactory
from django.utils import formats, timezone, translation

from ledger.security import client_ip
from tests.factories import UserFactory
from tests.utils import msgid_as_shown

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
SITE_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def clerk():
    return UserFactory(username="clerk", password=PASSWORD, is_staff=True)


def log_in(client: Client, username: str, password: str, *, path=SITE_LOGIN, address="10.0.0.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client: Client, username: str, times: int, **where):
    for _ in range(times):
        response = log_in(client, username, "wrong password", **where)
    return response


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_defaults_lock_after_five_failures_for_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert datetime.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AUTHENTICATION_BACKENDS[0].startswith("axes.")


def test_wrong_passwords_below_the_limit_show_the_login_form_again(client, clerk):
    response = fail(client, "clerk", settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200
    assert "form" in response.context


@pytest.mark.parametrize("path", [SITE_LOGIN, ADMIN_LOGIN])
def test_the_limit_of_failures_locks_that_username_from_that_address(client, clerk, path):
    response = fail(client, "clerk", settings.AXES_FAILURE_LIMIT, path=path)
    assert response.status_code == 429
    assert msgid_as_shown(response, "Login paused") in response.content.decode()

    # Now even the right password is refused, and nobody is logged in.
    response = log_in(client, "clerk", PASSWORD, path=path)
    assert response.status_code == 429
    assert not is_logged_in(client)


def test_site_and_admin_login_failures_count_together(client, clerk):
    fail(client, "clerk", 3, path=SITE_LOGIN)
    response = fail(client, "clerk", settings.AXES_FAILURE_LIMIT - 3, path=ADMIN_LOGIN)
    assert response.status_code == 429


def test_another_username_from_the_same_address_can_still_log_in(client, clerk):
    UserFactory(username="colleague", password=PASSWORD)
    fail(client, "clerk", settings.AXES_FAILURE_LIMIT)
    response = log_in(client, "colleague", PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_the_same_username_from_another_address_can_still_log_in(client, clerk):
    fail(client, "clerk", settings.AXES_FAILURE_LIMIT, address="10.0.0.1")
    response = log_in(client, "clerk", PASSWORD, address="10.0.0.2")
    assert response.status_code == 302
    assert is_logged_in(client)


def wind_clock_back(by: datetime.timedelta) -> None:
    """As if the recorded failures happened `by` earlier (the throttle compares times)."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - by)


def test_the_lock_expires_after_the_cool_off(client, clerk):
    fail(client, "clerk", settings.AXES_FAILURE_LIMIT)
    wind_clock_back(settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=30))
    assert log_in(client, "clerk", PASSWORD).status_code == 429

    wind_clock_back(datetime.timedelta(seconds=31))
    response = log_in(client, "clerk", PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_cool_off_follows_the_setting(client, clerk, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=60)
    fail(client, "clerk", settings.AXES_FAILURE_LIMIT)
    wind_clock_back(datetime.timedelta(minutes=30))
    assert log_in(client, "clerk", PASSWORD).status_code == 429


def test_failure_limit_follows_the_setting(client, clerk, settings):
    settings.AXES_FAILURE_LIMIT = 2
    assert fail(client, "clerk", 2).status_code == 429


def test_attempts_during_the_lock_do_not_extend_it(client, clerk):
    fail(client, "clerk", settings.AXES_FAILURE_LIMIT)
    wind_clock_back(settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1))
    fail(client, "clerk", 3)  # still locked: these are refused without being counted
    wind_clock_back(datetime.timedelta(minutes=1, seconds=1))
    assert log_in(client, "clerk", PASSWORD).status_code == 302


def test_a_successful_login_clears_earlier_failures(client, clerk):
    fail(client, "clerk", settings.AXES_FAILURE_LIMIT - 1)
    assert log_in(client, "clerk", PASSWORD).status_code == 302
    client.logout()
    response = fail(client, "clerk", settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200


def test_lockout_page_says_when_to_try_again(client, clerk):
    before = timezone.now()
    response = fail(client, "clerk", settings.AXES_FAILURE_LIMIT)
    retry_at = response.context["retry_at"]
    assert before + settings.AXES_COOLOFF_TIME <= retry_at
    assert retry_at <= timezone.now() + settings.AXES_COOLOFF_TIME
    seconds = int(response["Retry-After"])
    assert 14 * 60 < seconds <= 15 * 60

    # Asking again later shows the same time: the lock runs from the failure that set it.
    wind_clock_back(datetime.timedelta(minutes=5))
    assert log_in(client, "clerk", PASSWORD).context["retry_at"] == retry_at - datetime.timedelta(
        minutes=5
    )


def shown_time(response, moment: datetime.datetime) -> str:
    with translation.override(response["Content-Language"]):
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def test_lockout_page_in_chinese(client, clerk):
    response = fail(client, "clerk", settings.AXES_FAILURE_LIMIT)
    assert response["Content-Language"] == "zh-hans"
    html = response.content.decode()
    assert "登录已暂停" in html
    assert "密码已连续输错 5 次。为保护账号安全，已暂停从此网络地址以“clerk”登录。" in html
    assert f"自 {shown_time(response, response.context['retry_at'])} 起可再次登录。" in html
    assert "年" in shown_time(response, response.context["retry_at"])


def test_lockout_page_in_english(client, clerk):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = fail(client, "clerk", settings.AXES_FAILURE_LIMIT, path=ADMIN_LOGIN)
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert "Login paused" in html
    assert "The password was wrong 5 times in a row. To protect the account," in html
    assert f"From {shown_time(response, response.context['retry_at'])} you can log in" in html


def test_locked_username_is_shown_escaped(client):
    response = fail(client, "<b>x</b>", settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    assert "<b>x</b>" not in response.content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in response.content.decode()


def test_admin_lists_login_failures_in_chinese(client, clerk):
    fail(client, "clerk", 2)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get("/admin/").content.decode()
    assert "登录限制" in html
    assert "登录失败记录" in html
    html = client.get("/admin/axes/accessattempt/").content.decode()
    assert "clerk" in html
    assert "3 次剩余尝试" in html


# Which address counts -----------------------------------------------------------------------


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post(SITE_LOGIN, **extra)


def test_without_a_proxy_the_connecting_address_counts_and_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_one_proxy_its_view_of_the_client_counts(settings):
    settings.TRUSTED_PROXIES = 1
    # The client wrote "1.2.3.4" itself; the proxy appended the address it saw.
    request = request_from("127.0.0.1", "1.2.3.4, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"
    assert client_ip(request_from("127.0.0.1", "203.0.113.9")) == "203.0.113.9"


def test_behind_two_proxies_the_outer_ones_view_counts(settings):
    settings.TRUSTED_PROXIES = 2
    assert client_ip(request_from("10.0.0.5", "1.2.3.4, 203.0.113.9, 10.0.0.4")) == "203.0.113.9"


def test_behind_a_proxy_a_missing_header_falls_back_to_the_connecting_address(settings):
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request_from("127.0.0.1")) == "127.0.0.1"


def test_spoofed_forwarded_for_does_not_escape_the_lock(client, clerk, settings):
    settings.TRUSTED_PROXIES = 1
    for spoofed in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"):
        response = client.post(
            SITE_LOGIN,
            {"username": "clerk", "password": "wrong password"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"{spoofed}, 203.0.113.9",
        )
    assert response.status_code == 429


# Passwords and sessions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "weak",
    [
        "Zq7#pLm2x",  # 9 characters
        "4718206395",  # only digits
        "password123",  # a common password
        "zhangchen.pingchang",  # the account's own name
    ],
)
def test_weak_passwords_are_refused(weak):
    user = UserFactory(username="zhangchen.pingchang")
    with pytest.raises(ValidationError):
        validate_password(weak, user=user)


def test_a_long_uncommon_password_is_accepted(clerk):
    validate_password("Zq7#pLm2xW", user=clerk)


def test_a_login_lasts_eight_hours(client, clerk):
    response = log_in(client, "clerk", PASSWORD)
    assert response.status_code == 302
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 3600


# A form sent without its CSRF token --------------------------------------------------------


@pytest.fixture
def strict_client():
    return Client(enforce_csrf_checks=True)


def test_post_without_csrf_token_is_refused_with_a_page_in_chinese(strict_client, clerk):
    strict_client.force_login(clerk)
    response = strict_client.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    assert response["Content-Language"] == "zh-hans"
    html = response.content.decode()
    assert msgid_as_shown(response, "Form not accepted") in html
    assert "表单未被接受" in html
    # The page is the site's own, with its header, and sets a fresh token for the next try.
    assert 'class="site-header"' in html
    assert settings.CSRF_COOKIE_NAME in response.cookies


def test_post_without_csrf_token_is_refused_in_english_too(strict_client):
    strict_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = strict_client.post(SITE_LOGIN, {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 403
    assert "Form not accepted" in response.content.decode()
    assert not is_logged_in(strict_client)


def test_admin_post_without_csrf_token_changes_nothing(strict_client, clerk):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    strict_client.force_login(superuser)
    response = strict_client.post(
        f"/admin/auth/user/{clerk.pk}/change/", {"username": "renamed", "is_active": "on"}
    )
    assert response.status_code == 403
    clerk.refresh_from_db()
    assert clerk.username == "clerk"


def test_post_with_the_token_passes(strict_client, clerk):
    strict_client.get(SITE_LOGIN)
    token = strict_client.cookies[settings.CSRF_COOKIE_NAME].value
    response = strict_client.post(
        SITE_LOGIN,
        {"username": "clerk", "password": PASSWORD, "csrfmiddlewaretoken": token},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302


@pytest.mark.parametrize("url", ["/no-such-page/", "/projects/999999999/"])
def test_development_shows_the_sites_own_404_page(client, viewer, settings, url):
    # make run has DEBUG on: still the site's page, not Django's list of URL patterns.
    settings.DEBUG = True
    client.force_login(viewer)
    response = client.get(url)
    assert response.status_code == 404
    content = response.content.decode()
    assert "URLconf" not in content
    assert "返回概况" in content  # "Back to the overview"
    assert "404.html" in [t.name for t in response.templates]


def test_development_still_redirects_to_the_address_with_a_slash(client, viewer, settings):
    settings.DEBUG = True
    client.force_login(viewer)
    response = client.get("/changes")
    assert response.status_code == 301
    assert response["Location"] == "/changes/"
