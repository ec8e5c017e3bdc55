"""On PostgreSQL the database itself keeps a closed month's delivery as it was (R21, issue 13 item 7): the sessions,
their rolls, their assistants and the recorded substitutions of a month its school has closed (a HoursMonth row for
the school and the first day of the month, exactly what `schools.services.hours.month_is_closed` asks) refuse
INSERT, UPDATE and DELETE. Claims and pay are computed from these rows; a correction to a closed month is a signed
HoursAdjustment, which stays writable. The services refuse first with a clear message; this is the last line
against a crafted request, a bug or a hand-typed SQL statement. An UPDATE is refused when the row's old or its new
place is in a closed month (a session cannot be moved into or out of one).

`schools_closed_month(row, via_session)` finds the closed month a row falls in (NULL when open): through its
session (roll, assistants) or through its own service class and date (sessions, substitutions).
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION schools_closed_month(row_data jsonb, via_session boolean) RETURNS date AS $$
DECLARE
    class_id bigint;
    day date;
    closed date;
BEGIN
    IF via_session THEN
        SELECT s.service_class_id, s.date INTO class_id, day
        FROM schools_session s WHERE s.id = (row_data ->> 'session_id')::bigint;
    ELSE
        class_id := (row_data ->> 'service_class_id')::bigint;
        day := (row_data ->> 'date')::date;
    END IF;
    IF class_id IS NULL OR day IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT m.month INTO closed
    FROM schools_hoursmonth m JOIN schools_serviceclass c ON c.school_id = m.school_id
    WHERE c.id = class_id AND m.month = date_trunc('month', day)::date;
    RETURN closed;
END;
$$ LANGUAGE plpgsql STABLE;

CREATE OR REPLACE FUNCTION schools_closed_month_guard() RETURNS trigger AS $$
DECLARE
    via_session boolean := TG_ARGV[0] = 'session';
    closed date;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        closed := schools_closed_month(to_jsonb(OLD), via_session);
    END IF;
    IF closed IS NULL AND TG_OP <> 'DELETE' THEN
        closed := schools_closed_month(to_jsonb(NEW), via_session);
    END IF;
    IF closed IS NOT NULL THEN
        RAISE EXCEPTION 'schools: % of % refused: the month % is closed for its school; record an hours adjustment',
            TG_OP, TG_TABLE_NAME, to_char(closed, 'YYYY-MM')
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER schools_session_closed_month BEFORE INSERT OR UPDATE OR DELETE ON schools_session
    FOR EACH ROW EXECUTE FUNCTION schools_closed_month_guard('class');
CREATE TRIGGER schools_attendance_closed_month BEFORE INSERT OR UPDATE OR DELETE ON schools_attendance
    FOR EACH ROW EXECUTE FUNCTION schools_closed_month_guard('session');
CREATE TRIGGER schools_sessionassistant_closed_month BEFORE INSERT OR UPDATE OR DELETE ON schools_sessionassistant
    FOR EACH ROW EXECUTE FUNCTION schools_closed_month_guard('session');
CREATE TRIGGER schools_substitution_closed_month BEFORE INSERT OR UPDATE OR DELETE ON schools_substitution
    FOR EACH ROW EXECUTE FUNCTION schools_closed_month_guard('class');
"""

TABLES = {
    "schools_session_closed_month": "schools_session",
    "schools_attendance_closed_month": "schools_attendance",
    "schools_sessionassistant_closed_month": "schools_sessionassistant",
    "schools_substitution_closed_month": "schools_substitution",
}
BACKWARD = "\n".join(f"DROP TRIGGER IF EXISTS {trigger} ON {table};" for trigger, table in TABLES.items()) + r"""
DROP FUNCTION IF EXISTS schools_closed_month_guard();
DROP FUNCTION IF EXISTS schools_closed_month(jsonb, boolean);
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
    dependencies = [("schools", "0009_passwords")]
    operations = [migrations.RunPython(forward, backward)]
