"""On PostgreSQL the database itself refuses to change an incident record (R32, issue 11 §7): the incident, the
children involved, the guardians told and the follow-ups are never updated or deleted. The one exception is the
incident's own closing, moved by the workflow: its status, closing summary, closed at/by and updated_at.
The services refuse first with a clear message; this is the last line against a bug or a hand-typed statement.
(SQLite has no such triggers: its flush deletes rows one by one, which the tests need.)
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION safety_incident_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'safety: % of % refused: incident records are never changed; add a follow-up', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

-- The incident row: only the workflow's closing fields may move, and nothing is ever deleted.
CREATE OR REPLACE FUNCTION safety_incident_guard() RETURNS trigger AS $$
DECLARE
    moving text[] := ARRAY['status', 'closing_summary', 'closed_at', 'closed_by_id', 'updated_at'];
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'safety: an incident is never deleted' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (to_jsonb(NEW) - moving) IS DISTINCT FROM (to_jsonb(OLD) - moving) THEN
        RAISE EXCEPTION 'safety: an incident is never edited; add a follow-up or a correction'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.status = 'closed' THEN
        RAISE EXCEPTION 'safety: a closed incident is never changed' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER safety_incident_fixed BEFORE UPDATE OR DELETE ON safety_incident
    FOR EACH ROW EXECUTE FUNCTION safety_incident_guard();
CREATE TRIGGER safety_incidentchild_fixed BEFORE UPDATE OR DELETE ON safety_incidentchild
    FOR EACH ROW EXECUTE FUNCTION safety_incident_refuse_change();
CREATE TRIGGER safety_guardiancontact_fixed BEFORE UPDATE OR DELETE ON safety_guardiancontact
    FOR EACH ROW EXECUTE FUNCTION safety_incident_refuse_change();
CREATE TRIGGER safety_incidentfollowup_fixed BEFORE UPDATE OR DELETE ON safety_incidentfollowup
    FOR EACH ROW EXECUTE FUNCTION safety_incident_refuse_change();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS safety_incidentfollowup_fixed ON safety_incidentfollowup;
DROP TRIGGER IF EXISTS safety_guardiancontact_fixed ON safety_guardiancontact;
DROP TRIGGER IF EXISTS safety_incidentchild_fixed ON safety_incidentchild;
DROP TRIGGER IF EXISTS safety_incident_fixed ON safety_incident;
DROP FUNCTION IF EXISTS safety_incident_guard();
DROP FUNCTION IF EXISTS safety_incident_refuse_change();
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
    dependencies = [("safety", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
