"""On PostgreSQL the database itself keeps hand-overs append-only (R30, issue 11 §2): a record is never deleted and
never changed, except the receiving staff's one-time confirmation (received_at and received_by filled once, when
empty). The services never update a hand-over; this is the last line against a bug or a hand-typed statement.
SQLite has no such trigger (its test flush deletes rows one by one); the services refuse there just the same."""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION safety_handover_guard() RETURNS trigger AS $$
DECLARE
    kept safety_handover;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'safety: a hand-over is never deleted; record a correction'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    kept := NEW;
    kept.received_at := OLD.received_at;
    kept.received_by_id := OLD.received_by_id;
    IF kept IS DISTINCT FROM OLD OR OLD.received_at IS NOT NULL OR OLD.received_by_id IS NOT NULL THEN
        RAISE EXCEPTION 'safety: a hand-over is never changed; only its receipt is filled, once'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER safety_handover_append_only BEFORE UPDATE OR DELETE ON safety_handover
    FOR EACH ROW EXECUTE FUNCTION safety_handover_guard();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS safety_handover_append_only ON safety_handover;
DROP FUNCTION IF EXISTS safety_handover_guard();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE)


class Migration(migrations.Migration):
    dependencies = [("safety", "0102_gate_triggers")]

    operations = [migrations.RunPython(forward, reverse)]
