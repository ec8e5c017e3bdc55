"""On PostgreSQL the database itself keeps safety's records as written (R29–R32, issue 11): hand-overs, visitor
entries, venue checks and their items, rectifications, incidents with the children involved, the guardians told and
the follow-ups are never deleted and never changed. A mistake is corrected by a new record naming the one it
corrects. The one change some records wait for is filled once, and nothing else moves with it: an escort's receipt of
a hand-over, a visitor's time out, an incident's closing. The services refuse first with a clear message; this is the
last line against a crafted request, a bug or a hand-typed SQL statement. (SQLite has no such triggers: its test
flush deletes rows one by one; the services refuse there just the same.)

Two functions serve every table: `safety_refuse_change(message)` refuses any UPDATE or DELETE;
`safety_fill_once(message, column, other columns...)` refuses DELETE and lets an UPDATE through only while `column`
is still empty and only `column` and the other named columns change.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION safety_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'safety: % of % refused: %', TG_OP, TG_TABLE_NAME, TG_ARGV[0]
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION safety_fill_once() RETURNS trigger AS $$
DECLARE
    filled text[] := TG_ARGV[1:TG_NARGS - 1];
BEGIN
    IF TG_OP = 'UPDATE'
       AND to_jsonb(OLD) ->> TG_ARGV[1] IS NULL
       AND (to_jsonb(NEW) - filled) = (to_jsonb(OLD) - filled)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'safety: % of % refused: %', TG_OP, TG_TABLE_NAME, TG_ARGV[0]
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER safety_handover_append_only BEFORE UPDATE OR DELETE ON safety_handover FOR EACH ROW
    EXECUTE FUNCTION safety_fill_once('a hand-over is never changed, only its receipt filled once; record a correction',
                                      'received_at', 'received_by_id');
CREATE TRIGGER safety_visit_fixed BEFORE UPDATE OR DELETE ON safety_visit FOR EACH ROW
    EXECUTE FUNCTION safety_fill_once('a visitor entry is never changed, only its time out filled once; record a correction',
                                      'time_out', 'out_recorded_by_id');
CREATE TRIGGER safety_incident_fixed BEFORE UPDATE OR DELETE ON safety_incident FOR EACH ROW
    EXECUTE FUNCTION safety_fill_once('an incident is never changed, only closed once; add a follow-up or a correction',
                                      'closed_at', 'status', 'closing_summary', 'closed_by_id', 'updated_at');
CREATE TRIGGER safety_incidentchild_fixed BEFORE UPDATE OR DELETE ON safety_incidentchild FOR EACH ROW
    EXECUTE FUNCTION safety_refuse_change('incident records are never changed; add a follow-up');
CREATE TRIGGER safety_guardiancontact_fixed BEFORE UPDATE OR DELETE ON safety_guardiancontact FOR EACH ROW
    EXECUTE FUNCTION safety_refuse_change('incident records are never changed; add a follow-up');
CREATE TRIGGER safety_incidentfollowup_fixed BEFORE UPDATE OR DELETE ON safety_incidentfollowup FOR EACH ROW
    EXECUTE FUNCTION safety_refuse_change('incident records are never changed; add a follow-up');
CREATE TRIGGER safety_venuecheck_fixed BEFORE UPDATE OR DELETE ON safety_venuecheck FOR EACH ROW
    EXECUTE FUNCTION safety_refuse_change('a venue check is never changed; record a new check');
CREATE TRIGGER safety_venuecheckitem_fixed BEFORE UPDATE OR DELETE ON safety_venuecheckitem FOR EACH ROW
    EXECUTE FUNCTION safety_refuse_change('a check item is never changed');
CREATE TRIGGER safety_rectification_fixed BEFORE UPDATE OR DELETE ON safety_rectification FOR EACH ROW
    EXECUTE FUNCTION safety_refuse_change('a rectification is never changed; record a new one');
"""

TABLES = {
    "safety_handover_append_only": "safety_handover",
    "safety_visit_fixed": "safety_visit",
    "safety_incident_fixed": "safety_incident",
    "safety_incidentchild_fixed": "safety_incidentchild",
    "safety_guardiancontact_fixed": "safety_guardiancontact",
    "safety_incidentfollowup_fixed": "safety_incidentfollowup",
    "safety_venuecheck_fixed": "safety_venuecheck",
    "safety_venuecheckitem_fixed": "safety_venuecheckitem",
    "safety_rectification_fixed": "safety_rectification",
}
BACKWARD = "\n".join(f"DROP TRIGGER IF EXISTS {trigger} ON {table};" for trigger, table in TABLES.items()) + r"""
DROP FUNCTION IF EXISTS safety_fill_once();
DROP FUNCTION IF EXISTS safety_refuse_change();
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
