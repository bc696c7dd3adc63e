"""Database-level lock: a row of a ledger table whose judged date lies in an approved
reporting period of its programme cannot be inserted, changed or deleted.

periods.locks refuses first, with the message a clerk reads (the period, who approved it);
these triggers refuse whatever reaches the database another way (QuerySet.update(),
bulk_create(), a script, SQL). They cover the tables whose judged date is a plain column of
the row (README "Locked periods"); an update that changes nothing passes, so loading the demo
again is not refused. On SQLite deletes are left to the model layer (QuerySet.delete() sends
pre_delete for every row): Django's flush (`manage.py flush`, the tests) empties SQLite
tables with DELETE, table by table, which a delete trigger would refuse; PostgreSQL's flush
is TRUNCATE, which row triggers do not see, so there the trigger refuses deletes too.
Trigger and function names start with period_lock_ (other triggers on these tables are
other migrations'). On SQLite a later migration that rebuilds one of these
tables drops its trigger: tests/periods/test_locks.py checks the refusals, so such a
migration fails there.
"""

from django.db import migrations

# Who a row belongs to: its programme, through the body responsible for it ({r} is NEW or OLD).
VIA_PROJECT = (
    "(SELECT bt.programme_id FROM projects_project p"
    " JOIN aidledger_body b ON b.id = p.responsible_body_id"
    " JOIN aidledger_batch bt ON bt.id = b.batch_id WHERE p.id = {r}.project_id)"
)
VIA_OUTLET = (
    "(SELECT bt.programme_id FROM projects_outlet o"
    " JOIN aidledger_body b ON b.id = o.responsible_body_id"
    " JOIN aidledger_batch bt ON bt.id = b.batch_id WHERE o.id = {r}.outlet_id)"
)
VIA_LEAD_BODY = (
    "(SELECT bt.programme_id FROM aidledger_body b"
    " JOIN aidledger_batch bt ON bt.id = b.batch_id WHERE b.id = {r}.lead_body_id)"
)
VIA_MENTOR = (
    "(SELECT bt.programme_id FROM aidledger_member m"
    " JOIN aidledger_batch bt ON bt.id = m.batch_id WHERE m.id = {r}.mentor_id)"
)

# table → (app label, model name, judged date column, programme expression)
TABLES = {
    "pairings_exchange": ("pairings", "Exchange", "date", VIA_LEAD_BODY),
    "pairings_mentorship": ("pairings", "Mentorship", "start_date", VIA_MENTOR),
    "projects_funding": ("projects", "Funding", "approved_on", VIA_PROJECT),
    "projects_disbursement": ("projects", "Disbursement", "paid_on", VIA_PROJECT),
    "projects_indicator": ("projects", "Indicator", "as_of", VIA_PROJECT),
    "projects_sale": ("projects", "Sale", "period", VIA_OUTLET),
}


def locked(row: str, column: str, programme: str) -> str:
    """SQL: the row's date lies in an approved period of its programme (or of any programme,
    when the row has no responsible body yet)."""
    prog = programme.format(r=row)
    return (
        "EXISTS (SELECT 1 FROM periods_period pp WHERE pp.status = 'approved'"
        f" AND pp.first_day <= {row}.{column} AND pp.last_day >= {row}.{column}"
        f" AND ({prog} IS NULL OR pp.programme_id = {prog}))"
    )


def message(table: str) -> str:
    return f"period_lock: {table}: the row is dated in an approved (locked) reporting period"


def sqlite_statements(apps) -> list[str]:
    statements = []
    for table, (app, model, column, programme) in TABLES.items():
        columns = [f.column for f in apps.get_model(app, model)._meta.concrete_fields]
        changed = " OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in columns)
        raise_ = f"BEGIN SELECT RAISE(ABORT, '{message(table)}'); END"
        statements += [
            f"CREATE TRIGGER period_lock_{table}_insert BEFORE INSERT ON {table} "
            f"WHEN {locked('NEW', column, programme)} {raise_}",
            f"CREATE TRIGGER period_lock_{table}_update BEFORE UPDATE ON {table} "
            f"WHEN ({changed}) AND ({locked('OLD', column, programme)} "
            f"OR {locked('NEW', column, programme)}) {raise_}",
        ]
    return statements


def sqlite_reverse() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS period_lock_{table}_{event}"
        for table in TABLES
        for event in ("insert", "update")
    ]


def postgresql_statements() -> list[str]:
    statements = []
    for table, (_app, _model, column, programme) in TABLES.items():
        refuse = f"RAISE EXCEPTION '{message(table)}' USING ERRCODE = 'check_violation';"
        statements += [
            f"""
            CREATE FUNCTION period_lock_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'DELETE' THEN
                IF {locked("OLD", column, programme)} THEN {refuse} END IF;
                RETURN OLD;
              END IF;
              IF TG_OP = 'UPDATE' THEN
                IF NEW IS NOT DISTINCT FROM OLD THEN RETURN NEW; END IF;
                IF {locked("OLD", column, programme)} THEN {refuse} END IF;
              END IF;
              IF {locked("NEW", column, programme)} THEN {refuse} END IF;
              RETURN NEW;
            END $$
            """,
            f"CREATE TRIGGER period_lock_{table} BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION period_lock_{table}()",
        ]
    return statements


def postgresql_reverse() -> list[str]:
    statements = []
    for table in TABLES:
        statements += [
            f"DROP TRIGGER IF EXISTS period_lock_{table} ON {table}",
            f"DROP FUNCTION IF EXISTS period_lock_{table}()",
        ]
    return statements


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = sqlite_statements(apps)
    elif vendor == "postgresql":
        statements = postgresql_statements()
    else:
        raise RuntimeError(f"periods: no lock triggers written for {vendor}; add them here.")
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = sqlite_reverse() if vendor == "sqlite" else postgresql_reverse()
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("periods", "0001_periods"),
        ("pairings", "0005_list_indexes"),
        ("projects", "0004_list_indexes"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
