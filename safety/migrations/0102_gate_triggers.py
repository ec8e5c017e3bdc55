"""On PostgreSQL the database itself keeps the gate's visitor log as written (issue 11 §5): an entry is never
deleted, and the only change ever made to it is the one-time "left" tap filling its empty time out (and who tapped).
A mistake is corrected by a new entry naming the one it corrects. The services refuse first with a clear message;
this is the last line against a crafted request, a bug or a hand-typed SQL statement. (SQLite has no such triggers:
its flush deletes rows one by one, which the tests need.)
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION safety_visit_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'safety: a visitor entry is never deleted; record a correction'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.time_out IS NULL AND NEW.time_out IS NOT NULL
       AND (to_jsonb(NEW) - 'time_out' - 'out_recorded_by_id') = (to_jsonb(OLD) - 'time_out' - 'out_recorded_by_id')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'safety: a visitor entry is never changed (only its time out, once); record a correction'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER safety_visit_fixed BEFORE UPDATE OR DELETE ON safety_visit
    FOR EACH ROW EXECUTE FUNCTION safety_visit_guard();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS safety_visit_fixed ON safety_visit;
DROP FUNCTION IF EXISTS safety_visit_guard();
"""


def _run(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)  # no parameters: the % signs are PL/pgSQL's own


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("safety", "0101_incidents_triggers")]
    operations = [migrations.RunPython(forward, backward)]
