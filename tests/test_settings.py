"""Production settings refuse to start half-configured; checked in fresh interpreters, because
the settings module is read once per process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aidledger import settings as project_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 25 + "Q7-vX2_mZp9LrT4wY8nB3cD6fH1"  # 52 characters, not the default
CONFIG_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CONN_MAX_AGE",
    "EXPORT_CHUNK_ROWS",
)


def start_django(**environment: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    env |= {"DJANGO_SETTINGS_MODULE": "aidledger.settings", **environment}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


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
