"""Database-level guard: a pairing's helper unit is on the helper side and its helped unit on
the helped side; a mentee's unit is on the helped side; a unit in use keeps its side.

A CheckConstraint cannot read another table's row, and Django 5.2 cannot declare the composite
foreign key (helper_id, 'helper') → unit (id, side) that would say this declaratively, so the
rule is a trigger on each database. Pairing.clean() and Mentorship.clean() give the clerk's
message first; these triggers refuse whatever reaches the database another way (a script, a
bulk_create, SQL). On SQLite, a later migration that rebuilds one of these tables drops its
triggers: tests/pairings/test_models.py checks the refusals, so such a migration fails there.
"""

from django.db import migrations

SQLITE = [
    """
    CREATE TRIGGER pairing_sides_insert BEFORE INSERT ON pairings_pairing
    WHEN (SELECT side FROM pairings_unit WHERE id = NEW.helper_id) IS NOT 'helper'
      OR (SELECT side FROM pairings_unit WHERE id = NEW.helped_id) IS NOT 'helped'
    BEGIN SELECT RAISE(ABORT, 'pairing_sides: helper unit on the helper side, helped unit on the helped side'); END
    """,
    """
    CREATE TRIGGER pairing_sides_update BEFORE UPDATE OF helper_id, helped_id ON pairings_pairing
    WHEN (SELECT side FROM pairings_unit WHERE id = NEW.helper_id) IS NOT 'helper'
      OR (SELECT side FROM pairings_unit WHERE id = NEW.helped_id) IS NOT 'helped'
    BEGIN SELECT RAISE(ABORT, 'pairing_sides: helper unit on the helper side, helped unit on the helped side'); END
    """,
    """
    CREATE TRIGGER mentorship_mentee_side_insert BEFORE INSERT ON pairings_mentorship
    WHEN (SELECT side FROM pairings_unit WHERE id = NEW.mentee_unit_id) IS NOT 'helped'
    BEGIN SELECT RAISE(ABORT, 'mentorship_mentee_side: the mentee unit is on the helped side'); END
    """,
    """
    CREATE TRIGGER mentorship_mentee_side_update BEFORE UPDATE OF mentee_unit_id ON pairings_mentorship
    WHEN (SELECT side FROM pairings_unit WHERE id = NEW.mentee_unit_id) IS NOT 'helped'
    BEGIN SELECT RAISE(ABORT, 'mentorship_mentee_side: the mentee unit is on the helped side'); END
    """,
    """
    CREATE TRIGGER unit_side_kept BEFORE UPDATE OF side ON pairings_unit
    WHEN NEW.side IS NOT OLD.side AND (
      EXISTS (SELECT 1 FROM pairings_pairing WHERE helper_id = NEW.id OR helped_id = NEW.id)
      OR EXISTS (SELECT 1 FROM pairings_mentorship WHERE mentee_unit_id = NEW.id))
    BEGIN SELECT RAISE(ABORT, 'unit_side_kept: a unit in pairings or mentorships keeps its side'); END
    """,
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "pairing_sides_insert",
        "pairing_sides_update",
        "mentorship_mentee_side_insert",
        "mentorship_mentee_side_update",
        "unit_side_kept",
    )
]

POSTGRESQL = [
    """
    CREATE FUNCTION pairings_pairing_sides() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT side FROM pairings_unit WHERE id = NEW.helper_id) IS DISTINCT FROM 'helper'
         OR (SELECT side FROM pairings_unit WHERE id = NEW.helped_id) IS DISTINCT FROM 'helped' THEN
        RAISE EXCEPTION 'pairing_sides: helper unit on the helper side, helped unit on the helped side'
          USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER pairing_sides BEFORE INSERT OR UPDATE OF helper_id, helped_id
    ON pairings_pairing FOR EACH ROW EXECUTE FUNCTION pairings_pairing_sides()
    """,
    """
    CREATE FUNCTION pairings_mentorship_mentee_side() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT side FROM pairings_unit WHERE id = NEW.mentee_unit_id) IS DISTINCT FROM 'helped' THEN
        RAISE EXCEPTION 'mentorship_mentee_side: the mentee unit is on the helped side'
          USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER mentorship_mentee_side BEFORE INSERT OR UPDATE OF mentee_unit_id
    ON pairings_mentorship FOR EACH ROW EXECUTE FUNCTION pairings_mentorship_mentee_side()
    """,
    """
    CREATE FUNCTION pairings_unit_side_kept() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.side IS DISTINCT FROM OLD.side AND (
           EXISTS (SELECT 1 FROM pairings_pairing WHERE helper_id = NEW.id OR helped_id = NEW.id)
           OR EXISTS (SELECT 1 FROM pairings_mentorship WHERE mentee_unit_id = NEW.id)) THEN
        RAISE EXCEPTION 'unit_side_kept: a unit in pairings or mentorships keeps its side'
          USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER unit_side_kept BEFORE UPDATE OF side
    ON pairings_unit FOR EACH ROW EXECUTE FUNCTION pairings_unit_side_kept()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS unit_side_kept ON pairings_unit",
    "DROP TRIGGER IF EXISTS mentorship_mentee_side ON pairings_mentorship",
    "DROP TRIGGER IF EXISTS pairing_sides ON pairings_pairing",
    "DROP FUNCTION IF EXISTS pairings_unit_side_kept()",
    "DROP FUNCTION IF EXISTS pairings_mentorship_mentee_side()",
    "DROP FUNCTION IF EXISTS pairings_pairing_sides()",
]

STATEMENTS = {"sqlite": (SQLITE, SQLITE_REVERSE), "postgresql": (POSTGRESQL, POSTGRESQL_REVERSE)}


def _run(schema_editor, forward: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"pairings: no side triggers written for {vendor}; add them here.")
    for statement in STATEMENTS[vendor][0 if forward else 1]:
        schema_editor.execute(statement)


def create_triggers(apps, schema_editor) -> None:
    _run(schema_editor, forward=True)


def drop_triggers(apps, schema_editor) -> None:
    _run(schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("pairings", "0002_pairings_exchanges_mentorships"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
