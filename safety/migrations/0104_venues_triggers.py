"""On PostgreSQL the database refuses to change a venue check or its items (R29: a check is a record, never
edited; a mistake is corrected by a new check), and a rectification once recorded. The services refuse first;
this is the last line against a crafted request or a hand-typed statement. (SQLite has no such triggers.)
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION safety_venues_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'safety: % of % refused: %', TG_OP, TG_TABLE_NAME, TG_ARGV[0]
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER safety_venuecheck_fixed BEFORE UPDATE OR DELETE ON safety_venuecheck
    FOR EACH ROW EXECUTE FUNCTION safety_venues_refuse_change('a venue check is never changed; record a new check');
CREATE TRIGGER safety_venuecheckitem_fixed BEFORE UPDATE OR DELETE ON safety_venuecheckitem
    FOR EACH ROW EXECUTE FUNCTION safety_venues_refuse_change('a check item is never changed');
CREATE TRIGGER safety_rectification_fixed BEFORE UPDATE OR DELETE ON safety_rectification
    FOR EACH ROW EXECUTE FUNCTION safety_venues_refuse_change('a rectification is never changed; record a new one');
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS safety_rectification_fixed ON safety_rectification;
DROP TRIGGER IF EXISTS safety_venuecheckitem_fixed ON safety_venuecheckitem;
DROP TRIGGER IF EXISTS safety_venuecheck_fixed ON safety_venuecheck;
DROP FUNCTION IF EXISTS safety_venues_refuse_change();
"""


def _run(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)  # no parameters: the % signs are PL/pgSQL's own


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def reverse(apps, schema_editor):
    _run(schema_editor, REVERSE)


class Migration(migrations.Migration):
    dependencies = [("safety", "0103_handovers_triggers")]

    operations = [migrations.RunPython(forward, reverse)]
