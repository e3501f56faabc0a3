"""Make the audit trail append-only in the database itself.

An UPDATE that touches anything but the actor links is refused (the links may still be set to NULL
when the person or key who acted is deleted: ``actor_name`` keeps who it was).
"""

from django.db import migrations

GUARDED = "claim_id, actor_kind, actor_name, action, from_status, to_status, note, created_at"
MESSAGE = "claim events are append-only"

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION factcheck_claimevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER factcheck_claimevent_append_only
    BEFORE UPDATE OF {GUARDED} ON factcheck_claimevent
    FOR EACH ROW EXECUTE FUNCTION factcheck_claimevent_append_only();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS factcheck_claimevent_append_only ON factcheck_claimevent;
DROP FUNCTION IF EXISTS factcheck_claimevent_append_only();
"""
SQLITE_FORWARD = f"""
CREATE TRIGGER factcheck_claimevent_append_only
    BEFORE UPDATE OF {GUARDED} ON factcheck_claimevent
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS factcheck_claimevent_append_only;"


def _run(schema_editor, by_vendor: dict[str, str]) -> None:
    sql = by_vendor.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql, params=None)


def forward(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD})


def backward(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [("factcheck", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
