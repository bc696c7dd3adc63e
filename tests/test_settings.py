"""Production settings refuse to start half-configured; checked in fresh interpreters, because
the settings module is read once per process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import settings as project_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 25 + "Q7-vX2_mZp9LrT4wY8nB3cD6fH1"  # 52 characters, not the default
CONFIG_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "CONN_MAX_AGE",
    "EXPORT_CHUNK_ROWS",
    "HTTPS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "TRUSTED_PROXIES",
    "SESSION_COOKIE_AGE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_COOLOFF_MINUTES",
)
# What README "Serving in production" tells an operator to set.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "ledger.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://ledger.example.org",
}


def run_python(*arguments: str, **environment: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings", **environment}
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def start_django(**environment: str) -> subprocess.CompletedProcess:
    return run_python("-c", "import django; django.setup(); print('started')", **environment)


def settings_under(names: list[str], **environment: str) -> dict:
    """The values of some settings in a fresh process started with `environment`."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name, None) for name in {names!r}}}, "
        "default=str))"
    )
    result = run_python("-c", code, **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def check_deploy(**environment: str) -> subprocess.CompletedProcess:
    return run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", **environment)


def assert_refused(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    for word in words:
        assert word in result.stderr


def test_production_without_secret_key_is_refused():
    assert_refused(start_django(DEBUG="0", ALLOWED_HOSTS="example.org"), "SECRET_KEY")


def test_production_with_the_development_key_is_refused():
    result = start_django(
        DEBUG="0",
        SECRET_KEY=project_settings.DEVELOPMENT_SECRET_KEY,
        ALLOWED_HOSTS="example.org",
    )
    assert_refused(result, "SECRET_KEY")


def test_production_with_a_short_key_is_refused():
    assert_refused(
        start_django(DEBUG="0", SECRET_KEY="short-but-not-default", ALLOWED_HOSTS="example.org"),
        "SECRET_KEY",
    )


@pytest.mark.parametrize(
    "key",
    [
        "Q7-vX2_mZp9LrT4wY8nB3cD6fH1kLm0pQr",  # 34 characters: long enough by the old rule
        "ab" * 30,  # long, but two different characters
        "django-insecure-" + "Q7-vX2_mZp9LrT4wY8nB3cD6fH1kLm0pQrSt",  # Django's own placeholder
    ],
)
def test_production_refuses_a_key_that_check_deploy_would_call_weak(key):
    # The refusal at start and `check --deploy` (security.W009) agree: 50 characters, 5 of
    # them different, not Django's generated placeholder.
    assert_refused(start_django(DEBUG="0", SECRET_KEY=key, ALLOWED_HOSTS="example.org"), "50")


def test_production_with_key_and_hosts_starts():
    assert len(GOOD_KEY) >= 50
    result = start_django(DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


def test_production_without_allowed_hosts_is_refused():
    assert_refused(start_django(DEBUG="0", SECRET_KEY=GOOD_KEY), "ALLOWED_HOSTS")
    assert_refused(
        start_django(DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS=" , "), "ALLOWED_HOSTS"
    )


@pytest.mark.parametrize("value", ["maybe", "2", "tru"])
def test_unreadable_debug_value_is_refused_with_a_clear_message(value):
    assert_refused(start_django(DEBUG=value), "DEBUG", repr(value))


def test_development_defaults_start_without_configuration():
    result = start_django()
    assert result.returncode == 0, result.stderr


def test_unreadable_number_is_refused_with_a_clear_message():
    assert_refused(start_django(EXPORT_CHUNK_ROWS="lots"), "EXPORT_CHUNK_ROWS", "'lots'")


@pytest.mark.parametrize("value", ["0", "-5"])
def test_export_chunk_size_below_one_is_refused_at_start(value):
    assert_refused(start_django(EXPORT_CHUNK_ROWS=value), "EXPORT_CHUNK_ROWS")


# The production checklist (manage.py check --deploy) ---------------------------------------


def test_deploy_check_is_clean_with_the_documented_production_settings():
    result = check_deploy(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_flags_a_production_site_served_over_plain_http():
    result = check_deploy(**PRODUCTION, HTTPS="0")
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


def test_deploy_check_flags_debug():
    result = check_deploy(**PRODUCTION | {"DEBUG": "1"})
    assert result.returncode != 0
    assert "security.W018" in result.stderr


def test_production_with_any_host_allowed_is_refused():
    assert_refused(start_django(**PRODUCTION | {"ALLOWED_HOSTS": "*"}), "ALLOWED_HOSTS", "'*'")


HTTPS_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
]


def test_production_defaults_to_https_only():
    assert settings_under(HTTPS_SETTINGS, **PRODUCTION) == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        # Trusting X-Forwarded-Proto is only safe when a proxy is known to set it.
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_development_keeps_plain_http():
    values = settings_under(HTTPS_SETTINGS)
    assert not values["SECURE_SSL_REDIRECT"]
    assert not values["SESSION_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] == 0


def test_https_settings_follow_the_environment():
    values = settings_under(
        [*HTTPS_SETTINGS, "SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE"],
        **PRODUCTION,
        SECURE_HSTS_SECONDS="3600",
        SECURE_SSL_REDIRECT="0",
        TRUSTED_PROXIES="1",
        SESSION_COOKIE_AGE="1800",
        SESSION_EXPIRE_AT_BROWSER_CLOSE="1",
    )
    assert values == {
        "SECURE_SSL_REDIRECT": False,  # the proxy redirects
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 3600,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_AGE": 1800,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
    }


def test_login_throttle_limits_come_from_the_environment():
    values = settings_under(["AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME"])
    assert values == {"AXES_FAILURE_LIMIT": 5, "AXES_COOLOFF_TIME": "0:15:00"}
    values = settings_under(
        ["AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME"],
        LOGIN_FAILURE_LIMIT="3",
        LOGIN_COOLOFF_MINUTES="60",
    )
    assert values == {"AXES_FAILURE_LIMIT": 3, "AXES_COOLOFF_TIME": "1:00:00"}


@pytest.mark.parametrize(
    "variable", ["LOGIN_FAILURE_LIMIT", "LOGIN_COOLOFF_MINUTES", "SESSION_COOKIE_AGE"]
)
def test_a_zero_limit_is_refused_at_start(variable):
    assert_refused(start_django(**{variable: "0"}), variable)


def test_production_serves_hashed_compressed_static_files_and_development_needs_no_collectstatic():
    def storage(**environment):
        return settings_under(["STORAGES"], **environment)["STORAGES"]["staticfiles"]["BACKEND"]

    assert storage(**PRODUCTION) == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert storage() == "django.contrib.staticfiles.storage.StaticFilesStorage"
