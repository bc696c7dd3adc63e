"""Triggers that keep `ExchangeRollup` (0006_exchange_rollups) in the same transaction as
every write to exchanges, their pairing links and pairings' categories, on SQLite and
PostgreSQL; then the roll-up of the exchanges already there. Why triggers: projects'
0006_rollup_triggers and README "Roll-ups".

An exchange counts under `hospital` while at least one of its pairings is a hospital's. So a
link added or removed, or a pairing whose category changes, can move exchanges between the
two: each trigger compares the number of hospital links before and after the write. Bulk
writes (a COPY of a million links) are one grouped statement on PostgreSQL.
"""

from django.db import migrations

TABLE = "pairings_exchangerollup"
UPSERT = (
    "ON CONFLICT (month, kind, body_id, hospital) DO UPDATE SET "
    f"exchanges = {TABLE}.exchanges + excluded.exchanges, "
    f"new_techniques = {TABLE}.new_techniques + excluded.new_techniques"
)
INSERT = f"INSERT INTO {TABLE} (month, kind, body_id, hospital, exchanges, new_techniques)"
MONTH = {
    "sqlite": "strftime('%Y-%m-01', {})",
    "postgresql": "date_trunc('month', {})::date",
}


def hospital_links(exchange: str) -> str:
    """How many of the exchange's pairings are hospitals' (now)."""
    return (
        "(SELECT count(*) FROM pairings_exchangepairing hl JOIN pairings_pairing hp "
        f"ON hp.id = hl.pairing_id WHERE hl.exchange_id = {exchange} AND hp.category = 'hospital')"
    )


def is_hospital(pairing: str) -> str:
    return (
        f"(SELECT count(*) FROM pairings_pairing ip WHERE ip.id = {pairing} "
        "AND ip.category = 'hospital')"
    )


def moves(vendor: str, source: str, before: str, after: str) -> str:
    """Move the exchanges `source` selects (as `e`, with a WHERE) from the hospital flag
    `before` to `after` where they differ."""
    month = MONTH[vendor].format("e.date")
    differs = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
    where = f"{source} AND ({before}) {differs} ({after})"

    def side(flag: str, sign: int) -> str:
        return (
            f"SELECT {month} AS month, e.kind AS kind, e.lead_body_id AS body_id, "
            f"({flag}) AS hospital, {sign} AS n, {sign} * e.new_techniques AS t FROM {where}"
        )

    return (
        f"{INSERT} SELECT month, kind, body_id, hospital, sum(n), sum(t) "
        f"FROM ({side(before, -1)} UNION ALL {side(after, 1)}) AS moved "
        f"WHERE true GROUP BY month, kind, body_id, hospital {UPSERT};"
    )


def exchange_row(vendor: str, row: str, sign: int) -> str:
    month = MONTH[vendor].format(f"{row}.date")
    return (
        f"{INSERT} VALUES ({month}, {row}.kind, {row}.lead_body_id, "
        f"{hospital_links(f'{row}.id')} > 0, {sign}, {sign} * {row}.new_techniques) {UPSERT};"
    )


def link_update(vendor: str) -> str:
    """A link changed (its pairing, say): the old and the new exchange, each recounted."""
    before = (
        f"{hospital_links('e.id')}"
        f" - CASE WHEN e.id = NEW.exchange_id THEN {is_hospital('NEW.pairing_id')} ELSE 0 END"
        f" + CASE WHEN e.id = OLD.exchange_id THEN {is_hospital('OLD.pairing_id')} ELSE 0 END > 0"
    )
    return moves(
        vendor,
        "pairings_exchange e WHERE e.id IN (OLD.exchange_id, NEW.exchange_id)",
        before,
        f"{hospital_links('e.id')} > 0",
    )


def pairing_category(vendor: str) -> str:
    """A pairing's category changed: its exchanges, each recounted."""
    was = "CASE WHEN OLD.category = 'hospital' THEN 1 ELSE 0 END"
    now = "CASE WHEN NEW.category = 'hospital' THEN 1 ELSE 0 END"
    return moves(
        vendor,
        "pairings_exchange e JOIN pairings_exchangepairing cl ON cl.exchange_id = e.id "
        "WHERE cl.pairing_id = NEW.id",
        f"{hospital_links('e.id')} - {now} + {was} > 0",
        f"{hospital_links('e.id')} > 0",
    )


def sqlite_trigger(name: str, event: str, table: str, body: list[str], when: str = "") -> str:
    condition = f" WHEN {when}" if when else ""
    statements = "\n  ".join(body)
    return f"CREATE TRIGGER {name} AFTER {event} ON {table}{condition}\nBEGIN\n  {statements}\nEND"


EXCHANGE_KEYS = ("date", "kind", "lead_body_id", "new_techniques")

SQLITE = [
    sqlite_trigger(
        "rollup_exchange_insert", "INSERT", "pairings_exchange", [exchange_row("sqlite", "NEW", 1)]
    ),
    sqlite_trigger(
        "rollup_exchange_update",
        f"UPDATE OF {', '.join(EXCHANGE_KEYS)}",
        "pairings_exchange",
        [exchange_row("sqlite", "OLD", -1), exchange_row("sqlite", "NEW", 1)],
        when=" OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in EXCHANGE_KEYS),
    ),
    sqlite_trigger(
        "rollup_exchange_delete", "DELETE", "pairings_exchange", [exchange_row("sqlite", "OLD", -1)]
    ),
    sqlite_trigger(
        "rollup_exchange_link_insert",
        "INSERT",
        "pairings_exchangepairing",
        [
            moves(
                "sqlite",
                "pairings_exchange e WHERE e.id = NEW.exchange_id",
                f"{hospital_links('e.id')} - {is_hospital('NEW.pairing_id')} > 0",
                f"{hospital_links('e.id')} > 0",
            )
        ],
    ),
    sqlite_trigger(
        "rollup_exchange_link_delete",
        "DELETE",
        "pairings_exchangepairing",
        [
            moves(
                "sqlite",
                "pairings_exchange e WHERE e.id = OLD.exchange_id",
                f"{hospital_links('e.id')} + {is_hospital('OLD.pairing_id')} > 0",
                f"{hospital_links('e.id')} > 0",
            )
        ],
    ),
    sqlite_trigger(
        "rollup_exchange_link_update",
        "UPDATE OF exchange_id, pairing_id",
        "pairings_exchangepairing",
        [link_update("sqlite")],
        when="OLD.exchange_id IS NOT NEW.exchange_id OR OLD.pairing_id IS NOT NEW.pairing_id",
    ),
    sqlite_trigger(
        "rollup_exchange_pairing_category",
        "UPDATE OF category",
        "pairings_pairing",
        [pairing_category("sqlite")],
        when="OLD.category IS NOT NEW.category",
    ),
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "rollup_exchange_insert",
        "rollup_exchange_update",
        "rollup_exchange_delete",
        "rollup_exchange_link_insert",
        "rollup_exchange_link_delete",
        "rollup_exchange_link_update",
        "rollup_exchange_pairing_category",
    )
]


def pg_function(name: str, body: str) -> str:
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n  {body}\n  RETURN NULL;\nEND $$"
    )


def pg_exchanges(event: str) -> str:
    columns = "id, date, kind, lead_body_id, new_techniques"
    rows = {
        "INSERT": f"SELECT {columns}, 1 AS sign FROM new_rows",
        "DELETE": f"SELECT {columns}, -1 AS sign FROM old_rows",
        "UPDATE": f"SELECT {columns}, -1 AS sign FROM old_rows "
        f"UNION ALL SELECT {columns}, 1 AS sign FROM new_rows",
    }[event]
    return (
        f"{INSERT} SELECT date_trunc('month', r.date)::date, r.kind, r.lead_body_id, "
        f"{hospital_links('r.id')} > 0, sum(r.sign), sum(r.sign * r.new_techniques) "
        f"FROM ({rows}) AS r GROUP BY 1, 2, 3, 4 "
        "HAVING sum(r.sign) <> 0 OR sum(r.sign * r.new_techniques) <> 0 ORDER BY 1, 2, 3, 4 "
        f"{UPSERT};"
    )


def pg_links(event: str) -> str:
    table, sign = ("new_rows", "-") if event == "INSERT" else ("old_rows", "+")
    counted = (
        "(SELECT l.exchange_id, sum(CASE WHEN p.category = 'hospital' THEN 1 ELSE 0 END) AS k "
        f"FROM {table} l JOIN pairings_pairing p ON p.id = l.pairing_id GROUP BY l.exchange_id)"
    )
    return moves(
        "postgresql",
        f"pairings_exchange e JOIN {counted} AS c ON c.exchange_id = e.id WHERE c.k > 0",
        f"{hospital_links('e.id')} {sign} c.k > 0",
        f"{hospital_links('e.id')} > 0",
    )


def pg_statement_trigger(name: str, table: str, event: str) -> str:
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
    *(pg_function(f"rollup_exchange_{e.lower()}", pg_exchanges(e)) for e in EVENTS),
    *(
        pg_statement_trigger(f"rollup_exchange_{e.lower()}", "pairings_exchange", e)
        for e in EVENTS
    ),
    *(
        pg_function(f"rollup_exchange_link_{e.lower()}", pg_links(e))
        for e in ("INSERT", "DELETE")
    ),
    *(
        pg_statement_trigger(f"rollup_exchange_link_{e.lower()}", "pairings_exchangepairing", e)
        for e in ("INSERT", "DELETE")
    ),
    pg_function("rollup_exchange_link_update", link_update("postgresql")),
    "CREATE TRIGGER rollup_exchange_link_update AFTER UPDATE OF exchange_id, pairing_id "
    "ON pairings_exchangepairing FOR EACH ROW WHEN (OLD.exchange_id IS DISTINCT FROM "
    "NEW.exchange_id OR OLD.pairing_id IS DISTINCT FROM NEW.pairing_id) "
    "EXECUTE FUNCTION rollup_exchange_link_update()",
    pg_function("rollup_exchange_pairing_category", pairing_category("postgresql")),
    "CREATE TRIGGER rollup_exchange_pairing_category AFTER UPDATE OF category "
    "ON pairings_pairing FOR EACH ROW WHEN (OLD.category IS DISTINCT FROM NEW.category) "
    "EXECUTE FUNCTION rollup_exchange_pairing_category()",
]
PG_TRIGGERS = [
    *((f"rollup_exchange_{e.lower()}", "pairings_exchange") for e in EVENTS),
    *((f"rollup_exchange_link_{e.lower()}", "pairings_exchangepairing") for e in EVENTS),
    ("rollup_exchange_pairing_category", "pairings_pairing"),
]
POSTGRESQL_REVERSE = [
    *(f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in PG_TRIGGERS),
    *(f"DROP FUNCTION IF EXISTS {name}()" for name, _table in PG_TRIGGERS),
]

FILL = (
    f"{INSERT} SELECT {{month}}, e.kind, e.lead_body_id, {hospital_links('e.id')} > 0, "
    "count(*), sum(e.new_techniques) FROM pairings_exchange e GROUP BY 1, 2, 3, 4"
)
STATEMENTS = {"sqlite": (SQLITE, SQLITE_REVERSE), "postgresql": (POSTGRESQL, POSTGRESQL_REVERSE)}


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"pairings: no roll-up triggers written for {vendor}; add them here.")
    schema_editor.execute(FILL.replace("{month}", MONTH[vendor].format("e.date")))
    for statement in STATEMENTS[vendor][0]:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor) -> None:
    for statement in STATEMENTS[schema_editor.connection.vendor][1]:
        schema_editor.execute(statement)
    schema_editor.execute(f"DELETE FROM {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("pairings", "0006_exchange_rollups")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
