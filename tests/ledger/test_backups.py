"""backup_ledger and restore_ledger: the demo ledger, backed up and restored into an empty
database, has every model's row count and every money sum it had before.

The restored database is read by a fresh process, as an operator's restore would be.
"""

import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ledger.backups import PG_DUMP_HEADER, SQLITE_HEADER, ledger_figures

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="a SQLite backup")
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a PostgreSQL backup (pg_dump/pg_restore)"
)


def as_json(figures: dict) -> dict:
    return json.loads(json.dumps(figures, default=str))


def manage(*arguments: str, database_url: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    # DJANGO_SETTINGS_MODULE stays the tests' own (pytest-django sets it): the restored
    # database is read with the same apps as the backed-up one.
    env |= {"DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def figures_of(database_url: str) -> dict:
    code = (
        "import json, django; django.setup(); "
        "from ledger.backups import ledger_figures; "
        "print(json.dumps(ledger_figures(), default=str))"
    )
    result = manage("-c", code, database_url=database_url)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def back_up_the_demo_ledger(path: Path) -> dict:
    call_command("load_demo", stdout=io.StringIO())
    figures = ledger_figures()
    # The comparison means something only if the ledger and its money are there.
    assert figures["pairings.pairing"]["rows"] == 56
    assert figures["projects.disbursement"]["rows"] > 0
    assert figures["projects.disbursement"]["amount"] > Decimal("0.00")
    out = io.StringIO()
    call_command("backup_ledger", str(path), stdout=out)
    assert "Backed up" in out.getvalue()
    return as_json(figures)


def assert_same_ledger(restored: dict, source: dict) -> None:
    assert restored.keys() == source.keys()
    for model, entry in source.items():
        assert restored[model] == entry, model


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restores_into_a_new_file_with_every_count_and_sum(tmp_path):
    source = back_up_the_demo_ledger(tmp_path / "ledger.backup")
    assert (tmp_path / "ledger.backup").read_bytes().startswith(SQLITE_HEADER)

    restored_url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    result = manage(
        "manage.py", "restore_ledger", str(tmp_path / "ledger.backup"), database_url=restored_url
    )
    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout

    assert_same_ledger(figures_of(restored_url), source)
    # The restored file is a working ledger: its migrations are all applied.
    result = manage("manage.py", "migrate", "--check", database_url=restored_url)
    assert result.returncode == 0, result.stdout + result.stderr
    # The roll-ups came along with the records (and their triggers keep them from here).
    result = manage("manage.py", "rebuild_rollups", "--check", database_url=restored_url)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def empty_postgres_database():
    """A new, empty PostgreSQL database beside the test database, dropped afterwards."""
    settings = connection.settings_dict
    name = f"{settings['NAME']}_restore"
    server = {
        "dbname": "postgres",
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
    }
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    credentials = quote(settings["USER"] or "")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"])
    host = settings["HOST"] or "localhost"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    yield f"postgres://{credentials}@{host}{port}/{name}"
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@on_postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_backup_restores_into_a_new_database_with_every_count_and_sum(
    tmp_path, empty_postgres_database
):
    source = back_up_the_demo_ledger(tmp_path / "ledger.dump")
    assert (tmp_path / "ledger.dump").read_bytes().startswith(PG_DUMP_HEADER)

    result = manage(
        "manage.py",
        "restore_ledger",
        str(tmp_path / "ledger.dump"),
        database_url=empty_postgres_database,
    )
    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout

    assert_same_ledger(figures_of(empty_postgres_database), source)
    result = manage("manage.py", "migrate", "--check", database_url=empty_postgres_database)
    assert result.returncode == 0, result.stdout + result.stderr
    result = manage("manage.py", "rebuild_rollups", "--check", database_url=empty_postgres_database)
    assert result.returncode == 0, result.stdout + result.stderr


# Refusals -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_restore_into_a_database_that_has_tables_is_refused(tmp_path):
    backup = tmp_path / "ledger.backup"
    header = SQLITE_HEADER if connection.vendor == "sqlite" else PG_DUMP_HEADER
    backup.write_bytes(header + b"\0" * 100)
    with pytest.raises(CommandError, match=r"already has \d+ tables"):
        call_command("restore_ledger", str(backup))


@pytest.mark.django_db
def test_restore_of_the_other_databases_backup_is_refused(tmp_path):
    backup = tmp_path / "ledger.backup"
    other = PG_DUMP_HEADER if connection.vendor == "sqlite" else SQLITE_HEADER
    backup.write_bytes(other + b"\0" * 100)
    with pytest.raises(CommandError, match="dumpdata and loaddata"):
        call_command("restore_ledger", str(backup))


@pytest.mark.django_db
def test_restore_of_a_file_that_is_no_backup_is_refused(tmp_path):
    backup = tmp_path / "notes.txt"
    backup.write_text("not a backup")
    with pytest.raises(CommandError, match="neither a SQLite backup nor a pg_dump"):
        call_command("restore_ledger", str(backup))
    with pytest.raises(CommandError, match="no backup file"):
        call_command("restore_ledger", str(tmp_path / "missing.backup"))


@pytest.mark.django_db
def test_backup_never_overwrites_an_existing_file(tmp_path):
    existing = tmp_path / "ledger.backup"
    existing.write_text("yesterday's backup")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup_ledger", str(existing))
    assert existing.read_text() == "yesterday's backup"
    assert not (tmp_path / "ledger.backup.partial").exists()


# Outside a test transaction, as the command runs: SQLite's backup API waits for ever on a
# source that its own connection holds in an (IMMEDIATE) transaction.
@pytest.mark.django_db(transaction=True)
def test_backup_file_is_readable_by_its_owner_alone(tmp_path):
    # The backup holds password hashes and session keys: never world-readable, whatever the
    # umask of the shell that runs backup_ledger.
    path = tmp_path / "ledger.backup"
    previous = os.umask(0o022)
    try:
        call_command("backup_ledger", str(path), stdout=io.StringIO())
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o600
