"""Triggers that keep the money roll-ups (0005_rollups) in the same transaction as every write
to funding lines, disbursements and projects, on SQLite and PostgreSQL; then the roll-ups of
the records already there.

Triggers, not the service layer: records are written by the admin, the importer, `load_demo`,
`generate_ledger` (COPY on PostgreSQL), QuerySet.update()/delete() and raw SQL; a trigger sees
every one of them, and the upsert it runs is atomic per roll-up row, so two transactions
adding to one funding line both count (README "Roll-ups").

- SQLite: row triggers, one upsert per roll-up per row changed.
- PostgreSQL: statement triggers over the transition tables (a COPY of a million rows is one
  grouped upsert per roll-up, not a million), except the rare re-keying of a project's
  sector or working group or of a line's source, which are row triggers.

Names start with `rollup_` (other triggers on these tables have their own prefixes). On
SQLite, a later migration that rebuilds one of these tables drops its triggers:
tests/projects/test_rollups.py checks every write path against a recount, so it fails there.
"""

from django.db import migrations

MONEY = {
    "projects_fundingrollup": ("funding_id", ("payments", "disbursed")),
    "projects_projectrollup": ("project_id", ("lines", "planned", "payments", "disbursed")),
    "projects_disbursementrollup": ("month, source, sector, body_id", ("payments", "amount")),
}


def _on_conflict(table: str) -> str:
    key, columns = MONEY[table]
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
    return f"ON CONFLICT ({key}) DO UPDATE SET {sets}"


# SQLite: one row (NEW or OLD) at a time, `sign` 1 to add it, -1 to take it off ---------------


def _sqlite_disbursement(row: str, sign: int) -> list[str]:
    amount = f"{sign} * {row}.amount"
    return [
        f"INSERT INTO projects_fundingrollup (funding_id, payments, disbursed) "
        f"VALUES ({row}.funding_id, {sign}, {amount}) {_on_conflict('projects_fundingrollup')};",
        f"INSERT INTO projects_projectrollup (project_id, lines, planned, payments, disbursed) "
        f"VALUES ({row}.project_id, 0, 0, {sign}, {amount}) "
        f"{_on_conflict('projects_projectrollup')};",
        f"INSERT INTO projects_disbursementrollup (month, source, sector, body_id, payments, amount) "
        f"SELECT strftime('%Y-%m-01', {row}.paid_on), f.source, p.sector, p.responsible_body_id, "
        f"{sign}, {amount} FROM projects_funding f, projects_project p "
        f"WHERE f.id = {row}.funding_id AND p.id = {row}.project_id "
        f"{_on_conflict('projects_disbursementrollup')};",
    ]


def _sqlite_funding(row: str, sign: int) -> list[str]:
    return [
        f"INSERT INTO projects_projectrollup (project_id, lines, planned, payments, disbursed) "
        f"VALUES ({row}.project_id, {sign}, {sign} * {row}.amount, 0, 0) "
        f"{_on_conflict('projects_projectrollup')};"
    ]


def _sqlite_rekey(where: str, old: tuple[str, str, str], new: tuple[str, str, str]) -> str:
    """Move the payments `where` selects from the key (source, sector, body) `old` to `new`."""

    def side(key: tuple[str, str, str], sign: int) -> str:
        source, sector, body = key
        return (
            f"SELECT strftime('%Y-%m-01', d.paid_on) AS month, {source} AS source, "
            f"{sector} AS sector, {body} AS body_id, {sign} AS payments, "
            f"{sign} * d.amount AS amount FROM projects_disbursement d "
            f"JOIN projects_funding f ON f.id = d.funding_id "
            f"JOIN projects_project p ON p.id = d.project_id WHERE {where}"
        )

    return (
        "INSERT INTO projects_disbursementrollup (month, source, sector, body_id, payments, amount) "
        f"SELECT month, source, sector, body_id, sum(payments), sum(amount) FROM ({side(old, -1)} "
        f"UNION ALL {side(new, 1)}) WHERE true GROUP BY month, source, sector, body_id "
        f"{_on_conflict('projects_disbursementrollup')};"
    )


def _sqlite_trigger(name: str, event: str, table: str, body: list[str], when: str = "") -> str:
    condition = f" WHEN {when}" if when else ""
    statements = "\n  ".join(body)
    return f"CREATE TRIGGER {name} AFTER {event} ON {table}{condition}\nBEGIN\n  {statements}\nEND"


DISBURSEMENT_KEYS = ("funding_id", "project_id", "paid_on", "amount")
FUNDING_KEYS = ("project_id", "amount")


def _changed(columns: tuple[str, ...], *, sqlite: bool = True) -> str:
    differs = "IS NOT" if sqlite else "IS DISTINCT FROM"
    return " OR ".join(f"OLD.{c} {differs} NEW.{c}" for c in columns)


SQLITE = [
    _sqlite_trigger(
        "rollup_disbursement_insert",
        "INSERT",
        "projects_disbursement",
        _sqlite_disbursement("NEW", 1),
    ),
    _sqlite_trigger(
        "rollup_disbursement_update",
        f"UPDATE OF {', '.join(DISBURSEMENT_KEYS)}",
        "projects_disbursement",
        _sqlite_disbursement("OLD", -1) + _sqlite_disbursement("NEW", 1),
        when=_changed(DISBURSEMENT_KEYS),
    ),
    _sqlite_trigger(
        "rollup_disbursement_delete",
        "DELETE",
        "projects_disbursement",
        _sqlite_disbursement("OLD", -1),
    ),
    _sqlite_trigger(
        "rollup_funding_insert", "INSERT", "projects_funding", _sqlite_funding("NEW", 1)
    ),
    _sqlite_trigger(
        "rollup_funding_update",
        f"UPDATE OF {', '.join(FUNDING_KEYS)}",
        "projects_funding",
        _sqlite_funding("OLD", -1) + _sqlite_funding("NEW", 1),
        when=_changed(FUNDING_KEYS),
    ),
    _sqlite_trigger(
        "rollup_funding_delete",
        "DELETE",
        "projects_funding",
        [
            *_sqlite_funding("OLD", -1),
            "DELETE FROM projects_fundingrollup WHERE funding_id = OLD.id;",
        ],
    ),
    _sqlite_trigger(
        "rollup_funding_source",
        "UPDATE OF source",
        "projects_funding",
        [
            _sqlite_rekey(
                "d.funding_id = NEW.id",
                ("OLD.source", "p.sector", "p.responsible_body_id"),
                ("NEW.source", "p.sector", "p.responsible_body_id"),
            )
        ],
        when="OLD.source IS NOT NEW.source",
    ),
    _sqlite_trigger(
        "rollup_project_key",
        "UPDATE OF sector, responsible_body_id",
        "projects_project",
        [
            _sqlite_rekey(
                "d.project_id = NEW.id",
                ("f.source", "OLD.sector", "OLD.responsible_body_id"),
                ("f.source", "NEW.sector", "NEW.responsible_body_id"),
            )
        ],
        when=_changed(("sector", "responsible_body_id")),
    ),
    _sqlite_trigger(
        "rollup_project_delete",
        "DELETE",
        "projects_project",
        ["DELETE FROM projects_projectrollup WHERE project_id = OLD.id;"],
    ),
]
SQLITE_NAMES = [
    "rollup_disbursement_insert",
    "rollup_disbursement_update",
    "rollup_disbursement_delete",
    "rollup_funding_insert",
    "rollup_funding_update",
    "rollup_funding_delete",
    "rollup_funding_source",
    "rollup_project_key",
    "rollup_project_delete",
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_NAMES]


# PostgreSQL: the statement's rows at once (transition tables `new_rows`, `old_rows`) --------


def _pg_rows(event: str, columns: str) -> str:
    """The changed rows with `sign`: 1 for a row added, -1 for one taken off."""
    added = f"SELECT {columns}, 1 AS sign FROM new_rows"
    removed = f"SELECT {columns}, -1 AS sign FROM old_rows"
    return {"INSERT": added, "DELETE": removed, "UPDATE": f"{removed} UNION ALL {added}"}[event]


def _pg_disbursement(event: str) -> str:
    rows = _pg_rows(event, "funding_id, project_id, paid_on, amount")
    moved = "HAVING sum(sign) <> 0 OR sum(sign * amount) <> 0"
    return f"""
    CREATE FUNCTION rollup_disbursement_{event.lower()}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO projects_fundingrollup (funding_id, payments, disbursed)
      SELECT funding_id, sum(sign), sum(sign * amount) FROM ({rows}) AS d
      GROUP BY funding_id {moved} ORDER BY funding_id
      {_on_conflict("projects_fundingrollup")};
      INSERT INTO projects_projectrollup (project_id, lines, planned, payments, disbursed)
      SELECT project_id, 0, 0, sum(sign), sum(sign * amount) FROM ({rows}) AS d
      GROUP BY project_id {moved} ORDER BY project_id
      {_on_conflict("projects_projectrollup")};
      INSERT INTO projects_disbursementrollup (month, source, sector, body_id, payments, amount)
      SELECT date_trunc('month', d.paid_on)::date, f.source, p.sector, p.responsible_body_id,
             sum(sign), sum(sign * d.amount)
      FROM ({rows}) AS d
      JOIN projects_funding f ON f.id = d.funding_id
      JOIN projects_project p ON p.id = d.project_id
      GROUP BY 1, 2, 3, 4 HAVING sum(sign) <> 0 OR sum(sign * d.amount) <> 0 ORDER BY 1, 2, 3, 4
      {_on_conflict("projects_disbursementrollup")};
      RETURN NULL;
    END $$
    """


def _pg_funding(event: str) -> str:
    rows = _pg_rows(event, "id, project_id, amount")
    tidy = (
        "DELETE FROM projects_fundingrollup WHERE funding_id IN (SELECT id FROM old_rows);"
        if event == "DELETE"
        else ""
    )
    return f"""
    CREATE FUNCTION rollup_funding_{event.lower()}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO projects_projectrollup (project_id, lines, planned, payments, disbursed)
      SELECT project_id, sum(sign), sum(sign * amount), 0, 0 FROM ({rows}) AS f
      GROUP BY project_id HAVING sum(sign) <> 0 OR sum(sign * amount) <> 0 ORDER BY project_id
      {_on_conflict("projects_projectrollup")};
      {tidy}
      RETURN NULL;
    END $$
    """


def _pg_rekey(name: str, where: str, old: tuple[str, str, str], new: tuple[str, str, str]) -> str:
    def side(key: tuple[str, str, str], sign: int) -> str:
        source, sector, body = key
        return (
            f"SELECT date_trunc('month', d.paid_on)::date AS month, {source} AS source, "
            f"{sector} AS sector, {body} AS body_id, {sign} AS payments, "
            f"{sign} * d.amount AS amount FROM projects_disbursement d "
            f"JOIN projects_funding f ON f.id = d.funding_id "
            f"JOIN projects_project p ON p.id = d.project_id WHERE {where}"
        )

    return f"""
    CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO projects_disbursementrollup (month, source, sector, body_id, payments, amount)
      SELECT month, source, sector, body_id, sum(payments), sum(amount)
      FROM ({side(old, -1)} UNION ALL {side(new, 1)}) AS moved
      GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
      {_on_conflict("projects_disbursementrollup")};
      RETURN NULL;
    END $$
    """


def _pg_statement_trigger(table: str, kind: str, event: str) -> str:
    name = f"rollup_{kind}_{event.lower()}"
    transition = {
        "INSERT": "REFERENCING NEW TABLE AS new_rows",
        "DELETE": "REFERENCING OLD TABLE AS old_rows",
        "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    }[event]
    return (
        f"CREATE TRIGGER {name} AFTER {event} ON {table} {transition} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
    )


EVENTS = ("INSERT", "UPDATE", "DELETE")
POSTGRESQL = [
    *(_pg_disbursement(event) for event in EVENTS),
    *(_pg_statement_trigger("projects_disbursement", "disbursement", event) for event in EVENTS),
    *(_pg_funding(event) for event in EVENTS),
    *(_pg_statement_trigger("projects_funding", "funding", event) for event in EVENTS),
    _pg_rekey(
        "rollup_funding_source",
        "d.funding_id = NEW.id",
        ("OLD.source", "p.sector", "p.responsible_body_id"),
        ("NEW.source", "p.sector", "p.responsible_body_id"),
    ),
    "CREATE TRIGGER rollup_funding_source AFTER UPDATE OF source ON projects_funding "
    "FOR EACH ROW WHEN (OLD.source IS DISTINCT FROM NEW.source) "
    "EXECUTE FUNCTION rollup_funding_source()",
    _pg_rekey(
        "rollup_project_key",
        "d.project_id = NEW.id",
        ("f.source", "OLD.sector", "OLD.responsible_body_id"),
        ("f.source", "NEW.sector", "NEW.responsible_body_id"),
    ),
    "CREATE TRIGGER rollup_project_key AFTER UPDATE OF sector, responsible_body_id "
    "ON projects_project FOR EACH ROW "
    f"WHEN ({_changed(('sector', 'responsible_body_id'), sqlite=False)}) "
    "EXECUTE FUNCTION rollup_project_key()",
    """
    CREATE FUNCTION rollup_project_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM projects_projectrollup WHERE project_id IN (SELECT id FROM old_rows);
      RETURN NULL;
    END $$
    """,
    _pg_statement_trigger("projects_project", "project", "DELETE"),
]
PG_TRIGGERS = [
    *((f"rollup_disbursement_{e.lower()}", "projects_disbursement") for e in EVENTS),
    *((f"rollup_funding_{e.lower()}", "projects_funding") for e in EVENTS),
    ("rollup_funding_source", "projects_funding"),
    ("rollup_project_key", "projects_project"),
    ("rollup_project_delete", "projects_project"),
]
POSTGRESQL_REVERSE = [
    *(f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in PG_TRIGGERS),
    *(f"DROP FUNCTION IF EXISTS {name}()" for name, _table in PG_TRIGGERS),
]

# The roll-ups of the records already in the database (the same as rebuild_rollups).
MONTH = {
    "sqlite": "strftime('%Y-%m-01', d.paid_on)",
    "postgresql": "date_trunc('month', d.paid_on)::date",
}
FILL = [
    "INSERT INTO projects_fundingrollup (funding_id, payments, disbursed) "
    "SELECT funding_id, count(*), sum(amount) FROM projects_disbursement GROUP BY funding_id",
    "INSERT INTO projects_projectrollup (project_id, lines, planned, payments, disbursed) "
    "SELECT project_id, sum(lines), sum(planned), sum(payments), sum(disbursed) FROM ("
    " SELECT project_id, count(*) AS lines, sum(amount) AS planned, 0 AS payments,"
    " 0 AS disbursed FROM projects_funding GROUP BY project_id"
    " UNION ALL SELECT project_id, 0, 0, count(*), sum(amount) FROM projects_disbursement"
    " GROUP BY project_id) AS money GROUP BY project_id",
    "INSERT INTO projects_disbursementrollup (month, source, sector, body_id, payments, amount) "
    "SELECT {month}, f.source, p.sector, p.responsible_body_id, count(*), sum(d.amount) "
    "FROM projects_disbursement d JOIN projects_funding f ON f.id = d.funding_id "
    "JOIN projects_project p ON p.id = d.project_id GROUP BY 1, 2, 3, 4",
]

STATEMENTS = {"sqlite": (SQLITE, SQLITE_REVERSE), "postgresql": (POSTGRESQL, POSTGRESQL_REVERSE)}


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"projects: no roll-up triggers written for {vendor}; add them here.")
    for statement in FILL:
        schema_editor.execute(statement.replace("{month}", MONTH[vendor]))
    for statement in STATEMENTS[vendor][0]:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor) -> None:
    for statement in STATEMENTS[schema_editor.connection.vendor][1]:
        schema_editor.execute(statement)
    for table in MONEY:
        schema_editor.execute(f"DELETE FROM {table}")


class Migration(migrations.Migration):
    dependencies = [("projects", "0005_rollups")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
