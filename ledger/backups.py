"""Backups of the whole database and their restore, on SQLite and PostgreSQL alike.

- SQLite: SQLite's online backup API (`sqlite3.Connection.backup`) copies the database
  consistently while the site keeps serving; the backup is itself a SQLite file. No `sqlite3`
  command-line tool is needed.
- PostgreSQL: `pg_dump --format=custom`, restored by `pg_restore` in a single transaction, so
  a failed restore leaves the target database as empty as it was. Needs the PostgreSQL client
  programs (Debian: postgresql-client) of the server's major version or newer.

A restore goes into an EMPTY database (a new SQLite file, or a database made with `createdb`)
and refuses anything else: overwriting a live ledger by mistake must not be one command away.
Backups do not move between the two kinds of database; `dumpdata`/`loaddata` does that
(README "Backups").
"""

import os
import shutil
import sqlite3
import subprocess
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.db import connections

from ledger.fields import MoneyField, money_sum

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"
BACKUP_FILE_MODE = 0o600


class BackupError(Exception):
    """A backup or restore that was refused or failed; the message says why and what to do."""


def backup(path: Path, *, using: str = "default") -> None:
    """Write a backup of database `using` to `path`, which must not exist yet.

    The backup is written beside `path` and renamed into place when complete, so `path` never
    holds half a backup.
    """
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file name for the backup.")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    connection = connections[using]
    try:
        # The backup holds password hashes and session keys: readable by its owner alone,
        # whatever the umask. Created empty with that mode first; SQLite and pg_dump write
        # into the existing file and keep it (SQLite's journal takes the file's mode too).
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, BACKUP_FILE_MODE))
        os.chmod(partial, BACKUP_FILE_MODE)  # in case the umask took bits off
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(partial)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        elif connection.vendor == "postgresql":
            _run_pg(
                "pg_dump", "--format=custom", f"--file={partial}", settings=connection.settings_dict
            )
        else:
            raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
        os.chmod(partial, BACKUP_FILE_MODE)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def restore(path: Path, *, using: str = "default") -> None:
    """Restore the backup at `path` into database `using`, which must have no tables."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    connection = connections[using]
    kind = _backup_kind(path)
    expected = {"sqlite": "sqlite", "postgresql": "postgresql"}.get(connection.vendor)
    if expected is None:
        raise BackupError(f"Restoring into {connection.vendor} databases is not supported.")
    if kind is None:
        raise BackupError(
            f"{path} is neither a SQLite backup nor a pg_dump custom-format file "
            "(the kinds backup_ledger writes)."
        )
    if kind != expected:
        raise BackupError(
            f"{path} is a {_NAMES[kind]} backup but the database is {_NAMES[expected]}. "
            "Restore it into a database of its own kind, or move the data between kinds "
            "with dumpdata and loaddata."
        )
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"The database already has {len(tables)} tables. Restore into an empty database: "
            "a new SQLite file, or a new PostgreSQL database made with createdb."
        )
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        _run_pg(
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(path),
            settings=connection.settings_dict,
        )
    connection.close()


def ledger_figures(*, using: str = "default") -> dict[str, dict[str, int | Decimal]]:
    """Every model's row count and the sum of each of its money fields, by model label:
    {"projects.disbursement": {"rows": 17, "amount": Decimal("…")}, …}.

    The same figures before a backup and after its restore show that nothing was lost.
    """
    figures = {}
    for model in apps.get_models(include_auto_created=True):
        rows = model._base_manager.using(using)
        entry: dict[str, int | Decimal] = {"rows": rows.count()}
        money = [f.name for f in model._meta.concrete_fields if isinstance(f, MoneyField)]
        if money:
            entry |= rows.aggregate(**{name: money_sum(name) for name in money})
        figures[model._meta.label_lower] = entry
    return figures


_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _backup_kind(path: Path) -> str | None:
    with path.open("rb") as file:
        head = file.read(len(SQLITE_HEADER))
    if head.startswith(SQLITE_HEADER):
        return "sqlite"
    if head.startswith(PG_DUMP_HEADER):
        return "postgresql"
    return None


def _run_pg(program: str, *arguments: str, settings: dict) -> None:
    """Run a PostgreSQL client program against the database `settings` describe.

    The connection goes through libpq's environment variables, so the password never shows
    on a command line.
    """
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} was not found. Install the PostgreSQL client programs "
            "(Debian: apt-get install postgresql-client)."
        )
    env = dict(os.environ)
    for variable, key in (
        ("PGDATABASE", "NAME"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
    ):
        if settings.get(key):
            env[variable] = str(settings[key])
    if sslmode := settings.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    result = subprocess.run(  # noqa: S603 (a fixed program with our own arguments)
        [executable, *arguments], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{program} failed (exit {result.returncode}): {result.stderr.strip()}")
