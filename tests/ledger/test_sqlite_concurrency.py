"""Two people saving at the same moment on the default database (SQLite) both succeed.

With SQLite's default deferred transactions, a save that reads before it writes (every admin
save does) holds a read lock; when two such saves overlap, the one that writes second is
refused at once with "database is locked" (SQLite does not wait: waiting would deadlock), and
the admin answers 500. config.settings begins every transaction IMMEDIATE (it takes the write
lock first, so the second save waits its turn) with a busy timeout, in WAL mode.

The writers run in a fresh process against a SQLite file of their own, with the settings as
`make run` has them: whichever database the suite itself runs on, this is the configuration
under test.
"""

import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent

WRITERS = r"""
import threading, time
import django
django.setup()
from django.db import connection, connections, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE saves (id INTEGER PRIMARY KEY, writer TEXT, seen INTEGER)")
connection.close()

first_has_read = threading.Event()
errors = []

def save(name, *, first):
    try:
        if not first:
            first_has_read.wait(5)
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Like an admin save: read the row (and its history) first, then write.
                cursor.execute("SELECT count(*) FROM saves")
                seen = cursor.fetchone()[0]
                if first:
                    first_has_read.set()
                    time.sleep(1.0)  # the other save starts meanwhile
                cursor.execute("INSERT INTO saves (writer, seen) VALUES (%s, %s)", [name, seen])
    except Exception as error:
        errors.append(f"{name}: {type(error).__name__}: {error}")
    finally:
        connections.close_all()

threads = [
    threading.Thread(target=save, args=("first",), kwargs={"first": True}),
    threading.Thread(target=save, args=("second",), kwargs={"first": False}),
]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(60)
with connection.cursor() as cursor:
    cursor.execute("SELECT writer FROM saves ORDER BY writer")
    print("saved:", ",".join(row[0] for row in cursor.fetchall()))
print("errors:", errors)
"""


def test_two_simultaneous_saves_on_sqlite_both_succeed(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", WRITERS],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "errors: []" in result.stdout, result.stdout
    assert "saved: first,second" in result.stdout, result.stdout
